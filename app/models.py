"""Every table, imported in one place so that Alembic sees the whole schema."""

from sqlmodel import SQLModel

from app.audit.models import AuditEvent
from app.auth.models import User
from app.authorities.models import Authority
from app.core.models import IdempotencyRecord
from app.notifications.models import (
    PenMessage,
    PenRouteCountry,
    PreExportNotification,
    ReferenceCounter,
)
from app.operators.models import Operator
from app.reference.models import Country, PenRequirement, Substance
from app.shipments.models import Shipment, ShipmentEvent, ShipmentRouteCountry

metadata = SQLModel.metadata

__all__ = [
    "AuditEvent",
    "Authority",
    "Country",
    "IdempotencyRecord",
    "Operator",
    "PenMessage",
    "PenRequirement",
    "PenRouteCountry",
    "PreExportNotification",
    "ReferenceCounter",
    "Shipment",
    "ShipmentEvent",
    "ShipmentRouteCountry",
    "Substance",
    "User",
    "metadata",
]
