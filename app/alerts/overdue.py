"""`pen.reply_overdue`: silence is never consent, so the exporting side hears when the importing
authority let `reply_by` pass without a decision. Announced once per notification, by the worker.
"""

from datetime import date

from sqlalchemy import exists
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from app import flows
from app.alerts.models import Peer
from app.core.db import open_session
from app.core.types import utcnow
from app.events.models import DomainEvent
from app.events.service import emit
from app.notifications.models import PreExportNotification
from app.notifications.states import AWAITING_REPLY

EVENT = "pen.reply_overdue"


def announce_overdue_replies(engine: Engine, *, today: date | None = None, limit: int = 500) -> int:
    """Emit `pen.reply_overdue` for each PEN newly past its reply date; how many."""
    today = today or utcnow().date()
    announced = exists().where(
        col(DomainEvent.subject_id) == PreExportNotification.id, col(DomainEvent.type) == EVENT
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
            emit(
                session,
                EVENT,
                flows.PEN,
                pen.id,
                route=flows.route_of(session, pen),
                payload={**flows.pen_payload(pen), "days_overdue": (today - pen.reply_by).days}
                if pen.reply_by
                else flows.pen_payload(pen),
            )
        session.commit()
    return len(pens)
