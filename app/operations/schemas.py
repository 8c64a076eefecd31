"""Operations as they are planned, tagged and measured."""

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from app.core.fields import CasNumber, CountryCode, PlausibleDate, ShortText
from app.core.types import JSONDecimal
from app.operations.metrics import ITEM_TYPES, METRICS

Id = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=32)]
ItemType = Literal["shipment", "incident", "pre_export_notification", "backtracking_request"]
assert set(ItemType.__args__) == set(ITEM_TYPES)  # type: ignore[attr-defined]
# The longest operation: three years.
MAX_DAYS = 3 * 366


class ObjectiveCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    metric: Annotated[
        str,
        StringConstraints(strip_whitespace=True, min_length=1, max_length=40),
        Field(description="One of GET /operations/metrics", examples=["kg_seized"]),
    ]
    target: Decimal = Field(ge=0, le=Decimal("1000000000"), max_digits=15, decimal_places=3)
    days: int | None = Field(
        default=None, ge=1, le=365, description="N, for pens_reviewed_within_days only"
    )

    @model_validator(mode="after")
    def _known(self) -> Self:
        info = METRICS.get(self.metric)
        if info is None:
            raise ValueError(f"unknown metric {self.metric!r}; one of {', '.join(METRICS)}")
        if info.needs_days and self.days is None:
            raise ValueError(f"{self.metric} needs `days`")
        if not info.needs_days and self.days is not None:
            raise ValueError(f"{self.metric} takes no `days`")
        return self


class OperationCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: ShortText
    starts_on: PlausibleDate
    ends_on: PlausibleDate
    countries: list[CountryCode] = Field(min_length=1, max_length=60)
    substances: list[CasNumber] = Field(default_factory=list, max_length=50)
    objectives: list[ObjectiveCreate] = Field(min_length=1, max_length=20)

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.ends_on < self.starts_on:
            raise ValueError("ends_on is before starts_on")
        if (self.ends_on - self.starts_on).days > MAX_DAYS:
            raise ValueError("an operation lasts three years at most")
        if len(set(self.countries)) != len(self.countries):
            raise ValueError("countries lists a country twice")
        keys = [(o.metric, o.days) for o in self.objectives]
        if len(set(keys)) != len(keys):
            raise ValueError("objectives lists a metric twice")
        return self


class ItemCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    type: ItemType
    id: Id


class ObjectivePublic(BaseModel):
    metric: str
    target: JSONDecimal
    days: int | None


class ItemPublic(BaseModel):
    type: str
    id: str
    tagged_by_authority_id: str | None
    tagged_at: datetime


class OperationPublic(BaseModel):
    id: str
    name: str
    starts_on: date
    ends_on: date
    countries: list[str]
    substances: list[str]
    objectives: list[ObjectivePublic]
    created_by_authority_id: str | None
    created_at: datetime


class OperationDetail(OperationPublic):
    items: list[ItemPublic]


class Outcome(BaseModel):
    metric: str
    unit: str
    days: int | None
    target: JSONDecimal
    achieved: JSONDecimal = Field(description="Over the records tagged to the operation")
    baseline: JSONDecimal = Field(
        description="Over every record of the participating countries in the baseline period"
    )
    met: bool = Field(description="achieved ≥ target")


class Period(BaseModel):
    starts_on: date
    ends_on: date


class Outcomes(BaseModel):
    operation_id: str
    name: str
    period: Period
    baseline_period: Period = Field(description="The same length, just before the operation")
    items: int
    objectives: list[Outcome]


class MetricPublic(BaseModel):
    code: str
    unit: str
    description: str
    needs_days: bool
