"""Competent authorities."""

import base64
import secrets
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from sqlmodel import Session, col, select

from app.audit import service as audit
from app.auth.roles import Role
from app.auth.service import Principal
from app.authorities.models import Authority
from app.authorities.schemas import (
    AuthorityCreate,
    AuthorityCreated,
    AuthorityPublic,
    AuthorityUpdate,
    AuthorityUpdated,
    SecretRotated,
)
from app.core.destinations import check_url
from app.core.ids import new_id
from app.core.pagination import Page, paginate
from app.core.problems import Conflict, NotFound
from app.core.types import utcnow
from app.reference.service import require_countries


class AuthorityNotFound(NotFound):
    type = "authority-not-found"
    title = "Authority not found"


class NoWebhook(Conflict):
    type = "authority-has-no-webhook"
    title = "The authority has no webhook"


def generate_webhook_secret() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def create_authority(
    session: Session, actor: Principal, data: AuthorityCreate, *, allow_private: bool = False
) -> AuthorityCreated:
    """Register an authority; a webhook URL without a secret gets a generated one, shown once.
    The URL must reach a public address (app/core/destinations.py)."""
    if data.webhook_url:
        check_url(str(data.webhook_url), allow_private=allow_private)
    require_countries(session, [data.country])
    generated = None
    secret = data.webhook_secret
    if data.webhook_url and not secret:
        secret = generated = generate_webhook_secret()
    authority = Authority(
        id=new_id(),
        country=data.country,
        name=data.name,
        kind=data.kind.value,
        email=str(data.email) if data.email else None,
        webhook_url=str(data.webhook_url) if data.webhook_url else None,
        webhook_secret=secret,
    )
    session.add(authority)
    session.flush()
    public = AuthorityPublic.model_validate(authority)
    audit.record(
        session,
        actor,
        "authority.created",
        "authority",
        authority.id,
        after=public.model_dump(mode="json")
        | {"webhook_url": _for_the_record(authority.webhook_url)},
    )
    return AuthorityCreated(**public.model_dump(), webhook_secret=generated)


def update_authority(
    session: Session,
    actor: Principal,
    authority: Authority,
    data: AuthorityUpdate,
    *,
    allow_private: bool = False,
) -> AuthorityUpdated:
    """Change an authority's name, email, webhook URL, or enable/disable it. A webhook URL given
    to an authority without a secret gets a generated one, returned here only. Disabling refuses
    its users' tokens and holds its webhooks until it is enabled again."""
    changes = data.model_dump(exclude_unset=True)
    before = _for_the_audit(authority)
    if changes.get("webhook_url") is not None:
        changes["webhook_url"] = str(changes["webhook_url"])
        check_url(changes["webhook_url"], allow_private=allow_private)
    if "email" in changes:
        changes["email"] = str(changes["email"]) if changes["email"] else None
    for field, value in changes.items():
        setattr(authority, field, value)
    generated = None
    if authority.webhook_url and not authority.webhook_secret:
        authority.webhook_secret = generated = generate_webhook_secret()
    authority.updated_at = utcnow()
    session.add(authority)
    session.flush()
    after = _for_the_audit(authority)
    if generated:
        after["webhook_secret"] = "(generated)"
    audit.record(
        session, actor, "authority.updated", "authority", authority.id, before=before, after=after
    )
    public = AuthorityPublic.model_validate(authority)
    return AuthorityUpdated(**public.model_dump(), webhook_secret=generated)


def rotate_secret(
    session: Session, actor: Principal, authority: Authority, *, overlap_hours: float
) -> SecretRotated:
    """A new webhook secret, shown once; the current one keeps signing beside it for
    `overlap_hours` so that the receiver can switch without refusing a message."""
    if not authority.webhook_url:
        raise NoWebhook("Set a webhook_url first (PATCH); there is no secret to rotate.")
    now = utcnow()
    old = authority.webhook_secret
    authority.webhook_secret = generate_webhook_secret()
    if old and overlap_hours > 0:
        authority.previous_webhook_secret = old
        authority.previous_secret_until = now + timedelta(hours=overlap_hours)
    else:
        authority.previous_webhook_secret = authority.previous_secret_until = None
    authority.updated_at = now
    session.add(authority)
    session.flush()
    audit.record(
        session,
        actor,
        "authority.secret_rotated",
        "authority",
        authority.id,
        # The secrets themselves never enter the audit trail.
        after={"previous_secret_until": _iso(authority.previous_secret_until)},
    )
    return SecretRotated(
        authority_id=authority.id,
        webhook_secret=authority.webhook_secret,
        previous_secret_until=authority.previous_secret_until,
    )


def signing_secrets(authority: Authority) -> list[str]:
    """The secrets a webhook to `authority` is signed with now: the current one, and the
    previous one while its overlap lasts."""
    secrets_now = [authority.webhook_secret] if authority.webhook_secret else []
    until = authority.previous_secret_until
    if authority.previous_webhook_secret and until is not None and until > utcnow():
        secrets_now.append(authority.previous_webhook_secret)
    return secrets_now


def get_authority_or_raise(session: Session, authority_id: str, *, lock: bool = False) -> Authority:
    # Locked for a change: two concurrent rotations or edits apply one after the other.
    authority = session.get(Authority, authority_id, with_for_update=lock or None)
    if authority is None:
        raise AuthorityNotFound(f"No authority with id {authority_id!r}.")
    return authority


def list_authorities(
    session: Session, *, country: str | None, kind: str | None, limit: int, cursor: str | None
) -> Page[Authority]:
    query = select(Authority)
    if country:
        query = query.where(Authority.country == country)
    if kind:
        query = query.where(Authority.kind == kind)
    return paginate(session, query, col(Authority.id), limit=limit, cursor=cursor)


def to_public(authority: Authority, reader: Principal) -> AuthorityPublic:
    """The directory entry; where an authority's alerts go (its webhook URL, which may carry
    credentials) is the administrators' to see."""
    public = AuthorityPublic.model_validate(authority)
    if reader.role == Role.ADMIN:
        return public
    return public.model_copy(update={"webhook_url": None, "previous_secret_until": None})


def to_public_page(page: Page[Authority], reader: Principal) -> dict[str, Any]:
    return {"items": [to_public(a, reader) for a in page.items], "next_cursor": page.next_cursor}


def _for_the_audit(authority: Authority) -> dict[str, Any]:
    return {
        "name": authority.name,
        "email": authority.email,
        "webhook_url": _for_the_record(authority.webhook_url),
        "enabled": authority.enabled,
    }


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def _for_the_record(url: str | None) -> str | None:
    """A webhook URL as the audit trail keeps it: without credentials, query or fragment."""
    if not url:
        return None
    parts = urlsplit(url)
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))
