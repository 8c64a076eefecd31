"""Routing rules and decisions, and alerts (each authority's inbox)."""

from datetime import datetime
from typing import Any

from sqlalchemy import Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.core.cache import ROUTING, group_info
from app.core.types import JSONType, UTCDateTime, utcnow


def _json_list() -> Any:
    return Field(default_factory=list, sa_column=Column(JSONType, nullable=False))


class RoutingRule(SQLModel, table=True):
    """Who hears about which events, and how much of the payload leaves the country."""

    __tablename__ = "routing_rule"
    __table_args__ = group_info(ROUTING)

    id: str = Field(primary_key=True, max_length=32)
    code: str = Field(max_length=64, unique=True)
    description: str = Field(default="", max_length=2000)
    enabled: bool = Field(default=True)
    # When two rules choose the same authority, the lower priority number wins (and its scope).
    priority: int = Field(default=100)
    # Match: every non-empty list must match; empty means "any".
    event_types: list[str] = _json_list()
    min_severity: str | None = Field(default=None, max_length=10)
    substances: list[str] = _json_list()
    countries: list[str] = _json_list()
    rule_codes: list[str] = _json_list()
    # Recipients: authorities of these kinds in the countries holding these roles on the route…
    route_roles: list[str] = _json_list()
    authority_kinds: list[str] = _json_list()
    # …plus named authorities, plus every international authority when set.
    authority_ids: list[str] = _json_list()
    include_international: bool = Field(default=False)
    # Never alert the authority whose user caused the event.
    exclude_actor: bool = Field(default=True)
    scope: str = Field(default="full", max_length=20)
    redact: list[str] = _json_list()
    builtin: bool = Field(default=False)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class RoutingDecision(SQLModel, table=True):
    """What the router made of one domain event: rules matched, recipients chosen, and why."""

    __tablename__ = "routing_decision"

    id: str = Field(primary_key=True, max_length=32)
    event_id: str = Field(foreign_key="domain_event.id", max_length=32, unique=True)
    event_type: str = Field(max_length=40, index=True)
    subject_type: str = Field(max_length=40)
    subject_id: str = Field(max_length=32, index=True)
    matched_rules: list[str] = _json_list()
    # [{authority_id, country, kind, rule, scope, reason}] and [{node_id, countries, ...}]
    recipients: list[dict[str, Any]] = _json_list()
    remote: list[dict[str, Any]] = _json_list()
    # [{rule, reason}] for rules that did not match, and recipients left out, with the reason.
    skipped: list[dict[str, Any]] = _json_list()
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Alert(SQLModel, table=True):
    """One authority's copy of an event: its inbox row, handled once acknowledged."""

    __tablename__ = "alert"
    __table_args__ = (
        UniqueConstraint("event_id", "authority_id"),
        Index("ix_alert_authority_acknowledged", "authority_id", "acknowledged_at"),
    )

    id: str = Field(primary_key=True, max_length=32)
    authority_id: str = Field(foreign_key="authority.id", max_length=32)
    # Null for alerts that arrived from a peer node (the event lives there).
    event_id: str | None = Field(default=None, foreign_key="domain_event.id", max_length=32)
    decision_id: str | None = Field(default=None, foreign_key="routing_decision.id", max_length=32)
    inbound_message_id: str | None = Field(default=None, max_length=32)
    origin_node: str | None = Field(default=None, max_length=64)
    rule: str = Field(max_length=64)
    event_type: str = Field(max_length=40, index=True)
    subject_type: str = Field(max_length=40)
    subject_id: str = Field(max_length=32, index=True)
    severity: str | None = Field(default=None, max_length=10)
    title: str = Field(max_length=300)
    scope: str = Field(max_length=20)
    route: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSONType, nullable=False))
    payload: dict[str, Any] = Field(
        default_factory=dict, sa_column=Column(JSONType, nullable=False)
    )
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    acknowledged_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    acknowledged_by_user_id: str | None = Field(default=None, max_length=32)
    acknowledgement_note: str | None = Field(default=None, max_length=2000)
