from datetime import date, datetime
from typing import Annotated, Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from app.core.fields import (
    CasNumber,
    CountryCode,
    LongText,
    MeansOfPayment,
    MediumText,
    ModeOfTransport,
    PlausibleDate,
    PlausibleDateTime,
    Quantity,
    ShortText,
    Unit,
)
from app.core.types import JSONDecimal
from app.notifications.schemas import check_route
from app.shipments.states import EventType, ShipmentStatus

HsCode = Annotated[
    str,
    StringConstraints(strip_whitespace=True, pattern=r"^\d{4}(\.?\d{2}){1,3}$"),
    Field(description="Harmonized System code, e.g. 2915.24", examples=["2915.24"]),
]
ContainerId = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20)]
Reference = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]


class ShipmentCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    customs_reference: Reference
    pen_reference: (
        Annotated[str, StringConstraints(strip_whitespace=True, to_upper=True, max_length=32)]
        | None
    ) = None
    exporting_country: CountryCode
    importing_country: CountryCode
    transit_countries: list[CountryCode] = Field(default_factory=list, max_length=20)
    exporter_id: ShortText
    importer_id: ShortText
    consignee_id: ShortText | None = None
    substance: CasNumber
    declared_hs_code: HsCode
    declared_description: MediumText | None = None
    quantity: Quantity
    unit: Unit
    mode_of_transport: ModeOfTransport
    means_of_payment: MeansOfPayment | None = None
    carrier: ShortText | None = None
    container_ids: list[ContainerId] = Field(default_factory=list, max_length=200)
    departure_date: PlausibleDate | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        check_route(self.exporting_country, self.importing_country, self.transit_countries)
        return self


class EventCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    type: EventType
    country: CountryCode
    occurred_at: PlausibleDateTime
    location: ShortText | None = None
    quantity_observed: Quantity | None = None
    unit: Unit | None = None
    note: LongText | None = None

    @model_validator(mode="after")
    def _quantity_with_unit(self) -> Self:
        if (self.quantity_observed is None) != (self.unit is None):
            raise ValueError("quantity_observed and unit go together")
        return self


AuthorityId = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=32)]
ContactText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]


class ControlledDeliveryStart(BaseModel):
    model_config = ConfigDict(extra="forbid")

    participants: list[AuthorityId] = Field(
        default_factory=list,
        max_length=50,
        description="The participating authorities (the caller's own is always one)",
    )
    note: LongText | None = None
    do_not_stop_contact: ContactText | None = Field(
        default=None,
        description='Shown to non-participants as "do not stop — contact …" (optional)',
    )


class ControlledDeliveryEnd(BaseModel):
    model_config = ConfigDict(extra="forbid")

    note: LongText | None = None


class EventPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    type: str
    country: str
    occurred_at: datetime
    location: str | None
    quantity_observed: JSONDecimal | None
    unit: str | None
    quantity_observed_kg: JSONDecimal | None
    note: str | None
    created_at: datetime


class NotifiedQuantity(BaseModel):
    """The PEN a shipment cites, as far as the caller may see it."""

    id: str
    reference: str
    status: str
    quantity: JSONDecimal
    unit: str
    quantity_kg: JSONDecimal


class ShipmentPublic(BaseModel):
    id: str
    customs_reference: str
    recorded_country: str
    pen_reference: str | None
    notification_id: str | None
    status: ShipmentStatus
    exporting_country: str
    importing_country: str
    transit_countries: list[str]
    exporter_id: str
    importer_id: str
    consignee_id: str | None
    substance: str
    declared_hs_code: str
    declared_description: str | None
    quantity: JSONDecimal
    unit: str
    quantity_kg: JSONDecimal
    mode_of_transport: str
    means_of_payment: str | None
    carrier: str | None
    container_ids: list[str]
    departure_date: date | None
    created_at: datetime
    updated_at: datetime


class ControlledDeliveryPublic(BaseModel):
    """A controlled delivery as its participants read it (nobody else ever does)."""

    model_config = ConfigDict(from_attributes=True)

    id: str
    shipment_id: str
    status: Literal["active", "ended"]
    participants: list[str]
    note: str | None
    do_not_stop_contact: str | None
    started_by_authority_id: str
    started_at: datetime
    ended_at: datetime | None
    ended_by_authority_id: str | None
    end_note: str | None


class TrailEntry(BaseModel):
    """One audited step of a controlled delivery: started, read, handed over, ended."""

    action: str
    occurred_at: datetime
    actor_authority_id: str | None
    after: dict[str, Any] | None


class ControlledDeliveryDetail(ControlledDeliveryPublic):
    trail: list[TrailEntry]


class ShipmentDetail(ShipmentPublic):
    events: list[EventPublic]
    controlled_delivery: ControlledDeliveryPublic | None = Field(
        default=None, description="Only for the participating authorities of a controlled delivery"
    )
    do_not_stop_contact: str | None = Field(
        default=None,
        description="Do not stop this shipment: contact this authority instead (set by the "
        "participants of a controlled delivery, shown to everyone else on the route)",
    )
    notified: NotifiedQuantity | None = Field(description="The cited PEN's quantity, beside ours")
    observed_quantity_kg: JSONDecimal | None = Field(
        description="The latest quantity observed at a border"
    )
    observed_minus_notified_kg: JSONDecimal | None
    declared_minus_notified_kg: JSONDecimal | None
