"""Tables owned by the core: remembered Idempotency-Key responses."""

from datetime import datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from app.core.types import UTCDateTime, utcnow


class IdempotencyRecord(SQLModel, table=True):
    __tablename__ = "idempotency_record"
    __table_args__ = (UniqueConstraint("scope", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    # SHA-256 of the caller's credentials: keys are private to whoever sent them.
    scope: str = Field(max_length=64)
    key: str = Field(max_length=255)
    method: str = Field(max_length=10)
    path: str = Field(max_length=500)
    body_hash: str = Field(max_length=64)
    # None while the first request is still running.
    status_code: int | None = Field(default=None)
    response_body: str | None = Field(default=None)
    content_type: str | None = Field(default=None, max_length=100)
    location: str | None = Field(default=None, max_length=500)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)


class CacheVersion(SQLModel, table=True):
    """One row per group of rarely changing tables; triggers add one on every change to them
    (app/core/cache.py)."""

    __tablename__ = "cache_version"

    name: str = Field(primary_key=True, max_length=20)
    version: int = Field(default=0)
