"""Backtracking requests: the recording country asks another (the origin, usually) who supplied
the chemical and under which authorisation; the addressed country's regulator or law
enforcement answers by `reply_by`."""

from datetime import date, timedelta
from typing import Any

from sqlmodel import Session, col, or_, select

from app.audit import service as audit
from app.auth.roles import Role
from app.auth.service import Principal
from app.core.config import Settings
from app.core.ids import new_id
from app.core.pagination import Page, paginate
from app.core.types import utcnow
from app.incidents.exceptions import (
    AlreadyAnswered,
    BacktrackingNotFound,
    BacktrackingToOwnCountry,
    NotAllowed,
    NotYourCountry,
    ReplyByInPast,
)
from app.incidents.models import TRACED_BY_BACKTRACKING, BacktrackingRequest, Incident
from app.incidents.schemas import (
    BacktrackingAnswer,
    BacktrackingCreate,
    BacktrackingPublic,
    BacktrackingStatus,
)
from app.incidents.service import link_operators, require_officer
from app.operators.service import require_operators
from app.reference.service import require_countries

# Who answers for the addressed country.
ANSWERING_ROLES = frozenset({Role.REGULATOR, Role.LAW_ENFORCEMENT})


def create_request(
    session: Session,
    settings: Settings,
    actor: Principal,
    incident: Incident,
    data: BacktrackingCreate,
) -> BacktrackingRequest:
    """Ask `to_country` to backtrack the incident (the recording country's officers)."""
    require_officer(actor, "send backtracking requests")
    if actor.country != incident.country:
        raise NotYourCountry("Only the recording country's authorities send backtracking requests.")
    if data.to_country == incident.country:
        raise BacktrackingToOwnCountry("to_country: ask another country than your own.")
    require_countries(session, [data.to_country], "to_country")
    today = utcnow().date()
    reply_by = data.reply_by or today + timedelta(days=settings.backtracking_reply_days)
    if reply_by < today:
        raise ReplyByInPast(f"reply_by: {reply_by.isoformat()} is before today.")
    now = utcnow()
    request = BacktrackingRequest(
        id=new_id(),
        incident_id=incident.id,
        from_country=incident.country,
        from_authority_id=actor.authority_id,
        to_country=data.to_country,
        question=data.question,
        scope=(data.scope or incident.scope),
        status=BacktrackingStatus.OPEN.value,
        reply_by=reply_by,
        requested_by_user_id=actor.user_id,
        created_at=now,
        updated_at=now,
    )
    session.add(request)
    session.flush()
    audit.record(
        session,
        actor,
        "backtracking.requested",
        "backtracking_request",
        request.id,
        after={
            "incident_id": incident.id,
            "to_country": request.to_country,
            "scope": request.scope,
            "reply_by": reply_by.isoformat(),
        },
    )
    return request


def answer_request(
    session: Session, actor: Principal, request: BacktrackingRequest, data: BacktrackingAnswer
) -> BacktrackingRequest:
    """The addressed country's regulator or law enforcement answers with its findings and the
    operators it traced (linked to the incident for the rules)."""
    if actor.country != request.to_country:
        raise NotYourCountry(f"This request is addressed to {request.to_country}.")
    if actor.role not in ANSWERING_ROLES:
        raise NotAllowed("The addressed country's regulator or law enforcement answers.")
    if request.status != BacktrackingStatus.OPEN.value:
        raise AlreadyAnswered(f"Answered on {request.answered_at}.")
    require_operators(session, **{f"operator_ids[{i}]": o for i, o in enumerate(data.operator_ids)})
    now = utcnow()
    request.status = BacktrackingStatus.ANSWERED.value
    request.findings = data.findings
    request.answer_operator_ids = list(data.operator_ids)
    request.answered_at = now
    request.answered_by_authority_id = actor.authority_id
    request.updated_at = now
    session.add(request)
    link_operators(session, request.incident_id, data.operator_ids, TRACED_BY_BACKTRACKING)
    session.flush()
    audit.record(
        session,
        actor,
        "backtracking.answered",
        "backtracking_request",
        request.id,
        before={"status": BacktrackingStatus.OPEN.value},
        after={"status": request.status, "operator_ids": request.answer_operator_ids},
    )
    return request


def visible_to(principal: Principal) -> Any:
    """Requests the caller's country sent or received (all, for admins and analysts)."""
    if principal.is_global_reader:
        return True
    if principal.country is None:
        return False
    return or_(
        BacktrackingRequest.from_country == principal.country,
        BacktrackingRequest.to_country == principal.country,
    )


def get_request_or_raise(
    session: Session, principal: Principal, request_id: str, *, for_update: bool = False
) -> BacktrackingRequest:
    query = select(BacktrackingRequest).where(
        BacktrackingRequest.id == request_id, visible_to(principal)
    )
    if for_update:
        query = query.with_for_update()
    request = session.exec(query).first()
    if request is None:
        raise BacktrackingNotFound(f"No backtracking request with id {request_id!r}.")
    return request


def list_requests(
    session: Session,
    principal: Principal,
    *,
    direction: str | None,
    status: BacktrackingStatus | None,
    incident_id: str | None,
    limit: int,
    cursor: str | None,
) -> Page[BacktrackingRequest]:
    query = select(BacktrackingRequest).where(visible_to(principal))
    if direction == "sent":
        query = query.where(BacktrackingRequest.from_country == principal.country)
    elif direction == "received":
        query = query.where(BacktrackingRequest.to_country == principal.country)
    if status is not None:
        query = query.where(BacktrackingRequest.status == status.value)
    if incident_id is not None:
        query = query.where(BacktrackingRequest.incident_id == incident_id)
    return paginate(session, query, col(BacktrackingRequest.id), limit=limit, cursor=cursor)


def is_overdue(request: BacktrackingRequest, today: date) -> bool:
    return request.status == BacktrackingStatus.OPEN.value and request.reply_by < today


def to_public(session: Session, request: BacktrackingRequest) -> BacktrackingPublic:
    incident = session.get(Incident, request.incident_id)
    assert incident is not None  # incidents are never deleted
    return BacktrackingPublic(
        **request.model_dump(
            include={
                "id",
                "incident_id",
                "from_country",
                "to_country",
                "question",
                "scope",
                "status",
                "reply_by",
                "findings",
                "answered_at",
                "created_at",
            }
        ),
        incident_reference=incident.reference,
        overdue=is_overdue(request, utcnow().date()),
        operator_ids=request.answer_operator_ids,
    )
