"""Industry reports as companies file them and regulators triage them."""

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from app.core.fields import CountryCode, MeansOfPayment, Quantity, ShortText, Unit
from app.core.types import JSONDecimal
from app.incidents.schemas import IncidentKind
from app.incidents.scopes import IncidentScope
from app.industry.indicators import INDICATORS
from app.industry.states import ReportStatus, TriageStatus
from app.rules.states import Severity

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000)]
Id = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=32)]
Address = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
Indicator = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=40),
    Field(examples=["unusual_payment"], description="One of GET /industry-reports/indicators"),
]


class ReportKind(StrEnum):
    ORDER = "order"
    ENQUIRY = "enquiry"


class Customer(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: ShortText
    country: CountryCode
    address: Address | None = None


class IndustryReportCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: ReportKind = ReportKind.ORDER
    customer: Customer
    substance: ShortText = Field(
        description="A CAS number or a name; chemicals outside Tables I and II are welcome",
        examples=["108-24-7", "acetyl chloride"],
    )
    quantity: Quantity | None = None
    unit: Unit | None = None
    requested_route: list[CountryCode] = Field(default_factory=list, max_length=20)
    means_of_payment: MeansOfPayment | None = None
    indicators: list[Indicator] = Field(min_length=1, max_length=len(INDICATORS))
    narrative: Text

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if (self.quantity is None) != (self.unit is None):
            raise ValueError("quantity and unit go together")
        unknown = [i for i in self.indicators if i not in INDICATORS]
        if unknown:
            raise ValueError(f"unknown indicator {unknown[0]!r}; one of {', '.join(INDICATORS)}")
        if len(set(self.indicators)) != len(self.indicators):
            raise ValueError("indicators lists a value twice")
        return self


class FlagEscalation(BaseModel):
    """Raise a flag on a PEN or shipment the report is about."""

    model_config = ConfigDict(extra="forbid")

    to: Literal["flag"]
    subject_type: Literal["shipment", "pre_export_notification"]
    subject_id: Id
    severity: Severity = Severity.HIGH


class IncidentEscalation(BaseModel):
    """Open an incident (an attempted diversion, by default) in the regulator's country."""

    model_config = ConfigDict(extra="forbid")

    to: Literal["incident"]
    kind: IncidentKind = IncidentKind.ATTEMPTED_DIVERSION
    scope: IncidentScope = IncidentScope.CONFIDENTIAL


class IndustryTriage(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: TriageStatus
    feedback: Text | None = Field(default=None, description="What the reporter reads")
    escalation: FlagEscalation | IncidentEscalation | None = Field(
        default=None, discriminator="to", description="Required to escalate"
    )

    @model_validator(mode="after")
    def _escalation_only_to_escalate(self) -> Self:
        if self.escalation is not None and self.status != TriageStatus.ESCALATED:
            raise ValueError("escalation goes with status 'escalated'")
        return self


class CustomerPublic(BaseModel):
    name: str
    country: str
    address: str | None


class IndustryReportPublic(BaseModel):
    id: str
    reference: str
    operator_id: str
    country: str
    sector: str
    kind: str
    customer: CustomerPublic
    cas_number: str | None
    substance_name: str
    scheduled: bool = Field(description="A Table I or II substance")
    quantity: JSONDecimal | None
    unit: str | None
    quantity_kg: JSONDecimal | None
    requested_route: list[str]
    means_of_payment: str | None
    indicators: list[str]
    narrative: str
    status: ReportStatus
    feedback: str | None
    first_feedback_at: datetime | None
    triaged_at: datetime | None
    flag_id: str | None = Field(description="The flag escalation raised")
    incident_id: str | None = Field(description="The incident escalation opened")
    created_at: datetime
    updated_at: datetime


class IndicatorInfo(BaseModel):
    code: str
    description: str


class Count(BaseModel):
    key: str
    reports: int


class IndustrySummary(BaseModel):
    """Reports by sector and indicator, time to feedback, share escalated."""

    reports: int
    scheduled: int
    non_scheduled: int
    by_sector: list[Count]
    by_indicator: list[Count]
    by_status: list[Count]
    with_feedback: int
    median_hours_to_feedback: float | None
    mean_hours_to_feedback: float | None
    escalated: int
    share_escalated: float | None = Field(description="Escalated reports / all reports, 0 to 1")
