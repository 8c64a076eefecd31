"""Competent authorities (admin writes; every user reads the directory)."""

from fastapi import APIRouter

from app.auth.deps import AdminUser, CurrentUser
from app.authorities import service
from app.authorities.schemas import (
    AuthorityCreate,
    AuthorityCreated,
    AuthorityKind,
    AuthorityPublic,
)
from app.core.db import SessionDep, SettingsDep
from app.core.fields import CountryCode
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
    data: AuthorityCreate, session: SessionDep, admin: AdminUser, settings: SettingsDep
) -> AuthorityCreated:
    """Register a competent authority; a generated webhook secret is returned here only."""
    return service.create_authority(
        session, admin, data, allow_private=settings.allow_private_destinations
    )


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
def get_authority(authority_id: str, session: SessionDep, reader: CurrentUser) -> AuthorityPublic:
    """One authority (its webhook URL for admins only)."""
    return service.to_public(service.get_authority_or_raise(session, authority_id), reader)
