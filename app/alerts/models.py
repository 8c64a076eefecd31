"""Routing rules and decisions, alerts (each authority's inbox), the delivery outbox with its
attempts, peer nodes and the messages they sent us."""

from datetime import datetime
from typing import Any

from sqlalchemy import Column, Index, Text, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from app.core.types import JSONType, UTCDateTime, utcnow


def _json_list() -> Any:
    return Field(default_factory=list, sa_column=Column(JSONType, nullable=False))


class RoutingRule(SQLModel, table=True):
    """Who hears about which events, and how much of the payload leaves the country."""

    __tablename__ = "routing_rule"

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


class Delivery(SQLModel, table=True):
    """One message to send: an alert to an authority's webhook, or a message to a peer node.

    The id is the Standard Webhooks `webhook-id`: the same on every attempt, so receivers
    can drop duplicates.
    """

    __tablename__ = "delivery"
    __table_args__ = (
        # Partial: only what still has to be sent, in due order, so a claim reads the first
        # rows of the index however many delivered rows pile up.
        Index(
            "ix_delivery_due",
            "next_attempt_at",
            postgresql_where=text("status IN ('pending', 'retrying')"),
            sqlite_where=text("status IN ('pending', 'retrying')"),
        ),
    )

    id: str = Field(primary_key=True, max_length=32)
    target: str = Field(max_length=10)  # "webhook" or "node"
    alert_id: str | None = Field(default=None, foreign_key="alert.id", max_length=32, index=True)
    authority_id: str | None = Field(
        default=None, foreign_key="authority.id", max_length=32, index=True
    )
    peer_id: str | None = Field(default=None, foreign_key="peer.id", max_length=32, index=True)
    event_type: str = Field(max_length=40)
    url: str = Field(max_length=2000)
    # The exact bytes signed and sent, kept so every retry sends the same body.
    body: str = Field(sa_column=Column(Text, nullable=False))
    # pending (due at next_attempt_at), retrying (failed, due again at next_attempt_at),
    # delivered, dead (gave up; an admin may redeliver).
    status: str = Field(default="pending", max_length=12)
    attempts: int = Field(default=0)
    # Position in the retry schedule; a redelivery starts the schedule again.
    schedule_step: int = Field(default=0)
    next_attempt_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    # A worker's lease: while it lasts, no other worker takes the delivery.
    claimed_by: str | None = Field(default=None, max_length=64)
    claimed_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_status_code: int | None = Field(default=None)
    last_error: str | None = Field(default=None, max_length=1000)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    delivered_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class DeliveryAttempt(SQLModel, table=True):
    """One try at sending a delivery: when, by which worker, and what came back."""

    __tablename__ = "delivery_attempt"

    id: str = Field(primary_key=True, max_length=32)
    delivery_id: str = Field(foreign_key="delivery.id", max_length=32, index=True)
    number: int
    worker: str = Field(max_length=64)
    started_at: datetime = Field(sa_type=UTCDateTime)
    duration_ms: int
    status_code: int | None = Field(default=None)
    error: str | None = Field(default=None, max_length=1000)
    response_excerpt: str | None = Field(default=None, max_length=500)
    outcome: str = Field(max_length=12)  # delivered, retrying, dead
    next_attempt_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class Peer(SQLModel, table=True):
    """Another pentrack node and the countries whose authorities it hosts."""

    __tablename__ = "peer"

    id: str = Field(primary_key=True, max_length=32)
    node_id: str = Field(max_length=64, unique=True)
    name: str = Field(max_length=200)
    base_url: str = Field(max_length=2000)
    countries: list[str] = _json_list()
    # Standard Webhooks secret (`whsec_…`) shared by both nodes: HMAC both ways.
    shared_secret: str = Field(max_length=200)
    # The peer's ed25519 public key (`whpk_…`); when set, its messages must carry a v1a signature.
    public_key: str | None = Field(default=None, max_length=200)
    enabled: bool = Field(default=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class InboundMessage(SQLModel, table=True):
    """A verified message from a peer, stored once per message id, linked to the local record."""

    __tablename__ = "inbound_message"
    __table_args__ = (UniqueConstraint("peer_id", "message_id"),)

    id: str = Field(primary_key=True, max_length=32)
    peer_id: str = Field(foreign_key="peer.id", max_length=32, index=True)
    message_id: str = Field(max_length=64)
    type: str = Field(max_length=40)
    sent_at: datetime = Field(sa_type=UTCDateTime)
    received_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    # applied, or ignored (with the reason in `detail`) when the local record had moved on.
    outcome: str = Field(max_length=12)
    detail: str | None = Field(default=None, max_length=1000)
    subject_type: str | None = Field(default=None, max_length=40)
    subject_id: str | None = Field(default=None, max_length=32)
    body: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSONType, nullable=False))
