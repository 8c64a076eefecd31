"""Workspace pages: the templates, the sections of the navigation, and how a page is drawn.

A new section (investigations, industry reports, operations) adds one line to SECTIONS and
its own router module; nothing else here changes."""

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles
from sqlmodel import Session, col, select

from app.auth.roles import Role
from app.auth.service import Principal
from app.core.config import Settings
from app.core.problems import Problem, ValidationFailed, problem_response, validation_problem
from app.dashboard.pages import page_templates, render
from app.i18n import N_
from app.i18n.web import request_language
from app.operators.models import Operator
from app.workspace.access import csrf_token

HERE = Path(__file__).parent
templates = page_templates(HERE / "templates")
static_files = StaticFiles(directory=HERE / "static")

OFFICERS = frozenset({Role.REGULATOR, Role.CUSTOMS, Role.LAW_ENFORCEMENT})
INVESTIGATORS = frozenset({Role.REGULATOR, Role.LAW_ENFORCEMENT})


@dataclass(frozen=True)
class Section:
    path: str
    label: str
    roles: frozenset[Role]


SECTIONS = (
    Section("/workspace", N_("Inbox"), OFFICERS),
    Section("/workspace/pens", N_("Pre-export notifications"), frozenset({Role.REGULATOR})),
    Section("/workspace/shipments", N_("Shipments"), OFFICERS),
    Section("/workspace/flags", N_("Flags"), OFFICERS),
    Section("/workspace/incidents", N_("Incidents"), OFFICERS),
    Section("/workspace/backtracking", N_("Backtracking requests"), OFFICERS),
    Section("/workspace/cases", N_("Cases"), INVESTIGATORS),
    Section(
        "/workspace/reports", N_("Industry reports"), frozenset({Role.INDUSTRY, Role.REGULATOR})
    ),
    Section("/dashboard", N_("Dashboard"), frozenset({Role.REGULATOR, Role.LAW_ENFORCEMENT})),
)


def sections_for(principal: Principal) -> list[Section]:
    return [s for s in SECTIONS if principal.role in s.roles]


def page(
    request: Request,
    settings: Settings,
    principal: Principal,
    name: str,
    context: dict[str, Any],
    status: int = 200,
) -> Response:
    """A workspace page: the officer, the sections, the form token, the language."""
    full = {
        "principal": principal,
        "sections": sections_for(principal),
        "csrf": csrf_token(settings, request),
        "lang": request_language(request),
        **context,
    }
    return render(request, name, full, status, using=templates)


def operator_names(session: Session, ids: set[str]) -> dict[str, str]:
    """Operator id → name, for the ids a page shows."""
    if not ids:
        return {}
    rows = session.exec(select(Operator.id, Operator.name).where(col(Operator.id).in_(ids)))
    return dict(rows.all())


def refusal_page(request: Request, exc: Exception) -> Response:
    """A workspace page refused to this role: said in words, with the way home (403)."""
    language = request_language(request)
    message = language.gettext(str(getattr(exc, "detail", "")))
    return render(request, "refused.html", {"message": message}, 403, using=templates)


def _a_page(path: str) -> bool:
    return path.startswith("/workspace") and not path.startswith("/workspace/static")


async def problem_page(request: Request, exc: Exception) -> Response:
    """A problem met by a workspace page, as a page (a record invisible to the reader: 404,
    "not found"; an address with a value the page does not know: 422); elsewhere, the API's
    problem+json. Async: the API's problems answer without a trip to the thread pool."""
    path = request.url.path
    if isinstance(exc, RequestValidationError):
        if not _a_page(path):
            return problem_response(validation_problem(exc), path)
        exc = ValidationFailed(N_("The address holds a value this page does not know."))
    assert isinstance(exc, Problem)
    if not _a_page(path):
        return problem_response(exc, path)
    if exc.status == 404:
        context = {"title": N_("Not found"), "message": N_("There is nothing here for you.")}
    else:
        context = {"title": N_("Not accepted"), "message": exc.detail}
    language = request_language(request)
    context = {key: language.gettext(value) for key, value in context.items()}
    return render(request, "refused.html", context, exc.status, using=templates)
