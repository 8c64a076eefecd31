"""Path ids loaded into shipments (404 when invisible to the caller)."""

from typing import Annotated

from fastapi import Depends

from app.auth.deps import CurrentUser
from app.core.db import SessionDep
from app.shipments.models import Shipment
from app.shipments.service import get_shipment_or_raise


def load_shipment(shipment_id: str, session: SessionDep, principal: CurrentUser) -> Shipment:
    return get_shipment_or_raise(session, principal, shipment_id)


def lock_shipment(shipment_id: str, session: SessionDep, principal: CurrentUser) -> Shipment:
    return get_shipment_or_raise(session, principal, shipment_id, for_update=True)


ShipmentDep = Annotated[Shipment, Depends(load_shipment)]
LockedShipmentDep = Annotated[Shipment, Depends(lock_shipment)]
