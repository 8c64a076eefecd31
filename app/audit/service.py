"""Writing and reading the audit trail."""

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement
from sqlmodel import Session, and_, col, or_, select

from app.audit import chain
from app.audit.models import AuditEvent
from app.auth.principal import Principal
from app.core.bulk import insert_rows
from app.core.ids import consecutive_ids, new_id
from app.core.pagination import Page, paginate
from app.core.request_id import current_request_id
from app.core.types import utcnow
from app.events.types import SubjectType
from app.notifications.models import PreExportNotification
from app.rules.models import Flag

# The audit subject of a controlled delivery's rows (its start, end, reads and handovers).
CONTROLLED_DELIVERY = "controlled_delivery"
TABLE = AuditEvent.__table__  # type: ignore[attr-defined]


def record(
    session: Session,
    actor: Principal | None,
    action: str,
    subject_type: str,
    subject_id: str,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    """An audit row of the current transaction (it commits or rolls back with the change),
    with the id of the request that made it (None outside a request): written, on the hash
    chain, when the transaction commits (app/audit/chain.py), with the transaction's other
    rows in one statement."""
    row = {
        "id": new_id(),
        "occurred_at": utcnow(),
        "actor_user_id": actor.user_id if actor else None,
        "actor_role": actor.role.value if actor else None,
        "actor_authority_id": actor.authority_id if actor else None,
        "action": action,
        "subject_type": subject_type,
        "subject_id": subject_id,
        "before": before,
        "after": after,
        "request_id": current_request_id(),
    }
    chain.defer(session, row)


def write_pending(session: Session) -> None:
    """Write this transaction's audit rows now, for a reader of the trail inside it."""
    chain.write_deferred(session)


def list_events(
    session: Session,
    *,
    subject_id: str | None,
    action: str | None,
    actor_user_id: str | None,
    limit: int,
    cursor: str | None,
) -> Page[AuditEvent]:
    """Audit events, newest first; nothing about a draft PEN (its own rows, its flags') until
    it is sent: a draft is the exporting country's alone, admins and analysts included. Nothing
    about a controlled delivery either: its participants read its trail on the delivery itself
    (app/shipments/controlled.py)."""
    query = select(AuditEvent).where(
        ~_about_a_draft(), AuditEvent.subject_type != CONTROLLED_DELIVERY
    )
    if subject_id:
        query = query.where(AuditEvent.subject_id == subject_id)
    if action:
        query = query.where(AuditEvent.action == action)
    if actor_user_id:
        query = query.where(AuditEvent.actor_user_id == actor_user_id)
    return paginate(session, query, col(AuditEvent.id), limit=limit, cursor=cursor)


def _about_a_draft() -> ColumnElement[bool]:
    pen = PreExportNotification
    drafts = select(pen.id).where(col(pen.sent_at).is_(None))
    flags_on_drafts = select(Flag.id).where(
        Flag.subject_type == SubjectType.PEN.value, col(Flag.subject_id).in_(drafts)
    )
    return or_(
        and_(
            AuditEvent.subject_type == SubjectType.PEN.value,
            col(AuditEvent.subject_id).in_(drafts),
        ),
        and_(
            AuditEvent.subject_type == SubjectType.FLAG.value,
            col(AuditEvent.subject_id).in_(flags_on_drafts),
        ),
    )


# From how many rows `record_many` writes them at once (staged on PostgreSQL, app/audit/chain.py;
# bulk imports write batches of thousands) instead of deferring them to the commit.
STAGE_FROM = 100


def record_many(
    session: Session,
    actor: Principal | None,
    action: str,
    subject_type: str,
    changes: Sequence[tuple[str, dict[str, Any] | None]],
) -> None:
    """`record` for many subjects of one action at once, `(subject_id, after)` each: the same
    rows, in one statement (bulk imports)."""
    if not changes:
        return
    now, request_id = utcnow(), current_request_id()
    ids = consecutive_ids(len(changes))
    rows = [
        {
            "id": row_id,
            "occurred_at": now,
            "actor_user_id": actor.user_id if actor else None,
            "actor_role": actor.role.value if actor else None,
            "actor_authority_id": actor.authority_id if actor else None,
            "action": action,
            "subject_type": subject_type,
            "subject_id": subject_id,
            "before": None,
            "after": after,
            "request_id": request_id,
        }
        for row_id, (subject_id, after) in zip(ids, changes, strict=True)
    ]
    if len(rows) < STAGE_FROM:
        # A request's few rows wait with its others and are written once, chained.
        for row in rows:
            chain.defer(session, row)
        return
    # Chained at commit from the database, not kept in memory until then; on PostgreSQL many
    # rows wait in the staging table and are written to audit_event once, chained.
    staged = len(rows) >= STAGE_FROM and session.get_bind().dialect.name == "postgresql"
    insert_rows(session, chain.stage_table(session) if staged else TABLE, rows)
    chain.remember_stored(session, ids[0], ids[-1], len(ids), staged=staged)
