"""Periodic tasks the worker runs between deliveries.

`announce_overdue_replies`: silence is never consent, so the exporting side hears when the
importing authority let `reply_by` pass without a decision (`pen.reply_overdue`, once per
notification).

`announce_overdue_backtracking`: the same for backtracking requests left open past `reply_by`
(`backtracking.overdue`, once per request).
"""

from datetime import date

from sqlalchemy import exists
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from app import flows
from app.core.db import open_session
from app.core.types import utcnow
from app.events.models import DomainEvent
from app.events.types import EventType
from app.federation.models import Peer
from app.incidents.models import BacktrackingRequest
from app.incidents.schemas import BacktrackingStatus
from app.notifications.models import PreExportNotification
from app.notifications.states import AWAITING_REPLY


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
