"""Dashboard sessions: a bearer token, once checked, becomes a signed cookie.

The cookie holds the user id and an expiry, signed with HMAC-SHA256 over those and the user's
current token digest; nothing is stored server-side, and disabling the user or replacing their
token ends the session.
"""

import base64
import hashlib
import hmac
import secrets
import time

from sqlmodel import Session, select

from app.auth.models import User
from app.auth.roles import Role
from app.auth.service import Principal
from app.authorities.models import Authority
from app.core.config import Settings

COOKIE_NAME = "pentrack_session"
_PROCESS_SECRET = secrets.token_bytes(32)


def _secret(settings: Settings) -> bytes:
    if settings.session_secret is None:
        return _PROCESS_SECRET
    return settings.session_secret.get_secret_value().encode()


def _signature(settings: Settings, user_id: str, expires: int, token_hash: str) -> str:
    message = f"{user_id}.{expires}.{token_hash}".encode()
    digest = hmac.new(_secret(settings), message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def issue_cookie(settings: Settings, user_id: str, token_hash: str) -> str:
    expires = int(time.time()) + settings.session_ttl_hours * 3600
    return f"{user_id}.{expires}.{_signature(settings, user_id, expires, token_hash)}"


def principal_from_cookie(session: Session, settings: Settings, value: str) -> Principal | None:
    """The principal a cookie was issued to, or None (bad signature, expired, user disabled)."""
    parts = value.split(".")
    if len(parts) != 3 or not parts[1].isdigit() or len(parts[0]) > 32:
        return None
    user_id, expires_text, signature = parts
    expires = int(expires_text)
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
    expected = _signature(settings, user.id, expires, user.token_hash)
    if not hmac.compare_digest(expected, signature):
        return None
    return Principal(
        user_id=user.id,
        name=user.name,
        role=Role(user.role),
        authority_id=user.authority_id,
        country=authority.country if authority else None,
    )
