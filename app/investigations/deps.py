"""Who investigates, and path ids loaded into entities and cases (404 when invisible)."""

from typing import Annotated

from fastapi import Depends

from app.auth.deps import require_roles
from app.auth.roles import Role
from app.auth.service import Principal
from app.core.db import SessionDep
from app.core.problems import Forbidden, Unauthorized
from app.dashboard.deps import optional_principal
from app.investigations.cases import get_case_or_raise
from app.investigations.entities import get_entity_or_raise
from app.investigations.models import Case, Entity

# Investigators: regulators and law enforcement open cases, confirm and split entities.
InvestigatorUser = Annotated[
    Principal, Depends(require_roles(Role.REGULATOR, Role.LAW_ENFORCEMENT))
]
ENTITY_READERS = frozenset({Role.REGULATOR, Role.LAW_ENFORCEMENT, Role.ANALYST, Role.ADMIN})


def entity_reader(
    principal: Annotated[Principal | None, Depends(optional_principal)],
) -> Principal:
    """Entities and their links are read by investigators and, read-only across countries, by
    analysts and admins (each sees only the records it may read); by bearer token or, for the
    dashboard's entity graph, by its session cookie (GET only, SameSite=Strict)."""
    if principal is None:
        raise Unauthorized("Send `Authorization: Bearer <token>`.")
    if principal.role not in ENTITY_READERS:
        allowed = ", ".join(sorted(r.value for r in ENTITY_READERS))
        raise Forbidden(f"This action needs one of the roles: {allowed}.")
    return principal


EntityReader = Annotated[Principal, Depends(entity_reader)]
WatchlistWriter = Annotated[
    Principal, Depends(require_roles(Role.REGULATOR, Role.LAW_ENFORCEMENT, Role.ADMIN))
]


def load_entity(entity_id: str, session: SessionDep, _: EntityReader) -> Entity:
    return get_entity_or_raise(session, entity_id)


def load_case(case_id: str, session: SessionDep, principal: InvestigatorUser) -> Case:
    return get_case_or_raise(session, principal, case_id)


def lock_case(case_id: str, session: SessionDep, principal: InvestigatorUser) -> Case:
    return get_case_or_raise(session, principal, case_id, for_update=True)


EntityDep = Annotated[Entity, Depends(load_entity)]
CaseDep = Annotated[Case, Depends(load_case)]
LockedCaseDep = Annotated[Case, Depends(lock_case)]
