"""Operations (Vienna Declaration III.7, e.g. Operation TARCET): multilateral, time-bound, on
named substances, with numeric objectives stated in advance and the records tagged to them."""

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Column, Index
from sqlmodel import Field, SQLModel

from app.core.types import JSONType, UTCDateTime, utcnow


class Operation(SQLModel, table=True):
    __tablename__ = "operation"

    id: str = Field(primary_key=True, max_length=32)
    name: str = Field(max_length=200)
    starts_on: date
    ends_on: date
    # CAS numbers of the target substances (empty: every substance).
    substances: list[str] = Field(sa_column=Column(JSONType, nullable=False))
    created_by_user_id: str | None = Field(default=None, max_length=32)
    created_by_authority_id: str | None = Field(default=None, max_length=32)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class OperationCountry(SQLModel, table=True):
    """A participating country: its authorities read the operation and tag records to it."""

    __tablename__ = "operation_country"
    __table_args__ = (Index("ix_operation_country_country", "country", "operation_id"),)

    operation_id: str = Field(foreign_key="operation.id", primary_key=True, max_length=32)
    country: str = Field(primary_key=True, max_length=2)


class OperationObjective(SQLModel, table=True):
    __tablename__ = "operation_objective"

    id: str = Field(primary_key=True, max_length=32)
    operation_id: str = Field(foreign_key="operation.id", max_length=32, index=True)
    position: int
    metric: str = Field(max_length=40)
    target: Decimal = Field(max_digits=18, decimal_places=3)
    # The N of `pens_reviewed_within_days`.
    days: int | None = Field(default=None)


class OperationItem(SQLModel, table=True):
    """A record tagged to an operation."""

    __tablename__ = "operation_item"

    operation_id: str = Field(foreign_key="operation.id", primary_key=True, max_length=32)
    item_type: str = Field(primary_key=True, max_length=24)
    item_id: str = Field(primary_key=True, max_length=32)
    tagged_by_user_id: str | None = Field(default=None, max_length=32)
    tagged_by_authority_id: str | None = Field(default=None, max_length=32)
    tagged_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
