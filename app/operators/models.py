"""Companies in the trade: exporters, importers, consignees, forwarders."""

from datetime import date, datetime

from sqlmodel import Field, SQLModel

from app.core.types import UTCDateTime, utcnow


class Operator(SQLModel, table=True):
    __tablename__ = "operator"

    id: str = Field(primary_key=True, max_length=32)
    name: str = Field(max_length=200, index=True)
    country: str = Field(foreign_key="country.iso2", max_length=2, index=True)
    address: str = Field(max_length=500)
    kind: str | None = Field(default=None, max_length=30)
    registration_number: str | None = Field(default=None, max_length=100)
    licence_number: str | None = Field(default=None, max_length=100)
    licence_valid_until: date | None = Field(default=None)
    created_by_authority_id: str | None = Field(
        default=None, foreign_key="authority.id", max_length=32
    )
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
