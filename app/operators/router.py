"""Operators (companies)."""

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from app.auth.deps import CurrentUser, OperatorWriter
from app.core.db import SessionDep
from app.core.fields import CountryCode
from app.core.headers import locate
from app.core.pagination import Cursor, Limit, ListResponse
from app.core.problems import problem_responses
from app.operators import service
from app.operators.models import Operator
from app.operators.schemas import OperatorCreate, OperatorPublic

router = APIRouter(
    prefix="/operators",
    tags=["operators"],
    responses=problem_responses(401),
)


@router.post(
    "",
    response_model=OperatorPublic,
    status_code=201,
    responses=problem_responses(400, 403, 422),
    summary="Register an operator",
)
def create_operator(
    data: OperatorCreate,
    session: SessionDep,
    actor: OperatorWriter,
    request: Request,
    response: Response,
) -> Operator:
    """Register an exporter, importer, consignee or intermediary."""
    operator = service.create_operator(session, actor, data)
    locate(response, request, "get_operator", operator_id=operator.id)
    return operator


@router.get("", response_model=ListResponse[OperatorPublic], summary="List operators")
def list_operators(
    session: SessionDep,
    _: CurrentUser,
    country: CountryCode | None = None,
    name: Annotated[str | None, Query(max_length=100, description="Part of the name")] = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> object:
    """Registered operators, newest first."""
    return service.list_operators(session, country=country, name=name, limit=limit, cursor=cursor)


@router.get(
    "/{operator_id}",
    response_model=OperatorPublic,
    responses=problem_responses(404),
    summary="Get an operator",
)
def get_operator(operator_id: str, session: SessionDep, _: CurrentUser) -> Operator:
    """One operator."""
    return service.get_operator_or_raise(session, operator_id)
