from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any, Self

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)

from app.alerts.routing import COMPETENT_KINDS, INTERNATIONAL, ROUTE_ROLES, SEVERITIES
from app.alerts.sharing import Scope
from app.core.fields import CasNumber, CountryCode, LongText

Code = Annotated[
    str, StringConstraints(strip_whitespace=True, pattern=r"^[a-z0-9][a-z0-9._-]{0,63}$")
]
EventTypeName = Annotated[str, StringConstraints(pattern=r"^[a-z_]+\.[a-z_]+$", max_length=40)]
Key = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_]{1,64}$")]
Id = Annotated[str, StringConstraints(min_length=1, max_length=32)]


def _one_of(allowed: tuple[str, ...], what: str) -> Any:
    def check(values: list[str]) -> list[str]:
        for value in values:
            if value not in allowed:
                raise ValueError(f"{what} must be among {', '.join(allowed)}")
        if len(set(values)) != len(values):
            raise ValueError(f"{what} lists a value twice")
        return values

    return AfterValidator(check)


RouteRoles = Annotated[list[str], _one_of(ROUTE_ROLES, "route_roles")]
AuthorityKinds = Annotated[list[str], _one_of((*COMPETENT_KINDS, INTERNATIONAL), "kinds")]


class Severity(StrEnum):
    LOW = SEVERITIES[0]
    MEDIUM = SEVERITIES[1]
    HIGH = SEVERITIES[2]
    CRITICAL = SEVERITIES[3]


class RoutingRuleFields(BaseModel):
    model_config = ConfigDict(extra="forbid")

    description: str | None = Field(default=None, max_length=2000)
    enabled: bool | None = None
    priority: int | None = Field(default=None, ge=0, le=10_000)
    event_types: list[EventTypeName] | None = Field(default=None, max_length=50)
    min_severity: Severity | None = None
    substances: list[CasNumber] | None = Field(default=None, max_length=100)
    countries: list[CountryCode] | None = Field(default=None, max_length=250)
    rule_codes: list[Annotated[str, StringConstraints(max_length=64)]] | None = Field(
        default=None, max_length=100
    )
    route_roles: RouteRoles | None = None
    authority_kinds: AuthorityKinds | None = None
    authority_ids: list[Id] | None = Field(default=None, max_length=100)
    include_international: bool | None = None
    exclude_actor: bool | None = None
    scope: Scope | None = None
    redact: list[Key] | None = Field(default=None, max_length=100)


class RoutingRuleCreate(RoutingRuleFields):
    """A routing rule; unset lists mean "any" (match) or "none" (recipients)."""

    code: Code

    @model_validator(mode="after")
    def _has_recipients(self) -> Self:
        if not (self.route_roles or self.authority_ids or self.include_international):
            raise ValueError(
                "a rule needs recipients: route_roles, authority_ids or include_international"
            )
        return self


class RoutingRuleUpdate(RoutingRuleFields):
    """Fields to change; the others stay."""


class RoutingRulePublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    code: str
    description: str
    enabled: bool
    priority: int
    event_types: list[str]
    min_severity: str | None
    substances: list[str]
    countries: list[str]
    rule_codes: list[str]
    route_roles: list[str]
    authority_kinds: list[str]
    authority_ids: list[str]
    include_international: bool
    exclude_actor: bool
    scope: str
    redact: list[str]
    builtin: bool
    created_at: datetime
    updated_at: datetime


class RoutingDecisionPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    event_id: str
    event_type: str
    subject_type: str
    subject_id: str
    matched_rules: list[str]
    recipients: list[dict[str, Any]]
    remote: list[dict[str, Any]]
    skipped: list[dict[str, Any]]
    created_at: datetime


class AlertStatus(StrEnum):
    NEW = "new"
    ACKNOWLEDGED = "acknowledged"


class AlertPublic(BaseModel):
    id: str
    authority_id: str
    status: AlertStatus
    event_id: str | None
    event_type: str
    subject_type: str
    subject_id: str
    severity: str | None
    title: str
    rule: str
    scope: str
    origin_node: str | None
    route: dict[str, Any]
    payload: dict[str, Any]
    created_at: datetime
    acknowledged_at: datetime | None
    acknowledged_by_user_id: str | None
    acknowledgement_note: str | None


class AcknowledgeRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    note: LongText | None = None
