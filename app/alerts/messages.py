"""The bodies pentrack sends: Standard Webhooks payloads for authorities, and node messages.

Bodies are serialised once, when the delivery is written, and stored: every retry sends the
same bytes under the same `webhook-id`.
"""

import json
from datetime import datetime
from typing import Any

from sqlmodel import Session

from app.alerts.models import Alert, Peer
from app.alerts.routing import EXPORTING_SIDE_PEN_EVENTS, RemoteRecipient
from app.alerts.sharing import shape
from app.core.ids import new_id
from app.core.types import utcnow
from app.events.models import DomainEvent
from app.notifications.models import PreExportNotification
from app.operators.models import Operator

INBOX_PATH = "/api/v1/nodes/messages"
ALERT_MESSAGE = "alert"


def dumps(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), default=str)


def inbox_url(peer: Peer) -> str:
    return peer.base_url.rstrip("/") + INBOX_PATH


def webhook_body(alert: Alert) -> str:
    """The Standard Webhooks payload for an alert: {type, timestamp, data}."""
    return dumps(
        {
            "type": alert.event_type,
            "timestamp": alert.created_at.isoformat(),
            "data": {
                "alert_id": alert.id,
                "authority_id": alert.authority_id,
                "event_id": alert.event_id,
                "subject_type": alert.subject_type,
                "subject_id": alert.subject_id,
                "severity": alert.severity,
                "title": alert.title,
                "routing_rule": alert.rule,
                "scope": alert.scope,
                "origin_node": alert.origin_node,
                "route": alert.route,
                "payload": alert.payload,
            },
        }
    )


def alert_message(
    event: DomainEvent, remote: RemoteRecipient, title: str, severity: str | None
) -> str:
    """An alert for a peer's authorities, already cut to the rule's sharing scope."""
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
                "rule": remote.rule,
                "scope": remote.scope,
                "countries": list(remote.countries),
                "kinds": list(remote.kinds),
                "route": event.route,
                "payload": shape(event.payload, remote.scope, remote.redact),
            },
        }
    )


def _party(operator: Operator | None) -> dict[str, Any] | None:
    if operator is None:
        return None
    return {
        "name": operator.name,
        "country": operator.country,
        "address": operator.address,
        "kind": operator.kind,
        "registration_number": operator.registration_number,
        "licence_number": operator.licence_number,
    }


def pen_document(session: Session, pen: PreExportNotification) -> dict[str, Any]:
    """Everything Article 12(10)(a) asks for, with the parties' names and addresses."""
    return {
        "reference": pen.reference,
        "exporting_country": pen.exporting_country,
        "importing_country": pen.importing_country,
        "transit_countries": list(pen.transit_countries),
        "exporter": _party(session.get(Operator, pen.exporter_id)),
        "importer": _party(session.get(Operator, pen.importer_id)),
        "consignee": _party(session.get(Operator, pen.consignee_id)) if pen.consignee_id else None,
        "substance": pen.cas_number,
        "quantity": str(pen.quantity),
        "unit": pen.unit,
        "expected_dispatch_date": pen.expected_dispatch_date.isoformat(),
        "expected_point_of_entry": pen.expected_point_of_entry,
        "mode_of_transport": pen.mode_of_transport,
        "means_of_payment": pen.means_of_payment,
        "intended_use": pen.intended_use,
        "reply_by": pen.reply_by.isoformat() if pen.reply_by else None,
    }


def pen_message(session: Session, event: DomainEvent) -> str:
    """A PEN action for the node hosting the other side (the PEN itself when it is sent)."""
    pen = session.get(PreExportNotification, event.subject_id)
    assert pen is not None, "a PEN event names a PEN"
    exporting_side = event.type in EXPORTING_SIDE_PEN_EVENTS
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
                "pen": pen_document(session, pen) if event.type == "pen.sent" else None,
            },
        }
    )


def delivery_row(
    target: str,
    event_type: str,
    url: str,
    body: str,
    now: datetime,
    *,
    alert_id: str | None = None,
    authority_id: str | None = None,
    peer_id: str | None = None,
) -> dict[str, Any]:
    """A pending delivery, as a row for a bulk insert."""
    return {
        "id": new_id(),
        "target": target,
        "alert_id": alert_id,
        "authority_id": authority_id,
        "peer_id": peer_id,
        "event_type": event_type,
        "url": url,
        "body": body,
        "status": "pending",
        "attempts": 0,
        "schedule_step": 0,
        "next_attempt_at": now,
        "claimed_by": None,
        "claimed_until": None,
        "last_status_code": None,
        "last_error": None,
        "created_at": now,
        "updated_at": now,
        "delivered_at": None,
    }
