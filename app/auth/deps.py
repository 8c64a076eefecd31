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
    if principal.role == Role.INDUSTRY and not _open_to_industry(request):
        raise Forbidden(
            "An industry user reads and writes its own reports and reference data only."
        )
    return principal


# What an `industry` user may reach: its reports (and their routes) and, to read, reference
# data. One gate for every route, so that a new endpoint is closed to industry by default.
INDUSTRY_TAGS = frozenset({"industry-reports"})
INDUSTRY_READ_TAGS = frozenset({"reference"})


def _open_to_industry(request: Request) -> bool:
    route = request.scope.get("route")
    tags = set(getattr(route, "tags", None) or ())
    if tags & INDUSTRY_TAGS:
        return True
    return request.method in ("GET", "HEAD") and bool(tags & INDUSTRY_READ_TAGS)


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
IndustryUser = Annotated[Principal, Depends(require_roles(Role.INDUSTRY))]
OperatorWriter = Annotated[
    Principal,
    Depends(require_roles(Role.ADMIN, Role.REGULATOR, Role.CUSTOMS, Role.LAW_ENFORCEMENT)),
]
# Officers on the ground record incidents (regulators, customs, law enforcement).
OfficerUser = Annotated[
    Principal, Depends(require_roles(Role.REGULATOR, Role.CUSTOMS, Role.LAW_ENFORCEMENT))
]
AuditReader = Annotated[Principal, Depends(require_roles(Role.ADMIN, Role.ANALYST))]
