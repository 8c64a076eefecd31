"""Periodic tasks the worker runs between deliveries.

`announce_overdue_replies`: silence is never consent, so the exporting side hears when the
importing authority let `reply_by` pass without a decision (`pen.reply_overdue`, once per
notification).

`judge_waiting`: some indicators are about time passing with nothing recorded (a shipment that
entered transit and never left, goods not arrived by the expected date). No write judges those
subjects then, so the worker judges them again: shipments in transit whose last event is older
than two weeks, live PENs past their expected arrival date, neither flagged for it yet.

`announce_overdue_backtracking`: the same for backtracking requests left open past `reply_by`
(`backtracking.overdue`, once per request).
"""

from datetime import date, timedelta
from typing import Any

from sqlalchemy import ColumnElement, exists
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from app import flows
from app.core.db import open_session
from app.core.types import utcnow
from app.events.models import DomainEvent
from app.events.types import EventType, SubjectType
from app.federation.models import Peer
from app.incidents.models import BacktrackingRequest
from app.incidents.schemas import BacktrackingStatus
from app.notifications.models import PreExportNotification
from app.notifications.states import AWAITING_REPLY
from app.rules.gather import EXPECTING_ARRIVAL
from app.rules.models import Flag
from app.shipments.models import Shipment, ShipmentEvent

WAITING_DAYS = 14  # transit-never-left's threshold: older shipments may qualify


def announce_overdue_replies(engine: Engine, *, today: date | None = None, limit: int = 500) -> int:
    """Announce `pen.reply_overdue` for each PEN newly past its reply date; how many."""
    today = today or utcnow().date()
    announced = exists().where(
        col(DomainEvent.subject_id) == PreExportNotification.id,
        col(DomainEvent.type) == EventType.PEN_REPLY_OVERDUE.value,
    )
    with open_session(engine, write=True) as session:
        # A notification mirrored from a peer is the exporting node's to announce.
        remote = {c for peer in session.exec(select(Peer)).all() for c in peer.countries}
        pens = session.exec(
            select(PreExportNotification)
            .where(
                col(PreExportNotification.status).in_([s.value for s in AWAITING_REPLY]),
                col(PreExportNotification.reply_by) < today,
                col(PreExportNotification.exporting_country).not_in(remote),
                ~announced,
            )
            .order_by(col(PreExportNotification.reply_by))
            .limit(limit)
            # Two workers: the second skips what the first is announcing.
            .with_for_update(skip_locked=True)
        ).all()
        for pen in pens:
            flows.announce_overdue_reply(session, pen, today)
        session.commit()
    return len(pens)


def judge_waiting(engine: Engine, *, today: date | None = None, limit: int = 500) -> int:
    """Judge again the subjects that only time can make suspicious; how many were judged."""
    today = today or utcnow().date()
    since = utcnow() - timedelta(days=WAITING_DAYS)

    def not_flagged(subject_type: str, subject_id: Any, rule: str) -> ColumnElement[bool]:
        return ~exists().where(
            col(Flag.subject_type) == subject_type,
            col(Flag.subject_id) == subject_id,
            col(Flag.rule) == rule,
        )

    with open_session(engine, write=True) as session:
        # The last recorded event: a shipment that left transit is not judged again.
        last_event = (
            select(ShipmentEvent.type)
            .where(col(ShipmentEvent.shipment_id) == Shipment.id)
            .order_by(col(ShipmentEvent.created_at).desc(), col(ShipmentEvent.id).desc())
            .limit(1)
            .scalar_subquery()
        )
        shipments = session.exec(
            select(Shipment.id)
            .where(
                col(Shipment.status) == "in_transit",
                col(Shipment.updated_at) < since,
                last_event == "transit_entered",
                not_flagged("shipment", Shipment.id, "transit-never-left"),
            )
            .limit(limit)
        ).all()
        pens = session.exec(
            select(PreExportNotification.id)
            .where(
                col(PreExportNotification.status).in_(EXPECTING_ARRIVAL),
                col(PreExportNotification.expected_arrival_date) < today - timedelta(days=30),
                col(PreExportNotification.arrival_quantity_kg).is_(None),
                not_flagged("pre_export_notification", PreExportNotification.id, "not-arrived"),
            )
            .limit(limit)
        ).all()
        for shipment_id in shipments:
            flows.judge(session, SubjectType.SHIPMENT, shipment_id)
        for pen_id in pens:
            flows.judge(session, SubjectType.PEN, pen_id)
        session.commit()
    return len(shipments) + len(pens)


def announce_overdue_backtracking(
    engine: Engine, *, today: date | None = None, limit: int = 500
) -> int:
    """Announce `backtracking.overdue` for each request newly past its reply date; how many."""
    today = today or utcnow().date()
    announced = exists().where(
        col(DomainEvent.subject_id) == BacktrackingRequest.id,
        col(DomainEvent.type) == EventType.BACKTRACKING_OVERDUE.value,
    )
    with open_session(engine, write=True) as session:
        requests = session.exec(
            select(BacktrackingRequest)
            .where(
                BacktrackingRequest.status == BacktrackingStatus.OPEN.value,
                col(BacktrackingRequest.reply_by) < today,
                ~announced,
            )
            .order_by(col(BacktrackingRequest.reply_by))
            .limit(limit)
            .with_for_update(skip_locked=True)
        ).all()
        for request in requests:
            flows.announce_overdue_backtracking(session, request)
        session.commit()
    return len(requests)
