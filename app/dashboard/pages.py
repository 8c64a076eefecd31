"""The /dashboard page: sign-in with a token, a signed session cookie, the page shell.

The page is a shell; its script reads the same /api/v1/summaries endpoints as any client,
authenticated by the session cookie (GET only, SameSite=Strict)."""

import json
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import parse_qs, urlsplit

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from app.auth.roles import Role
from app.auth.service import Principal, authenticate, end_sessions, hash_token
from app.core.db import SessionDep, SettingsDep
from app.core.types import utcnow
from app.dashboard import summaries
from app.dashboard.cookies import COOKIE_NAME, issue_cookie, principal_from_cookie
from app.dashboard.deps import READERS, optional_principal
from app.dashboard.regions import regions
from app.reference.models import Substance

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=HERE / "templates")
static_files = StaticFiles(directory=HERE / "static")
router = APIRouter(prefix="/dashboard", include_in_schema=False)

# Inline scripts are never needed: everything runs from /dashboard/static.
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self' "
    "'unsafe-inline'; img-src 'self' data:; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'; form-action 'self'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


def _page(request: Request, name: str, context: dict[str, Any], status: int = 200) -> Response:
    response = templates.TemplateResponse(request, name, context, status_code=status)
    response.headers.update(SECURITY_HEADERS)
    return response


def _table_meta() -> dict[str, Any]:
    """Column headings of every summary table, from the response models' field titles."""
    meta: dict[str, Any] = {}
    for kind in summaries.KINDS.values():
        model = kind.compute.__annotations__["return"]
        for attribute, title in kind.tables.items():
            row_model = model.model_fields[attribute].annotation.__args__[0]
            meta[f"{kind.name}.{attribute}"] = {
                "title": title,
                "columns": [[n, f.title or n] for n, f in row_model.model_fields.items()],
            }
    return meta


@router.get("", response_class=HTMLResponse)
def dashboard(
    request: Request,
    session: SessionDep,
    principal: Annotated[Principal | None, Depends(optional_principal)],
) -> Response:
    """The dashboard for a signed-in reader; the sign-in form otherwise."""
    if principal is None:
        return _page(request, "sign_in.html", {"error": None}, status=200)
    if principal.role not in READERS:
        return _page(
            request,
            "sign_in.html",
            {"error": "Summaries are for analysts, admins and regulators."},
            status=403,
        )
    substances = session.execute(
        Substance.__table__.select().order_by(  # type: ignore[attr-defined]
            Substance.__table__.c.convention_table,  # type: ignore[attr-defined]
            Substance.__table__.c.name,  # type: ignore[attr-defined]
        )
    ).all()
    year = utcnow().year
    context = {
        "principal": principal,
        "years": list(range(year, year - 8, -1)),
        "substances": [(s.cas_number, s.name, s.convention_table) for s in substances],
        "regions": [(r.code, r.name, r.level) for r in regions().values()],
        "meta": json.dumps(_table_meta()),
    }
    return _page(request, "dashboard.html", context)


CROSS_SITE = "Sign-in and sign-out are only accepted from this site's own pages."


def same_origin(request: Request) -> bool:
    """Whether a form post comes from this site: its Origin (or, without one, its Referer)
    names this host. Requests with neither (command-line clients) are let through; browsers
    always send Origin on cross-site posts."""
    claimed = request.headers.get("origin") or request.headers.get("referer")
    if not claimed or (claimed == "null" and request.headers.get("origin") is None):
        return True
    parts = urlsplit(claimed)
    return f"{parts.scheme}://{parts.netloc}" == f"{request.url.scheme}://{request.url.netloc}"


@router.post("/sign-in")
async def sign_in(request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    """Exchange a bearer token for a session cookie (the token itself is not kept); only from
    a page of this site (a cross-site post could sign a browser in as someone else)."""
    if not same_origin(request):
        return _page(request, "sign_in.html", {"error": CROSS_SITE}, status=403)
    form = parse_qs((await request.body()).decode(errors="replace"))
    token = (form.get("token") or [""])[0].strip()
    principal = authenticate(session, token) if token else None
    if principal is None:
        return _page(request, "sign_in.html", {"error": "That token is not valid."}, status=401)
    if principal.role not in READERS:
        return _page(
            request,
            "sign_in.html",
            {"error": "Summaries are for analysts, admins and regulators."},
            status=403,
        )
    response = RedirectResponse("/dashboard", status_code=303)
    response.set_cookie(
        COOKIE_NAME,
        issue_cookie(settings, principal.user_id, hash_token(token)),
        max_age=settings.session_ttl_hours * 3600,
        path="/",
        secure=settings.session_cookie_secure,
        httponly=True,
        samesite="strict",
    )
    return response


@router.post("/sign-out")
def sign_out(request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    """End the session on the server (every cookie issued to this user until now), then
    forget the cookie."""
    if not same_origin(request):
        return _page(request, "sign_in.html", {"error": CROSS_SITE}, status=403)
    cookie = request.cookies.get(COOKIE_NAME)
    principal = principal_from_cookie(session, settings, cookie) if cookie else None
    if principal is not None:
        end_sessions(session, principal)
    response = RedirectResponse("/dashboard", status_code=303)
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
