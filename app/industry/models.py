"""Industry reports: suspicious orders and enquiries a company tells its national authority
about (INCB voluntary code of practice; Vienna Declaration III.10)."""

from datetime import datetime
from decimal import Decimal

from sqlalchemy import Column, Index
from sqlmodel import Field, SQLModel

from app.core.types import JSONType, UTCDateTime, utcnow


class IndustryReport(SQLModel, table=True):
    __tablename__ = "industry_report"
    __table_args__ = (Index("ix_industry_report_country_created", "country", "created_at"),)

    id: str = Field(primary_key=True, max_length=32)
    reference: str = Field(max_length=32, unique=True)
    operator_id: str = Field(foreign_key="operator.id", max_length=32, index=True)
    # The operator's country: its regulator triages the report.
    country: str = Field(max_length=2)
    # The operator's kind when it reported (manufacturer, distributor, trader …).
    sector: str = Field(max_length=30)
    kind: str = Field(max_length=10)  # order | enquiry
    customer_name: str = Field(max_length=200)
    customer_country: str = Field(max_length=2)
    customer_address: str | None = Field(default=None, max_length=500)
    # A listed substance by CAS number, or any chemical by name (non-scheduled ones too).
    cas_number: str | None = Field(default=None, max_length=14)
    substance_name: str = Field(max_length=200)
    scheduled: bool
    quantity: Decimal | None = Field(default=None, max_digits=15, decimal_places=3)
    unit: str | None = Field(default=None, max_length=3)
    quantity_kg: Decimal | None = Field(default=None, max_digits=18, decimal_places=3)
    requested_route: list[str] = Field(sa_column=Column(JSONType, nullable=False))
    means_of_payment: str | None = Field(default=None, max_length=40)
    narrative: str = Field(max_length=4000)
    status: str = Field(max_length=12, index=True)
    feedback: str | None = Field(default=None, max_length=4000)
    first_feedback_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    triaged_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    triaged_by_authority_id: str | None = Field(default=None, max_length=32)
    flag_id: str | None = Field(default=None, max_length=32)
    incident_id: str | None = Field(default=None, max_length=32)
    reported_by_user_id: str = Field(max_length=32)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class IndustryReportIndicator(SQLModel, table=True):
    """One indicator a report names (a row each, so that summaries count them in SQL)."""

    __tablename__ = "industry_report_indicator"

    report_id: str = Field(foreign_key="industry_report.id", primary_key=True, max_length=32)
    indicator: str = Field(primary_key=True, max_length=40, index=True)
