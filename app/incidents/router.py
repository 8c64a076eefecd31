"""Incidents, backtracking requests and forensic samples (PICS-style incident exchange)."""

from typing import Annotated, Literal

from fastapi import APIRouter, Query

from app import flows
from app.auth.deps import CurrentUser, OfficerUser
from app.core.db import SessionDep, SettingsDep
from app.core.fields import CasNumber, CountryCode, PlausibleDate
from app.core.pagination import Cursor, Limit, ListResponse
from app.core.problems import problem_responses
from app.incidents import backtracking, reading, service
from app.incidents.deps import IncidentDep, LockedIncidentDep, LockedRequestDep
from app.incidents.schemas import (
    BacktrackingAnswer,
    BacktrackingCreate,
    BacktrackingPublic,
    BacktrackingStatus,
    IncidentCreate,
    IncidentDetail,
    IncidentKind,
    IncidentPublic,
    SampleCreate,
)

router = APIRouter(prefix="/incidents", tags=["incidents"], responses=problem_responses(401))
requests_router = APIRouter(
    prefix="/backtracking-requests", tags=["incidents"], responses=problem_responses(401)
)


@router.post(
    "",
    response_model=IncidentDetail,
    status_code=201,
    responses=problem_responses(400, 403, 422),
    summary="Record an incident",
)
def create_incident(
    data: IncidentCreate, session: SessionDep, officer: OfficerUser
) -> IncidentDetail:
    """Record a seizure, stopped shipment, attempted diversion, illicit laboratory or theft in
    the caller's country; the countries it names hear of it."""
    incident = flows.record_incident(session, officer, data)
    return reading.to_detail(session, officer, incident)


@router.get("", response_model=ListResponse[IncidentPublic], summary="List incidents")
def list_incidents(
    session: SessionDep,
    principal: CurrentUser,
    kind: IncidentKind | None = None,
    country: Annotated[CountryCode | None, Query(description="Recorded in this country")] = None,
    named_country: Annotated[
        CountryCode | None,
        Query(description="Naming this country (recording, origin, transit or destination)"),
    ] = None,
    substance: CasNumber | None = None,
    date_from: Annotated[PlausibleDate | None, Query(alias="from")] = None,
    date_to: Annotated[PlausibleDate | None, Query(alias="to")] = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> dict:
    """Incidents the caller may read, newest first, each at the caller's reading scope."""
    page = service.list_incidents(
        session,
        principal,
        kind=kind,
        country=country,
        named_country=named_country,
        substance=substance,
        date_from=date_from,
        date_to=date_to,
        limit=limit,
        cursor=cursor,
    )
    return reading.to_public_page(session, principal, page)


@router.get(
    "/{incident_id}",
    response_model=IncidentDetail,
    responses=problem_responses(404),
    summary="Get an incident",
)
def get_incident(
    incident: IncidentDep, session: SessionDep, principal: CurrentUser
) -> IncidentDetail:
    """One incident with its operators and forensic samples, at the caller's reading scope."""
    return reading.to_detail(session, principal, incident)


@router.post(
    "/{incident_id}/backtracking-requests",
    response_model=BacktrackingPublic,
    status_code=201,
    responses=problem_responses(400, 403, 404, 422),
    summary="Ask another country to backtrack an incident",
)
def create_backtracking_request(
    data: BacktrackingCreate,
    incident: LockedIncidentDep,
    session: SessionDep,
    settings: SettingsDep,
    principal: CurrentUser,
) -> BacktrackingPublic:
    """Ask `to_country` who supplied the chemical (the recording country's officers)."""
    request = flows.request_backtracking(session, settings, principal, incident, data)
    return backtracking.to_public(session, request)


@router.post(
    "/{incident_id}/samples",
    response_model=IncidentDetail,
    status_code=201,
    responses=problem_responses(403, 404, 422),
    summary="Add a forensic sample",
)
def add_sample(
    data: SampleCreate, incident: LockedIncidentDep, session: SessionDep, principal: CurrentUser
) -> IncidentDetail:
    """A sample and the laboratory's findings (identity, purity, impurity profile, method)."""
    service.add_sample(session, principal, incident, data)
    return reading.to_detail(session, principal, incident)


@requests_router.get(
    "", response_model=ListResponse[BacktrackingPublic], summary="List backtracking requests"
)
def list_backtracking_requests(
    session: SessionDep,
    principal: CurrentUser,
    direction: Literal["sent", "received"] | None = None,
    status: BacktrackingStatus | None = None,
    incident_id: Annotated[str | None, Query(max_length=32)] = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> dict:
    """The requests the caller's country sent or received (all, for admins and analysts)."""
    page = backtracking.list_requests(
        session,
        principal,
        direction=direction,
        status=status,
        incident_id=incident_id,
        limit=limit,
        cursor=cursor,
    )
    return {
        "items": [backtracking.to_public(session, r) for r in page.items],
        "next_cursor": page.next_cursor,
    }


@requests_router.post(
    "/{request_id}/answer",
    response_model=BacktrackingPublic,
    responses=problem_responses(403, 404, 409, 422),
    summary="Answer a backtracking request",
)
def answer_backtracking_request(
    data: BacktrackingAnswer,
    request: LockedRequestDep,
    session: SessionDep,
    principal: CurrentUser,
) -> BacktrackingPublic:
    """The addressed country's regulator or law enforcement answers with its findings."""
    request = flows.answer_backtracking(session, principal, request, data)
    return backtracking.to_public(session, request)
