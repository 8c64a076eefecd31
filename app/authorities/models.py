"""Competent national authorities: regulators, customs, law enforcement, international bodies."""

from datetime import datetime

from sqlalchemy import true
from sqlmodel import Field, SQLModel

from app.core.cache import ROUTING, group_info
from app.core.types import UTCDateTime, utcnow


class Authority(SQLModel, table=True):
    __tablename__ = "authority"
    # The recipients' directory, cached with the routing rules (app/alerts/outbox.py).
    __table_args__ = group_info(ROUTING)

    id: str = Field(primary_key=True, max_length=32)
    country: str = Field(foreign_key="country.iso2", max_length=2, index=True)
    name: str = Field(max_length=200)
    kind: str = Field(max_length=20)
    email: str | None = Field(default=None, max_length=254)
    webhook_url: str | None = Field(default=None, max_length=2000)
    # Needed in clear to sign outgoing webhooks; never returned after creation.
    webhook_secret: str | None = Field(default=None, max_length=200)
    # After a rotation the old secret keeps signing beside the new one until this time, so the
    # receiver can switch secrets without dropping a message (Standard Webhooks allows several
    # signatures in one header).
    previous_webhook_secret: str | None = Field(default=None, max_length=200)
    previous_secret_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # A disabled authority's users are refused and its webhooks wait (not dropped) until it is
    # enabled again.
    enabled: bool = Field(default=True, sa_column_kwargs={"server_default": true()})
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
