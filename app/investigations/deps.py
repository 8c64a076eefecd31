"""Who investigates, and path ids loaded into entities and cases (404 when invisible)."""

from typing import Annotated

from fastapi import Depends

from app.auth.deps import require_roles
from app.auth.roles import Role
from app.auth.service import Principal
from app.core.db import SessionDep
from app.investigations.cases import get_case_or_raise
from app.investigations.entities import get_entity_or_raise
from app.investigations.models import Case, Entity

# Investigators: regulators and law enforcement open cases, confirm and split entities.
InvestigatorUser = Annotated[
    Principal, Depends(require_roles(Role.REGULATOR, Role.LAW_ENFORCEMENT))
]
# Entities and their links are read by investigators and, read-only across countries, by
# analysts and admins (each sees only the records it may read).
EntityReader = Annotated[
    Principal,
    Depends(require_roles(Role.REGULATOR, Role.LAW_ENFORCEMENT, Role.ANALYST, Role.ADMIN)),
]
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
