"""Periodic tasks the worker runs between deliveries.

`announce_overdue_replies`: silence is never consent, so the exporting side hears when the
importing authority let `reply_by` pass without a decision (`pen.reply_overdue`, once per
notification).
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
