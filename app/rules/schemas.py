from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal, Self

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from app.core.fields import JSONObject, LongText, ShortText
from app.core.types import JSONDecimal
from app.rules.conditions import referenced_facts
from app.rules.engine import aggregates_of, dump_condition, parse_condition, template_fields
from app.rules.facts import AGGREGATE_SUBJECTS, unknown_facts
from app.rules.states import FlagStatus, Severity

SubjectType = Literal["shipment", "pre_export_notification"]
RuleCode = Annotated[
    str, StringConstraints(strip_whitespace=True, pattern=r"^[a-z][a-z0-9-]{1,62}$")
]


class RuleDefinitionIn(BaseModel):
    """A rule's definition; every name it uses is checked here, not at evaluation."""

    model_config = ConfigDict(extra="forbid")

    title: ShortText
    description: Annotated[str, StringConstraints(max_length=4000)] = ""
    severity: Severity
    weight: Decimal = Field(default=Decimal(1), ge=0, le=1000, decimal_places=2)
    enabled: bool = True
    subjects: list[SubjectType] = Field(min_length=1, max_length=2)
    condition: JSONObject
    explanation: Annotated[str, StringConstraints(min_length=1, max_length=1000)]
    source: Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)] | None = Field(
        default=None,
        description="Where the indicator comes from: an article, an INCB publication or a case",
    )

    @field_validator("subjects")
    @classmethod
    def _distinct(cls, value: list[str]) -> list[str]:
        return sorted(set(value))

    @model_validator(mode="after")
    def _names_are_known(self) -> Self:
        condition = parse_condition(self.condition)
        subjects: set[str] = set(self.subjects)
        # Aggregate facts exist only for the aggregates the condition computes.
        computed = {a.fact_name for a in aggregates_of(condition)}
        names = referenced_facts(condition)
        unknown = unknown_facts(names, subjects) + [
            n for n in names if n.startswith("agg_") and n not in computed
        ]
        if unknown:
            raise ValueError(f"condition reads unknown facts for {sorted(subjects)}: {unknown}")
        for aggregate in aggregates_of(condition):
            if not subjects <= AGGREGATE_SUBJECTS[aggregate.over]:
                raise ValueError(
                    f"aggregate over {aggregate.over} does not apply to {sorted(subjects)}"
                )
        fields = template_fields(self.explanation)
        bad = unknown_facts(fields, subjects) + [
            f for f in fields if f.startswith("agg_") and f not in computed
        ]
        if bad:
            raise ValueError(f"explanation names unknown facts: {bad}")
        self.condition = dump_condition(condition)
        return self


class RuleCreate(RuleDefinitionIn):
    code: RuleCode


class RuleUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    enabled: bool


class RulePublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    code: str
    version: int
    is_current: bool
    title: str
    description: str
    severity: str
    weight: JSONDecimal
    enabled: bool
    subjects: list[str]
    condition: dict[str, Any]
    explanation: str
    source: str | None
    builtin: bool
    created_at: datetime


class RuleDetail(RulePublic):
    versions: list[RulePublic]


class DryRunRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: RuleCode | None = Field(default=None, description="An existing rule (current version)")
    rule: RuleDefinitionIn | None = Field(default=None, description="Or a definition not saved")
    subject_type: SubjectType | None = None
    since: datetime | None = None
    limit: int = Field(default=1000, ge=1, le=5000)

    @model_validator(mode="after")
    def _one_rule(self) -> Self:
        if (self.code is None) == (self.rule is None):
            raise ValueError("give either code or rule")
        return self


class DryRunHit(BaseModel):
    subject_type: str
    subject_id: str
    explanation: str
    evidence: dict[str, Any]


class DryRunResult(BaseModel):
    evaluated: int
    hits: list[DryRunHit]


class FactPublic(BaseModel):
    name: str
    type: str
    description: str
    subjects: list[str]


class FlagCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    subject_type: SubjectType
    subject_id: ShortText
    severity: Severity
    explanation: LongText
    evidence: JSONObject = Field(default_factory=dict)
    weight: Decimal = Field(default=Decimal(1), ge=0, le=1000, decimal_places=2)


class TriageRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: FlagStatus
    note: LongText


class TriagePublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    from_status: str
    to_status: str
    note: str
    user_id: str | None
    authority_id: str | None
    created_at: datetime


class FlagCore(BaseModel):
    """What a flag says, wherever it is shown or sent (the API, alerts, webhooks, peers)."""

    id: str
    rule: str
    rule_version: int | None
    severity: str
    status: str
    subject_type: str
    subject_id: str
    explanation: str
    evidence: dict[str, Any]


class FlagPublic(FlagCore):
    weight: JSONDecimal
    score: JSONDecimal = Field(description="Sum of the weights of the subject's live flags")
    created_at: datetime
    updated_at: datetime
    triaged_at: datetime | None


class FlagDetail(FlagPublic):
    triage: list[TriagePublic]
