"""Competent authorities."""

import base64
import secrets
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from sqlmodel import Session, col, select

from app.audit import service as audit
from app.auth.roles import Role
from app.auth.service import Principal
from app.authorities.models import Authority
from app.authorities.schemas import AuthorityCreate, AuthorityCreated, AuthorityPublic
from app.core.destinations import check_url
from app.core.ids import new_id
from app.core.pagination import Page, paginate
from app.core.problems import NotFound
from app.reference.service import require_countries


class AuthorityNotFound(NotFound):
    type = "authority-not-found"
    title = "Authority not found"


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


def get_authority_or_raise(session: Session, authority_id: str) -> Authority:
    authority = session.get(Authority, authority_id)
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
    return public if reader.role == Role.ADMIN else public.model_copy(update={"webhook_url": None})


def to_public_page(page: Page[Authority], reader: Principal) -> dict[str, Any]:
    return {"items": [to_public(a, reader) for a in page.items], "next_cursor": page.next_cursor}


def _for_the_record(url: str | None) -> str | None:
    """A webhook URL as the audit trail keeps it: without credentials, query or fragment."""
    if not url:
        return None
    parts = urlsplit(url)
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))
