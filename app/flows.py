"""Orchestration across domains: a change, the rules that judge it, and the events it emits,
all in the caller's transaction."""

from decimal import Decimal
from typing import Any

from sqlmodel import Session

import app.alerts.service  # noqa: F401  (registers the outbox subscriber for every event)
from app.auth.service import Principal
from app.core.config import Settings
from app.events.service import emit
from app.notifications import service as notifications
from app.notifications.models import PreExportNotification
from app.notifications.schemas import NotificationCreate
from app.notifications.states import Action, Decision
from app.operators.models import Operator
from app.rules import flags as flag_service
from app.rules import service as rules
from app.rules.models import Flag
from app.rules.schemas import FlagCreate, TriageRequest
from app.rules.states import FlagStatus
from app.shipments import service as shipments
from app.shipments.models import Shipment, ShipmentEvent
from app.shipments.schemas import EventCreate, ShipmentCreate

PEN = "pre_export_notification"
SHIPMENT = "shipment"
# What each PEN step is called when it is announced.
PEN_EVENTS = {
    Action.SEND: "pen.sent",
    Action.ACKNOWLEDGE: "pen.acknowledged",
    Action.RESPOND: "pen.responded",
    Action.ANSWER: "pen.answered",
    Action.WITHDRAW: "pen.withdrawn",
}
# A draft's flags, announced to the route when it is sent, by their status then.
DRAFT_FLAG_EVENTS = {
    FlagStatus.OPEN: "flag.raised",
    FlagStatus.UNDER_REVIEW: "flag.raised",
    FlagStatus.CONFIRMED: "flag.confirmed",
}
# Shipment events that partner authorities hear about.
NOTIFIED_SHIPMENT_EVENTS = {"stopped", "seized", "released"}


def _consignee_country(session: Session, consignee_id: str | None) -> str | None:
    consignee = session.get(Operator, consignee_id) if consignee_id else None
    return consignee.country if consignee else None


def route_of(session: Session, subject: PreExportNotification | Shipment) -> dict[str, Any]:
    """The countries concerned by a PEN or shipment, by role (Article 12(9)(c)).

    A PEN that was never sent is the exporting country's alone: its route names only that
    country and is marked `private_to`, so routing reaches no other country, no international
    authority and no peer node."""
    if isinstance(subject, PreExportNotification) and subject.sent_at is None:
        country = subject.exporting_country
        return {"exporting": country, "transit": [], "private_to": country}
    return {
        "exporting": subject.exporting_country,
        "importing": subject.importing_country,
        "transit": list(subject.transit_countries),
        "consignee_country": _consignee_country(session, subject.consignee_id),
    }


def pen_payload(pen: PreExportNotification) -> dict[str, Any]:
    return {
        "id": pen.id,
        "reference": pen.reference,
        "status": pen.status,
        "decision": pen.decision,
        "substance": pen.cas_number,
        "quantity": str(pen.quantity),
        "unit": pen.unit,
        "quantity_kg": str(pen.quantity_kg),
        "exporter_id": pen.exporter_id,
        "importer_id": pen.importer_id,
        "consignee_id": pen.consignee_id,
        "expected_dispatch_date": pen.expected_dispatch_date.isoformat(),
        "expected_point_of_entry": pen.expected_point_of_entry,
        "mode_of_transport": pen.mode_of_transport,
        "means_of_payment": pen.means_of_payment,
        "reply_by": pen.reply_by.isoformat() if pen.reply_by else None,
    }


def shipment_payload(shipment: Shipment) -> dict[str, Any]:
    return {
        "id": shipment.id,
        "customs_reference": shipment.customs_reference,
        "pen_reference": shipment.pen_reference,
        "status": shipment.status,
        "substance": shipment.cas_number,
        "declared_hs_code": shipment.declared_hs_code,
        "declared_description": shipment.declared_description,
        "quantity": str(shipment.quantity),
        "unit": shipment.unit,
        "quantity_kg": str(shipment.quantity_kg),
        "exporter_id": shipment.exporter_id,
        "importer_id": shipment.importer_id,
        "consignee_id": shipment.consignee_id,
        "mode_of_transport": shipment.mode_of_transport,
        "means_of_payment": shipment.means_of_payment,
        "carrier": shipment.carrier,
        "container_ids": list(shipment.container_ids),
    }


def _subject_payload(subject: PreExportNotification | Shipment) -> dict[str, Any]:
    return (
        pen_payload(subject)
        if isinstance(subject, PreExportNotification)
        else shipment_payload(subject)
    )


def flag_payload(flag: Flag, score: Any = None) -> dict[str, Any]:
    return {
        "id": flag.id,
        "rule": flag.rule,
        "rule_version": flag.rule_version,
        "severity": flag.severity,
        "status": flag.status,
        "subject_type": flag.subject_type,
        "subject_id": flag.subject_id,
        "explanation": flag.explanation,
        "evidence": flag.evidence,
        "score": str(score) if score is not None else None,
    }


def emit_flag_event(
    session: Session,
    event_type: str,
    flag: Flag,
    actor_user_id: str | None,
    score: Decimal | None = None,
    *,
    already_told: list[str] | None = None,
) -> None:
    """Tell the partner authorities about a flag (routing decides who hears what); `score` is
    the subject's, read from the database when not given; authorities of the `already_told`
    countries are left out."""
    subject = rules.get_subject(session, flag.subject_type, flag.subject_id)
    assert subject is not None  # a flag's subject is never deleted
    if score is None:
        score = flag_service.scores(session, {(flag.subject_type, flag.subject_id)}).get(
            (flag.subject_type, flag.subject_id)
        )
    route = route_of(session, subject)
    if already_told:
        route["already_told"] = already_told
    emit(
        session,
        event_type,
        "flag",
        flag.id,
        route=route,
        payload={"flag": flag_payload(flag, score), "subject": _subject_payload(subject)},
        actor_user_id=actor_user_id,
    )


def judge(session: Session, subject_type: str, subject_id: str) -> list[Flag]:
    """Evaluate the rules on a subject and announce every new flag."""
    judgement = rules.evaluate_subject(session, subject_type, subject_id)
    for flag in judgement.raised:
        emit_flag_event(session, "flag.raised", flag, None, judgement.score)
    return judgement.raised


def raise_manual_flag(session: Session, principal: Principal, data: FlagCreate) -> Flag:
    flag = flag_service.raise_manual_flag(session, principal, data)
    emit_flag_event(session, "flag.raised", flag, principal.user_id)
    return flag


def triage_flag(session: Session, principal: Principal, flag: Flag, data: TriageRequest) -> Flag:
    """Triage a flag; confirmed and dismissed flags are announced (confirmed ones are what
    partner authorities act on)."""
    flag = flag_service.triage(session, principal, flag, data)
    event = {FlagStatus.CONFIRMED: "flag.confirmed", FlagStatus.DISMISSED: "flag.dismissed"}.get(
        data.status, "flag.triaged"
    )
    emit_flag_event(session, event, flag, principal.user_id)
    return flag


def create_notification(
    session: Session, principal: Principal, data: NotificationCreate
) -> PreExportNotification:
    """Draft a PEN and judge it."""
    pen = notifications.create_notification(session, principal, data)
    judge(session, PEN, pen.id)
    return pen


def transition_notification(
    session: Session,
    settings: Settings,
    principal: Principal,
    pen: PreExportNotification,
    action: Action,
    *,
    decision: Decision | None = None,
    text: str | None = None,
) -> PreExportNotification:
    """Move a PEN, judge it again, and tell the partner authorities (once it is sent: the
    flags its draft gathered go with it then)."""
    draft_flags = flag_service.flags_of(session, PEN, pen.id) if action == Action.SEND else []
    pen = notifications.transition(
        session, settings, principal, pen, action, decision=decision, text=text
    )
    judge(session, PEN, pen.id)
    event_type = PEN_EVENTS[action]
    payload = {**pen_payload(pen), "message": text}
    emit(
        session,
        event_type,
        PEN,
        pen.id,
        route=route_of(session, pen),
        payload=payload,
        actor_user_id=principal.user_id,
    )
    for flag in draft_flags:
        event = DRAFT_FLAG_EVENTS.get(FlagStatus(flag.status))
        if event is not None:
            # The exporting country heard of it while it was a draft.
            emit_flag_event(session, event, flag, None, already_told=[pen.exporting_country])
    return pen


def record_shipment(session: Session, principal: Principal, data: ShipmentCreate) -> Shipment:
    """Record a shipment, announce it, and judge it."""
    shipment = shipments.create_shipment(session, principal, data)
    emit(
        session,
        "shipment.recorded",
        SHIPMENT,
        shipment.id,
        route=route_of(session, shipment),
        payload=shipment_payload(shipment),
        actor_user_id=principal.user_id,
    )
    judge(session, SHIPMENT, shipment.id)
    return shipment


def record_shipment_event(
    session: Session, principal: Principal, shipment: Shipment, data: EventCreate
) -> ShipmentEvent:
    """Record a border event, judge the shipment again, and tell partners of stops and seizures."""
    event = shipments.record_event(session, principal, shipment, data)
    if event.type in NOTIFIED_SHIPMENT_EVENTS:
        payload = {
            **shipment_payload(shipment),
            "event": {
                "type": event.type,
                "country": event.country,
                "occurred_at": event.occurred_at.isoformat(),
                "location": event.location,
                "quantity_observed_kg": (
                    str(event.quantity_observed_kg)
                    if event.quantity_observed_kg is not None
                    else None
                ),
                "note": event.note,
            },
        }
        emit(
            session,
            f"shipment.{event.type}",
            SHIPMENT,
            shipment.id,
            route=route_of(session, shipment),
            payload=payload,
            actor_user_id=principal.user_id,
        )
    judge(session, SHIPMENT, shipment.id)
    return event
