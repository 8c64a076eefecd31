"""Path ids loaded into deliveries (admin; 404 when unknown)."""

from typing import Annotated

from fastapi import Depends

from app.auth.deps import AdminUser
from app.core.db import SessionDep
from app.delivery import service
from app.delivery.models import Delivery


def load_delivery(delivery_id: str, session: SessionDep, _: AdminUser) -> Delivery:
    return service.get_delivery_or_raise(session, delivery_id)


DeliveryDep = Annotated[Delivery, Depends(load_delivery)]
