"""Shipments in the workspace: look one up by reference or container, record a shipment, and
record its border events, through the API's own flows."""

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session

from app import flows
from app.auth.roles import Role
from app.auth.service import Principal
from app.core.config import Settings
from app.core.db import SessionDep, SettingsDep
from app.core.problems import Problem
from app.core.types import utcnow
from app.i18n import N_, Language
from app.i18n.web import LanguageDep
from app.shipments import service
from app.shipments.schemas import EventCreate, ShipmentCreate
from app.shipments.states import EventType
from app.workspace.access import NotForYourRole, WorkspaceUser, posted_form
from app.workspace.forms import NOT_SAVED, as_list, checked
from app.workspace.pages import operator_names, page
from app.workspace.pen_pages import form_choices, labelled

router = APIRouter(prefix="/workspace/shipments", include_in_schema=False)


def _customs(principal: Principal) -> Principal:
    if principal.role != Role.CUSTOMS:
        raise NotForYourRole(N_("Shipments and border events are recorded by customs."))
    return principal


@router.get("")
def shipments(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    principal: WorkspaceUser,
    q: str = "",
) -> Response:
    """Look up by customs reference, PEN reference or container number; else the latest."""
    q = q[:64]
    if q:
        found = service.look_up_shipments(session, principal, q)
    else:
        listed = service.list_shipments(
            session,
            principal,
            status=None,
            exporting_country=None,
            importing_country=None,
            substance=None,
            pen_reference=None,
            customs_reference=None,
            limit=50,
            cursor=None,
        )
        found = listed.items
    context = {"shipments": [service.to_public(s) for s in found], "q": q}
    name = "shipment_rows.html" if request.headers.get("hx-request") else "shipments.html"
    return page(request, settings, principal, name, context)


@router.get("/new")
def new_shipment(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    principal: WorkspaceUser,
    language: LanguageDep,
) -> Response:
    _customs(principal)
    context: dict[str, Any] = {"form": {}, "errors": {}, "general": []}
    context.update(form_choices(session, principal, language))
    return page(request, settings, principal, "shipment_new.html", context)


@router.post("")
async def record_shipment(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    principal: WorkspaceUser,
    language: LanguageDep,
) -> Response:
    """As POST /api/v1/shipments (flows.record_shipment)."""
    _customs(principal)
    form = await posted_form(request, settings)
    data: dict[str, Any] = dict(form)
    for key in ("exporting_country", "importing_country"):
        data[key] = form.get(key, "").upper()
    data["transit_countries"] = as_list(form.get("transit_countries"))
    data["container_ids"] = as_list(form.get("container_ids"))
    result = checked(ShipmentCreate, data, language)
    general = list(result.general)
    if result.model is not None:
        try:
            shipment = flows.record_shipment(session, principal, result.model)
            return RedirectResponse(f"/workspace/shipments/{shipment.id}", status_code=303)
        except Problem as problem:
            session.rollback()
            general.append(problem.detail)
    context: dict[str, Any] = {"form": form, "errors": result.errors, "general": general}
    context.update(form_choices(session, principal, language))
    return page(request, settings, principal, "shipment_new.html", context, status=NOT_SAVED)


def _show(
    request: Request,
    session: Session,
    settings: Settings,
    principal: Principal,
    language: Language,
    shipment_id: str,
    *,
    form: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    general: list[str] | None = None,
    status: int = 200,
) -> Response:
    shipment = service.get_shipment_or_raise(session, principal, shipment_id)
    detail = service.to_detail(session, principal, shipment)
    context = {
        "shipment": detail,
        "names": operator_names(
            session, {detail.exporter_id, detail.importer_id, detail.consignee_id or ""}
        ),
        "may_record": principal.role == Role.CUSTOMS,
        "event_types": labelled([t.value for t in EventType], language),
        "units": labelled(["kg", "g", "t", "l", "ml"], language),
        "form": form or {"occurred_at": _now_local()},
        "errors": errors or {},
        "general": general or [],
    }
    return page(request, settings, principal, "shipment.html", context, status=status)


def _now_local() -> str:
    return utcnow().strftime("%Y-%m-%dT%H:%M")


@router.get("/{shipment_id}")
def show_shipment(
    shipment_id: str,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    principal: WorkspaceUser,
    language: LanguageDep,
) -> Response:
    """One shipment, its events, the notified quantity beside the observed one."""
    return _show(request, session, settings, principal, language, shipment_id)


@router.post("/{shipment_id}/events")
async def record_event(
    shipment_id: str,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    principal: WorkspaceUser,
    language: LanguageDep,
) -> Response:
    """As POST /api/v1/shipments/{id}/events (flows.record_shipment_event)."""
    _customs(principal)
    form = await posted_form(request, settings)
    shipment = service.get_shipment_or_raise(session, principal, shipment_id, for_update=True)
    data: dict[str, Any] = dict(form)
    data["country"] = principal.country
    if data.get("occurred_at") and len(data["occurred_at"]) == 16:
        data["occurred_at"] += ":00+00:00"  # a datetime-local field, read as UTC
    result = checked(EventCreate, data, language)
    general = list(result.general)
    if result.model is not None:
        try:
            flows.record_shipment_event(session, principal, shipment, result.model)
            return RedirectResponse(f"/workspace/shipments/{shipment_id}", status_code=303)
        except Problem as problem:
            session.rollback()
            general.append(problem.detail)
    return _show(
        request,
        session,
        settings,
        principal,
        language,
        shipment_id,
        form=form,
        errors=result.errors,
        general=general,
        status=NOT_SAVED,
    )
