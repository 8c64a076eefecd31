"""Orchestration across domains: a change, the rules that judge it, the event it emits and the
outbox that routes that event, all in the caller's transaction.

Every hop is a call: a flow writes the domain event (`event = events.emit(...)`) and hands it to
the outbox (`outbox.route(session, event)`), which decides who hears of it and queues the alerts
and deliveries that `pentrack worker` sends after commit.
"""

from datetime import date
from decimal import Decimal
from types import SimpleNamespace
from typing import Any, cast

from sqlmodel import Session

from app.alerts import outbox
from app.auth.service import Principal
from app.core.config import Settings
from app.core.types import utcnow
from app.events import service as events
from app.events.models import DomainEvent
from app.events.types import EventType, SubjectType
from app.incidents import backtracking
from app.incidents import service as incidents
from app.incidents.models import BacktrackingRequest, Incident
from app.incidents.payloads import BacktrackingPayload, IncidentPayload
from app.incidents.schemas import BacktrackingAnswer, BacktrackingCreate, IncidentCreate
from app.industry import service as industry
from app.industry.models import IndustryReport
from app.industry.payloads import report_payload
from app.industry.schemas import (
    FlagEscalation,
    IncidentEscalation,
    IndustryReportCreate,
    IndustryTriage,
)
from app.notifications import service as notifications
from app.notifications.models import PreExportNotification
from app.notifications.payloads import PenPayload
from app.notifications.schemas import ConfirmArrivalRequest, NotificationCreate
from app.notifications.states import Action, Decision
from app.operators.models import Operator
from app.rules import batch as rules_batch
from app.rules import flags as flag_service
from app.rules import service as rules
from app.rules.models import Flag
from app.rules.payloads import FlagPayload
from app.rules.schemas import FlagCreate, TriageRequest
from app.rules.states import FlagStatus
from app.shipments import bulk as shipments_bulk
from app.shipments import service as shipments
from app.shipments.models import Shipment, ShipmentEvent
from app.shipments.payloads import ShipmentPayload
from app.shipments.schemas import EventCreate, ShipmentCreate

# What each PEN step is called when it is announced.
PEN_EVENTS = {
    Action.SEND: EventType.PEN_SENT,
    Action.ACKNOWLEDGE: EventType.PEN_ACKNOWLEDGED,
    Action.RESPOND: EventType.PEN_RESPONDED,
    Action.ANSWER: EventType.PEN_ANSWERED,
    Action.WITHDRAW: EventType.PEN_WITHDRAWN,
}
FLAG_EVENTS = {
    FlagStatus.CONFIRMED: EventType.FLAG_CONFIRMED,
    FlagStatus.DISMISSED: EventType.FLAG_DISMISSED,
}
# A draft's flags, announced to the route when it is sent, by their status then.
DRAFT_FLAG_EVENTS = {
    FlagStatus.OPEN: EventType.FLAG_RAISED,
    FlagStatus.UNDER_REVIEW: EventType.FLAG_RAISED,
    FlagStatus.CONFIRMED: EventType.FLAG_CONFIRMED,
}
# Shipment events that partner authorities hear about.
NOTIFIED_SHIPMENT_EVENTS = {
    "stopped": EventType.SHIPMENT_STOPPED,
    "seized": EventType.SHIPMENT_SEIZED,
    "released": EventType.SHIPMENT_RELEASED,
}


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


def _subject_payload(subject: PreExportNotification | Shipment) -> dict[str, Any]:
    if isinstance(subject, PreExportNotification):
        return PenPayload.of(subject).data()
    return ShipmentPayload.of(subject).data()


def emit_flag_event(
    session: Session,
    event_type: EventType,
    flag: Flag,
    actor_user_id: str | None,
    score: Decimal | None = None,
    *,
    already_told: list[str] | None = None,
) -> None:
    """Tell the partner authorities about a flag (routing decides who hears what)."""
    event = _flag_event(session, event_type, flag, actor_user_id, score, already_told=already_told)
    outbox.route(session, event)


def _flag_event(
    session: Session,
    event_type: EventType,
    flag: Flag,
    actor_user_id: str | None,
    score: Decimal | None = None,
    *,
    already_told: list[str] | None = None,
) -> DomainEvent:
    """The event announcing a flag, emitted for the caller to route; `score` is the subject's,
    read from the database when not given; authorities of the `already_told` countries are
    left out."""
    subject = rules.get_subject(session, flag.subject_type, flag.subject_id)
    assert subject is not None  # a flag's subject is never deleted
    if score is None:
        score = flag_service.scores(session, {(flag.subject_type, flag.subject_id)}).get(
            (flag.subject_type, flag.subject_id)
        )
    route = route_of(session, subject)
    if already_told:
        route["already_told"] = already_told
    return events.emit(
        session,
        event_type,
        SubjectType.FLAG,
        flag.id,
        route=route,
        payload=FlagPayload.of(flag, score).data(_subject_payload(subject)),
        actor_user_id=actor_user_id,
    )


def judge(
    session: Session,
    subject_type: SubjectType,
    subject_id: str,
    events: list[ShipmentEvent] | None = None,
) -> list[Flag]:
    """Evaluate the rules on a subject and announce every new flag (a shipment's `events`
    when the caller has them)."""
    judgement, announced = _judged(session, subject_type, subject_id, events)
    outbox.route_many(session, announced, bulk=False)
    return judgement.raised


def _judged(
    session: Session,
    subject_type: SubjectType,
    subject_id: str,
    history: list[ShipmentEvent] | None = None,
    *,
    new: bool = False,
    known: list[Flag] | None = None,
) -> tuple[rules.Judgement, list[DomainEvent]]:
    """`judge` without the routing: the judgement and its new flags' events, which the calling
    flow routes with its own in one pass of the outbox (`new`: the subject was created in this
    transaction, so it has no flags yet; `known`: its flags, read in this transaction)."""
    judgement = rules.evaluate_subject(
        session, subject_type, subject_id, history, new=new, known=known
    )
    announced = [
        _flag_event(session, EventType.FLAG_RAISED, flag, None, judgement.score)
        for flag in judgement.raised
    ]
    return judgement, announced


def raise_manual_flag(session: Session, principal: Principal, data: FlagCreate) -> Flag:
    flag = flag_service.raise_manual_flag(session, principal, data)
    emit_flag_event(session, EventType.FLAG_RAISED, flag, principal.user_id)
    return flag


def triage_flag(session: Session, principal: Principal, flag: Flag, data: TriageRequest) -> Flag:
    """Triage a flag; confirmed and dismissed flags are announced (confirmed ones are what
    partner authorities act on)."""
    flag = flag_service.triage(session, principal, flag, data)
    event = FLAG_EVENTS.get(data.status, EventType.FLAG_TRIAGED)
    emit_flag_event(session, event, flag, principal.user_id)
    return flag


def create_notification(
    session: Session, principal: Principal, data: NotificationCreate
) -> PreExportNotification:
    """Draft a PEN and judge it."""
    pen = notifications.create_notification(session, principal, data)
    announced = _judged(session, SubjectType.PEN, pen.id, new=True)[1]
    outbox.route_many(session, announced, bulk=False)
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
    draft_flags = (
        flag_service.flags_of(session, SubjectType.PEN, pen.id) if action == Action.SEND else []
    )
    pen = notifications.transition(
        session, settings, principal, pen, action, decision=decision, text=text
    )
    # Sending: the draft's flags are all its flags (read above).
    known = draft_flags if action == Action.SEND else None
    judgement, announced = _judged(session, SubjectType.PEN, pen.id, known=known)
    announced.append(
        events.emit(
            session,
            PEN_EVENTS[action],
            SubjectType.PEN,
            pen.id,
            route=route_of(session, pen),
            payload=PenPayload.of(pen).data(message=text),
            actor_user_id=principal.user_id,
        )
    )
    for flag in draft_flags:
        flag_event = DRAFT_FLAG_EVENTS.get(FlagStatus(flag.status))
        if flag_event is not None:
            # The exporting country heard of it while it was a draft.
            told = [pen.exporting_country]
            announced.append(
                _flag_event(session, flag_event, flag, None, judgement.score, already_told=told)
            )
    outbox.route_many(session, announced, bulk=False)
    return pen


def record_shipment(session: Session, principal: Principal, data: ShipmentCreate) -> Shipment:
    """Record a shipment, announce it, and judge it."""
    shipment = shipments.create_shipment(session, principal, data)
    event = events.emit(
        session,
        EventType.SHIPMENT_RECORDED,
        SubjectType.SHIPMENT,
        shipment.id,
        route=route_of(session, shipment),
        payload=ShipmentPayload.of(shipment).data(),
        actor_user_id=principal.user_id,
    )
    # A new shipment has no border events and no flags yet.
    _, announced = _judged(session, SubjectType.SHIPMENT, shipment.id, [], new=True)
    outbox.route_many(session, [event, *announced], bulk=False)
    return shipment


def record_shipments(
    session: Session, principal: Principal, new: list[tuple[dict[str, Any], dict[str, set[str]]]]
) -> list[Shipment]:
    """`record_shipment` for a batch of checked shipments `(row, route roles)` of one import,
    in order: the same rows, events, alerts and flags, written set-based. Each is judged
    against the shipments before it, the batch's earlier ones included (rules/batch.py)."""
    # Read-only stand-ins for the shipments as written (ORM instances cost more than the rows).
    recorded = [cast(Shipment, SimpleNamespace(**row)) for row, _ in new]
    prepared = rules_batch.gather_facts(session, recorded)
    shipments_bulk.insert_shipments(session, principal, new)
    payloads = [ShipmentPayload.of_row(row).data() for row, _ in new]
    routes = [route_of(session, s) for s in recorded]
    recorded_events = events.emit_many(
        session,
        EventType.SHIPMENT_RECORDED,
        SubjectType.SHIPMENT,
        [
            (row["id"], route, payload)
            for (row, _), route, payload in zip(new, routes, payloads, strict=True)
        ],
        actor_user_id=principal.user_id,
    )
    outbox.route_many(session, recorded_events)
    judgements = rules_batch.raise_flags(session, recorded, prepared)
    # emit_flag_event for every new flag, the events written in one statement.
    flag_events = events.emit_many(
        session,
        EventType.FLAG_RAISED,
        SubjectType.FLAG,
        [
            (flag.id, route, FlagPayload.of(flag, judgement.score).data(payload))
            for route, payload, judgement in zip(routes, payloads, judgements, strict=True)
            for flag in judgement.raised
        ],
    )
    outbox.route_many(session, flag_events)
    return recorded


def record_shipment_event(
    session: Session, principal: Principal, shipment: Shipment, data: EventCreate
) -> list[ShipmentEvent]:
    """Record a border event, judge the shipment again, and tell partners of stops and seizures;
    the shipment's events, the new one last."""
    history = shipments.record_event(session, principal, shipment, data)
    border_event = history[-1]
    announced: list[DomainEvent] = []
    notified = NOTIFIED_SHIPMENT_EVENTS.get(border_event.type)
    if notified is not None:
        event = events.emit(
            session,
            notified,
            SubjectType.SHIPMENT,
            shipment.id,
            route=route_of(session, shipment),
            payload=ShipmentPayload.of(shipment, border_event).data(),
            actor_user_id=principal.user_id,
        )
        announced.append(event)
    incident = incidents.open_from_border_event(session, principal, shipment, border_event)
    if incident is not None:
        announced.append(_incident_event(session, incident, principal.user_id))
    announced += _judged(session, SubjectType.SHIPMENT, shipment.id, history)[1]
    outbox.route_many(session, announced, bulk=False)
    return history


def announce_overdue_reply(session: Session, pen: PreExportNotification, today: date) -> None:
    """Tell the exporting side that `reply_by` passed without a decision (silence is never
    consent)."""
    days = (today - pen.reply_by).days if pen.reply_by else None
    extra = {"days_overdue": days} if days is not None else {}
    event = events.emit(
        session,
        EventType.PEN_REPLY_OVERDUE,
        SubjectType.PEN,
        pen.id,
        route=route_of(session, pen),
        payload=PenPayload.of(pen).data(**extra),
    )
    outbox.route(session, event)


def confirm_arrival(
    session: Session, principal: Principal, pen: PreExportNotification, data: ConfirmArrivalRequest
) -> PreExportNotification:
    """Record receipt, judge the PEN again (a quantity off by more than 5 % is flagged), and
    tell the exporting side."""
    pen = notifications.confirm_arrival(session, principal, pen, data)
    judge(session, SubjectType.PEN, pen.id)
    event = events.emit(
        session,
        EventType.PEN_ARRIVAL_CONFIRMED,
        SubjectType.PEN,
        pen.id,
        route=route_of(session, pen),
        payload=PenPayload.of(pen).data(
            arrival={
                "received_on": pen.arrival_received_on.isoformat()
                if pen.arrival_received_on
                else None,
                "quantity_kg": str(pen.arrival_quantity_kg),
            }
        ),
        actor_user_id=principal.user_id,
    )
    outbox.route(session, event)
    return pen


def incident_route(incident: Incident) -> dict[str, Any]:
    """The countries an incident names, as routing reads a route: the recording country, its
    origin as `exporting`, its destination as `importing`, its transit countries; `scope` is
    the widest sharing scope its recorder allows."""
    return {
        "recording": incident.country,
        "exporting": incident.origin_country,
        "importing": incident.destination_country,
        "transit": list(incident.transit_countries),
        "scope": incident.scope,
    }


def announce_incident(session: Session, incident: Incident, actor_user_id: str | None) -> None:
    outbox.route(session, _incident_event(session, incident, actor_user_id))


def _incident_event(session: Session, incident: Incident, actor_user_id: str | None) -> DomainEvent:
    return events.emit(
        session,
        EventType.INCIDENT_RECORDED,
        SubjectType.INCIDENT,
        incident.id,
        route=incident_route(incident),
        payload=IncidentPayload.of(session, incident).data(),
        actor_user_id=actor_user_id,
    )


def record_incident(session: Session, principal: Principal, data: IncidentCreate) -> Incident:
    """Record an incident and tell the countries it names (and international authorities)."""
    incident = incidents.create_incident(session, principal, data)
    announce_incident(session, incident, principal.user_id)
    return incident


def _announce_backtracking(
    session: Session,
    event_type: EventType,
    request: BacktrackingRequest,
    actor_user_id: str | None,
    **extra: Any,
) -> None:
    """The requesting country is `recording` and the asked one `addressed`; what the addressed
    country hears of the incident is cut to the request's scope."""
    route: dict[str, Any] = {"recording": request.from_country, "addressed": request.to_country}
    if event_type != EventType.BACKTRACKING_ANSWERED:
        route["scope"] = request.scope
    event = events.emit(
        session,
        event_type,
        SubjectType.BACKTRACKING,
        request.id,
        route=route,
        payload=BacktrackingPayload.of(session, request).data(**extra),
        actor_user_id=actor_user_id,
    )
    outbox.route(session, event)


def request_backtracking(
    session: Session,
    settings: Settings,
    principal: Principal,
    incident: Incident,
    data: BacktrackingCreate,
) -> BacktrackingRequest:
    """Ask another country to backtrack an incident; its regulator and law enforcement hear."""
    request = backtracking.create_request(session, settings, principal, incident, data)
    _announce_backtracking(session, EventType.BACKTRACKING_REQUESTED, request, principal.user_id)
    return request


def answer_backtracking(
    session: Session, principal: Principal, request: BacktrackingRequest, data: BacktrackingAnswer
) -> BacktrackingRequest:
    """Answer a backtracking request; the requesting country hears."""
    request = backtracking.answer_request(session, principal, request, data)
    _announce_backtracking(session, EventType.BACKTRACKING_ANSWERED, request, principal.user_id)
    return request


def file_industry_report(
    session: Session, principal: Principal, data: IndustryReportCreate
) -> IndustryReport:
    """File an industry report; the regulator of the operator's country hears of it."""
    report = industry.file_report(session, principal, data)
    event = events.emit(
        session,
        EventType.INDUSTRY_REPORT_FILED,
        SubjectType.INDUSTRY_REPORT,
        report.id,
        route={"recording": report.country},
        payload=report_payload(report, data.indicators),
        actor_user_id=principal.user_id,
    )
    outbox.route(session, event)
    return report


def triage_industry_report(
    session: Session, principal: Principal, report: IndustryReport, data: IndustryTriage
) -> IndustryReport:
    """Triage an industry report; an escalation raises a flag or records an incident through
    their own flows (so partners hear of them as of any other), in the same transaction."""
    industry.check_triage(principal, report, data)
    flag_id = incident_id = None
    if isinstance(data.escalation, FlagEscalation):
        flag_id = raise_manual_flag(
            session, principal, industry.flag_for(report, data.escalation)
        ).id
    elif isinstance(data.escalation, IncidentEscalation):
        incident = industry.incident_for(session, report, data.escalation)
        incident_id = record_incident(session, principal, incident).id
    return industry.triage(
        session, principal, report, data, flag_id=flag_id, incident_id=incident_id
    )


def announce_overdue_backtracking(session: Session, request: BacktrackingRequest) -> None:
    """Tell both sides that `reply_by` passed without an answer."""
    days = (utcnow().date() - request.reply_by).days
    _announce_backtracking(
        session, EventType.BACKTRACKING_OVERDUE, request, None, days_overdue=days
    )
