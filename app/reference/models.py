"""Countries, substances and who requires pre-export notifications for what."""

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Column, Index, event
from sqlmodel import Field, SQLModel

from app.core.cache import REFERENCE, group_info
from app.core.types import JSONType, UTCDateTime, utcnow


class Country(SQLModel, table=True):
    __tablename__ = "country"
    __table_args__ = group_info(REFERENCE)

    iso2: str = Field(primary_key=True, max_length=2)
    iso3: str = Field(max_length=3, unique=True)
    numeric: str = Field(max_length=3)
    name: str = Field(max_length=200)
    official_name: str | None = Field(default=None, max_length=300)


class Substance(SQLModel, table=True):
    __tablename__ = "substance"
    __table_args__ = group_info(REFERENCE)

    # A CAS Registry Number, or a group entry's code (`G-…`) where the schedule names a
    # substance we could not confirm a CAS number for (app/core/fields.py).
    cas_number: str = Field(primary_key=True, max_length=12)
    name: str = Field(max_length=200)
    # "I" or "II"; empty for chemicals outside the tables (special surveillance, national lists).
    convention_table: str = Field(max_length=3, index=True)
    hs_code: str = Field(max_length=10)
    density_kg_per_l: Decimal | None = Field(default=None, max_digits=8, decimal_places=4)
    scheduled_year: int | None = Field(default=None)
    # Names under which the substance is traded or mis-declared (for the rules that compare them).
    synonyms: list[str] = Field(default_factory=list, sa_column=Column(JSONType, nullable=False))
    notes: str | None = Field(default=None, max_length=2000)
    # table_i, table_ii, special_surveillance or national (SubstanceKind).
    kind: str = Field(default="table_i", max_length=24, index=True)
    # A salt: the substance it is a salt of, and the share of its mass that is that base.
    base_cas_number: str | None = Field(default=None, max_length=12)
    base_factor: Decimal | None = Field(default=None, max_digits=6, decimal_places=4)
    # When control took effect, where known; and where this entry comes from.
    effective_from: date | None = Field(default=None)
    source: str | None = Field(default=None, max_length=500)
    # Above this quantity a single consignment draws attention (split-shipments reads it).
    threshold_kg: Decimal | None = Field(default=None, max_digits=12, decimal_places=3)
    # A national list chemical: the country whose list names it.
    list_country: str | None = Field(default=None, max_length=2)


class PenRequirement(SQLModel, table=True):
    """An Article 12(10)(a) invocation or a no-licit-need declaration (Annex VI as data)."""

    __tablename__ = "pen_requirement"
    __table_args__ = (
        Index("ix_pen_requirement_country_cas", "country", "cas_number"),
        # One requirement per country and scope (a substance, or a whole table).
        Index("uq_pen_requirement_scope", "country", "scope_key", unique=True),
        group_info(REFERENCE),
    )

    id: str = Field(primary_key=True, max_length=32)
    country: str = Field(foreign_key="country.iso2", max_length=2)
    # None means every substance of `table`.
    cas_number: str | None = Field(default=None, foreign_key="substance.cas_number", max_length=12)
    table: str | None = Field(default=None, max_length=3)
    requires_pen: bool = Field(default=True)
    no_licit_need: bool = Field(default=False)
    since: date | None = Field(default=None)
    source: str | None = Field(default=None, max_length=500)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    # "<cas_number>|<table>" with "*" for an absent part, set on every write (scope_key_of): the
    # unique index cannot use the two nullable columns (NULLs never collide).
    scope_key: str | None = Field(default=None, max_length=20)


class LegitimateRequirement(SQLModel, table=True):
    """A government's annual legitimate requirement (ALR) for a substance: the quantity it
    expects to import in a year (INCB publishes these for the ATS precursors)."""

    __tablename__ = "legitimate_requirement"
    __table_args__ = (
        Index("uq_legitimate_requirement_country_cas", "country", "cas_number", unique=True),
        group_info(REFERENCE),
    )

    id: str = Field(primary_key=True, max_length=32)
    country: str = Field(foreign_key="country.iso2", max_length=2)
    cas_number: str = Field(foreign_key="substance.cas_number", max_length=12)
    quantity_kg: Decimal = Field(max_digits=18, decimal_places=3)
    valid_from: date | None = Field(default=None)
    source: str = Field(max_length=500)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


def scope_key_of(cas_number: str | None, table: str | None) -> str:
    return f"{cas_number or '*'}|{table or '*'}"


@event.listens_for(PenRequirement, "before_insert")
@event.listens_for(PenRequirement, "before_update")
def _set_scope_key(_mapper: Any, _connection: Any, target: PenRequirement) -> None:
    target.scope_key = scope_key_of(target.cas_number, target.table)
