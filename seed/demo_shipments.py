"""Shipments and their journeys: border events whose replay gives the stored status."""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from app.shipments.models import Shipment, ShipmentEvent, ShipmentRouteCountry
from app.shipments.service import route_roles
from app.shipments.states import EventType, ShipmentStatus, next_status
from seed.demo_common import Context, Party, container_id
from seed.demo_world import AA, BORDER_POINTS, CARRIERS, CONTAINER_OWNERS, COUNTRIES, customs_id

# Days per leg of the journey, by mode of transport.
LEG_DAYS = {
    "sea": (6.0, 18.0),
    "rail": (2.0, 7.0),
    "road": (1.0, 4.0),
    "multimodal": (3.0, 10.0),
    "air": (0.1, 1.0),
}


@dataclass
class Event:
    type: EventType
    country: str
    at: datetime
    location: str | None = None
    quantity: Decimal | None = None
    note: str | None = None


@dataclass
class ShipmentPlan:
    exporting: str
    importing: str
    transit: tuple[str, ...]
    exporter: Party
    importer: Party
    consignee: Party | None
    cas: str
    quantity: Decimal
    unit: str
    mode: str
    means_of_payment: str | None
    departure: date
    pen: dict[str, Any] | None = None
    declared_hs_code: str | None = None
    declared_description: str | None = None
    recorded_country: str | None = None
    customs_reference: str | None = None
    created_at: datetime | None = None
    events: list[Event] = field(default_factory=list)
    # What happens on the way: None, "stopped", "released", "seized"; where: a route role.
    incident: str | None = None
    incident_at: str = "importing"
    observed_factor: Decimal | None = None
    incident_note: str | None = None
    # The planted diversion pattern this shipment belongs to (ground truth), if any.
    planted: str | None = None


def replay(events: list[Event]) -> ShipmentStatus:
    """The status the API would store after recording `events` in order."""
    status = ShipmentStatus.DECLARED
    before_stop: ShipmentStatus | None = None
    for event in events:
        if event.type == EventType.STOPPED and status != ShipmentStatus.STOPPED:
            before_stop = status
        status = next_status(status, event.type, before_stop)
    return status


def _location(country: str, plan: ShipmentPlan, role: str) -> str:
    if role == "importing" and plan.pen is not None:
        return str(plan.pen["expected_point_of_entry"])
    if role in ("exporting", "importing"):
        return COUNTRIES[country][3]
    return BORDER_POINTS.get(country, f"{COUNTRIES.get(country, (country,))[0]} border")


def journey(ctx: Context, plan: ShipmentPlan) -> list[Event]:
    """Border events from export clearance to import clearance, with the plan's incident."""
    low, high = LEG_DAYS[plan.mode]
    start = datetime(
        plan.departure.year, plan.departure.month, plan.departure.day, tzinfo=ctx.now.tzinfo
    ) + timedelta(hours=ctx.rng.uniform(6, 18))
    events = [Event(EventType.EXPORT_CLEARED, plan.exporting, start - timedelta(hours=10))]
    events[0].location = _location(plan.exporting, plan, "exporting")
    events.append(Event(EventType.DEPARTED, plan.exporting, start, events[0].location))
    at = start
    stages: list[tuple[str, str, int]] = [("exporting", plan.exporting, 0)]
    for country in plan.transit:
        if country not in COUNTRIES:  # no demo customs there to record anything
            at = ctx.later(at, low, high)
            continue
        at = ctx.later(at, low, high)
        place = _location(country, plan, "transit")
        events.append(Event(EventType.TRANSIT_ENTERED, country, at, place))
        stages.append(("transit", country, len(events) - 1))
        at = ctx.later(at, 0.5, 4)
        events.append(Event(EventType.TRANSIT_EXITED, country, at, place))
    at = ctx.later(at, low, high)
    place = _location(plan.importing, plan, "importing")
    events.append(Event(EventType.ARRIVED, plan.importing, at, place))
    stages.append(("importing", plan.importing, len(events) - 1))
    events.append(Event(EventType.IMPORT_CLEARED, plan.importing, ctx.later(at, 0.5, 5), place))
    if plan.incident:
        events = _with_incident(ctx, plan, events, stages)
    elif plan.observed_factor is not None:
        arrived = next(e for e in events if e.type == EventType.ARRIVED)
        arrived.quantity = (plan.quantity * plan.observed_factor).quantize(Decimal(1))
    return events


def _with_incident(
    ctx: Context, plan: ShipmentPlan, events: list[Event], stages: list[tuple[str, str, int]]
) -> list[Event]:
    """Stop the shipment at the chosen stage; then seize it, release it, or leave it held."""
    candidates = [s for s in stages if s[0] == plan.incident_at] or stages[-1:]
    _, country, index = ctx.rng.choice(candidates)
    kept = events[: index + 1]
    base = kept[-1].at
    observed = (plan.quantity * (plan.observed_factor or Decimal(1))).quantize(Decimal(1))
    place = kept[-1].location
    stop = Event(
        EventType.STOPPED, country, base + timedelta(hours=ctx.rng.uniform(1, 20)), place, observed
    )
    stop.note = plan.incident_note or "Held for inspection: documents do not match the PEN."
    kept.append(stop)
    incident = plan.incident
    if incident == "stopped" and stop.at < ctx.now - timedelta(days=21):
        # Holds do not last for months: an old one ended in a release or, for a planted
        # diversion, in a seizure (legitimate trade is never seized).
        incident = "seized" if plan.planted and ctx.chance(0.15) else "released"
    if incident == "seized":
        seized = Event(EventType.SEIZED, country, ctx.later(stop.at, 1, 10), place, observed)
        seized.note = plan.incident_note or "Seized: suspected diversion."
        kept.append(seized)
        return kept
    if incident == "released":
        released = Event(EventType.RELEASED, country, ctx.later(stop.at, 1, 6), place)
        released.note = "Released after verification with the importing authority."
        shift = released.at - base
        rest = [
            Event(e.type, e.country, e.at + shift, e.location, e.quantity)
            for e in events[index + 1 :]
        ]
        return [*kept, released, *rest]
    return kept


MORE_THAN_NOTIFIED = "more than notified"


def expired_by(day: date, *parties: Party | None) -> bool:
    """Some demo operators trade on a licence that has run out (a planted red flag)."""
    return any(
        p is not None and p.licence_valid_until is not None and p.licence_valid_until < day
        for p in parties
    )


def write_shipment(ctx: Context, plan: ShipmentPlan) -> str:
    """Write the shipment, its route and the events that have happened by now."""
    events = [e for e in (plan.events or journey(ctx, plan)) if e.at <= ctx.now]
    status = replay(events)
    recorded = plan.recorded_country or plan.exporting
    if plan.created_at is not None:
        created = plan.created_at
    elif events:
        created = events[0].at - timedelta(days=ctx.rng.uniform(0.5, 3))
    else:
        created = min(ctx.now - timedelta(hours=1), ctx.later(ctx.now, -6, -0.1))
    shipment_id = ctx.ids(created)
    if plan.planted == MORE_THAN_NOTIFIED and not any(e.quantity for e in events):
        plan.planted = None  # the excess is not observed yet: nothing planted to find
    if not plan.planted and expired_by(created.date(), plan.importer, plan.consignee):
        plan.planted = "licence expired by dispatch"
    if plan.planted:
        ctx.truth[("shipment", shipment_id)] = plan.planted
    reference = plan.customs_reference or _customs_reference(ctx, recorded, created)
    substance_hs = ctx.hs_codes[plan.cas]
    updated = max([created, *(e.at + timedelta(minutes=7) for e in events)])
    ctx.writer.add(
        Shipment,
        {
            "id": shipment_id,
            "customs_reference": reference,
            "recorded_country": recorded,
            "notification_id": plan.pen["id"] if plan.pen else None,
            "pen_reference": plan.pen["reference"] if plan.pen else None,
            "status": status.value,
            "exporting_country": plan.exporting,
            "importing_country": plan.importing,
            "transit_countries": list(plan.transit),
            "exporter_id": plan.exporter.id,
            "importer_id": plan.importer.id,
            "consignee_id": plan.consignee.id if plan.consignee else None,
            "cas_number": plan.cas,
            "declared_hs_code": plan.declared_hs_code or substance_hs,
            "declared_description": plan.declared_description or ctx.names[plan.cas],
            "quantity": plan.quantity,
            "unit": plan.unit,
            "quantity_kg": ctx.kg(plan.cas, plan.quantity, plan.unit),
            "mode_of_transport": plan.mode,
            "means_of_payment": plan.means_of_payment,
            "carrier": ctx.rng.choice(CARRIERS),
            "container_ids": _containers(ctx, plan),
            "departure_date": plan.departure,
            "recorded_by_user_id": ctx.user(customs_id(recorded)),
            "created_at": created,
            "updated_at": updated,
        },
    )
    roles = route_roles(plan.exporting, plan.importing, list(plan.transit))
    for country, country_roles in roles.items():
        for role in sorted(country_roles):
            ctx.writer.add(
                ShipmentRouteCountry, {"shipment_id": shipment_id, "country": country, "role": role}
            )
    for event in events:
        recorded_at = event.at + timedelta(minutes=7)
        ctx.writer.add(
            ShipmentEvent,
            {
                "id": ctx.ids(recorded_at),
                "shipment_id": shipment_id,
                "type": event.type.value,
                "country": event.country,
                "occurred_at": event.at,
                "location": event.location,
                "quantity_observed": event.quantity,
                "unit": plan.unit if event.quantity is not None else None,
                "quantity_observed_kg": ctx.kg(plan.cas, event.quantity, plan.unit)
                if event.quantity is not None
                else None,
                "note": event.note,
                "recorded_by_user_id": ctx.user(customs_id(event.country)),
                "created_at": recorded_at,
                # The shipment's route, substance and notification (as app/shipments copies them).
                "exporting_country": plan.exporting,
                "importing_country": plan.importing,
                "transit_countries": list(plan.transit),
                "cas_number": plan.cas,
                "notification_id": plan.pen["id"] if plan.pen else None,
            },
        )
    return shipment_id


def _customs_reference(ctx: Context, country: str, created: datetime) -> str:
    """An MRN-like number: year, country, running sequence."""
    number = ctx.customs_sequence.get(country, 0) + 1
    ctx.customs_sequence[country] = number
    return f"{created:%y}{country}{number:012d}"


def _containers(ctx: Context, plan: ShipmentPlan) -> list[str]:
    if plan.mode not in ("sea", "multimodal", "rail"):
        return []
    kg = ctx.kg(plan.cas, plan.quantity, plan.unit)
    count = max(1, min(12, int(kg // 20000) + 1))
    owner = ctx.rng.choice(CONTAINER_OWNERS)
    return [container_id(owner, ctx.rng.randrange(1_000_000)) for _ in range(count)]


def misdeclared(ctx: Context, plan: ShipmentPlan) -> ShipmentPlan:
    """The classic: acetic anhydride declared as glacial acetic acid (HS 2915.21)."""
    if plan.cas == AA:
        plan.declared_hs_code = "2915.21"
        plan.declared_description = "Acetic acid glacial"
        plan.planted = plan.planted or "mis-declared as acetic acid"
    return plan
