"""The audit trail: one row for every state change, written in the change's own transaction."""

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Column
from sqlmodel import Field, SQLModel

from app.core.types import JSONType, UTCDateTime, utcnow


class AuditEvent(SQLModel, table=True):
    __tablename__ = "audit_event"

    id: str = Field(primary_key=True, max_length=32)
    occurred_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    actor_user_id: str | None = Field(default=None, max_length=32, index=True)
    actor_role: str | None = Field(default=None, max_length=20)
    actor_authority_id: str | None = Field(default=None, max_length=32)
    action: str = Field(max_length=60, index=True)
    subject_type: str = Field(max_length=40)
    subject_id: str = Field(max_length=64, index=True)
    before: dict[str, Any] | None = Field(default=None, sa_column=Column(JSONType))
    after: dict[str, Any] | None = Field(default=None, sa_column=Column(JSONType))
    request_id: str | None = Field(default=None, max_length=64)
    # The hash chain (app/audit/chain.py): this row's place, the previous row's hash, its own.
    chain_seq: int | None = Field(default=None, sa_type=BigInteger, unique=True, index=True)
    prev_hash: str | None = Field(default=None, max_length=64)
    row_hash: str | None = Field(default=None, max_length=64)
