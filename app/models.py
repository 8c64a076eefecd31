"""Every table, imported in one place so that Alembic sees the whole schema."""

from sqlmodel import SQLModel

import app.dashboard.models  # noqa: F401  (the summaries' indexes on other domains' tables)
from app.alerts.models import Alert, RoutingDecision, RoutingRule
from app.audit.models import AuditEvent
from app.auth.models import User
from app.authorities.models import Authority
from app.core.models import CacheVersion, IdempotencyRecord
from app.delivery.models import Delivery, DeliveryAttempt, WorkerHeartbeat
from app.events.models import DomainEvent
from app.federation.models import InboundMessage, Peer
from app.incidents.models import (
    BacktrackingRequest,
    ForensicSample,
    Incident,
    IncidentCountry,
    IncidentOperator,
    IncidentSubstance,
)
from app.industry.models import IndustryReport, IndustryReportIndicator
from app.investigations.models import (
    Case,
    CaseItem,
    CaseMember,
    CaseNote,
    Entity,
    EntityDecision,
    EntityKey,
    EntityMember,
    WatchlistEntry,
)
from app.notifications.models import (
    PenMessage,
    PenRouteCountry,
    PreExportNotification,
    ReferenceCounter,
)
from app.operations.models import Operation, OperationCountry, OperationItem, OperationObjective
from app.operators.models import Operator
from app.reference.models import Country, PenRequirement, Substance
from app.rules.models import Flag, FlagTriage, Rule
from app.shipments.models import ControlledDelivery, Shipment, ShipmentEvent, ShipmentRouteCountry

metadata = SQLModel.metadata

__all__ = [
    "Alert",
    "AuditEvent",
    "Authority",
    "BacktrackingRequest",
    "CacheVersion",
    "Case",
    "CaseItem",
    "CaseMember",
    "CaseNote",
    "ControlledDelivery",
    "Country",
    "Delivery",
    "DeliveryAttempt",
    "DomainEvent",
    "Entity",
    "EntityDecision",
    "EntityKey",
    "EntityMember",
    "Flag",
    "FlagTriage",
    "ForensicSample",
    "IdempotencyRecord",
    "InboundMessage",
    "Incident",
    "IncidentCountry",
    "IncidentOperator",
    "IncidentSubstance",
    "IndustryReport",
    "IndustryReportIndicator",
    "Operation",
    "OperationCountry",
    "OperationItem",
    "OperationObjective",
    "Operator",
    "Peer",
    "PenMessage",
    "PenRequirement",
    "PenRouteCountry",
    "PreExportNotification",
    "ReferenceCounter",
    "RoutingDecision",
    "RoutingRule",
    "Rule",
    "Shipment",
    "ShipmentEvent",
    "ShipmentRouteCountry",
    "Substance",
    "User",
    "WatchlistEntry",
    "WorkerHeartbeat",
    "metadata",
]
