from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel


class TokenStatus(StrEnum):
    ACTIVE = "active"
    EXPIRED = "expired"
    REVOKED = "revoked"
    DISABLED = "disabled"


class TokenPublic(BaseModel):
    """A user's bearer token as admins see it: never the secret."""

    id: str
    name: str
    role: str
    authority_id: str | None
    operator_id: str | None = None
    created_at: datetime
    last_used_at: datetime | None
    expires_at: datetime | None
    revoked_at: datetime | None
    status: TokenStatus
