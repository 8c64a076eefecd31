"""Shipments as customs see them, and what happened to them at the border."""

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.core.cache import ROUTING, group_info
from app.core.types import JSONType, UTCDateTime, utcnow


class Shipment(SQLModel, table=True):
    __tablename__ = "shipment"
    __table_args__ = (
        UniqueConstraint("recorded_country", "customs_reference"),
        # Covering indexes for the rules' history aggregates (trailing averages, split shipments).
        Index(
            "ix_shipment_importer_substance_created",
            "importer_id",
            "cas_number",
            "created_at",
            "quantity_kg",
        ),
        Index(
            "ix_shipment_parties_substance_created",
            "exporter_id",
            "importer_id",
            "cas_number",
            "created_at",
            "quantity_kg",
        ),
        Index("ix_shipment_exporting_created", "exporting_country", "created_at"),
    )

    id: str = Field(primary_key=True, max_length=32)
    customs_reference: str = Field(max_length=64)
    recorded_country: str = Field(max_length=2)
    notification_id: str | None = Field(
        default=None, foreign_key="pre_export_notification.id", max_length=32, index=True
    )
    pen_reference: str | None = Field(default=None, max_length=32)
    status: str = Field(max_length=20, index=True)
    exporting_country: str = Field(foreign_key="country.iso2", max_length=2)
    importing_country: str = Field(foreign_key="country.iso2", max_length=2)
    transit_countries: list[str] = Field(
        default_factory=list, sa_column=Column(JSONType, nullable=False)
    )
    exporter_id: str = Field(foreign_key="operator.id", max_length=32)
    importer_id: str = Field(foreign_key="operator.id", max_length=32)
    consignee_id: str | None = Field(default=None, foreign_key="operator.id", max_length=32)
    cas_number: str = Field(foreign_key="substance.cas_number", max_length=12)
    declared_hs_code: str = Field(max_length=12)
    declared_description: str | None = Field(default=None, max_length=500)
    quantity: Decimal = Field(max_digits=15, decimal_places=3)
    unit: str = Field(max_length=3)
    quantity_kg: Decimal = Field(max_digits=18, decimal_places=3)
    mode_of_transport: str = Field(max_length=20)
    means_of_payment: str | None = Field(default=None, max_length=40)
    carrier: str | None = Field(default=None, max_length=200)
    container_ids: list[str] = Field(
        default_factory=list, sa_column=Column(JSONType, nullable=False)
    )
    departure_date: date | None = Field(default=None)
    recorded_by_user_id: str | None = Field(default=None, max_length=32)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ShipmentRouteCountry(SQLModel, table=True):
    __tablename__ = "shipment_route_country"
    __table_args__ = (Index("ix_shipment_route_country_country", "country", "shipment_id"),)

    shipment_id: str = Field(foreign_key="shipment.id", primary_key=True, max_length=32)
    country: str = Field(primary_key=True, max_length=2)
    role: str = Field(primary_key=True, max_length=10)


class ShipmentEvent(SQLModel, table=True):
    __tablename__ = "shipment_event"

    id: str = Field(primary_key=True, max_length=32)
    shipment_id: str = Field(foreign_key="shipment.id", max_length=32, index=True)
    type: str = Field(max_length=20)
    country: str = Field(foreign_key="country.iso2", max_length=2)
    occurred_at: datetime = Field(sa_type=UTCDateTime)
    location: str | None = Field(default=None, max_length=200)
    quantity_observed: Decimal | None = Field(default=None, max_digits=15, decimal_places=3)
    unit: str | None = Field(default=None, max_length=3)
    quantity_observed_kg: Decimal | None = Field(default=None, max_digits=18, decimal_places=3)
    note: str | None = Field(default=None, max_length=2000)
    recorded_by_user_id: str | None = Field(default=None, max_length=32)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    # The shipment's route, substance and notification, copied when the event is recorded (a
    # shipment's route, substance and notification never change once it is declared): the
    # summaries read a year's stops, seizures and observations with their route from one index,
    # without looking each shipment up (bench/README.md, "Dashboard summaries").
    exporting_country: str = Field(max_length=2)
    importing_country: str = Field(max_length=2)
    transit_countries: list[str] = Field(
        default_factory=list, sa_column=Column(JSONType, nullable=False)
    )
    cas_number: str = Field(max_length=12)
    notification_id: str | None = Field(default=None, max_length=32)

    @staticmethod
    def route_of(shipment: Shipment) -> dict[str, Any]:
        """The columns an event copies from its shipment."""
        return {
            "exporting_country": shipment.exporting_country,
            "importing_country": shipment.importing_country,
            "transit_countries": list(shipment.transit_countries),
            "cas_number": shipment.cas_number,
            "notification_id": shipment.notification_id,
        }


class ControlledDelivery(SQLModel, table=True):
    """A shipment let through under the supervision of the participating authorities (Article
    11 of the 1988 Convention). Its details are the participants' alone: while it is active,
    automatic alerts about the shipment reach only them (app/alerts/routing.py)."""

    __tablename__ = "controlled_delivery"
    __table_args__ = (
        Index("ix_controlled_delivery_shipment_status", "shipment_id", "status"),
        # Routing reads the controlled deliveries from the cache (app/shipments/controlled.py).
        group_info(ROUTING),
    )

    id: str = Field(primary_key=True, max_length=32)
    shipment_id: str = Field(foreign_key="shipment.id", max_length=32)
    status: str = Field(max_length=8)  # active | ended
    # Authority ids; the authority that started it is always one of them.
    participants: list[str] = Field(sa_column=Column(JSONType, nullable=False))
    note: str | None = Field(default=None, max_length=2000)
    # Shown to everyone else who reads the shipment, when the participants choose to.
    do_not_stop_contact: str | None = Field(default=None, max_length=300)
    started_by_user_id: str = Field(max_length=32)
    started_by_authority_id: str = Field(max_length=32)
    started_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    ended_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    ended_by_authority_id: str | None = Field(default=None, max_length=32)
    end_note: str | None = Field(default=None, max_length=2000)
