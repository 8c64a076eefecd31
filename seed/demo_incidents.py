"""Demo incidents (issue 15): every stop and seizure of the demo opens an incident as the API
would (`flows.record_shipment_event`), a few illicit laboratories and thefts are recorded by
customs, and a share of the seizures lead to a backtracking request to the origin country,
answered or not (some overdue). Written before the flags are judged, so the rules see them
(`party-in-incident`) as they would live; rows go straight to the tables like the rest of the
demo (no alerts)."""

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlmodel import Session, col, select

from app.incidents.models import (
    FROM_DECLARATION,
    BacktrackingRequest,
    Incident,
    IncidentCountry,
    IncidentOperator,
    IncidentSubstance,
)
from app.shipments.models import Shipment, ShipmentEvent
from seed.demo_common import Context
from seed.demo_world import COUNTRIES, customs_id, regulator_id

KINDS = {"seized": "seizure", "stopped": "stopped_shipment"}
METHODS = (
    ("mis-declared as acetic acid (glacial)", 4),
    ("concealed in fuel tanks among auto parts", 2),
    ("declared under another HS code", 3),
    ("transshipment through a free zone", 2),
    (None, 3),
)
REPLY_DAYS = 30
FINDINGS = "Supplied by the exporter under a valid licence to a broker that has since closed."

# Incidents without a shipment: (country, kind, CAS, quantity, unit, days ago).
OTHERS = (
    ("AF", "illicit_laboratory", "108-24-7", "1200", "l", 40),
    ("PK", "illicit_laboratory", "108-24-7", "650", "l", 95),
    ("IR", "theft", "108-24-7", "880", "l", 150),
    ("TJ", "attempted_diversion", "108-24-7", "4400", "l", 200),
    ("DE", "theft", "7722-64-7", "500", "kg", 60),
)

MODELS = (IncidentSubstance, IncidentCountry, IncidentOperator, BacktrackingRequest)


def write_demo_incidents(ctx: Context, session: Session) -> int:
    """Incidents for the demo's stops and seizures and a few others; how many."""
    rows = session.exec(
        select(ShipmentEvent, Shipment)
        .join(Shipment, col(Shipment.id) == ShipmentEvent.shipment_id)
        .where(col(ShipmentEvent.type).in_(KINDS))
        .order_by(col(ShipmentEvent.occurred_at), col(ShipmentEvent.id))
    ).all()
    written = 0
    for event, shipment in rows:
        quantity, unit = (
            (event.quantity_observed, event.unit)
            if event.quantity_observed is not None and event.unit
            else (shipment.quantity, shipment.unit)
        )
        incident = _incident(
            ctx,
            kind=KINDS[event.type],
            country=event.country,
            at=event.occurred_at,
            cas=shipment.cas_number,
            quantity=quantity,
            unit=unit,
            origin=shipment.exporting_country,
            transit=list(shipment.transit_countries),
            destination=shipment.importing_country,
            operators=[
                o for o in (shipment.exporter_id, shipment.importer_id, shipment.consignee_id) if o
            ],
            shipment_id=shipment.id,
            description=f"Opened by the {event.type} border event on shipment "
            f"{shipment.customs_reference}.",
        )
        abroad = incident["origin_country"] != incident["country"]
        if incident["kind"] == "seizure" and abroad and ctx.chance(0.6):
            _backtracking(ctx, incident)
        written += 1
    for country, kind, cas, amount, measure, days in OTHERS:
        if country not in COUNTRIES:
            continue
        _incident(
            ctx,
            kind=kind,
            country=country,
            at=ctx.now - timedelta(days=days),
            cas=cas,
            quantity=Decimal(amount),
            unit=measure,
            origin=None,
            transit=[],
            destination=None,
            operators=[],
            shipment_id=None,
            description="Recorded by customs from a police report (demo).",
        )
        written += 1
    return written


def _incident(
    ctx: Context,
    *,
    kind: str,
    country: str,
    at: datetime,
    cas: str,
    quantity: Decimal,
    unit: str,
    origin: str | None,
    transit: list[str],
    destination: str | None,
    operators: list[str],
    shipment_id: str | None,
    description: str,
) -> dict[str, Any]:
    prefix = f"INC-{country}-{at.year}"
    number = ctx.references.get(prefix, 0) + 1
    ctx.references[prefix] = number
    kg = ctx.kg(cas, quantity, unit)
    incident = {
        "id": ctx.ids(at),
        "reference": f"{prefix}-{number:06d}",
        "kind": kind,
        "country": country,
        "occurred_on": at.date(),
        "method": ctx.pick(METHODS) if kind == "seizure" else None,
        "description": description,
        "origin_country": origin,
        "transit_countries": transit,
        "destination_country": destination,
        "shipment_id": shipment_id,
        "notification_id": None,
        "scope": "full",
        "quantity_kg": kg,
        "recorded_by_user_id": ctx.user(customs_id(country)),
        "recorded_by_authority_id": customs_id(country),
        "created_at": at,
        "updated_at": at,
    }
    ctx.writer.add(Incident, incident)
    ctx.writer.add(
        IncidentSubstance,
        {
            "id": ctx.ids(at),
            "incident_id": incident["id"],
            "position": 0,
            "cas_number": cas,
            "name": ctx.names[cas],
            "quantity": quantity,
            "unit": unit,
            "quantity_kg": kg,
        },
    )
    roles = {(country, "recording"), *((c, "transit") for c in transit)}
    roles |= {(c, r) for c, r in ((origin, "origin"), (destination, "destination")) if c}
    for named, role in sorted(roles):
        ctx.writer.add(
            IncidentCountry, {"incident_id": incident["id"], "country": named, "role": role}
        )
    for operator in dict.fromkeys(operators):
        ctx.writer.add(
            IncidentOperator,
            {"incident_id": incident["id"], "operator_id": operator, "source": FROM_DECLARATION},
        )
    return incident


def _backtracking(ctx: Context, incident: dict[str, Any]) -> None:
    asked = incident["created_at"] + timedelta(days=ctx.rng.randint(1, 10))
    if asked > ctx.now:
        return
    reply_by = asked.date() + timedelta(days=REPLY_DAYS)
    answered_at = ctx.later(asked, 3, 45)
    answered = answered_at < ctx.now and ctx.chance(0.7)
    origin = incident["origin_country"]
    ctx.writer.add(
        BacktrackingRequest,
        {
            "id": ctx.ids(asked),
            "incident_id": incident["id"],
            "from_country": incident["country"],
            "from_authority_id": incident["recorded_by_authority_id"],
            "to_country": origin,
            "question": "Who supplied this consignment, and under which export authorisation?",
            "scope": "full",
            "status": "answered" if answered else "open",
            "reply_by": reply_by,
            "findings": FINDINGS if answered else None,
            "answer_operator_ids": [],
            "answered_at": answered_at if answered else None,
            "answered_by_authority_id": regulator_id(origin) if answered else None,
            "requested_by_user_id": incident["recorded_by_user_id"],
            "created_at": asked,
            "updated_at": answered_at if answered else asked,
        },
    )
