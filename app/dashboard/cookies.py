"""Dashboard sessions: a bearer token, once checked, becomes a signed cookie.

The cookie holds the user id, when it was issued and its expiry, signed with HMAC-SHA256 over
those and the user's current token digest. Disabling the user, revoking or expiring their token,
or signing out (which records the time on the user, so every earlier cookie is refused) ends the
session on the server.
"""

import base64
import hashlib
import hmac
import secrets
import time
from dataclasses import replace
from datetime import UTC, datetime

from fastapi import Request
from sqlmodel import Session, select

from app.auth.models import User
from app.auth.roles import Role
from app.auth.service import Principal, save_language, session_still_valid
from app.authorities.models import Authority
from app.core.config import Settings
from app.i18n.web import SAVED, asked_language

COOKIE_NAME = "pentrack_session"
_PROCESS_SECRET = secrets.token_bytes(32)


def signing_secret(settings: Settings) -> bytes:
    if settings.session_secret is None:
        return _PROCESS_SECRET
    return settings.session_secret.get_secret_value().encode()


def _signature(
    settings: Settings, user_id: str, issued_ms: int, expires: int, token_hash: str
) -> str:
    message = f"{user_id}.{issued_ms}.{expires}.{token_hash}".encode()
    digest = hmac.new(signing_secret(settings), message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def issue_cookie(settings: Settings, user_id: str, token_hash: str) -> str:
    now = time.time()
    issued_ms, expires = int(now * 1000), int(now) + settings.session_ttl_hours * 3600
    signature = _signature(settings, user_id, issued_ms, expires, token_hash)
    return f"{user_id}.{issued_ms}.{expires}.{signature}"


def principal_from_cookie(session: Session, settings: Settings, value: str) -> Principal | None:
    """The principal a cookie was issued to, or None: bad signature, cookie expired, user
    disabled, token revoked or expired, or the user signed out after it was issued."""
    parts = value.split(".")
    if len(parts) != 4 or not (parts[1].isdigit() and parts[2].isdigit()) or len(parts[0]) > 32:
        return None
    user_id, issued_text, expires_text, signature = parts
    issued_ms, expires = int(issued_text[:15]), int(expires_text[:12])
    if expires < time.time():
        return None
    row = session.exec(
        select(User, Authority)
        .join(Authority, User.authority_id == Authority.id, isouter=True)  # type: ignore[arg-type]
        .where(User.id == user_id, User.disabled == False)  # noqa: E712
    ).first()
    if row is None:
        return None
    user, authority = row
    expected = _signature(settings, user.id, issued_ms, expires, user.token_hash)
    if not hmac.compare_digest(expected, signature):
        return None
    # The token must still be live, and the user must not have signed out since it was issued.
    issued_at = datetime.fromtimestamp(issued_ms / 1000, UTC)
    if not session_still_valid(session, user.id, issued_at):
        return None
    return Principal(
        user_id=user.id,
        name=user.name,
        role=Role(user.role),
        authority_id=user.authority_id,
        country=authority.country if authority else None,
        operator_id=user.operator_id,
        language=user.language,
    )


def session_principal(request: Request, session: Session, settings: Settings) -> Principal | None:
    """The signed-in user of a page (by the session cookie), or None. A language picked with
    `?lang=` is saved on the user; the user's saved language is what the page speaks then
    (app/i18n/web.py)."""
    cookie = request.cookies.get(COOKIE_NAME)
    principal = principal_from_cookie(session, settings, cookie) if cookie else None
    if principal is None:
        return None
    asked = asked_language(request)
    if asked is not None and asked != principal.language:
        save_language(session, principal.user_id, asked)
        principal = replace(principal, language=asked)
    setattr(request.state, SAVED, principal.language)
    return principal
