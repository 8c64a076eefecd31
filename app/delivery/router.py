"""Deliveries (admin): what the outbox sent, every attempt, and redelivery."""

from typing import Annotated

from fastapi import APIRouter, Query

from app.auth.deps import AdminUser
from app.core.db import SessionDep
from app.core.pagination import Cursor, Limit, ListResponse
from app.core.problems import problem_responses
from app.delivery import service as delivery
from app.delivery.deps import DeliveryDep
from app.delivery.schemas import (
    DeliveryDetail,
    DeliveryPublic,
    DeliveryStatus,
    RedeliverAll,
    RedeliverResult,
)

deliveries_router = APIRouter(
    prefix="/deliveries",
    tags=["deliveries"],
    responses=problem_responses(401, 403),
)
IdQuery = Annotated[str | None, Query(max_length=32)]


@deliveries_router.get("", response_model=ListResponse[DeliveryPublic], summary="Deliveries")
def list_deliveries(
    session: SessionDep,
    _: AdminUser,
    status: Annotated[list[DeliveryStatus] | None, Query()] = None,
    authority_id: IdQuery = None,
    peer_id: IdQuery = None,
    alert_id: IdQuery = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> object:
    """Webhook and node deliveries, newest first; `?status=dead&status=retrying` for failures."""
    return delivery.list_deliveries(
        session,
        status=[s.value for s in status] if status else None,
        authority_id=authority_id,
        peer_id=peer_id,
        alert_id=alert_id,
        limit=limit,
        cursor=cursor,
    )


@deliveries_router.post(
    "/redeliver",
    response_model=RedeliverResult,
    responses=problem_responses(422),
    summary="Redeliver all failed deliveries",
)
def redeliver_all(
    session: SessionDep, admin: AdminUser, data: RedeliverAll | None = None
) -> RedeliverResult:
    """Send every dead (or retrying) delivery again now, optionally for one authority or peer."""
    return RedeliverResult(
        redelivered=delivery.redeliver_all(session, admin, data or RedeliverAll())
    )


@deliveries_router.get(
    "/{delivery_id}",
    response_model=DeliveryDetail,
    responses=problem_responses(404),
    summary="Get a delivery with its attempts",
)
def get_delivery(item: DeliveryDep, session: SessionDep) -> DeliveryDetail:
    """One delivery and every attempt made."""
    return delivery.to_detail(session, item)


@deliveries_router.post(
    "/{delivery_id}/redeliver",
    response_model=DeliveryDetail,
    responses=problem_responses(404, 409),
    summary="Redeliver one delivery",
)
def redeliver(item: DeliveryDep, session: SessionDep, admin: AdminUser) -> DeliveryDetail:
    """Send again now with a fresh retry schedule (same webhook-id)."""
    return delivery.to_detail(session, delivery.redeliver(session, admin, item))
