"""The /dashboard page: sign-in with a token, a signed session cookie, the page shell.

The page is a shell; its script reads the same /api/v1/summaries endpoints as any client,
authenticated by the session cookie (GET only, SameSite=Strict). `/` and `/sign-in` lead a
browser to the sign-in form, or to its home page once signed in."""

import json
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import parse_qs, urlsplit

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, select_autoescape

from app.auth.roles import GLOBAL_READERS, Role
from app.auth.service import Principal, authenticate, end_sessions, hash_token
from app.core.db import SessionDep, SettingsDep
from app.core.types import utcnow
from app.dashboard import summaries
from app.dashboard.cookies import COOKIE_NAME, issue_cookie, principal_from_cookie
from app.dashboard.deps import READERS, optional_principal
from app.dashboard.regions import regions
from app.dashboard.strings import ROLE_LABELS, page_strings, value_label
from app.i18n import ENDONYMS, LANGUAGES, N_, Language, country_names
from app.i18n.web import SAVED, remember_language, request_language
from app.reference.models import Substance

HERE = Path(__file__).parent
static_files = StaticFiles(directory=HERE / "static")
router = APIRouter(prefix="/dashboard", include_in_schema=False)
home_router = APIRouter(include_in_schema=False)

# Inline scripts are never needed: everything runs from /dashboard/static.
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self' "
    "'unsafe-inline'; img-src 'self' data:; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'; form-action 'self'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


def page_templates(*directories: Path) -> Jinja2Templates:
    """Templates that speak the request's language (`_()`, `{% trans %}`)."""
    environment = Environment(
        loader=FileSystemLoader([*directories, HERE / "templates"]),
        autoescape=select_autoescape(default=True),
        extensions=["jinja2.ext.i18n"],
    )
    return Jinja2Templates(env=environment)


templates = page_templates()


def render(
    request: Request,
    name: str,
    context: dict[str, Any],
    status: int = 200,
    using: Jinja2Templates = templates,
) -> Response:
    """A page in the request's language, with the security headers."""
    language: Language = context.get("lang") or request_language(request)
    full = {
        "lang": language,
        "gettext": language.gettext,
        "ngettext": language.ngettext,
        "languages": ENDONYMS,
        "role_label": lambda role: language.gettext(ROLE_LABELS.get(role) or role),
        "label": lambda value: value_label(language, str(value)),
        **context,
    }
    response = using.TemplateResponse(request, name, full, status_code=status)
    response.headers.update(SECURITY_HEADERS)
    remember_language(request, response)
    return response


def script_json(value: Any) -> str:
    """JSON to embed in a `<script type="application/json">` (no `</` can end it early)."""
    return json.dumps(value, ensure_ascii=False).replace("</", "<\\/")


def _page(request: Request, name: str, context: dict[str, Any], status: int = 200) -> Response:
    return render(request, name, context, status)


def _table_meta(language: Language) -> dict[str, Any]:
    """Column headings of every summary table, from the response models' field titles."""
    meta: dict[str, Any] = {}
    for kind in summaries.KINDS.values():
        model = kind.compute.__annotations__["return"]
        for attribute, title in kind.tables.items():
            row_model = model.model_fields[attribute].annotation.__args__[0]
            meta[f"{kind.name}.{attribute}"] = {
                "title": language.gettext(title),
                "columns": [
                    [n, language.gettext(f.title or n)] for n, f in row_model.model_fields.items()
                ],
            }
    return meta


def _refusal(request: Request) -> Response:
    language = request_language(request)
    return _page(
        request,
        "sign_in.html",
        {"error": language.gettext("Summaries are for analysts, admins and regulators.")},
        status=403,
    )


@router.get("", response_class=HTMLResponse)
def dashboard(
    request: Request,
    session: SessionDep,
    principal: Annotated[Principal | None, Depends(optional_principal)],
) -> Response:
    """The dashboard for a signed-in reader; the sign-in form otherwise."""
    if principal is None:
        return _page(request, "sign_in.html", {"error": None, "next": "/dashboard"})
    if principal.role not in READERS:
        return _refusal(request)
    language = request_language(request)
    substances = session.execute(
        Substance.__table__.select().order_by(  # type: ignore[attr-defined]
            Substance.__table__.c.convention_table,  # type: ignore[attr-defined]
            Substance.__table__.c.name,  # type: ignore[attr-defined]
        )
    ).all()
    year = utcnow().year
    context = {
        "principal": principal,
        "global_reader": principal.role in GLOBAL_READERS,
        "years": list(range(year, year - 8, -1)),
        "substances": [(s.cas_number, s.name, s.convention_table) for s in substances],
        "regions": [(r.code, r.name, r.level) for r in regions().values()],
        "meta": script_json(_table_meta(language)),
        "strings": script_json(page_strings(language)),
        "country_names": script_json(dict(country_names(language.code))),
        "headline_sources": script_json(summaries.HEADLINE),
    }
    return _page(request, "dashboard.html", context)


CROSS_SITE = N_("Sign-in and sign-out are only accepted from this site's own pages.")


def same_origin(request: Request) -> bool:
    """Whether a form post comes from this site: its Origin (or, without one, its Referer)
    names this host. Requests with neither (command-line clients) are let through; browsers
    always send Origin on cross-site posts."""
    claimed = request.headers.get("origin") or request.headers.get("referer")
    if not claimed or (claimed == "null" and request.headers.get("origin") is None):
        return True
    parts = urlsplit(claimed)
    return f"{parts.scheme}://{parts.netloc}" == f"{request.url.scheme}://{request.url.netloc}"


def home_of(principal: Principal) -> str:
    """Where a signed-in user starts: readers of every country at the dashboard, officers in
    their workspace, a company's users at its industry reports."""
    if principal.role == Role.INDUSTRY:
        return "/workspace/reports"
    return "/dashboard" if principal.role in GLOBAL_READERS else "/workspace"


def _local(target: str | None) -> str | None:
    """`target` when it is a path on this site (never another host: no open redirect)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    return target


@router.post("/sign-in")
async def sign_in(request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    """Exchange a bearer token for a session cookie (the token itself is not kept); only from
    a page of this site (a cross-site post could sign a browser in as someone else)."""
    language = request_language(request)
    if not same_origin(request):
        return _page(request, "sign_in.html", {"error": language.gettext(CROSS_SITE)}, 403)
    form = parse_qs((await request.body()).decode(errors="replace"))
    token = (form.get("token") or [""])[0].strip()
    wanted = _local((form.get("next") or [""])[0])
    principal = authenticate(session, token) if token else None
    if principal is None:
        error = language.gettext("That token is not valid.")
        return _page(request, "sign_in.html", {"error": error, "next": wanted}, status=401)
    target = wanted or home_of(principal)
    if target.startswith("/dashboard") and principal.role not in READERS:
        target = home_of(principal)
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(
        COOKIE_NAME,
        issue_cookie(settings, principal.user_id, hash_token(token)),
        max_age=settings.session_ttl_hours * 3600,
        path="/",
        secure=settings.session_cookie_secure,
        httponly=True,
        samesite="strict",
    )
    # The user's saved language, for this browser's next pages (its sign-out page too).
    setattr(request.state, SAVED, principal.language)
    remember_language(request, response)
    return response


@router.post("/sign-out")
def sign_out(request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    """End the session on the server (every cookie issued to this user until now), then
    forget the cookie."""
    if not same_origin(request):
        error = request_language(request).gettext(CROSS_SITE)
        return _page(request, "sign_in.html", {"error": error}, status=403)
    cookie = request.cookies.get(COOKIE_NAME)
    principal = principal_from_cookie(session, settings, cookie) if cookie else None
    if principal is not None:
        end_sessions(session, principal)
    response = RedirectResponse("/sign-in", status_code=303)
    response.delete_cookie(COOKIE_NAME, path="/", httponly=True, samesite="strict")
    return response


# Investigators and the read-only overseers read an entity's graph (as GET /entities/…/links).
GRAPH_READERS = frozenset({Role.ADMIN, Role.ANALYST, Role.REGULATOR, Role.LAW_ENFORCEMENT})


@router.get("/entities/{entity_id}", response_class=HTMLResponse)
def entity_graph(
    request: Request,
    entity_id: str,
    principal: Annotated[Principal | None, Depends(optional_principal)],
    depth: Annotated[int, Query(ge=1, le=3)] = 2,
) -> Response:
    """An entity's links as a graph (its script reads /api/v1/entities/{id}/links with the
    session cookie: only what the reader may read is drawn)."""
    if principal is None:
        return _page(request, "sign_in.html", {"error": None}, status=200)
    if principal.role not in GRAPH_READERS:
        return _page(
            request,
            "sign_in.html",
            {"error": "Entities are for investigators, analysts and admins."},
            status=403,
        )
    context = {"principal": principal, "entity_id": entity_id, "depth": depth}
    return _page(request, "entity_graph.html", context)


@home_router.get("/sign-in", response_class=HTMLResponse)
def sign_in_page(
    request: Request,
    principal: Annotated[Principal | None, Depends(optional_principal)],
) -> Response:
    """The sign-in form (or, when already signed in, the user's home)."""
    wanted = _local(request.query_params.get("next"))
    if principal is not None:
        return RedirectResponse(wanted or home_of(principal), status_code=303)
    return _page(request, "sign_in.html", {"error": None, "next": wanted})


@home_router.get("/", response_class=HTMLResponse)
def home(
    request: Request,
    principal: Annotated[Principal | None, Depends(optional_principal)],
) -> Response:
    """A browser's front door: sign-in, or the user's home when signed in."""
    target = "/sign-in" if principal is None else home_of(principal)
    if request.query_params.get("lang") in LANGUAGES:
        target += f"?lang={request.query_params['lang']}"
    response = RedirectResponse(target, status_code=303)
    remember_language(request, response)
    return response
