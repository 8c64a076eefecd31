"""The messages one pentrack node sends another: alerts for its authorities, and PEN actions
(the notification itself when it is sent). Serialised once, when the delivery is queued."""

from typing import Any

from sqlmodel import Session

from app.core.types import utcnow
from app.delivery.bodies import dumps
from app.events.models import DomainEvent
from app.events.types import EXPORTING_SIDE_PEN_EVENTS, EventType
from app.notifications.models import PreExportNotification
from app.notifications.payloads import PenDocument
from app.operators.models import Operator

ALERT_MESSAGE = "alert"


def alert_message(
    event: DomainEvent,
    *,
    rule: str,
    scope: str,
    countries: list[str],
    kinds: list[str],
    title: str,
    severity: str | None,
    payload: dict[str, Any],
) -> str:
    """An alert for a peer's authorities; `payload` is already cut to the rule's sharing scope."""
    return dumps(
        {
            "type": ALERT_MESSAGE,
            "timestamp": utcnow().isoformat(),
            "data": {
                "event_id": event.id,
                "event_type": event.type,
                "subject_type": event.subject_type,
                "subject_id": event.subject_id,
                "severity": severity,
                "title": title,
                "rule": rule,
                "scope": scope,
                "countries": countries,
                "kinds": kinds,
                "route": event.route,
                "payload": payload,
            },
        }
    )


def pen_document(session: Session, pen: PreExportNotification) -> PenDocument:
    """Everything Article 12(10)(a) asks for, with the parties' names and addresses."""
    exporter = session.get(Operator, pen.exporter_id)
    importer = session.get(Operator, pen.importer_id)
    assert exporter is not None and importer is not None  # operators are never deleted
    consignee = session.get(Operator, pen.consignee_id) if pen.consignee_id else None
    parties = [
        (str(p["role"]), operator)
        for p in pen.parties or []
        if (operator := session.get(Operator, p["operator_id"])) is not None
    ]
    return PenDocument.of(pen, exporter, importer, consignee, parties)


def pen_message(session: Session, event: DomainEvent) -> str:
    """A PEN action for the node hosting the other side (the PEN itself when it is sent)."""
    pen = session.get(PreExportNotification, event.subject_id)
    assert pen is not None, "a PEN event names a PEN"
    exporting_side = event.type in EXPORTING_SIDE_PEN_EVENTS
    document = pen_document(session, pen) if event.type == EventType.PEN_SENT else None
    return dumps(
        {
            "type": event.type,
            "timestamp": utcnow().isoformat(),
            "data": {
                "event_id": event.id,
                "reference": pen.reference,
                "actor_country": pen.exporting_country if exporting_side else pen.importing_country,
                "decision": event.payload.get("decision"),
                "text": event.payload.get("message"),
                "pen": document.model_dump(mode="json") if document else None,
            },
        }
    )
