"""Operations with measurable outcomes (Vienna Declaration III.7)."""

from enum import StrEnum
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from app.auth.deps import CurrentUser
from app.core.db import SessionDep
from app.core.headers import locate
from app.core.pagination import Cursor, Limit, ListResponse
from app.core.problems import problem_responses
from app.dashboard.exports import XLSX_MEDIA_TYPE
from app.operations import service
from app.operations.deps import OperationDep
from app.operations.metrics import METRICS
from app.operations.schemas import (
    ItemCreate,
    ItemPublic,
    MetricPublic,
    OperationCreate,
    OperationDetail,
    OperationPublic,
    Outcomes,
)

router = APIRouter(prefix="/operations", tags=["operations"], responses=problem_responses(401))


class OutcomeFormat(StrEnum):
    JSON = "json"
    XLSX = "xlsx"


@router.post(
    "",
    response_model=OperationDetail,
    status_code=201,
    responses=problem_responses(400, 403, 422),
    summary="Plan an operation",
)
def create_operation(
    data: OperationCreate,
    session: SessionDep,
    planner: CurrentUser,
    request: Request,
    response: Response,
) -> OperationDetail:
    """A time-bound operation on named substances, its participating countries and its
    numeric objectives (law enforcement, regulators, admins)."""
    operation = service.create_operation(session, planner, data)
    locate(response, request, "get_operation", operation_id=operation.id)
    return service.to_detail(session, operation)


@router.get("", response_model=ListResponse[OperationPublic], summary="List operations")
def list_operations(
    session: SessionDep, principal: CurrentUser, limit: Limit = 50, cursor: Cursor = None
) -> dict:
    """Operations the caller's country takes part in (all, for analysts and admins)."""
    page = service.list_operations(session, principal, limit=limit, cursor=cursor)
    items = [service.to_public(session, o) for o in page.items]
    return {"items": items, "next_cursor": page.next_cursor}


@router.get("/metrics", response_model=list[MetricPublic], summary="The objectives' metrics")
def list_metrics(_: CurrentUser) -> list[MetricPublic]:
    """What an objective may be stated in, and how each figure is counted."""
    return [
        MetricPublic(code=m.code, unit=m.unit, description=m.description, needs_days=m.needs_days)
        for m in METRICS.values()
    ]


@router.get(
    "/{operation_id}",
    response_model=OperationDetail,
    responses=problem_responses(404),
    summary="Get an operation",
)
def get_operation(operation: OperationDep, session: SessionDep) -> OperationDetail:
    """One operation with its objectives and tagged records."""
    return service.to_detail(session, operation)


@router.post(
    "/{operation_id}/items",
    response_model=ItemPublic,
    status_code=201,
    responses=problem_responses(403, 404, 409, 422),
    summary="Tag a record to an operation",
)
def tag_item(
    data: ItemCreate,
    operation: OperationDep,
    session: SessionDep,
    officer: CurrentUser,
    request: Request,
    response: Response,
) -> ItemPublic:
    """Tag a shipment, incident, PEN or backtracking request the caller may read."""
    item = service.tag_item(session, officer, operation, data)
    locate(response, request, "get_operation", operation_id=operation.id)
    return ItemPublic(
        type=item.item_type,
        id=item.item_id,
        tagged_by_authority_id=item.tagged_by_authority_id,
        tagged_at=item.tagged_at,
    )


@router.get(
    "/{operation_id}/outcomes",
    response_model=Outcomes,
    responses={
        **problem_responses(404),
        200: {"content": {"application/json": {}, XLSX_MEDIA_TYPE: {}}},
    },
    summary="An operation's outcomes against its objectives",
)
def get_outcomes(
    operation: OperationDep,
    session: SessionDep,
    format: Annotated[OutcomeFormat, Query(description="json or xlsx")] = OutcomeFormat.JSON,
) -> Response | Outcomes:
    """Each objective's target, the value the tagged records achieved, and the same metric
    over the same-length period before the operation (baseline); as JSON or a workbook."""
    built = service.outcomes(session, operation)
    if format == OutcomeFormat.XLSX:
        return Response(
            content=service.outcomes_xlsx(built),
            media_type=XLSX_MEDIA_TYPE,
            headers={
                "Content-Disposition": f'attachment; filename="pentrack-operation-{operation.id}.xlsx"'
            },
        )
    return built
