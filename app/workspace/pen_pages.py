"""Pre-export notifications in the workspace: the list, the draft form, one PEN with its
history and the actions its status allows. Each action calls the API's own flow."""

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel
from sqlmodel import Session, col, select

from app import flows
from app.auth.roles import Role
from app.auth.service import Principal
from app.core.config import Settings
from app.core.db import SessionDep, SettingsDep
from app.core.fields import MeansOfPayment, ModeOfTransport, Unit
from app.core.problems import Problem
from app.dashboard.strings import value_label
from app.i18n import N_, Language
from app.i18n.web import LanguageDep, request_language
from app.notifications import service
from app.notifications.models import PreExportNotification
from app.notifications.schemas import (
    AnswerRequest,
    ConfirmArrivalRequest,
    NotificationCreate,
    RespondRequest,
    WithdrawRequest,
)
from app.notifications.states import TRANSITIONS, Action, Decision, PenStatus, Side
from app.operators.models import Operator
from app.reference.models import Substance
from app.workspace.access import NotForYourRole, WorkspaceUser, posted_form
from app.workspace.forms import NOT_SAVED, as_list, checked
from app.workspace.pages import operator_names, page

router = APIRouter(prefix="/workspace/pens", include_in_schema=False)


def _regulator(principal: Principal) -> Principal:
    if principal.role != Role.REGULATOR:
        raise NotForYourRole(N_("Pre-export notifications are kept by regulators."))
    return principal


def labelled(values: list[str], language: Language) -> list[tuple[str, str]]:
    """(value, its words in the language) for a select."""
    return [(v, value_label(language, v)) for v in values]


def form_choices(session: Session, principal: Principal, language: Language) -> dict[str, Any]:
    """What the draft form offers: substances, operators, units, modes, payments."""
    substances = session.exec(
        select(Substance.cas_number, Substance.name).order_by(col(Substance.name))
    ).all()
    operators = session.exec(
        select(Operator.id, Operator.name, Operator.country)
        .order_by(col(Operator.country), col(Operator.name))
        .limit(2000)
    ).all()
    return {
        "substances": [(cas, f"{name} ({cas})") for cas, name in substances],
        "exporters": [(o[0], o[1]) for o in operators if o[2] == principal.country],
        "operators": [(o[0], f"{o[1]} — {language.country(o[2])}") for o in operators],
        "units": labelled([u.value for u in Unit], language),
        "modes": labelled([m.value for m in ModeOfTransport], language),
        "payments": labelled([m.value for m in MeansOfPayment], language),
    }


@router.get("")
def list_pens(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    principal: WorkspaceUser,
    status: PenStatus | None = None,
) -> Response:
    """The notifications the officer's country is party to, newest first."""
    _regulator(principal)
    found = service.list_notifications(
        session,
        principal,
        status=status,
        exporting_country=None,
        importing_country=None,
        substance=None,
        reference=None,
        reply_overdue=None,
        limit=100,
        cursor=None,
    )
    pens = service.to_public_page(session, found)["items"]
    context = {"pens": pens, "status": status, "statuses": [s.value for s in PenStatus]}
    return page(request, settings, principal, "pens.html", context)


@router.get("/new")
def new_pen(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    principal: WorkspaceUser,
    language: LanguageDep,
) -> Response:
    """The draft form."""
    _regulator(principal)
    context: dict[str, Any] = {"form": {}, "errors": {}, "general": []}
    context.update(form_choices(session, principal, language))
    return page(request, settings, principal, "pen_new.html", context)


@router.post("")
async def draft_pen(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    principal: WorkspaceUser,
    language: LanguageDep,
) -> Response:
    """Draft a PEN (flows.create_notification, as POST /api/v1/pre-export-notifications)."""
    _regulator(principal)
    form = await posted_form(request, settings)
    data: dict[str, Any] = dict(form)
    data["exporting_country"] = principal.country
    data["transit_countries"] = as_list(form.get("transit_countries"))
    data["importing_country"] = form.get("importing_country", "").upper()
    result = checked(NotificationCreate, data, language)
    general = list(result.general)
    if result.model is not None:
        try:
            pen = flows.create_notification(session, principal, result.model)
            return RedirectResponse(f"/workspace/pens/{pen.id}", status_code=303)
        except Problem as problem:
            session.rollback()
            general.append(problem.detail)
    context = {"form": form, "errors": result.errors, "general": general}
    context.update(form_choices(session, principal, language))
    return page(request, settings, principal, "pen_new.html", context, status=NOT_SAVED)


def _load(session: Session, principal: Principal, pen_id: str, lock: bool = False) -> Any:
    return service.get_notification_or_raise(session, principal, pen_id, for_update=lock)


def actions_for(principal: Principal, pen: PreExportNotification) -> list[str]:
    """The actions this officer may take on this PEN now (the forms the page shows)."""
    if principal.role != Role.REGULATOR:
        return []
    side = (
        Side.EXPORTING
        if principal.country == pen.exporting_country
        else Side.IMPORTING
        if principal.country == pen.importing_country
        else None
    )
    status = PenStatus(pen.status)
    found = [
        action.value
        for action, rule in TRANSITIONS.items()
        if rule.side == side and status in rule.allowed_from
    ]
    if (
        side == Side.IMPORTING
        and pen.sent_at is not None
        and status != PenStatus.WITHDRAWN
        and pen.arrival_received_on is None
    ):
        found.append("confirm-arrival")
    return found


def _show(
    request: Request,
    session: Session,
    settings: Settings,
    principal: Principal,
    pen: PreExportNotification,
    *,
    errors: dict[str, str] | None = None,
    general: list[str] | None = None,
    status: int = 200,
    action_done: str | None = None,
) -> Response:
    detail = service.to_detail(session, pen)
    names = operator_names(
        session, {detail.exporter_id, detail.importer_id, detail.consignee_id or ""}
    )
    context = {
        "pen": detail,
        "names": names,
        "actions": actions_for(principal, pen),
        "decisions": labelled([d.value for d in Decision], request_language(request)),
        "units": labelled([u.value for u in Unit], request_language(request)),
        "errors": errors or {},
        "general": general or [],
        "action_done": action_done,
    }
    return page(request, settings, principal, "pen.html", context, status=status)


@router.get("/{pen_id}")
def show_pen(
    pen_id: str,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    principal: WorkspaceUser,
) -> Response:
    """One PEN, its history as a timeline, and the actions open to the officer."""
    return _show(request, session, settings, principal, _load(session, principal, pen_id))


# action → (request model, the form fields it reads)
ACTION_BODIES: dict[str, tuple[type[BaseModel] | None, tuple[str, ...]]] = {
    "send": (None, ()),
    "acknowledge": (None, ()),
    "respond": (RespondRequest, ("decision", "reason")),
    "answer": (AnswerRequest, ("message",)),
    "withdraw": (WithdrawRequest, ("reason",)),
    "confirm-arrival": (ConfirmArrivalRequest, ("received_on", "quantity", "unit", "note")),
}


def _perform(
    session: Session,
    settings: Settings,
    principal: Principal,
    pen: PreExportNotification,
    action: str,
    body: BaseModel | None,
) -> None:
    """The API's flow for the action (same checks, audit and alerts as its endpoint)."""
    if action == "confirm-arrival":
        flows.confirm_arrival(session, principal, pen, body)  # type: ignore[arg-type]
        return
    extra: dict[str, Any] = {}
    if isinstance(body, RespondRequest):
        extra = {"decision": body.decision, "text": body.reason}
    elif isinstance(body, AnswerRequest):
        extra = {"text": body.message}
    elif isinstance(body, WithdrawRequest):
        extra = {"text": body.reason}
    flows.transition_notification(session, settings, principal, pen, Action(action), **extra)


@router.post("/{pen_id}/{action}")
async def act_on_pen(
    pen_id: str,
    action: str,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    principal: WorkspaceUser,
    language: LanguageDep,
) -> Response:
    """Send, acknowledge, respond, answer, withdraw or confirm arrival."""
    form = await posted_form(request, settings)
    pen = _load(session, principal, pen_id, lock=True)
    if action not in ACTION_BODIES:
        return _show(request, session, settings, principal, pen, status=404)
    model, fields = ACTION_BODIES[action]
    body = None
    if model is not None:
        result = checked(model, {f: form.get(f, "") for f in fields}, language)
        if result.model is None:
            return _show(
                request,
                session,
                settings,
                principal,
                pen,
                errors=result.errors,
                general=result.general,
                status=NOT_SAVED,
                action_done=action,
            )
        body = result.model
    try:
        _perform(session, settings, principal, pen, action, body)
    except Problem as problem:
        session.rollback()
        pen = _load(session, principal, pen_id)
        return _show(
            request,
            session,
            settings,
            principal,
            pen,
            general=[problem.detail],
            status=NOT_SAVED,
        )
    return RedirectResponse(f"/workspace/pens/{pen_id}", status_code=303)
