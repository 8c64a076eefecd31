"""Every table, imported in one place so that Alembic sees the whole schema."""

from sqlmodel import SQLModel

from app.audit.models import AuditEvent
from app.auth.models import User
from app.authorities.models import Authority
from app.core.models import IdempotencyRecord
from app.events.models import DomainEvent
from app.notifications.models import (
    PenMessage,
    PenRouteCountry,
    PreExportNotification,
    ReferenceCounter,
)
from app.operators.models import Operator
from app.reference.models import Country, PenRequirement, Substance
from app.rules.models import Flag, FlagTriage, Rule
from app.shipments.models import Shipment, ShipmentEvent, ShipmentRouteCountry

metadata = SQLModel.metadata

__all__ = [
    "AuditEvent",
    "Authority",
    "Country",
    "DomainEvent",
    "Flag",
    "FlagTriage",
    "IdempotencyRecord",
    "Operator",
    "PenMessage",
    "PenRequirement",
    "PenRouteCountry",
    "PreExportNotification",
    "ReferenceCounter",
    "Rule",
    "Shipment",
    "ShipmentEvent",
    "ShipmentRouteCountry",
    "Substance",
    "User",
    "metadata",
]
