"""A shipment as it leaves this node: the payload of its events (alerts, webhooks, peers)."""

from datetime import datetime
from decimal import Decimal
from typing import Any, Self

from pydantic import BaseModel

from app.notifications.payloads import Consignment
from app.shipments.models import Shipment, ShipmentEvent


class BorderEventPayload(BaseModel):
    """A border event that partners hear of (a stop, a seizure, a release)."""

    type: str
    country: str
    occurred_at: datetime
    location: str | None
    quantity_observed_kg: Decimal | None
    note: str | None

    @classmethod
    def of(cls, event: ShipmentEvent) -> Self:
        return cls.model_validate(event, from_attributes=True)


class ShipmentPayload(Consignment):
    """What an event about a shipment says of it."""

    customs_reference: str
    pen_reference: str | None
    declared_hs_code: str
    declared_description: str | None
    means_of_payment: str | None
    carrier: str | None
    container_ids: list[str]
    event: BorderEventPayload | None = None

    @classmethod
    def of(cls, shipment: Shipment, event: ShipmentEvent | None = None) -> Self:
        return cls(
            **shipment.model_dump(exclude={"cas_number"}),
            substance=shipment.cas_number,
            event=BorderEventPayload.of(event) if event is not None else None,
        )

    @classmethod
    def of_row(cls, row: dict[str, Any]) -> Self:
        """`of` for a shipment's row as written (the columns of `shipment`)."""
        return cls(
            **{k: v for k, v in row.items() if k != "cas_number"}, substance=row["cas_number"]
        )

    def data(self) -> dict[str, Any]:
        """The payload as stored with the event (JSON values); `event` only when there is one."""
        return self.model_dump(mode="json", exclude={"event"} if self.event is None else None)
