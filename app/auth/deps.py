"""Authentication and role checks as Annotated dependencies."""

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from app.auth.roles import Role
from app.auth.service import Principal, authenticate
from app.core.db import SessionDep
from app.core.problems import Forbidden, Unauthorized

_bearer = HTTPBearer(auto_error=False, description="A token from `pentrack token create`.")


def get_current_principal(
    request: Request,
    session: SessionDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise Unauthorized("Send `Authorization: Bearer <token>`.")
    principal = authenticate(session, credentials.credentials)
    if principal is None:
        raise Unauthorized("The bearer token is not valid.")
    request.state.principal = principal
    return principal


CurrentUser = Annotated[Principal, Depends(get_current_principal)]


def require_roles(*roles: Role) -> Callable[[Principal], Awaitable[Principal]]:
    """A dependency that lets only `roles` through (403 for the others)."""

    # async: no I/O here, so FastAPI runs it on the event loop instead of a worker thread.
    async def check(principal: CurrentUser) -> Principal:
        if principal.role not in roles:
            allowed = ", ".join(r.value for r in roles)
            raise Forbidden(f"This action needs one of the roles: {allowed}.")
        return principal

    return check


AdminUser = Annotated[Principal, Depends(require_roles(Role.ADMIN))]
RegulatorUser = Annotated[Principal, Depends(require_roles(Role.REGULATOR))]
CustomsUser = Annotated[Principal, Depends(require_roles(Role.CUSTOMS))]
LawEnforcementUser = Annotated[Principal, Depends(require_roles(Role.LAW_ENFORCEMENT))]
OperatorWriter = Annotated[
    Principal,
    Depends(require_roles(Role.ADMIN, Role.REGULATOR, Role.CUSTOMS, Role.LAW_ENFORCEMENT)),
]
# Officers on the ground record incidents (regulators, customs, law enforcement).
OfficerUser = Annotated[
    Principal, Depends(require_roles(Role.REGULATOR, Role.CUSTOMS, Role.LAW_ENFORCEMENT))
]
AuditReader = Annotated[Principal, Depends(require_roles(Role.ADMIN, Role.ANALYST))]
