from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any, Self

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from app.core.fields import (
    CasNumber,
    CountryCode,
    JSONObject,
    LongText,
    MeansOfPayment,
    MediumText,
    ModeOfTransport,
    PlausibleDate,
    Quantity,
    ShortText,
    Unit,
)
from app.core.types import JSONDecimal
from app.notifications.states import Decision, PenStatus


def check_route(exporting: str, importing: str, transit: list[str]) -> None:
    """A route names two different end countries and each transit country once, neither end."""
    if exporting == importing:
        raise ValueError("exporting_country and importing_country must differ")
    if len(set(transit)) != len(transit):
        raise ValueError("transit_countries lists a country twice")
    if exporting in transit or importing in transit:
        raise ValueError("transit_countries must not include the exporting or importing country")


class PenForm(StrEnum):
    SUBSTANCE = "substance"
    MIXTURE = "mixture"
    SOLUTION = "solution"
    SALT = "salt"


class PartyRole(StrEnum):
    BROKER = "broker"
    FORWARDER = "forwarder"
    INTERMEDIATE_CONSIGNEE = "intermediate_consignee"
    AGENT = "agent"
    CARRIER = "carrier"


class ImportAuthorisation(BaseModel):
    """The importing country's authorisation: what an importing authority checks first."""

    model_config = ConfigDict(extra="forbid")

    number: ShortText
    issued_on: PlausibleDate
    issued_by: ShortText


class ExportAuthorisation(BaseModel):
    model_config = ConfigDict(extra="forbid")

    number: ShortText
    valid_until: PlausibleDate | None = None


class Package(BaseModel):
    model_config = ConfigDict(extra="forbid")

    count: int = Field(ge=1, le=1_000_000)
    kind: ShortText
    gross_weight_kg: JSONDecimal | None = Field(default=None, gt=0, le=10**9, decimal_places=3)


class Stop(BaseModel):
    model_config = ConfigDict(extra="forbid")

    country: CountryCode
    place: ShortText | None = None


class Party(BaseModel):
    model_config = ConfigDict(extra="forbid")

    operator_id: ShortText
    role: PartyRole


class Invoice(BaseModel):
    model_config = ConfigDict(extra="forbid")

    number: ShortText | None = None
    value: JSONDecimal | None = Field(default=None, ge=0, le=10**12, decimal_places=2)
    currency: Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")] | None = None


class Arrival(BaseModel):
    received_on: date
    quantity_kg: JSONDecimal
    note: str | None = None


class CompletePen(BaseModel):
    """The rest of a complete PEN (Article 12(10)(a), INCB PEN form), all optional."""

    import_authorisation: ImportAuthorisation | None = None
    export_authorisation: ExportAuthorisation | None = None
    form: PenForm | None = None
    concentration_percent: Decimal | None = Field(default=None, gt=0, le=100, decimal_places=3)
    packages: list[Package] | None = Field(default=None, max_length=50)
    point_of_exit: ShortText | None = None
    expected_arrival_date: PlausibleDate | None = None
    itinerary: list[Stop] | None = Field(default=None, max_length=30)
    final_destination_country: CountryCode | None = None
    parties: list[Party] | None = Field(default=None, max_length=20)
    invoice: Invoice | None = None
    valid_until: PlausibleDate | None = None
    other_information: JSONObject | None = None


class NotificationCreate(CompletePen):
    model_config = ConfigDict(extra="forbid")

    exporting_country: CountryCode
    importing_country: CountryCode
    transit_countries: list[CountryCode] = Field(default_factory=list, max_length=20)
    exporter_id: ShortText
    importer_id: ShortText
    consignee_id: ShortText | None = None
    substance: CasNumber
    quantity: Quantity
    unit: Unit
    expected_dispatch_date: PlausibleDate
    expected_point_of_entry: ShortText
    mode_of_transport: ModeOfTransport
    means_of_payment: MeansOfPayment
    intended_use: MediumText | None = None
    reply_by: PlausibleDate | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        check_route(self.exporting_country, self.importing_country, self.transit_countries)
        if self.reply_by and self.reply_by > self.expected_dispatch_date:
            raise ValueError("reply_by must not be after expected_dispatch_date")
        if self.expected_arrival_date and self.expected_arrival_date < self.expected_dispatch_date:
            raise ValueError("expected_arrival_date must not be before expected_dispatch_date")
        if self.concentration_percent is not None and self.form in (None, PenForm.SUBSTANCE):
            raise ValueError("concentration_percent goes with a mixture, solution or salt form")
        return self


class ConfirmArrivalRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    received_on: PlausibleDate
    quantity: Quantity
    unit: Unit
    note: LongText | None = None


class RespondRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    decision: Decision
    reason: LongText | None = None

    @model_validator(mode="after")
    def _reason_when_not_cleared(self) -> Self:
        if self.decision != Decision.NO_OBJECTION and not self.reason:
            raise ValueError(f"a reason is required for {self.decision.value}")
        return self


class AnswerRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    message: LongText


class WithdrawRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: LongText


class PenMessagePublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    kind: str
    decision: str | None
    text: str | None
    country: str
    author_authority_id: str | None
    created_at: datetime


class NotificationPublic(BaseModel):
    id: str
    reference: str
    status: PenStatus
    exporting_country: str
    importing_country: str
    transit_countries: list[str]
    exporter_id: str
    importer_id: str
    consignee_id: str | None
    substance: str
    substance_name: str
    quantity: JSONDecimal
    unit: str
    quantity_kg: JSONDecimal
    expected_dispatch_date: date
    expected_point_of_entry: str
    mode_of_transport: str
    means_of_payment: str
    intended_use: str | None
    reply_by: date | None
    reply_overdue: bool
    decision: str | None = Field(description="The latest decision of the importing authority")
    sent_at: datetime | None
    acknowledged_at: datetime | None
    decided_at: datetime | None
    withdrawn_at: datetime | None
    created_at: datetime
    updated_at: datetime
    import_authorisation: ImportAuthorisation | None = None
    export_authorisation: ExportAuthorisation | None = None
    form: PenForm | None = None
    concentration_percent: JSONDecimal | None = None
    quantity_base_kg: JSONDecimal | None = Field(
        default=None, description="The substance's own content, from concentration and salt form"
    )
    packages: list[Package] | None = None
    point_of_exit: str | None = None
    expected_arrival_date: date | None = None
    itinerary: list[Stop] | None = None
    final_destination_country: str | None = None
    parties: list[Party] | None = None
    invoice: Invoice | None = None
    valid_until: date | None = None
    other_information: dict[str, Any] | None = None
    voluntary: bool = Field(
        default=False, description="A PEN for a chemical no treaty obliges a notification for"
    )
    arrival: Arrival | None = None


class NotificationDetail(NotificationPublic):
    history: list[PenMessagePublic]
