"""Countries, substances and PEN requirements."""

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response

from app.auth.deps import AdminUser, CurrentUser
from app.core.db import SessionDep
from app.core.fields import CasNumber, CountryCode
from app.core.pagination import (
    MAX_LIMIT,
    Cursor,
    ListResponse,
    ReferenceLimit,
    page_of,
)
from app.core.problems import problem_responses
from app.reference import service
from app.reference.exceptions import CountryNotFound, SubstanceNotFound
from app.reference.models import Country, Substance
from app.reference.schemas import (
    CountryPublic,
    LegitimateRequirementCreate,
    LegitimateRequirementPublic,
    PenRequirementCreate,
    PenRequirementPublic,
    SubstanceCreate,
    SubstanceKind,
    SubstancePublic,
)

router = APIRouter(tags=["reference"], responses=problem_responses(401))


@router.get("/countries", response_model=ListResponse[CountryPublic], summary="List countries")
def list_countries(
    session: SessionDep,
    _: CurrentUser,
    limit: ReferenceLimit = MAX_LIMIT,
    cursor: Cursor = None,
) -> dict:
    """Every ISO 3166-1 country, by alpha-2 code."""
    countries = service.list_countries(session)
    page = page_of(countries, lambda c: (c.iso2,), limit=limit, cursor=cursor)
    return {"items": page.items, "next_cursor": page.next_cursor}


@router.get(
    "/countries/{iso2}",
    response_model=CountryPublic,
    responses=problem_responses(404),
    summary="Get a country",
)
def get_country(iso2: str, session: SessionDep, _: CurrentUser) -> Country:
    """One country by its alpha-2 code."""
    country = session.get(Country, iso2.upper())
    if country is None:
        raise CountryNotFound(f"No country with code {iso2!r}.")
    return country


@router.get("/substances", response_model=ListResponse[SubstancePublic], summary="List substances")
def list_substances(
    session: SessionDep,
    _: CurrentUser,
    table: Annotated[Literal["I", "II"] | None, Query(description="Convention table")] = None,
    kind: Annotated[SubstanceKind | None, Query(description="Kind of entry")] = None,
    limit: ReferenceLimit = MAX_LIMIT,
    cursor: Cursor = None,
) -> dict:
    """Substances of Tables I and II of the 1988 Convention (with their salts and group
    entries), then the special-surveillance and national-list chemicals, by table and name."""
    substances = service.list_substances(session, table, kind)
    page = page_of(
        substances,
        lambda s: (s.convention_table, s.name, s.cas_number),
        limit=limit,
        cursor=cursor,
    )
    return {"items": page.items, "next_cursor": page.next_cursor}


@router.post(
    "/substances",
    response_model=SubstancePublic,
    status_code=201,
    responses=problem_responses(403, 409, 422),
    summary="Add a special-surveillance or national-list chemical",
)
def create_substance(data: SubstanceCreate, session: SessionDep, admin: AdminUser) -> Substance:
    """Record a chemical outside Tables I and II (PENs for it are voluntary)."""
    return service.create_substance(session, admin, data)


@router.get(
    "/substances/{cas_number}",
    response_model=SubstancePublic,
    responses=problem_responses(404),
    summary="Get a substance",
)
def get_substance(cas_number: str, session: SessionDep, _: CurrentUser) -> Substance:
    """One substance by CAS number."""
    substance = session.get(Substance, cas_number)
    if substance is None:
        raise SubstanceNotFound(f"No substance with CAS number {cas_number!r}.")
    return substance


@router.get(
    "/pen-requirements",
    response_model=ListResponse[PenRequirementPublic],
    summary="List PEN requirements",
)
def list_pen_requirements(
    session: SessionDep,
    _: CurrentUser,
    country: CountryCode | None = None,
    limit: ReferenceLimit = MAX_LIMIT,
    cursor: Cursor = None,
) -> dict:
    """Article 12(10)(a) invocations and no-licit-need declarations, optionally for one country,
    by country."""
    requirements = service.list_pen_requirements(session, country)
    page = page_of(requirements, lambda r: (r.country, r.id), limit=limit, cursor=cursor)
    return {"items": page.items, "next_cursor": page.next_cursor}


@router.post(
    "/pen-requirements",
    response_model=PenRequirementPublic,
    status_code=201,
    responses=problem_responses(400, 403, 409, 422),
    summary="Add a PEN requirement",
)
def create_pen_requirement(
    data: PenRequirementCreate, session: SessionDep, admin: AdminUser
) -> object:
    """Record that a country requires PENs for a substance (or table), or has no licit need."""
    return service.create_pen_requirement(session, admin, data)


@router.delete(
    "/pen-requirements/{requirement_id}",
    status_code=204,
    responses=problem_responses(403, 404),
    summary="Remove a PEN requirement",
)
def delete_pen_requirement(requirement_id: str, session: SessionDep, admin: AdminUser) -> Response:
    """Remove a requirement that no longer applies."""
    service.delete_pen_requirement(session, admin, requirement_id)
    return Response(status_code=204)


@router.get(
    "/legitimate-requirements",
    response_model=ListResponse[LegitimateRequirementPublic],
    summary="List annual legitimate requirements",
)
def list_legitimate_requirements(
    session: SessionDep,
    _: CurrentUser,
    country: CountryCode | None = None,
    substance: CasNumber | None = None,
    limit: ReferenceLimit = MAX_LIMIT,
    cursor: Cursor = None,
) -> dict:
    """Annual legitimate requirements (ALR): what each country expects to import of a substance
    in a year, by country and substance."""
    rows = service.list_legitimate_requirements(session, country, substance)
    page = page_of(rows, lambda r: (r.country, r.cas_number), limit=limit, cursor=cursor)
    return {"items": page.items, "next_cursor": page.next_cursor}


@router.post(
    "/legitimate-requirements",
    response_model=LegitimateRequirementPublic,
    status_code=201,
    responses=problem_responses(400, 403, 409, 422),
    summary="Record an annual legitimate requirement",
)
def create_legitimate_requirement(
    data: LegitimateRequirementCreate, session: SessionDep, admin: AdminUser
) -> object:
    """Record a country's annual legitimate requirement for a substance."""
    return service.create_legitimate_requirement(session, admin, data)


@router.delete(
    "/legitimate-requirements/{requirement_id}",
    status_code=204,
    responses=problem_responses(403, 404),
    summary="Remove an annual legitimate requirement",
)
def delete_legitimate_requirement(
    requirement_id: str, session: SessionDep, admin: AdminUser
) -> Response:
    """Remove a legitimate requirement that no longer applies."""
    service.delete_legitimate_requirement(session, admin, requirement_id)
    return Response(status_code=204)
