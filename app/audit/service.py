"""Writing and reading the audit trail."""

from typing import Any

from sqlalchemy import insert
from sqlmodel import Session, col, select

from app.audit.models import AuditEvent
from app.auth.service import Principal
from app.core.ids import new_id
from app.core.pagination import Page, paginate
from app.core.request_id import current_request_id
from app.core.types import utcnow

_INSERT = insert(AuditEvent.__table__)  # type: ignore[attr-defined]


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
    """Write an audit row in the current transaction (it commits or rolls back with the
    change), with the id of the request that made it (None outside a request). Core, not the ORM: every write path writes one or more, and nothing reads them back
    in the same transaction."""
    session.connection().execute(
        _INSERT,
        {
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
        },
    )


def list_events(
    session: Session,
    *,
    subject_id: str | None,
    action: str | None,
    actor_user_id: str | None,
    limit: int,
    cursor: str | None,
) -> Page[AuditEvent]:
    """Audit events, newest first."""
    query = select(AuditEvent)
    if subject_id:
        query = query.where(AuditEvent.subject_id == subject_id)
    if action:
        query = query.where(AuditEvent.action == action)
    if actor_user_id:
        query = query.where(AuditEvent.actor_user_id == actor_user_id)
    return paginate(session, query, col(AuditEvent.id), limit=limit, cursor=cursor)
