"""Domain events: the record of what happened, written in the transaction that made it
happen. The outbox (app/alerts/outbox.py) routes each one as the flow that emitted it asks."""

from datetime import datetime
from typing import Any

from sqlalchemy import Column
from sqlmodel import Field, SQLModel

from app.core.types import JSONType, UTCDateTime, utcnow


class DomainEvent(SQLModel, table=True):
    __tablename__ = "domain_event"

    id: str = Field(primary_key=True, max_length=32)
    # An EventType (app/events/types.py).
    type: str = Field(max_length=40, index=True)
    subject_type: str = Field(max_length=40)
    subject_id: str = Field(max_length=32, index=True)
    # Countries concerned (exporting, importing, transit, consignee), by role.
    route: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSONType, nullable=False))
    payload: dict[str, Any] = Field(
        default_factory=dict, sa_column=Column(JSONType, nullable=False)
    )
    actor_user_id: str | None = Field(default=None, max_length=32)
    occurred_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
