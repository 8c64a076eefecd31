"""Path ids loaded into incidents and backtracking requests (404 when invisible to the caller)."""

from typing import Annotated

from fastapi import Depends

from app.auth.deps import CurrentUser
from app.core.db import SessionDep
from app.incidents.backtracking import get_request_or_raise
from app.incidents.models import BacktrackingRequest, Incident
from app.incidents.service import get_incident_or_raise


def load_incident(incident_id: str, session: SessionDep, principal: CurrentUser) -> Incident:
    return get_incident_or_raise(session, principal, incident_id)


def lock_incident(incident_id: str, session: SessionDep, principal: CurrentUser) -> Incident:
    return get_incident_or_raise(session, principal, incident_id, for_update=True)


def lock_request(
    request_id: str, session: SessionDep, principal: CurrentUser
) -> BacktrackingRequest:
    return get_request_or_raise(session, principal, request_id, for_update=True)


IncidentDep = Annotated[Incident, Depends(load_incident)]
LockedIncidentDep = Annotated[Incident, Depends(lock_incident)]
LockedRequestDep = Annotated[BacktrackingRequest, Depends(lock_request)]
