"""Incidents: recorded by the officers of the country where they happened, read by the countries
they name (at the incident's scope), by the countries asked to backtrack them, and by analysts."""

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import exists
from sqlmodel import Session, col, or_, select

from app.audit import service as audit
from app.auth.roles import OFFICERS
from app.auth.service import Principal
from app.core.ids import new_id
from app.core.pagination import Page, paginate
from app.core.types import utcnow
from app.incidents.exceptions import (
    IncidentNotFound,
    NotAllowed,
    NotYourCountry,
    UnknownLinkedRecord,
)
from app.incidents.models import (
    FROM_DECLARATION,
    NAMED_BY_RECORDER,
    BacktrackingRequest,
    ForensicSample,
    Incident,
    IncidentCountry,
    IncidentOperator,
    IncidentSubstance,
)
from app.incidents.reading import incident_countries, reading_scopes
from app.incidents.schemas import (
    IncidentCreate,
    IncidentKind,
    SampleCreate,
    SubstanceFound,
)
from app.notifications import service as notifications
from app.notifications.models import PreExportNotification
from app.operators.service import require_operators
from app.reference.exceptions import UnknownSubstance
from app.reference.models import Substance
from app.reference.quantities import MASS_FACTORS, to_kg
from app.reference.service import find_substance, quantity_in_kg, require_countries
from app.shipments import service as shipments
from app.shipments.models import Shipment, ShipmentEvent

# Border events that open an incident by themselves, and the kind they open.
BORDER_EVENT_KINDS = {"seized": IncidentKind.SEIZURE, "stopped": IncidentKind.STOPPED_SHIPMENT}


def require_officer(principal: Principal, what: str) -> None:
    if principal.role not in OFFICERS:
        raise NotAllowed(f"Only regulators, customs and law-enforcement officers {what}.")


def _substance_rows(
    session: Session, incident_id: str, found: Iterable[SubstanceFound]
) -> list[IncidentSubstance]:
    """The chemicals found, each in kg: known substances by their density, others by mass only
    (a volume of an unlisted chemical keeps a null `quantity_kg`)."""
    rows = []
    for position, item in enumerate(found):
        known: Substance | None = (
            find_substance(session, item.cas_number) if item.cas_number else None
        )
        if item.cas_number and known is None and item.name is None:
            raise UnknownSubstance(
                f"substances[{position}]: {item.cas_number} is not a substance pentrack lists; "
                "give its name to record an unscheduled chemical."
            )
        if known is not None:
            kg: Decimal | None = quantity_in_kg(known, item.quantity, item.unit)
        elif item.unit in MASS_FACTORS:
            kg = to_kg(item.quantity, item.unit, None)
        else:
            kg = None
        rows.append(
            IncidentSubstance(
                id=new_id(),
                incident_id=incident_id,
                position=position,
                cas_number=item.cas_number,
                name=known.name if known is not None else item.name or "",
                quantity=item.quantity,
                unit=item.unit.value,
                quantity_kg=kg,
            )
        )
    return rows


def _linked(
    session: Session, principal: Principal, data: IncidentCreate
) -> tuple[Shipment | None, PreExportNotification | None]:
    """The shipment and PEN the incident cites, each readable by the caller (else 422, the same
    for one that does not exist); a PEN must have been sent (a draft is its country's alone)."""
    shipment = session.get(Shipment, data.shipment_id) if data.shipment_id else None
    if data.shipment_id and (
        shipment is None or not shipments.principal_may_read(principal, shipment)
    ):
        raise UnknownLinkedRecord(f"shipment_id: no shipment {data.shipment_id!r} visible to you.")
    pen = session.get(PreExportNotification, data.pen_id) if data.pen_id else None
    if data.pen_id and (pen is None or not notifications.principal_may_read(principal, pen)):
        raise UnknownLinkedRecord(
            f"pen_id: no pre-export notification {data.pen_id!r} visible to you."
        )
    if pen is not None and pen.sent_at is None:
        raise UnknownLinkedRecord("pen_id: a draft PEN cannot be linked until it is sent.")
    return shipment, pen


def _next_reference(session: Session, country: str, year: int) -> str:
    """`INC-DE-2026-000001`: one series per recording country and year."""
    prefix = f"INC-{country}-{year}"
    return f"{prefix}-{notifications.take_number(session, prefix):06d}"


def create_incident(session: Session, actor: Principal, data: IncidentCreate) -> Incident:
    """Record an incident in the caller's own country."""
    require_officer(actor, "record incidents")
    if data.country != actor.country:
        raise NotYourCountry(
            f"country: your authority records incidents in {actor.country}, not {data.country}."
        )
    named = [data.country, *data.transit_countries]
    named += [c for c in (data.origin_country, data.destination_country) if c]
    require_countries(session, named)
    require_operators(session, **{f"operator_ids[{i}]": o for i, o in enumerate(data.operator_ids)})
    shipment, pen = _linked(session, actor, data)
    return _store(
        session,
        actor,
        data,
        shipment_id=shipment.id if shipment else None,
        notification_id=pen.id if pen else None,
    )


def _store(
    session: Session,
    actor: Principal,
    data: IncidentCreate,
    *,
    shipment_id: str | None,
    notification_id: str | None,
    source: str = NAMED_BY_RECORDER,
) -> Incident:
    now = utcnow()
    incident_id = new_id()
    substances = _substance_rows(session, incident_id, data.substances)
    known_kg = [s.quantity_kg for s in substances if s.quantity_kg is not None]
    incident = Incident(
        id=incident_id,
        reference=_next_reference(session, data.country, now.year),
        kind=data.kind.value,
        country=data.country,
        occurred_on=data.occurred_on,
        method=data.method,
        description=data.description,
        origin_country=data.origin_country,
        transit_countries=list(data.transit_countries),
        destination_country=data.destination_country,
        shipment_id=shipment_id,
        notification_id=notification_id,
        scope=data.scope.value,
        quantity_kg=sum(known_kg, Decimal(0)) if known_kg else None,
        recorded_by_user_id=actor.user_id,
        recorded_by_authority_id=actor.authority_id,
        created_at=now,
        updated_at=now,
    )
    session.add(incident)
    session.flush()
    session.add_all(substances)
    session.add_all(
        IncidentCountry(incident_id=incident.id, country=country, role=role)
        for country, roles in incident_countries(incident).items()
        for role in roles
    )
    link_operators(session, incident.id, data.operator_ids, source)
    audit.record(
        session,
        actor,
        "incident.recorded",
        "incident",
        incident.id,
        after={
            "reference": incident.reference,
            "kind": incident.kind,
            "country": incident.country,
            "scope": incident.scope,
            "shipment_id": shipment_id,
            "quantity_kg": str(incident.quantity_kg) if incident.quantity_kg is not None else None,
        },
    )
    return incident


def link_operators(
    session: Session, incident_id: str, operator_ids: list[str], source: str
) -> None:
    """Record that these operators were seen in the incident (once each)."""
    present = set(
        session.exec(
            select(IncidentOperator.operator_id).where(IncidentOperator.incident_id == incident_id)
        ).all()
    )
    session.add_all(
        IncidentOperator(incident_id=incident_id, operator_id=o, source=source)
        for o in dict.fromkeys(operator_ids)
        if o not in present
    )


def open_from_border_event(
    session: Session, actor: Principal, shipment: Shipment, event: ShipmentEvent
) -> Incident | None:
    """The incident a `seized` or `stopped` border event opens: linked to the shipment (and to
    its PEN once sent), its route's countries and parties named, the observed quantity (else
    the declared one). None for other events."""
    kind = BORDER_EVENT_KINDS.get(event.type)
    if kind is None:
        return None
    pen = (
        session.get(PreExportNotification, shipment.notification_id)
        if shipment.notification_id
        else None
    )
    quantity, unit = (
        (event.quantity_observed, event.unit)
        if event.quantity_observed is not None and event.unit
        else (shipment.quantity, shipment.unit)
    )
    where = f" at {event.location}" if event.location else ""
    data = IncidentCreate.model_validate(
        {
            "kind": kind,
            "country": event.country,
            "occurred_on": event.occurred_at.date(),
            "substances": [{"cas_number": shipment.cas_number, "quantity": quantity, "unit": unit}],
            "description": f"Opened by the {event.type} border event on shipment "
            f"{shipment.customs_reference}{where}.",
            "origin_country": shipment.exporting_country,
            "transit_countries": shipment.transit_countries,
            "destination_country": shipment.importing_country,
            "operator_ids": [
                o for o in (shipment.exporter_id, shipment.importer_id, shipment.consignee_id) if o
            ],
        }
    )
    return _store(
        session,
        actor,
        data,
        shipment_id=shipment.id,
        notification_id=pen.id if pen is not None and pen.sent_at is not None else None,
        source=FROM_DECLARATION,
    )


def visible_to(principal: Principal) -> Any:
    """A WHERE clause selecting the incidents `principal` may read."""
    if principal.is_global_reader:
        return True
    if principal.country is None:
        return False
    named = exists().where(
        col(IncidentCountry.incident_id) == Incident.id,
        col(IncidentCountry.country) == principal.country,
    )
    asked = exists().where(
        col(BacktrackingRequest.incident_id) == Incident.id,
        col(BacktrackingRequest.to_country) == principal.country,
    )
    return or_(named, asked)


def get_incident_or_raise(
    session: Session, principal: Principal, incident_id: str, *, for_update: bool = False
) -> Incident:
    incident = session.get(Incident, incident_id, with_for_update=True if for_update else None)
    if incident is None or reading_scopes(session, principal, [incident])[incident.id] is None:
        raise IncidentNotFound(f"No incident with id {incident_id!r}.")
    return incident


def list_incidents(
    session: Session,
    principal: Principal,
    *,
    kind: IncidentKind | None,
    country: str | None,
    named_country: str | None,
    substance: str | None,
    date_from: date | None,
    date_to: date | None,
    limit: int,
    cursor: str | None,
) -> Page[Incident]:
    query = select(Incident).where(visible_to(principal))
    if kind is not None:
        query = query.where(Incident.kind == kind.value)
    if country is not None:
        query = query.where(Incident.country == country)
    if named_country is not None:
        named = select(IncidentCountry.incident_id).where(IncidentCountry.country == named_country)
        query = query.where(col(Incident.id).in_(named))
    if substance is not None:
        found = select(IncidentSubstance.incident_id).where(
            IncidentSubstance.cas_number == substance
        )
        query = query.where(col(Incident.id).in_(found))
    if date_from is not None:
        query = query.where(Incident.occurred_on >= date_from)
    if date_to is not None:
        query = query.where(Incident.occurred_on <= date_to)
    return paginate(session, query, col(Incident.id), limit=limit, cursor=cursor)


def add_sample(
    session: Session, actor: Principal, incident: Incident, data: SampleCreate
) -> ForensicSample:
    """A forensic sample and the laboratory's findings (the recording country's officers)."""
    require_officer(actor, "add forensic samples")
    if actor.country != incident.country:
        raise NotYourCountry("Only the recording country's authorities add samples.")
    sample = ForensicSample(
        id=new_id(),
        incident_id=incident.id,
        **data.model_dump(),
        recorded_by_user_id=actor.user_id,
        created_at=utcnow(),
    )
    session.add(sample)
    incident.updated_at = sample.created_at
    session.add(incident)
    session.flush()
    audit.record(
        session,
        actor,
        "incident.sample_added",
        "incident",
        incident.id,
        after={"sample_id": sample.id, "laboratory": sample.laboratory},
    )
    return sample
