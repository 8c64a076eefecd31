"""INCB-style summary of what happened to shipments: by status, stops and seizures, and the
observed-vs-notified quantity gaps; each query composed from app/dashboard/figures.py."""

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import case, func, literal, select
from sqlmodel import Session

from app.dashboard.figures import (
    PEN,
    SHIPMENT,
    Scope,
    interdictions,
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


def _shipments(session: Session, dialect: str, scope: Scope, lookup: Names) -> _Shipments:
    """Shipments by status, and stops and seizures: everything but the quantity gaps."""
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
    found, distinct_counts = _interdictions(session, dialect, scope, lookup)
    seized_kg = sum(
        (Decimal(str(row.quantity_kg)) for row in found if row.event == "seized"),
        Decimal(0),
    )
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
    return _shipments(session, dialect_of(session), scope, names(session)).totals


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


def _interdiction_query(dialect: str, scope: Scope) -> Any:
    """(part 1) stops and seizures grouped per (type, country, origin, substance), each shipment
    once per (type, country) with its largest quantity; (part 2) per type, the number of
    distinct shipments (a shipment stopped in two countries is one stopped shipment)."""
    events = interdictions(dialect, scope).subquery("interdiction")
    o = events.c
    per_shipment = (
        select(
            o.event_type,
            o.country,
            o.shipment_id,
            o.exporting_country,
            o.cas_number,
            func.max(o.quantity_kg).label("quantity_kg"),
        )
        .group_by(o.event_type, o.country, o.shipment_id, o.exporting_country, o.cas_number)
        .cte("per_shipment")
    )
    p = per_shipment.c
    keys = (p.event_type, p.country, p.exporting_country, p.cas_number)
    table = select(
        literal(1).label("part"), *keys, func.count().label("n"), func.sum(p.quantity_kg)
    ).group_by(*keys)
    distinct = select(p.event_type, p.shipment_id).distinct().subquery("interdicted_shipment").c
    counts = select(
        literal(2),
        distinct.event_type,
        literal(""),
        literal(""),
        literal(""),
        func.count(),
        literal(0),
    ).group_by(distinct.event_type)
    return table.union_all(counts)


def _interdictions(
    session: Session, dialect: str, scope: Scope, lookup: Names
) -> tuple[list[Interdiction], dict[str, int]]:
    """Shipments stopped or seized in the period, per event country, substance and origin.

    A shipment stopped twice in one country counts once there; its quantity is the largest
    quantity observed at those events, or the declared quantity when none was observed; and a
    shipment stopped in two countries counts once among the stopped shipments."""
    found = []
    counts: dict[str, int] = {}
    for part, event, country, origin, cas, n, kg in session.execute(
        _interdiction_query(dialect, scope)
    ):
        if part == 2:
            counts[event] = int(n)
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
    return found, counts


def _gap_totals(session: Session, observed: Any) -> GapTotals:
    o = observed.c
    gap = o.observed_kg - o.notified_kg
    totals = session.execute(
        select(
            func.count(),
            func.sum(case((o.declared_kg != o.notified_kg, 1), else_=0)),
            func.sum(case((gap != 0, 1), else_=0)),
            func.sum(case((gap > 0, gap), else_=0)),
            func.sum(case((gap < 0, -gap), else_=0)),
        )
    ).one()
    return GapTotals(
        shipments_observed=int(totals[0] or 0),
        declared_differs=int(totals[1] or 0),
        observed_differs=int(totals[2] or 0),
        observed_excess_kg=rounded(as_decimal(totals[3])) or 0.0,
        observed_shortfall_kg=rounded(as_decimal(totals[4])) or 0.0,
    )


def _gaps(session: Session, dialect: str, scope: Scope) -> tuple[GapTotals, list[QuantityGap]]:
    """Observed against notified quantities, for shipments citing a PEN: the totals, and the
    largest gaps (the observation compared is the shipment's latest recorded one, counted in the
    period in which it occurred)."""
    observed = latest_observations(dialect, scope).cte("observed")
    o = observed.c
    gap = o.observed_kg - o.notified_kg
    largest = (
        select(o.shipment_id, o.pen_id, o.notified_kg, o.declared_kg, o.observed_kg)
        .where(gap != 0)
        .order_by(func.abs(gap).desc(), o.shipment_id)
        .limit(GAP_ROWS)
        .subquery("largest")
    )
    s, p, g = SHIPMENT.c, PEN.c, largest.c
    rows = session.execute(
        select(
            s.id,
            s.customs_reference,
            p.reference,
            s.exporting_country,
            s.importing_country,
            s.cas_number,
            g.notified_kg,
            g.declared_kg,
            g.observed_kg,
        )
        .select_from(largest.join(SHIPMENT, s.id == g.shipment_id).join(PEN, p.id == g.pen_id))
        .order_by(func.abs(g.observed_kg - g.notified_kg).desc(), s.id)
    ).all()
    return _gap_totals(session, observed), [_gap(row) for row in rows]


def _gap(row: Any) -> QuantityGap:
    notified, declared, observed = (as_decimal(v) for v in row[6:9])
    return QuantityGap(
        shipment_id=row[0],
        customs_reference=row[1],
        pen_reference=row[2],
        exporting_country=row[3],
        importing_country=row[4],
        cas_number=row[5],
        notified_kg=float(notified),
        declared_kg=float(declared),
        observed_kg=float(observed),
        declared_minus_notified_kg=float(declared - notified),
        observed_minus_notified_kg=float(observed - notified),
    )
