"""Users and their bearer tokens (stored as SHA-256 digests only)."""

from datetime import datetime

from sqlmodel import Field, SQLModel

from app.core.types import UTCDateTime, utcnow


class User(SQLModel, table=True):
    __tablename__ = "app_user"

    id: str = Field(primary_key=True, max_length=32)
    name: str = Field(max_length=200)
    role: str = Field(max_length=20)
    authority_id: str | None = Field(default=None, foreign_key="authority.id", max_length=32)
    # The operator an `industry` user speaks for.
    operator_id: str | None = Field(default=None, max_length=32)
    token_hash: str = Field(max_length=64, unique=True)
    disabled: bool = Field(default=False)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    # The token is refused from this time on (None: it never expires; only for tokens made
    # before expiry existed).
    expires_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # Written at most once an hour per token (app/auth/service.py).
    last_used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # Dashboard and workspace sessions issued before this time are over (sign-out).
    sessions_valid_after: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # The language the user last picked in the workspace or dashboard (None: not yet).
    language: str | None = Field(default=None, max_length=8)
