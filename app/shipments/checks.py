"""The checks a customs declaration passes before it is recorded, one definition for the single
endpoint (`service.create_shipment`) and the bulk import (`bulk.prepare_shipments`): the same
problems, in the same order, from lookups loaded once per request or once per batch."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from app.auth.service import Principal
from app.core.bulk import among
from app.core.ids import new_id
from app.notifications import service as notifications
from app.notifications.models import PreExportNotification
from app.operators.models import Operator
from app.operators.service import UnknownOperator
from app.reference.service import quantity_in_kg, require_countries, require_substance
from app.shipments.exceptions import NotOnRoute, UnknownPenReference
from app.shipments.schemas import ShipmentCreate
from app.shipments.states import ShipmentStatus

PARTIES = ("exporter_id", "importer_id", "consignee_id")


def route_roles(exporting: str, importing: str, transit: list[str]) -> dict[str, set[str]]:
    """Country → its roles on the route."""
    roles: dict[str, set[str]] = {}
    for country, role in [
        (exporting, "exporting"),
        (importing, "importing"),
        *((c, "transit") for c in transit),
    ]:
        roles.setdefault(country, set()).add(role)
    return roles


@dataclass
class Known:
    """What the checks look up: the operators and the PENs the declarations name (PENs by
    reference, only those the caller may read)."""

    operators: dict[str, Operator] = field(default_factory=dict)
    pens: dict[str, PreExportNotification] = field(default_factory=dict)


def load_known(session: Session, actor: Principal, declarations: Iterable[ShipmentCreate]) -> Known:
    """One query for the operators and one for the PENs of all `declarations`."""
    declarations = list(declarations)
    ids = {getattr(d, name) for d in declarations for name in PARTIES} - {None}
    references = {d.pen_reference for d in declarations if d.pen_reference}
    known = Known()
    if ids:
        known.operators = {
            o.id: o
            for o in session.exec(select(Operator).where(among(session, col(Operator.id), ids)))
        }
    if references:
        pens = session.exec(
            select(PreExportNotification).where(
                among(session, col(PreExportNotification.reference), references)
            )
        )
        known.pens = {p.reference: p for p in pens if notifications.principal_may_read(actor, p)}
    return known


def new_shipment(
    session: Session, actor: Principal, data: ShipmentCreate, known: Known, now: datetime
) -> tuple[dict[str, Any], dict[str, set[str]]]:
    """The shipment row (the columns of `Shipment`) and its route, or the problem the single
    endpoint answers. Writes nothing."""
    roles = route_roles(data.exporting_country, data.importing_country, data.transit_countries)
    if actor.country not in roles:
        raise NotOnRoute(f"Your authority is in {actor.country}, which is not on this route.")
    require_countries(session, roles.keys())
    substance = require_substance(session, data.substance)
    for name in PARTIES:
        value = getattr(data, name)
        if value and value not in known.operators:
            raise UnknownOperator(f"{name}: no operator with id {value!r}.")
    pen = None
    if data.pen_reference:
        pen = known.pens.get(data.pen_reference)
        if pen is None:
            raise UnknownPenReference(
                f"pen_reference: no pre-export notification {data.pen_reference!r} visible to you."
            )
    row = {
        "id": new_id(),
        **data.model_dump(
            exclude={"substance", "unit", "mode_of_transport", "means_of_payment", "pen_reference"}
        ),
        "pen_reference": pen.reference if pen else None,
        "notification_id": pen.id if pen else None,
        "recorded_country": actor.country or "",
        "status": ShipmentStatus.DECLARED.value,
        "cas_number": substance.cas_number,
        "unit": data.unit.value,
        "quantity_kg": quantity_in_kg(substance, data.quantity, data.unit),
        "mode_of_transport": data.mode_of_transport.value,
        "means_of_payment": data.means_of_payment.value if data.means_of_payment else None,
        "recorded_by_user_id": actor.user_id,
        "created_at": now,
        "updated_at": now,
    }
    return row, roles


def creation_audit(row: Mapping[str, Any]) -> dict[str, Any]:
    """What the audit trail keeps of a recorded shipment."""
    return {
        "customs_reference": row["customs_reference"],
        "status": row["status"],
        "pen_reference": row["pen_reference"],
        "quantity_kg": str(row["quantity_kg"]),
    }
