"""What callers send and read about incidents, backtracking requests and forensic samples."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Self

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from app.core.fields import (
    CasNumber,
    CountryCode,
    JSONObject,
    PlausibleDate,
    Quantity,
    ShortText,
    Unit,
)
from app.core.types import JSONDecimal, utcnow
from app.incidents.scopes import IncidentScope

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000)]
Id = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=32)]
SampleReference = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)
]


class IncidentKind(StrEnum):
    SEIZURE = "seizure"
    STOPPED_SHIPMENT = "stopped_shipment"
    ATTEMPTED_DIVERSION = "attempted_diversion"
    ILLICIT_LABORATORY = "illicit_laboratory"
    THEFT = "theft"


class BacktrackingStatus(StrEnum):
    OPEN = "open"
    ANSWERED = "answered"


class SubstanceFound(BaseModel):
    """A chemical found: a known substance by CAS number, or any chemical by name."""

    model_config = ConfigDict(extra="forbid")

    cas_number: CasNumber | None = None
    name: ShortText | None = None
    quantity: Quantity
    unit: Unit

    @model_validator(mode="after")
    def _named(self) -> Self:
        if self.cas_number is None and self.name is None:
            raise ValueError("give a cas_number or a name")
        return self


def _unique(values: list[str], what: str) -> None:
    if len(set(values)) != len(values):
        raise ValueError(f"{what} lists a value twice")


class IncidentCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: IncidentKind
    country: CountryCode = Field(description="The recording country (the caller's)")
    occurred_on: PlausibleDate
    substances: list[SubstanceFound] = Field(min_length=1, max_length=50)
    method: ShortText | None = Field(
        default=None, description="Concealment, mis-declaration or method of diversion"
    )
    description: Text | None = None
    origin_country: CountryCode | None = None
    transit_countries: list[CountryCode] = Field(default_factory=list, max_length=20)
    destination_country: CountryCode | None = None
    operator_ids: list[Id] = Field(default_factory=list, max_length=50)
    shipment_id: Id | None = None
    pen_id: Id | None = None
    scope: IncidentScope = IncidentScope.FULL

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.occurred_on > utcnow().date() + timedelta(days=1):
            raise ValueError("occurred_on is in the future")
        _unique(self.transit_countries, "transit_countries")
        _unique(self.operator_ids, "operator_ids")
        return self


class IncidentSubstancePublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    cas_number: str | None
    name: str
    quantity: JSONDecimal | None = None
    unit: str | None = None
    quantity_kg: JSONDecimal | None


class OperatorNamed(BaseModel):
    id: str
    name: str
    country: str


class SampleCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    laboratory: ShortText
    sample_reference: SampleReference
    substance_identified: ShortText | None = None
    purity_percent: Decimal | None = Field(
        default=None, ge=0, le=100, max_digits=6, decimal_places=3
    )
    impurity_profile: JSONObject | Text | None = Field(
        default=None, description="The laboratory's impurity profile: an object or text"
    )
    method: ShortText | None = Field(default=None, description="Analytical method (GC-MS, …)")


class SamplePublic(BaseModel):
    """A forensic sample as the reader's scope lets it show (`summary` hides the profile)."""

    id: str
    laboratory: str | None = None
    sample_reference: str | None = None
    substance_identified: str | None = None
    purity_percent: JSONDecimal | None = None
    impurity_profile: JSONObject | str | None = None
    method: str | None = None
    created_at: datetime | None = None


class IncidentPublic(BaseModel):
    """An incident; what the incident's scope withholds from a reader is null or empty, and
    `shared_scope` says at which scope the caller reads it."""

    id: str
    reference: str
    kind: IncidentKind
    country: str
    occurred_on: date
    substances: list[IncidentSubstancePublic] = []
    quantity_kg: JSONDecimal | None = None
    method: str | None = None
    description: str | None = None
    origin_country: str | None = None
    transit_countries: list[str] = []
    destination_country: str | None = None
    operator_ids: list[str] = []
    shipment_id: str | None = None
    pen_id: str | None = None
    scope: IncidentScope
    shared_scope: IncidentScope
    created_at: datetime | None = None


class IncidentDetail(IncidentPublic):
    operators: list[OperatorNamed] = []
    samples: list[SamplePublic] = []


class BacktrackingCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    to_country: CountryCode
    question: Text
    reply_by: PlausibleDate | None = Field(
        default=None, description="Default: today plus PENTRACK_BACKTRACKING_REPLY_DAYS"
    )
    scope: IncidentScope | None = Field(
        default=None,
        description="How much of the incident the addressed country reads (default: the "
        "incident's own scope)",
    )


class BacktrackingAnswer(BaseModel):
    model_config = ConfigDict(extra="forbid")

    findings: Text
    operator_ids: list[Id] = Field(default_factory=list, max_length=50)

    @model_validator(mode="after")
    def _unique_operators(self) -> Self:
        _unique(self.operator_ids, "operator_ids")
        return self


class BacktrackingPublic(BaseModel):
    id: str
    incident_id: str
    incident_reference: str
    from_country: str
    to_country: str
    question: str
    scope: IncidentScope
    status: BacktrackingStatus
    reply_by: date
    overdue: bool = Field(description="Still open after `reply_by`")
    findings: str | None
    operator_ids: list[str]
    answered_at: datetime | None
    created_at: datetime
