"""Competent authorities (admin writes; every user reads the directory)."""

from fastapi import APIRouter, Request, Response

from app.auth.deps import AdminUser, CurrentUser
from app.authorities import service
from app.authorities.schemas import (
    AuthorityCreate,
    AuthorityCreated,
    AuthorityKind,
    AuthorityPublic,
    AuthorityUpdate,
    AuthorityUpdated,
    SecretRotated,
)
from app.core.db import SessionDep, SettingsDep
from app.core.fields import CountryCode
from app.core.headers import IfMatch, check_if_match, locate, tag
from app.core.pagination import Cursor, Limit, ListResponse
from app.core.problems import problem_responses

router = APIRouter(
    prefix="/authorities",
    tags=["authorities"],
    responses=problem_responses(401),
)


@router.post(
    "",
    response_model=AuthorityCreated,
    status_code=201,
    responses=problem_responses(400, 403, 422),
    summary="Register an authority",
)
def create_authority(
    data: AuthorityCreate,
    session: SessionDep,
    admin: AdminUser,
    settings: SettingsDep,
    request: Request,
    response: Response,
) -> AuthorityCreated:
    """Register a competent authority; a generated webhook secret is returned here only."""
    created = service.create_authority(
        session, admin, data, allow_private=settings.allow_private_destinations
    )
    locate(response, request, "get_authority", authority_id=created.id)
    return created


@router.get("", response_model=ListResponse[AuthorityPublic], summary="List authorities")
def list_authorities(
    session: SessionDep,
    reader: CurrentUser,
    country: CountryCode | None = None,
    kind: AuthorityKind | None = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> object:
    """The directory of competent authorities (webhook URLs for admins only)."""
    page = service.list_authorities(
        session, country=country, kind=kind.value if kind else None, limit=limit, cursor=cursor
    )
    return service.to_public_page(page, reader)


@router.get(
    "/{authority_id}",
    response_model=AuthorityPublic,
    responses=problem_responses(404),
    summary="Get an authority",
)
def get_authority(
    authority_id: str, session: SessionDep, reader: CurrentUser, response: Response
) -> AuthorityPublic:
    """One authority (its webhook URL for admins only)."""
    public = service.to_public(service.get_authority_or_raise(session, authority_id), reader)
    tag(response, public)
    return public


@router.patch(
    "/{authority_id}",
    response_model=AuthorityUpdated,
    responses=problem_responses(403, 404, 412, 422),
    summary="Change an authority",
)
def update_authority(
    authority_id: str,
    data: AuthorityUpdate,
    session: SessionDep,
    admin: AdminUser,
    settings: SettingsDep,
    response: Response,
    if_match: IfMatch = None,
) -> AuthorityUpdated:
    """Change the name, email or webhook URL, or disable (users refused, webhooks held) and
    enable it again."""
    authority = service.get_authority_or_raise(session, authority_id, lock=True)
    check_if_match(if_match, service.to_public(authority, admin))
    updated = service.update_authority(
        session, admin, authority, data, allow_private=settings.allow_private_destinations
    )
    tag(response, service.to_public(authority, admin))
    return updated


@router.post(
    "/{authority_id}/rotate-secret",
    response_model=SecretRotated,
    responses=problem_responses(403, 404, 409),
    summary="Rotate the webhook secret",
)
def rotate_secret(
    authority_id: str, session: SessionDep, admin: AdminUser, settings: SettingsDep
) -> SecretRotated:
    """A new webhook secret, shown here only; the old one keeps signing beside it for
    `PENTRACK_WEBHOOK_SECRET_OVERLAP_HOURS`."""
    authority = service.get_authority_or_raise(session, authority_id, lock=True)
    return service.rotate_secret(
        session, admin, authority, overlap_hours=settings.webhook_secret_overlap_hours
    )
