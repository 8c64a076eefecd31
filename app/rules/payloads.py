"""A flag as it leaves this node: the payload of its events, beside its subject's payload."""

from decimal import Decimal
from typing import Any, Self

from app.rules.models import Flag
from app.rules.schemas import FlagCore


class FlagPayload(FlagCore):
    """What an event about a flag says of it (its subject travels beside it)."""

    score: Decimal | None = None

    @classmethod
    def of(cls, flag: Flag, score: Decimal | None = None) -> Self:
        return cls.model_validate(flag, from_attributes=True).model_copy(update={"score": score})

    def data(self, subject: dict[str, Any]) -> dict[str, Any]:
        """The event's payload: {flag, subject}."""
        return {"flag": self.model_dump(mode="json"), "subject": subject}
