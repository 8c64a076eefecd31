"""INCB-style summary of what happened to shipments: by status, stops and seizures, and the
observed-vs-notified quantity gaps; each query composed from app/dashboard/figures.py."""

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import case, func, literal, null, select
from sqlmodel import Session

from app.dashboard.figures import (
    EVENT,
    INTERDICTIONS,
    PEN,
    SHIPMENT,
    Scope,
    interdiction_quantity,
    interdictions,
    interdictions_in,
    latest_observations,
    shipments_declared,
)
from app.dashboard.names import Names, dialect_of, names
from app.dashboard.schemas import (
    Applied,
    GapTotals,
    Interdiction,
    QuantityGap,
    ShipmentSummary,
    ShipmentTotals,
    StatusCount,
)
from app.dashboard.tally import Tally, as_decimal, rounded
from app.shipments.states import ShipmentStatus

GAP_ROWS = 200


@dataclass
class _Shipments:
    totals: ShipmentTotals
    statuses: dict[str, Tally]
    interdictions: list[Interdiction]


def _shipments(
    session: Session, dialect: str, scope: Scope, lookup: Names, *, table: bool = True
) -> _Shipments:
    """Shipments by status, and stops and seizures (`table`: by country, origin and substance;
    else their totals alone): everything but the quantity gaps."""
    s = SHIPMENT.c
    rows = session.execute(
        select(s.status, s.cas_number, func.count(), func.sum(s.quantity_kg))
        .where(*shipments_declared(dialect, scope))
        .group_by(s.status, s.cas_number)
    ).all()
    total = Tally()
    statuses: dict[str, Tally] = {status.value: Tally() for status in ShipmentStatus}
    for status, cas, n, kg in rows:
        density = lookup.densities.get(cas)
        for tally in (total, statuses.setdefault(status, Tally())):
            tally.add(n, kg, cas, density)
    if table:
        found, (distinct_counts, seized_kg) = _interdictions(session, dialect, scope, lookup)
    else:
        found, (distinct_counts, seized_kg) = [], _interdiction_totals(session, dialect, scope)
    totals = ShipmentTotals(
        shipments=total.n,
        quantity_kg=total.kg_out,
        quantity_l=total.litres_out,
        stopped=distinct_counts.get("stopped", 0),
        seized=distinct_counts.get("seized", 0),
        seized_kg=float(seized_kg),
    )
    return _Shipments(totals, statuses, found)


def shipment_totals(session: Session, scope: Scope) -> ShipmentTotals:
    """The shipments summary's totals alone (the headline figures need no quantity gaps)."""
    return _shipments(session, dialect_of(session), scope, names(session), table=False).totals


def shipment_summary(session: Session, scope: Scope, applied: Applied) -> ShipmentSummary:
    """Shipments by status; stops and seizures by country, substance and origin; quantity gaps."""
    dialect = dialect_of(session)
    found = _shipments(session, dialect, scope, names(session))
    gap_totals, gaps = _gaps(session, dialect, scope)
    return ShipmentSummary(
        filters=applied,
        totals=found.totals,
        by_status=[
            StatusCount(status=status, shipments=t.n, quantity_kg=t.kg_out, quantity_l=t.litres_out)
            for status, t in found.statuses.items()
        ],
        stopped_and_seized=found.interdictions,
        gap_totals=gap_totals,
        gaps=gaps,
    )


def _per_shipment(
    dialect: str, scope: Scope, *, by_origin: bool, types: tuple[str, ...] = INTERDICTIONS
) -> Any:
    """Stops and seizures, each shipment once per (type, country) with its largest quantity."""
    e = EVENT.c
    keys = [e.type.label("event_type"), e.country, e.shipment_id]
    if by_origin:
        keys += [e.exporting_country, e.cas_number]
    return (
        select(*keys, func.max(interdiction_quantity()).label("quantity_kg"))
        .where(*interdictions_in(dialect, scope, types))
        .group_by(*keys)
    )


# Per type, the distinct shipments stopped (or seized) and the seized quantity: a shipment
# stopped in two countries is one stopped shipment; its seized quantity is its largest per country.
_InterdictionTotals = tuple[dict[str, int], Decimal]


def _totals_of(per_shipment: Any) -> Any:
    p = per_shipment.c
    return select(
        p.event_type,
        func.count(p.shipment_id.distinct()).label("shipments"),
        func.sum(p.quantity_kg).label("quantity_kg"),
    ).group_by(p.event_type)


def _add_totals(totals: _InterdictionTotals, event: str, n: int, kg: Any) -> _InterdictionTotals:
    counts, seized_kg = totals
    return {**counts, event: int(n)}, as_decimal(kg) if event == "seized" else seized_kg


def _interdiction_totals(session: Session, dialect: str, scope: Scope) -> _InterdictionTotals:
    """The totals alone, in two short statements: the distinct shipments per type straight from
    the events (the same count as through the per-country rows), and the seized quantity from
    the seizures alone, each shipment once per country with its largest quantity."""
    o = interdictions(dialect, scope, by_origin=False).subquery("interdiction").c
    counts = {
        event: int(n)
        for event, n in session.execute(
            select(o.event_type, func.count(o.shipment_id.distinct())).group_by(o.event_type)
        )
    }
    seized = _per_shipment(dialect, scope, by_origin=False, types=("seized",)).subquery("seized")
    seized_kg = session.execute(select(func.sum(seized.c.quantity_kg))).scalar_one()
    return counts, as_decimal(seized_kg)


def _interdiction_query(dialect: str, scope: Scope) -> Any:
    """Stops and seizures grouped per (type, country, origin, substance), each shipment once per
    (type, country) with its largest quantity (`part` 1); and per type their totals (`part` 2,
    no country): the events are read once for both."""
    per_shipment = _per_shipment(dialect, scope, by_origin=True).cte("per_shipment")
    p = per_shipment.c
    keys = (p.event_type, p.country, p.exporting_country, p.cas_number)
    table = select(literal(1).label("part"), *keys, func.count(), func.sum(p.quantity_kg))
    totals = _totals_of(per_shipment).subquery("totals").c
    return table.group_by(*keys).union_all(
        select(
            literal(2),
            totals.event_type,
            null(),
            null(),
            null(),
            totals.shipments,
            totals.quantity_kg,
        )
    )


def _interdictions(
    session: Session, dialect: str, scope: Scope, lookup: Names
) -> tuple[list[Interdiction], _InterdictionTotals]:
    """Shipments stopped or seized in the period, per event country, substance and origin, and
    their totals.

    A shipment stopped twice in one country counts once there; its quantity is the largest
    quantity observed at those events, or the declared quantity when none was observed."""
    found = []
    totals: _InterdictionTotals = ({}, Decimal(0))
    for part, event, country, origin, cas, n, kg in session.execute(
        _interdiction_query(dialect, scope)
    ):
        if part == 2:
            totals = _add_totals(totals, event, n, kg)
            continue
        tally = Tally()
        tally.add(n, kg, cas, lookup.densities.get(cas))
        found.append(
            Interdiction(
                event=event,
                country=country,
                country_name=lookup.country(country),
                origin=origin,
                cas_number=cas,
                substance=lookup.substance(cas),
                shipments=tally.n,
                quantity_kg=tally.kg_out,
                quantity_l=tally.litres_out,
            )
        )
    found.sort(key=lambda x: (x.event, -x.quantity_kg, x.country, x.origin, x.cas_number))
    return found, totals


def _gap_query(dialect: str, scope: Scope) -> Any:
    """Observed against notified quantities in one statement, the observations read once: their
    totals (`part` 1: shipments observed, declared ≠ notified, observed ≠ notified, kg above and
    below notified) and the `GAP_ROWS` largest gaps, described (`part` 2)."""
    latest = latest_observations(dialect, scope).cte("latest")
    o = latest.c
    gap = o.observed_kg - o.notified_kg

    def count_of(condition: Any) -> Any:
        return func.sum(case((condition, 1), else_=0))

    totals = select(
        literal(1).label("part"),
        *(null() for _ in range(6)),
        func.count(),
        count_of(o.declared_kg != o.notified_kg),
        count_of(gap != 0),
        func.sum(case((gap > 0, gap), else_=0)),
        func.sum(case((gap < 0, -gap), else_=0)),
    ).select_from(latest)
    largest = (
        select(o.shipment_id, o.notified_kg, o.declared_kg, o.observed_kg)
        .where(gap != 0)
        .order_by(func.abs(gap).desc(), o.shipment_id)
        .limit(GAP_ROWS)
        .subquery("largest")
    )
    g, s, p = largest.c, SHIPMENT.c, PEN.c
    described = (
        select(
            literal(2),
            g.shipment_id,
            s.customs_reference,
            p.reference,
            s.exporting_country,
            s.importing_country,
            s.cas_number,
            g.notified_kg,
            g.declared_kg,
            g.observed_kg,
            null(),
            null(),
        )
        .select_from(largest)
        .join(SHIPMENT, s.id == g.shipment_id)
        .join(PEN, p.id == s.notification_id)
    )
    return totals.union_all(described)


def _gaps(session: Session, dialect: str, scope: Scope) -> tuple[GapTotals, list[QuantityGap]]:
    """Observed against notified quantities, for shipments citing a PEN: the totals, and the
    largest gaps (the observation compared is the shipment's latest recorded one, counted in the
    period in which it occurred), added up and chosen by the database (a year holds thousands
    of observations; only the largest gaps come back)."""
    rows = session.execute(_gap_query(dialect, scope)).all()
    # Part 1 is one row whatever the period holds (an aggregate with no GROUP BY).
    (total,) = [row for row in rows if row[0] == 1]
    totals = GapTotals(
        shipments_observed=int(total[7] or 0),
        declared_differs=int(total[8] or 0),
        observed_differs=int(total[9] or 0),
        observed_excess_kg=rounded(as_decimal(total[10])) or 0.0,
        observed_shortfall_kg=rounded(as_decimal(total[11])) or 0.0,
    )
    gaps = sorted(
        (_gap(row) for row in rows if row[0] == 2),
        key=lambda x: (-abs(x.observed_minus_notified_kg or 0.0), x.shipment_id),
    )
    return totals, gaps


def _gap(row: Any) -> QuantityGap:
    notified, declared, observed = (as_decimal(v) for v in row[7:10])
    return QuantityGap(
        shipment_id=row[1],
        customs_reference=row[2],
        pen_reference=row[3],
        exporting_country=row[4],
        importing_country=row[5],
        cas_number=row[6],
        notified_kg=float(notified),
        declared_kg=float(declared),
        observed_kg=float(observed),
        declared_minus_notified_kg=float(declared - notified),
        observed_minus_notified_kg=float(observed - notified),
    )
