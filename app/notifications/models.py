"""Pre-export notifications (Article 12(10)(a)) and the messages exchanged about them."""

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Column, Index
from sqlmodel import Field, SQLModel

from app.core.types import JSONType, UTCDateTime, utcnow


class PreExportNotification(SQLModel, table=True):
    __tablename__ = "pre_export_notification"
    __table_args__ = (
        Index("ix_pen_exporting_sent", "exporting_country", "sent_at"),
        Index("ix_pen_importing_sent", "importing_country", "sent_at"),
        # The rules' PEN history of an importer (new-counterparty) and of an importing country
        # (the country's year of a substance): earlier PENs of a substance, covering what the
        # aggregates read (rules/gather.py), so a long history is not a row lookup per earlier
        # PEN, and the country's year is read from its own range, not the country's every PEN.
        *(
            Index(name, party, "cas_number", "created_at", "sent_at", "quantity_kg", "id")
            for name, party in (
                ("ix_pen_importer_substance_created", "importer_id"),
                ("ix_pen_country_substance_created", "importing_country"),
            )
        ),
    )

    id: str = Field(primary_key=True, max_length=32)
    reference: str = Field(max_length=32, unique=True)
    status: str = Field(max_length=24, index=True)
    exporting_country: str = Field(foreign_key="country.iso2", max_length=2)
    importing_country: str = Field(foreign_key="country.iso2", max_length=2)
    transit_countries: list[str] = Field(
        default_factory=list, sa_column=Column(JSONType, nullable=False)
    )
    exporter_id: str = Field(foreign_key="operator.id", max_length=32)
    importer_id: str = Field(foreign_key="operator.id", max_length=32)
    consignee_id: str | None = Field(default=None, foreign_key="operator.id", max_length=32)
    cas_number: str = Field(foreign_key="substance.cas_number", max_length=12, index=True)
    quantity: Decimal = Field(max_digits=15, decimal_places=3)
    unit: str = Field(max_length=3)
    quantity_kg: Decimal = Field(max_digits=18, decimal_places=3)
    expected_dispatch_date: date
    expected_point_of_entry: str = Field(max_length=200)
    mode_of_transport: str = Field(max_length=20)
    means_of_payment: str = Field(max_length=40)
    intended_use: str | None = Field(default=None, max_length=500)
    reply_by: date | None = Field(default=None)
    # The importing authority's latest decision; kept after a withdrawal, unlike `status`.
    decision: str | None = Field(default=None, max_length=24)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    acknowledged_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    withdrawn_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_by_user_id: str | None = Field(default=None, max_length=32)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    # The complete PEN (INCB PEN form, EU export authorisation), all optional on a draft.
    import_authorisation: dict[str, Any] | None = Field(default=None, sa_column=Column(JSONType))
    export_authorisation: dict[str, Any] | None = Field(default=None, sa_column=Column(JSONType))
    form: str | None = Field(default=None, max_length=12)
    concentration_percent: Decimal | None = Field(default=None, max_digits=6, decimal_places=3)
    # The substance's own content: quantity_kg × concentration × the salt's base factor.
    quantity_base_kg: Decimal | None = Field(default=None, max_digits=18, decimal_places=3)
    packages: list[dict[str, Any]] | None = Field(default=None, sa_column=Column(JSONType))
    point_of_exit: str | None = Field(default=None, max_length=200)
    expected_arrival_date: date | None = Field(default=None)
    itinerary: list[dict[str, Any]] | None = Field(default=None, sa_column=Column(JSONType))
    # Checked against the country list when written (no foreign key: added to a table that
    # other tables' triggers read, which SQLite could only do by recreating it).
    final_destination_country: str | None = Field(default=None, max_length=2)
    parties: list[dict[str, Any]] | None = Field(default=None, sa_column=Column(JSONType))
    invoice: dict[str, Any] | None = Field(default=None, sa_column=Column(JSONType))
    valid_until: date | None = Field(default=None)
    other_information: dict[str, Any] | None = Field(default=None, sa_column=Column(JSONType))
    # A PEN for a chemical outside Tables I and II (special surveillance or a national list).
    voluntary: bool = Field(default=False)
    # Receipt confirmed by the importing authority.
    arrival_received_on: date | None = Field(default=None)
    arrival_quantity_kg: Decimal | None = Field(default=None, max_digits=18, decimal_places=3)
    arrival_note: str | None = Field(default=None, max_length=2000)


class PenRouteCountry(SQLModel, table=True):
    """One row per country on a notification's route, so visibility is an indexed lookup."""

    __tablename__ = "pen_route_country"
    __table_args__ = (Index("ix_pen_route_country_country", "country", "notification_id"),)

    notification_id: str = Field(
        foreign_key="pre_export_notification.id", primary_key=True, max_length=32
    )
    country: str = Field(primary_key=True, max_length=2)
    role: str = Field(primary_key=True, max_length=10)


class PenMessage(SQLModel, table=True):
    """The history of a notification: sends, acknowledgements, responses, answers, withdrawals."""

    __tablename__ = "pen_message"

    id: str = Field(primary_key=True, max_length=32)
    notification_id: str = Field(
        foreign_key="pre_export_notification.id", max_length=32, index=True
    )
    kind: str = Field(max_length=20)
    decision: str | None = Field(default=None, max_length=24)
    text: str | None = Field(default=None, max_length=4000)
    country: str = Field(max_length=2)
    author_user_id: str | None = Field(default=None, max_length=32)
    author_authority_id: str | None = Field(default=None, max_length=32)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ReferenceCounter(SQLModel, table=True):
    """The last number handed out per prefix (`DE-2026`), for readable references."""

    __tablename__ = "reference_counter"

    prefix: str = Field(primary_key=True, max_length=16)
    last: int = Field(default=0)
