"""Who is at the workspace (the dashboard's session cookie, never a bearer token), and the
CSRF check every workspace form passes: a token bound to the session cookie, and this site's
Origin."""

import hashlib
import hmac
from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, Request
from fastapi.responses import RedirectResponse, Response

from app.auth.roles import Role
from app.auth.service import Principal
from app.core.config import Settings
from app.core.db import SessionDep, SettingsDep
from app.core.problems import Forbidden
from app.dashboard.cookies import COOKIE_NAME, session_principal, signing_secret
from app.dashboard.pages import same_origin
from app.i18n import N_
from app.workspace.forms import form_of

# Officers who work cases here; analysts and admins read the dashboard.
WORKSPACE_ROLES = frozenset({Role.REGULATOR, Role.CUSTOMS, Role.LAW_ENFORCEMENT})
# Whoever files or triages industry reports: a company's users and their regulator.
REPORT_ROLES = frozenset({Role.INDUSTRY, Role.REGULATOR})


class NotForYourRole(Forbidden):
    """A workspace page that is not for the officer's role: a page saying so, 403."""


class SignInRequired(Exception):
    """No live session: the browser is sent to sign in, then back here."""

    def __init__(self, path: str) -> None:
        self.path = path


def sign_in_redirect(request: Request, exc: Exception) -> Response:
    path = exc.path if isinstance(exc, SignInRequired) else "/workspace"
    return RedirectResponse(f"/sign-in?next={quote(path)}", status_code=303)


def signed_in(request: Request, session: SessionDep, settings: SettingsDep) -> Principal:
    """The signed-in user of a workspace page, or a redirect to sign-in."""
    principal = session_principal(request, session, settings)
    if principal is None:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise SignInRequired(target if request.method == "GET" else "/workspace")
    return principal


def workspace_user(principal: Annotated[Principal, Depends(signed_in)]) -> Principal:
    """The signed-in officer; other roles get 403."""
    if principal.role not in WORKSPACE_ROLES:
        raise NotForYourRole(N_("The workspace is for regulators, customs and law enforcement."))
    return principal


def report_user(principal: Annotated[Principal, Depends(signed_in)]) -> Principal:
    """A company's industry user or a regulator; other roles get 403."""
    if principal.role not in REPORT_ROLES:
        raise NotForYourRole(N_("Industry reports are for companies and their regulators."))
    return principal


WorkspaceUser = Annotated[Principal, Depends(workspace_user)]
ReportUser = Annotated[Principal, Depends(report_user)]


def csrf_token(settings: Settings, request: Request) -> str:
    """A token bound to this session's cookie: a form of another site cannot know it."""
    return csrf_for(settings, request.cookies.get(COOKIE_NAME, ""))


def csrf_for(settings: Settings, cookie: str) -> str:
    message = f"csrf.{cookie}".encode()
    return hmac.new(signing_secret(settings), message, hashlib.sha256).hexdigest()[:32]


class CrossSiteForm(Forbidden):
    title = "Form not accepted"


def check_form(request: Request, settings: Settings, form: dict[str, str]) -> None:
    """Every workspace POST: from this site, carrying this session's token."""
    expected = csrf_token(settings, request)
    if not same_origin(request) or not hmac.compare_digest(form.get("csrf", ""), expected):
        raise CrossSiteForm("This form was not sent from this session's own page; reload it.")


async def posted_form(request: Request, settings: Settings) -> dict[str, str]:
    """A workspace POST's fields once `check_form` let them in, the CSRF token left out."""
    form = await form_of(request)
    check_form(request, settings, form)
    return {key: value for key, value in form.items() if key != "csrf"}
