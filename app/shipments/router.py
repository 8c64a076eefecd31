"""Shipments and border events (customs)."""

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from app import flows
from app.auth.deps import CurrentUser, CustomsUser, LawEnforcementUser
from app.core.db import SessionDep
from app.core.fields import CasNumber, CountryCode
from app.core.headers import locate
from app.core.pagination import Cursor, Limit, ListResponse
from app.core.problems import problem_responses
from app.shipments import controlled, service
from app.shipments.deps import LockedShipmentDep, ShipmentDep
from app.shipments.schemas import (
    ControlledDeliveryDetail,
    ControlledDeliveryEnd,
    ControlledDeliveryPublic,
    ControlledDeliveryStart,
    EventCreate,
    ShipmentCreate,
    ShipmentDetail,
    ShipmentPublic,
)
from app.shipments.states import ShipmentStatus

router = APIRouter(
    prefix="/shipments",
    tags=["shipments"],
    responses=problem_responses(401),
)


@router.post(
    "",
    response_model=ShipmentDetail,
    status_code=201,
    responses=problem_responses(400, 403, 409, 422),
    summary="Record a shipment",
)
def create_shipment(
    data: ShipmentCreate,
    session: SessionDep,
    customs: CustomsUser,
    request: Request,
    response: Response,
) -> ShipmentDetail:
    """Record a customs declaration for a shipment whose route includes the caller's country."""
    shipment = flows.record_shipment(session, customs, data)
    locate(response, request, "get_shipment", shipment_id=shipment.id)
    return service.to_detail(session, customs, shipment, events=[])


@router.get("", response_model=ListResponse[ShipmentPublic], summary="List shipments")
def list_shipments(
    session: SessionDep,
    principal: CurrentUser,
    status: ShipmentStatus | None = None,
    exporting_country: CountryCode | None = None,
    importing_country: CountryCode | None = None,
    substance: CasNumber | None = None,
    pen_reference: Annotated[str | None, Query(max_length=32)] = None,
    customs_reference: Annotated[str | None, Query(max_length=64)] = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> dict:
    """Shipments on routes through the caller's country (all, for admins and analysts)."""
    page = service.list_shipments(
        session,
        principal,
        status=status,
        exporting_country=exporting_country,
        importing_country=importing_country,
        substance=substance,
        pen_reference=pen_reference,
        customs_reference=customs_reference,
        limit=limit,
        cursor=cursor,
    )
    return {"items": [service.to_public(s) for s in page.items], "next_cursor": page.next_cursor}


@router.get(
    "/{shipment_id}",
    response_model=ShipmentDetail,
    responses=problem_responses(404),
    summary="Get a shipment",
)
def get_shipment(
    shipment: ShipmentDep, session: SessionDep, principal: CurrentUser
) -> ShipmentDetail:
    """One shipment with its events and the notified quantity beside the observed one."""
    return service.to_detail(session, principal, shipment)


@router.post(
    "/{shipment_id}/events",
    response_model=ShipmentDetail,
    status_code=201,
    responses=problem_responses(400, 403, 404, 409, 422),
    summary="Record a border event",
)
def record_event(
    data: EventCreate,
    shipment: LockedShipmentDep,
    session: SessionDep,
    customs: CustomsUser,
    request: Request,
    response: Response,
) -> ShipmentDetail:
    """Record an event at the caller's border: cleared, departed, transit, arrived, stopped…
    The answer is the shipment with its events (where `Location` points)."""
    history = flows.record_shipment_event(session, customs, shipment, data)
    locate(response, request, "get_shipment", shipment_id=shipment.id)
    return service.to_detail(session, customs, shipment, events=history)


@router.post(
    "/{shipment_id}/controlled-delivery",
    response_model=ControlledDeliveryPublic,
    status_code=201,
    responses=problem_responses(400, 403, 404, 409, 422),
    summary="Put a shipment under controlled delivery",
)
def start_controlled_delivery(
    data: ControlledDeliveryStart,
    shipment: LockedShipmentDep,
    session: SessionDep,
    officer: LawEnforcementUser,
    request: Request,
    response: Response,
) -> ControlledDeliveryPublic:
    """Law enforcement of a route country lets the shipment run under the supervision of the
    participating authorities: until it ends, automatic alerts about the shipment reach only
    them, and other readers see the shipment without these details."""
    delivery = controlled.start(session, officer, shipment, data)
    locate(response, request, "get_controlled_delivery", shipment_id=shipment.id)
    return ControlledDeliveryPublic.model_validate(delivery)


@router.post(
    "/{shipment_id}/controlled-delivery/end",
    response_model=ControlledDeliveryPublic,
    responses=problem_responses(403, 404, 422),
    summary="End a controlled delivery",
)
def end_controlled_delivery(
    data: ControlledDeliveryEnd,
    shipment: LockedShipmentDep,
    session: SessionDep,
    officer: LawEnforcementUser,
) -> ControlledDeliveryPublic:
    """End the shipment's controlled delivery: what follows is routed as usual again."""
    return ControlledDeliveryPublic.model_validate(controlled.end(session, officer, shipment, data))


@router.get(
    "/{shipment_id}/controlled-delivery",
    response_model=ControlledDeliveryDetail,
    responses=problem_responses(404),
    summary="Get a controlled delivery",
)
def get_controlled_delivery(
    shipment: ShipmentDep, session: SessionDep, principal: CurrentUser
) -> ControlledDeliveryDetail:
    """The shipment's latest controlled delivery with its audit trail (participants only; 404
    for everyone else)."""
    return controlled.detail(
        session, controlled.get_for_participant_or_raise(session, principal, shipment)
    )
