"""An incident and a backtracking request as they leave this node: the payloads of their events
(alerts, webhooks, peers). Sharing scopes cut them (app/incidents/scopes.py)."""

from datetime import date
from typing import Any, Self

from pydantic import BaseModel
from sqlmodel import Session

from app.incidents import reading
from app.incidents.models import BacktrackingRequest, Incident
from app.incidents.schemas import IncidentSubstancePublic, OperatorNamed


class IncidentPayload(BaseModel):
    """What an event about an incident says of it."""

    id: str
    reference: str
    kind: str
    country: str
    occurred_on: date
    substances: list[IncidentSubstancePublic]
    quantity_kg: float | None
    method: str | None
    description: str | None
    origin_country: str | None
    transit_countries: list[str]
    destination_country: str | None
    operators: list[OperatorNamed]
    operator_ids: list[str]
    shipment_id: str | None
    pen_id: str | None
    scope: str

    @classmethod
    def of(cls, session: Session, incident: Incident) -> Self:
        operators = reading.operators_of(session, incident.id)
        substances = reading.substances_of(session, incident.id)
        return cls(
            **incident.model_dump(exclude={"quantity_kg"}),
            quantity_kg=float(incident.quantity_kg) if incident.quantity_kg is not None else None,
            substances=[IncidentSubstancePublic.model_validate(s) for s in substances],
            operators=[OperatorNamed(id=o.id, name=o.name, country=o.country) for o in operators],
            operator_ids=sorted(o.id for o in operators),
            pen_id=incident.notification_id,
        )

    def data(self) -> dict[str, Any]:
        return self.model_dump(mode="json")


class BacktrackingPayload(BaseModel):
    """What an event about a backtracking request says: the request, and the incident as far
    as the request's scope lets the addressed country read it (the routing cuts it)."""

    id: str
    status: str
    from_country: str
    to_country: str
    question: str
    reply_by: date
    scope: str
    findings: str | None
    operator_ids: list[str]
    incident: IncidentPayload

    @classmethod
    def of(cls, session: Session, request: BacktrackingRequest) -> Self:
        incident = session.get(Incident, request.incident_id)
        assert incident is not None  # incidents are never deleted
        return cls(
            **request.model_dump(exclude={"answer_operator_ids"}),
            operator_ids=request.answer_operator_ids,
            incident=IncidentPayload.of(session, incident),
        )

    def data(self, **extra: Any) -> dict[str, Any]:
        return {**self.model_dump(mode="json"), **extra}
