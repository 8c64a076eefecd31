"""The workspace home (the inbox and the work waiting), alerts and the flags triage queue.
Every action calls the same service or flow as its API twin."""

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session, col, select

from app import flows
from app.alerts import service as alerts
from app.alerts.schemas import AlertStatus
from app.auth.roles import Role
from app.auth.service import Principal
from app.core.db import SessionDep, SettingsDep
from app.core.problems import Problem
from app.i18n.web import LanguageDep
from app.notifications import service as notifications
from app.notifications.states import PenStatus
from app.rules import flags
from app.rules.models import Flag, Rule
from app.rules.schemas import TriageRequest
from app.rules.states import FlagStatus
from app.workspace.access import WorkspaceUser, posted_form
from app.workspace.forms import NOT_SAVED, checked
from app.workspace.pages import page

router = APIRouter(prefix="/workspace", include_in_schema=False)


def _waiting_pens(session: Session, principal: Principal) -> list[Any]:
    """PENs that wait for this regulator: replies owed, questions to answer, drafts."""
    if principal.role != Role.REGULATOR:
        return []
    waiting = []
    for status, side in (
        (PenStatus.SENT, "importing_country"),
        (PenStatus.ACKNOWLEDGED, "importing_country"),
        (PenStatus.INFORMATION_REQUESTED, "exporting_country"),
        (PenStatus.DRAFT, "exporting_country"),
    ):
        found = notifications.list_notifications(
            session,
            principal,
            status=status,
            exporting_country=principal.country if side == "exporting_country" else None,
            importing_country=principal.country if side == "importing_country" else None,
            substance=None,
            reference=None,
            reply_overdue=None,
            limit=20,
            cursor=None,
        )
        waiting += notifications.to_public_page(session, found)["items"]
    return waiting


@router.get("")
def home(
    request: Request, session: SessionDep, settings: SettingsDep, principal: WorkspaceUser
) -> Response:
    """The inbox (new alerts first) and the work waiting."""
    new = alerts.list_alerts(
        session,
        principal,
        status=AlertStatus.NEW,
        event_type=None,
        subject_id=None,
        authority_id=None,
        limit=50,
        cursor=None,
    )
    context = {
        "alerts": [alerts.to_public(a) for a in new.items],
        "more_alerts": new.next_cursor is not None,
        "waiting": _waiting_pens(session, principal),
        "open_flags": len(_queue(session, principal, 100)),
    }
    return page(request, settings, principal, "home.html", context)


@router.post("/alerts/{alert_id}/acknowledge")
async def acknowledge_alert(
    alert_id: str,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    principal: WorkspaceUser,
) -> Response:
    """As POST /api/v1/alerts/{id}/acknowledge; htmx swaps the row, a plain form reloads."""
    form = await posted_form(request, settings)
    alert = alerts.get_alert_or_raise(session, principal, alert_id, for_update=True)
    alerts.acknowledge_alert(session, principal, alert, form.get("note") or None)
    if request.headers.get("hx-request"):
        done = page(request, settings, principal, "alert_done.html", {"alert": alert})
        return done
    return RedirectResponse("/workspace", status_code=303)


def _queue(session: Session, principal: Principal, limit: int) -> list[Any]:
    found = []
    for status in (FlagStatus.OPEN, FlagStatus.UNDER_REVIEW):
        listed = flags.list_flags(
            session,
            principal,
            status=status,
            severity=None,
            rule=None,
            subject_id=None,
            subject_type=None,
            limit=limit,
            cursor=None,
        )
        found += flags.to_public_page(session, listed)["items"]
    return found


def _rule_sources(session: Session, flag_ids: list[str]) -> dict[str, str | None]:
    """Each flag's rule citation (article, INCB publication or case)."""
    if not flag_ids:
        return {}
    rows = session.exec(
        select(Flag.id, Rule.source)
        .join(Rule, col(Flag.rule_id) == col(Rule.id))
        .where(col(Flag.id).in_(flag_ids))
    ).all()
    return dict(rows)


@router.get("/flags")
def flag_queue(
    request: Request, session: SessionDep, settings: SettingsDep, principal: WorkspaceUser
) -> Response:
    """Open and under-review flags, highest score first, with explanation, evidence, source."""
    queue = sorted(_queue(session, principal, 200), key=lambda f: (-f.score, f.created_at))
    context = {
        "flags": queue,
        "sources": _rule_sources(session, [f.id for f in queue]),
        "moves": [s.value for s in FlagStatus if s != FlagStatus.OPEN],
    }
    return page(request, settings, principal, "flags.html", context)


@router.post("/flags/{flag_id}/triage")
async def triage_flag(
    flag_id: str,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    principal: WorkspaceUser,
    language: LanguageDep,
) -> Response:
    """As POST /api/v1/flags/{id}/triage (flows.triage_flag)."""
    form = await posted_form(request, settings)
    flag = flags.get_flag_or_raise(session, principal, flag_id, for_update=True)
    result = checked(
        TriageRequest, {"status": form.get("status"), "note": form.get("note")}, language
    )
    problems = [*result.errors.values(), *result.general]
    if result.model is not None:
        try:
            flows.triage_flag(session, principal, flag, result.model)
            return RedirectResponse("/workspace/flags", status_code=303)
        except Problem as problem:
            session.rollback()
            problems.append(problem.detail)
    queue = _queue(session, principal, 200)
    context = {
        "flags": queue,
        "sources": _rule_sources(session, [f.id for f in queue]),
        "moves": [s.value for s in FlagStatus if s != FlagStatus.OPEN],
        "general": problems,
        "failed": flag_id,
    }
    return page(request, settings, principal, "flags.html", context, status=NOT_SAVED)
