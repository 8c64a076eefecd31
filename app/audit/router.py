"""The audit trail (admins and analysts)."""

from typing import Annotated

from fastapi import APIRouter, Query

from app.audit import service
from app.audit.schemas import AuditEventPublic
from app.auth.deps import AuditReader
from app.core.db import SessionDep
from app.core.pagination import Cursor, Limit, ListResponse
from app.core.problems import problem_responses

router = APIRouter(
    prefix="/audit-events",
    tags=["audit"],
    responses=problem_responses(401, 403),
)


@router.get("", response_model=ListResponse[AuditEventPublic], summary="List audit events")
def list_audit_events(
    session: SessionDep,
    _: AuditReader,
    subject_id: Annotated[str | None, Query(max_length=64)] = None,
    action: Annotated[str | None, Query(max_length=60)] = None,
    actor_user_id: Annotated[str | None, Query(max_length=32)] = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> object:
    """Every state change, newest first: actor, action, subject, before and after."""
    return service.list_events(
        session,
        subject_id=subject_id,
        action=action,
        actor_user_id=actor_user_id,
        limit=limit,
        cursor=cursor,
    )
