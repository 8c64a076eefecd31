"""Incidents and backtracking requests in the workspace: the incidents an officer may read,
one incident with its requests and the form that asks another country to backtrack it, and
the requests the officer's country sent and received, with the form that answers one. Each
action calls the API's own flow (app/flows.py)."""

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session

from app import flows
from app.auth.principal import Principal
from app.core.config import Settings
from app.core.db import SessionDep, SettingsDep
from app.i18n import Language
from app.i18n.web import LanguageDep
from app.incidents import backtracking, reading
from app.incidents import service as incidents
from app.incidents.schemas import BacktrackingAnswer, BacktrackingCreate, BacktrackingStatus
from app.incidents.scopes import IncidentScope
from app.workspace.access import WorkspaceUser, posted_form
from app.workspace.forms import NOT_SAVED, as_list, checked, submitted
from app.workspace.pages import OFFICERS, operator_names, page
from app.workspace.pen_pages import labelled

router = APIRouter(prefix="/workspace", include_in_schema=False)


@router.get("/incidents")
def incident_list(
    request: Request, session: SessionDep, settings: SettingsDep, principal: WorkspaceUser
) -> Response:
    """Incidents the officer may read, at the officer's reading scope."""
    listed = incidents.list_incidents(
        session,
        principal,
        kind=None,
        country=None,
        named_country=None,
        substance=None,
        date_from=None,
        date_to=None,
        limit=100,
        cursor=None,
    )
    items = reading.to_public_page(session, principal, listed)["items"]
    return page(request, settings, principal, "incidents.html", {"incidents": items})


def _requests(session: Session, principal: Principal, **where: Any) -> list[Any]:
    """Backtracking requests the officer's country sent or received, newest first."""
    found = backtracking.list_requests(
        session,
        principal,
        direction=where.get("direction"),
        status=None,
        incident_id=where.get("incident_id"),
        limit=200,
        cursor=None,
    ).items
    shown = [backtracking.to_public(session, r) for r in found]
    return sorted(shown, key=lambda r: r.created_at, reverse=True)


def _incident(
    request: Request,
    session: Session,
    settings: Settings,
    principal: Principal,
    language: Language,
    incident_id: str,
    *,
    form: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    general: list[str] | None = None,
    status: int = 200,
) -> Response:
    incident = incidents.get_incident_or_raise(session, principal, incident_id)
    context = {
        "incident": reading.to_detail(session, principal, incident),
        "requests": _requests(session, principal, incident_id=incident.id),
        "may_ask": principal.role in OFFICERS and principal.country == incident.country,
        "scopes": labelled([s.value for s in IncidentScope], language),
        "reply_days": settings.backtracking_reply_days,
        "form": form or {},
        "errors": errors or {},
        "general": general or [],
    }
    return page(request, settings, principal, "incident.html", context, status=status)


@router.get("/incidents/{incident_id}")
def incident_detail(
    incident_id: str,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    principal: WorkspaceUser,
    language: LanguageDep,
) -> Response:
    """One incident, its backtracking requests and (for its recording country) the form."""
    return _incident(request, session, settings, principal, language, incident_id)


@router.post("/incidents/{incident_id}/backtracking")
async def ask_backtracking(
    incident_id: str,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    principal: WorkspaceUser,
    language: LanguageDep,
) -> Response:
    """As POST /api/v1/incidents/{id}/backtracking-requests (flows.request_backtracking)."""
    form = await posted_form(request, settings)
    incident = incidents.get_incident_or_raise(session, principal, incident_id, for_update=True)
    data = {**form, "to_country": form.get("to_country", "").upper()}
    result = checked(BacktrackingCreate, data, language)

    def act(data: BacktrackingCreate) -> str:
        flows.request_backtracking(session, settings, principal, incident, data)
        return f"/workspace/incidents/{incident_id}#backtracking"

    general = submitted(session, result, act)
    if isinstance(general, RedirectResponse):
        return general
    return _incident(
        request,
        session,
        settings,
        principal,
        language,
        incident_id,
        form=form,
        errors=result.errors,
        general=general,
        status=NOT_SAVED,
    )


def _backtracking(
    request: Request,
    session: Session,
    settings: Settings,
    principal: Principal,
    *,
    failed: str | None = None,
    form: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    general: list[str] | None = None,
    status: int = 200,
) -> Response:
    received = _requests(session, principal, direction="received")
    context = {
        "sent": _requests(session, principal, direction="sent"),
        "received": received,
        "names": operator_names(session, {o for r in received for o in r.operator_ids}),
        "may_answer": principal.role in backtracking.ANSWERING_ROLES,
        "open": BacktrackingStatus.OPEN,
        "failed": failed,
        "form": form or {},
        "errors": errors or {},
        "general": general or [],
    }
    return page(request, settings, principal, "backtracking.html", context, status=status)


@router.get("/backtracking")
def backtracking_requests(
    request: Request, session: SessionDep, settings: SettingsDep, principal: WorkspaceUser
) -> Response:
    """The requests the officer's country sent and received; an answer form under each open
    request received (for its regulator and law enforcement)."""
    return _backtracking(request, session, settings, principal)


@router.post("/backtracking/{request_id}/answer")
async def answer_backtracking(
    request_id: str,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    principal: WorkspaceUser,
    language: LanguageDep,
) -> Response:
    """As POST /api/v1/backtracking-requests/{id}/answer (flows.answer_backtracking)."""
    form = await posted_form(request, settings)
    asked = backtracking.get_request_or_raise(session, principal, request_id, for_update=True)
    data = {
        "findings": form.get("findings", ""),
        "operator_ids": as_list(form.get("operator_ids"), upper=False),
    }
    result = checked(BacktrackingAnswer, data, language)

    def act(answer: BacktrackingAnswer) -> str:
        flows.answer_backtracking(session, principal, asked, answer)
        return f"/workspace/backtracking#request-{request_id}"

    general = submitted(session, result, act)
    if isinstance(general, RedirectResponse):
        return general
    return _backtracking(
        request,
        session,
        settings,
        principal,
        failed=request_id,
        form=form,
        errors=result.errors,
        general=general,
        status=NOT_SAVED,
    )
