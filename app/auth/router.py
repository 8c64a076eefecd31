"""Tokens (admin): who can call pentrack, and revoking a token."""

from typing import Any

from fastapi import APIRouter, Response

from app.auth import service
from app.auth.deps import AdminUser
from app.auth.schemas import TokenPublic
from app.core.db import SessionDep
from app.core.pagination import Cursor, Limit, ListResponse
from app.core.problems import problem_responses

router = APIRouter(
    prefix="/tokens",
    tags=["tokens"],
    responses=problem_responses(401, 403),
)


@router.get("", response_model=ListResponse[TokenPublic], summary="List tokens")
def list_tokens(session: SessionDep, _: AdminUser, limit: Limit = 50, cursor: Cursor = None) -> Any:
    """Every user's token: role, authority, created, last used, expiry and status."""
    page = service.list_users(session, limit=limit, cursor=cursor)
    return {"items": [service.to_public(u) for u in page.items], "next_cursor": page.next_cursor}


@router.delete(
    "/{token_id}",
    status_code=204,
    responses=problem_responses(404),
    summary="Revoke a token",
)
def revoke_token(token_id: str, session: SessionDep, admin: AdminUser) -> Response:
    """Refuse the token from now on, and end its user's browser sessions."""
    service.revoke_user(session, admin, service.get_user_or_raise(session, token_id))
    return Response(status_code=204)
