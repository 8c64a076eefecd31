"""INCB-style summary of what happened to shipments: by status, stops and seizures, and the
observed-vs-notified quantity gaps; each query composed from app/dashboard/figures.py."""

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
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
    found = _interdictions(session, dialect, scope, lookup) if table else []
    distinct_counts, seized_kg = _interdiction_totals(session, dialect, scope)
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


def _per_shipment(dialect: str, scope: Scope, *, by_origin: bool) -> Any:
    """Stops and seizures, each shipment once per (type, country) with its largest quantity."""
    o = interdictions(dialect, scope, by_origin=by_origin).subquery("interdiction").c
    keys = [o.event_type, o.country, o.shipment_id]
    if by_origin:
        keys += [o.exporting_country, o.cas_number]
    return select(*keys, func.max(o.quantity_kg).label("quantity_kg")).group_by(*keys)


def _interdiction_totals(
    session: Session, dialect: str, scope: Scope
) -> tuple[dict[str, int], Decimal]:
    """Per type, the distinct shipments stopped (or seized): a shipment stopped in two countries
    is one stopped shipment; and the seized quantity, each shipment's largest per country."""
    p = _per_shipment(dialect, scope, by_origin=False).subquery("per_shipment").c
    counts: dict[str, int] = {}
    seized_kg = Decimal(0)
    for event, n, kg in session.execute(
        select(
            p.event_type, func.count(p.shipment_id.distinct()), func.sum(p.quantity_kg)
        ).group_by(p.event_type)
    ):
        counts[event] = int(n)
        if event == "seized":
            seized_kg = as_decimal(kg)
    return counts, seized_kg


def _interdiction_query(dialect: str, scope: Scope) -> Any:
    """Stops and seizures grouped per (type, country, origin, substance), each shipment once per
    (type, country) with its largest quantity."""
    p = _per_shipment(dialect, scope, by_origin=True).subquery("per_shipment").c
    keys = (p.event_type, p.country, p.exporting_country, p.cas_number)
    return select(*keys, func.count(), func.sum(p.quantity_kg)).group_by(*keys)


def _interdictions(
    session: Session, dialect: str, scope: Scope, lookup: Names
) -> list[Interdiction]:
    """Shipments stopped or seized in the period, per event country, substance and origin.

    A shipment stopped twice in one country counts once there; its quantity is the largest
    quantity observed at those events, or the declared quantity when none was observed."""
    found = []
    for event, country, origin, cas, n, kg in session.execute(_interdiction_query(dialect, scope)):
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
    return found


@dataclass(frozen=True)
class _Observed:
    shipment_id: str
    pen_id: str
    notified: Decimal
    declared: Decimal
    observed: Decimal

    @property
    def gap(self) -> Decimal:
        return self.observed - self.notified


def _gap_totals(rows: list[_Observed]) -> GapTotals:
    return GapTotals(
        shipments_observed=len(rows),
        declared_differs=sum(1 for r in rows if r.declared != r.notified),
        observed_differs=sum(1 for r in rows if r.gap != 0),
        observed_excess_kg=rounded(sum((r.gap for r in rows if r.gap > 0), Decimal(0))) or 0.0,
        observed_shortfall_kg=rounded(sum((-r.gap for r in rows if r.gap < 0), Decimal(0))) or 0.0,
    )


def _gaps(session: Session, dialect: str, scope: Scope) -> tuple[GapTotals, list[QuantityGap]]:
    """Observed against notified quantities, for shipments citing a PEN: the totals, and the
    largest gaps (the observation compared is the shipment's latest recorded one, counted in the
    period in which it occurred). A year holds a few thousand such shipments: they are read once
    and added up here, rather than found twice by two statements."""
    rows = [
        _Observed(row[0], row[1], *(as_decimal(v) for v in row[2:5]))
        for row in session.execute(latest_observations(dialect, scope))
    ]
    largest = sorted((r for r in rows if r.gap != 0), key=lambda r: (-abs(r.gap), r.shipment_id))
    largest = largest[:GAP_ROWS]
    s, p = SHIPMENT.c, PEN.c
    described = {
        row[0]: row
        for row in session.execute(
            select(
                s.id,
                s.customs_reference,
                p.reference,
                s.exporting_country,
                s.importing_country,
                s.cas_number,
            )
            .join(PEN, p.id == s.notification_id)
            .where(s.id.in_([r.shipment_id for r in largest]))
        )
    }
    return _gap_totals(rows), [_gap(r, described[r.shipment_id]) for r in largest]


def _gap(r: _Observed, shipment: Any) -> QuantityGap:
    return QuantityGap(
        shipment_id=r.shipment_id,
        customs_reference=shipment[1],
        pen_reference=shipment[2],
        exporting_country=shipment[3],
        importing_country=shipment[4],
        cas_number=shipment[5],
        notified_kg=float(r.notified),
        declared_kg=float(r.declared),
        observed_kg=float(r.observed),
        declared_minus_notified_kg=float(r.declared - r.notified),
        observed_minus_notified_kg=float(r.gap),
    )
