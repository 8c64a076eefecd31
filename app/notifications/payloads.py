"""A PEN as it leaves this node: the payload of its events (alerts, webhooks, the overdue scan)
and the whole document a peer node receives when it is sent (Article 12(10)(a))."""

from datetime import date
from decimal import Decimal
from typing import Any, Self

from pydantic import BaseModel

from app.notifications.models import PreExportNotification
from app.operators.models import Operator


class Consignment(BaseModel):
    """What moves and between whom: as a PEN notifies it and as a shipment declares it."""

    id: str
    status: str
    substance: str
    quantity: Decimal
    unit: str
    quantity_kg: Decimal
    exporter_id: str
    importer_id: str
    consignee_id: str | None
    mode_of_transport: str


class PenPayload(Consignment):
    """What an event about a PEN says of it."""

    reference: str
    decision: str | None
    expected_dispatch_date: date
    expected_point_of_entry: str
    means_of_payment: str
    reply_by: date | None
    # The complete PEN, where given (the invoice is a commercial term: `confidential` drops it).
    form: str | None = None
    concentration_percent: Decimal | None = None
    quantity_base_kg: Decimal | None = None
    point_of_exit: str | None = None
    expected_arrival_date: date | None = None
    final_destination_country: str | None = None
    invoice: dict[str, Any] | None = None
    voluntary: bool = False

    @classmethod
    def of(cls, pen: PreExportNotification) -> Self:
        return cls(**pen.model_dump(exclude={"cas_number"}), substance=pen.cas_number)

    def data(self, **extra: Any) -> dict[str, Any]:
        """The payload as stored with the event (JSON values), with `extra` keys added."""
        return {**self.model_dump(mode="json"), **extra}


class PartyDocument(BaseModel):
    """An operator named in a PEN, as the receiving node registers it."""

    name: str
    country: str
    address: str
    kind: str | None = None
    registration_number: str | None = None
    licence_number: str | None = None

    @classmethod
    def of(cls, operator: Operator | None) -> Self | None:
        return None if operator is None else cls.model_validate(operator, from_attributes=True)


class PenDocument(BaseModel):
    """The notification itself, with its parties' names and addresses, for the importing
    side's node."""

    reference: str
    exporting_country: str
    importing_country: str
    transit_countries: list[str] = []
    exporter: PartyDocument
    importer: PartyDocument
    consignee: PartyDocument | None = None
    substance: str
    quantity: Decimal
    unit: str
    expected_dispatch_date: date
    expected_point_of_entry: str
    mode_of_transport: str
    means_of_payment: str
    intended_use: str | None = None
    reply_by: date | None = None
    import_authorisation: dict[str, Any] | None = None
    export_authorisation: dict[str, Any] | None = None
    form: str | None = None
    concentration_percent: Decimal | None = None
    packages: list[dict[str, Any]] | None = None
    point_of_exit: str | None = None
    expected_arrival_date: date | None = None
    itinerary: list[dict[str, Any]] | None = None
    final_destination_country: str | None = None
    invoice: dict[str, Any] | None = None
    valid_until: date | None = None
    other_information: dict[str, Any] | None = None
    # Brokers, forwarders and other parties, by name and address (operator ids are local).
    parties: list[dict[str, Any]] | None = None

    @classmethod
    def of(
        cls,
        pen: PreExportNotification,
        exporter: Operator,
        importer: Operator,
        consignee: Operator | None,
        parties: list[tuple[str, Operator]] | None = None,
    ) -> Self:
        return cls(
            **pen.model_dump(exclude={"cas_number", "parties"}),
            substance=pen.cas_number,
            exporter=PartyDocument.of(exporter),
            importer=PartyDocument.of(importer),
            consignee=PartyDocument.of(consignee),
            parties=[
                {"role": role, **PartyDocument.model_validate(o, from_attributes=True).model_dump()}
                for role, o in parties or []
            ]
            or None,
        )
