from datetime import date, datetime
from typing import Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from app.core.fields import (
    CasNumber,
    CountryCode,
    LongText,
    MeansOfPayment,
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


class NotificationCreate(BaseModel):
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
    intended_use: LongText | None = None
    reply_by: PlausibleDate | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        check_route(self.exporting_country, self.importing_country, self.transit_countries)
        if self.reply_by and self.reply_by > self.expected_dispatch_date:
            raise ValueError("reply_by must not be after expected_dispatch_date")
        return self


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


class NotificationDetail(NotificationPublic):
    history: list[PenMessagePublic]
