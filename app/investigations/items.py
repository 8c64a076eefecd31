"""The records a case holds: loading one for the member who adds it (only what that member may
read; never a draft PEN), and how each reads to a member (cases.py says who reads what)."""

from collections.abc import Callable
from typing import Any

from sqlmodel import Session

from app.auth.service import Principal
from app.incidents.models import Incident
from app.incidents.reading import reading_scopes
from app.incidents.scopes import IncidentScope
from app.investigations.entities import get_entity_or_raise
from app.investigations.exceptions import EntityNotFound
from app.investigations.models import Case, CaseItem, Entity
from app.investigations.schemas import CaseItemPublic, CaseItemType
from app.notifications import service as notifications
from app.notifications.models import PreExportNotification
from app.rules.flags import PEN, SHIPMENT
from app.rules.models import Flag
from app.shipments import service as shipments
from app.shipments.models import Shipment

DRAFT = "draft"


def _pen(session: Session, reader: Principal, pen_id: str) -> PreExportNotification | None:
    pen = session.get(PreExportNotification, pen_id)
    if pen is None or pen.status == DRAFT or not notifications.principal_may_read(reader, pen):
        return None
    return pen


def _shipment(session: Session, reader: Principal, shipment_id: str) -> Shipment | None:
    shipment = session.get(Shipment, shipment_id)
    if shipment is None or not shipments.principal_may_read(reader, shipment):
        return None
    return shipment


def _incident(session: Session, reader: Principal, incident_id: str) -> Incident | None:
    incident = session.get(Incident, incident_id)
    if incident is None or reading_scopes(session, reader, [incident])[incident.id] is None:
        return None
    return incident


def _flag(session: Session, reader: Principal, flag_id: str) -> Flag | None:
    flag = session.get(Flag, flag_id)
    if flag is None:
        return None
    load = _shipment if flag.subject_type == SHIPMENT else _pen
    return flag if load(session, reader, flag.subject_id) is not None else None


def _current_entity(session: Session, entity_id: str) -> Entity | None:
    """An entity merged or split since it was added is the one holding its first operator."""
    try:
        return get_entity_or_raise(session, entity_id)
    except EntityNotFound:
        return None


def _entity(session: Session, _: Principal, entity_id: str) -> Entity | None:
    # Entities are clusters of operators, and operators are read by every signed-in user.
    return _current_entity(session, entity_id)


Loader = Callable[[Session, Principal, str], Any]
LOADERS: dict[CaseItemType, Loader] = {
    CaseItemType.PEN: _pen,
    CaseItemType.SHIPMENT: _shipment,
    CaseItemType.INCIDENT: _incident,
    CaseItemType.FLAG: _flag,
    CaseItemType.ENTITY: _entity,
}


def loader_for(item_type: CaseItemType) -> Loader:
    return LOADERS[item_type]


def _home(session: Session, item_type: str, record: Any) -> str | None:
    """The country whose record it is."""
    match item_type:
        case CaseItemType.PEN:
            return str(record.exporting_country)
        case CaseItemType.SHIPMENT:
            return str(record.recorded_country)
        case CaseItemType.INCIDENT:
            return str(record.country)
        case CaseItemType.FLAG:
            model = Shipment if record.subject_type == SHIPMENT else PreExportNotification
            subject = session.get(model, record.subject_id)
            return _home(session, CaseItemType(record.subject_type), subject) if subject else None
    return None


def _unrestricted(session: Session, item_type: str, item_id: str) -> Any:
    """The record itself, whoever reads (None for a draft PEN: never shared)."""
    model: Any = {
        CaseItemType.PEN: PreExportNotification,
        CaseItemType.SHIPMENT: Shipment,
        CaseItemType.INCIDENT: Incident,
        CaseItemType.FLAG: Flag,
        CaseItemType.ENTITY: Entity,
    }[CaseItemType(item_type)]
    if item_type == CaseItemType.ENTITY:
        return _current_entity(session, item_id)
    record = session.get(model, item_id)
    if record is not None and item_type == CaseItemType.PEN and record.status == DRAFT:
        return None
    if record is not None and item_type == CaseItemType.FLAG and record.subject_type == PEN:
        subject = session.get(PreExportNotification, record.subject_id)
        return record if subject is not None and subject.status != DRAFT else None
    return record


def _fields(item_type: str, record: Any) -> tuple[str, dict[str, Any]]:
    """The item's label and its fields in full."""
    match item_type:
        case CaseItemType.PEN:
            keys = ["reference", "status", "exporting_country", "importing_country"]
            keys += ["cas_number", "quantity_kg", "expected_dispatch_date"]
            label = record.reference
        case CaseItemType.SHIPMENT:
            keys = ["customs_reference", "status", "recorded_country", "exporting_country"]
            keys += ["importing_country", "cas_number", "quantity_kg"]
            label = record.customs_reference
        case CaseItemType.INCIDENT:
            keys = ["reference", "kind", "country", "occurred_on", "quantity_kg", "description"]
            label = record.reference
        case CaseItemType.FLAG:
            keys = ["rule", "severity", "status", "subject_type", "subject_id", "explanation"]
            label = f"{record.rule} ({record.severity})"
        case _:
            keys = ["name", "countries"]
            label = record.name
    data = {k: getattr(record, k) for k in keys}
    return label, {
        k: str(v) if v is not None and k == "quantity_kg" else v for k, v in data.items()
    }


# What the confidential scope withholds; what the summary scope keeps.
WITHHELD = frozenset({"quantity_kg", "description", "explanation"})
SUMMARY = frozenset(
    {"reference", "customs_reference", "kind", "status", "rule", "severity", "name"}
)


def shaped(data: dict[str, Any], scope: str) -> dict[str, Any]:
    match IncidentScope(scope):
        case IncidentScope.FULL:
            return data
        case IncidentScope.CONFIDENTIAL:
            return {k: v for k, v in data.items() if k not in WITHHELD}
    return {k: v for k, v in data.items() if k in SUMMARY}


def item_view(
    session: Session, reader: Principal, case: Case, item: CaseItem, countries: set[str]
) -> CaseItemPublic | None:
    """The item as `reader` reads it, or None when the reader may not read it at all."""
    record = _unrestricted(session, item.item_type, item.item_id)
    if record is None:
        return None
    home = _home(session, item.item_type, record)
    own_right = loader_for(CaseItemType(item.item_type))(session, reader, item.item_id)
    if own_right is None and home not in countries:
        return None
    label, data = _fields(item.item_type, record)
    scope = IncidentScope.FULL.value if home in (None, reader.country) else case.scope
    return CaseItemPublic(
        type=item.item_type,
        id=item.item_id,
        label=label,
        added_at=item.added_at,
        record=shaped(data, scope),
    )
