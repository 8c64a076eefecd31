"""Cases in the workspace: the cases of the officer's authority, one case with its items,
members and notes, and the forms that open a case, add a note or an item and (for the authority
that opened it) invite another investigating authority. Each calls the
API's own service (app/investigations/cases.py): the same membership rule, the same audit."""

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel
from sqlmodel import Session, col, select

from app.auth.principal import Principal
from app.authorities.models import Authority
from app.core.config import Settings
from app.core.db import SessionDep, SettingsDep
from app.core.problems import NotFound
from app.i18n import N_, Language
from app.i18n.web import LanguageDep
from app.incidents.scopes import IncidentScope
from app.investigations import cases
from app.investigations.models import Case
from app.investigations.schemas import (
    CaseCreate,
    CaseItemCreate,
    CaseItemType,
    CaseMemberCreate,
    CaseNoteCreate,
)
from app.workspace.access import NotForYourRole, WorkspaceUser, posted_form
from app.workspace.forms import NOT_SAVED, checked, submitted
from app.workspace.pages import INVESTIGATORS, page
from app.workspace.pen_pages import labelled

router = APIRouter(prefix="/workspace/cases", include_in_schema=False)

# Where an item of a case opens in the workspace (entities and flags have no page of their own).
ITEM_PAGES = {
    "incident": "/workspace/incidents/",
    "shipment": "/workspace/shipments/",
    "pre_export_notification": "/workspace/pens/",
}


def _investigator(principal: Principal) -> Principal:
    if principal.role not in INVESTIGATORS:
        raise NotForYourRole(N_("Cases are worked by regulators and law enforcement."))
    return principal


def _list(
    request: Request,
    session: Session,
    settings: Settings,
    principal: Principal,
    language: Language,
    *,
    form: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    general: list[str] | None = None,
    status: int = 200,
) -> Response:
    found = cases.list_cases(session, principal, 100, None).items
    context = {
        "cases": sorted(found, key=lambda c: c.updated_at, reverse=True),
        "scopes": labelled([s.value for s in IncidentScope], language),
        "form": form or {"scope": IncidentScope.CONFIDENTIAL.value},
        "errors": errors or {},
        "general": general or [],
    }
    return page(request, settings, principal, "cases.html", context, status=status)


@router.get("")
def case_list(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    principal: WorkspaceUser,
    language: LanguageDep,
) -> Response:
    """The cases the officer's authority opened or was invited into, and the form to open one."""
    _investigator(principal)
    return _list(request, session, settings, principal, language)


@router.post("")
async def open_case(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    principal: WorkspaceUser,
    language: LanguageDep,
) -> Response:
    """As POST /api/v1/cases (cases.create_case)."""
    _investigator(principal)
    form = await posted_form(request, settings)
    result = checked(CaseCreate, dict(form), language)
    general = submitted(
        session,
        result,
        lambda data: f"/workspace/cases/{cases.create_case(session, principal, data).id}",
    )
    if isinstance(general, RedirectResponse):
        return general
    return _list(
        request,
        session,
        settings,
        principal,
        language,
        form=form,
        errors=result.errors,
        general=general,
        status=NOT_SAVED,
    )


def _authority_names(session: Session, ids: set[str]) -> dict[str, str]:
    rows = session.exec(select(Authority.id, Authority.name).where(col(Authority.id).in_(ids)))
    return dict(rows.all())


def _invitable(session: Session, members: set[str], language: Language) -> list[tuple[str, str]]:
    """The investigating authorities (regulators, law enforcement) not yet members."""
    rows = session.exec(
        select(Authority.id, Authority.name, Authority.country)
        .where(
            col(Authority.kind).in_(cases.INVESTIGATING_KINDS),
            col(Authority.enabled).is_(True),
            col(Authority.id).not_in(members),
        )
        .order_by(col(Authority.country), col(Authority.name))
    ).all()
    return [(i, f"{name} — {language.country(country)}") for i, name, country in rows]


def _show(
    request: Request,
    session: Session,
    settings: Settings,
    principal: Principal,
    language: Language,
    case_id: str,
    *,
    failed: str | None = None,
    form: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    general: list[str] | None = None,
    status: int = 200,
) -> Response:
    """The case as the officer reads it (cases.read_case: audited, items cut to its scope)."""
    case = cases.get_case_or_raise(session, principal, case_id)
    detail = cases.read_case(session, principal, case)
    members = {m.authority_id for m in detail.members}
    authorities = members | {n.author_authority_id for n in detail.notes if n.author_authority_id}
    owner = principal.authority_id == case.owner_authority_id
    context = {
        "case": detail,
        "authorities": _authority_names(session, authorities),
        "invitable": _invitable(session, members, language) if owner else [],
        "item_pages": ITEM_PAGES,
        "item_types": labelled([t.value for t in CaseItemType], language),
        "failed": failed,
        "form": form or {},
        "errors": errors or {},
        "general": general or [],
    }
    return page(request, settings, principal, "case.html", context, status=status)


@router.get("/{case_id}")
def show_case(
    case_id: str,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    principal: WorkspaceUser,
    language: LanguageDep,
) -> Response:
    """One case: members, items, notes (404 unless the officer's authority is a member)."""
    _investigator(principal)
    return _show(request, session, settings, principal, language, case_id)


# How each form changes a case: the API's own service call.
Change = Callable[[Session, Principal, Case, Any], object]
CHANGES: dict[str, tuple[type[BaseModel], Change]] = {
    "note": (CaseNoteCreate, cases.add_note),
    "item": (CaseItemCreate, cases.add_item),
    "member": (CaseMemberCreate, lambda s, p, c, data: cases.invite(s, p, c, data.authority_id)),
}


# The case page's forms: the path's last part → the change.
PARTS = {"notes": "note", "items": "item", "members": "member"}


async def _change(
    request: Request,
    session: Session,
    settings: Settings,
    principal: Principal,
    language: Language,
    case_id: str,
    what: str,
) -> Response:
    """A note, an item or a member, through the API's service, or the case again with the
    messages."""
    _investigator(principal)
    form = await posted_form(request, settings)
    case = cases.get_case_or_raise(session, principal, case_id, for_update=True)
    model, apply = CHANGES[what]
    result = checked(model, dict(form), language)

    def act(data: Any) -> str:
        apply(session, principal, case, data)
        return f"/workspace/cases/{case_id}#{what}s"

    general = submitted(session, result, act)
    if isinstance(general, RedirectResponse):
        return general
    return _show(
        request,
        session,
        settings,
        principal,
        language,
        case_id,
        failed=what,
        form=form,
        errors=result.errors,
        general=general,
        status=NOT_SAVED,
    )


@router.post("/{case_id}/{part}")
async def change_case(
    case_id: str,
    part: str,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    principal: WorkspaceUser,
    language: LanguageDep,
) -> Response:
    """As POST /api/v1/cases/{id}/notes, /items and /members (cases.add_note, add_item,
    invite: the owner invites an authority)."""
    what = PARTS.get(part)
    if what is None:
        raise NotFound(f"No form {part!r} on a case.")
    return await _change(request, session, settings, principal, language, case_id, what)
