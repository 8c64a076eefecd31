"""INCB-style summaries of what happened to shipments, and of the flags raised about them."""

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    String,
    and_,
    case,
    func,
    literal,
    null,
    or_,
    select,
    union_all,
)
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session

from app.dashboard.facts import (
    PEN,
    SHIPMENT,
    Scope,
    json_text,
    route_filters,
    shipment_facts,
)
from app.dashboard.rollups import (
    FLAG_SUBJECT,
    INTERDICTION,
    OBSERVED,
    interdiction_events,
    latest_observations,
    triage_hours,
)
from app.dashboard.schemas import (
    Applied,
    FlagGroup,
    FlagSummary,
    FlagTotals,
    GapTotals,
    Interdiction,
    QuantityGap,
    SeverityCount,
    ShipmentSummary,
    ShipmentTotals,
    StatusCount,
)
from app.dashboard.service import Names, dialect_of, names
from app.dashboard.stats import percentile
from app.dashboard.tally import Tally, as_decimal, rounded, share
from app.rules.models import Flag
from app.shipments.models import ShipmentEvent
from app.shipments.states import ShipmentStatus

EVENT = ShipmentEvent.__table__  # type: ignore[attr-defined]
FLAG = Flag.__table__  # type: ignore[attr-defined]
GAP_ROWS = 200
FLAG_STATUSES = ("open", "under_review", "confirmed", "dismissed")
SEVERITIES = ("critical", "high", "medium", "low")


def _shipment_route(dialect: str, scope: Scope) -> list[ColumnElement[bool]]:
    s = SHIPMENT.c
    return route_filters(
        scope,
        s.exporting_country,
        s.importing_country,
        json_text(dialect, s.transit_countries),
        s.cas_number,
    )


@dataclass
class _Shipments:
    totals: ShipmentTotals
    statuses: dict[str, Tally]
    interdictions: list[Interdiction]


def _shipments(session: Session, dialect: str, scope: Scope, lookup: Names) -> _Shipments:
    """Shipments by status, and stops and seizures: everything but the quantity gaps."""
    facts = shipment_facts(dialect, scope, ("status", "cas_number", "n", "quantity_kg"))
    rows = session.execute(
        select(
            facts.c.status, facts.c.cas_number, func.sum(facts.c.n), func.sum(facts.c.quantity_kg)
        ).group_by(facts.c.status, facts.c.cas_number)
    ).all()
    total = Tally()
    statuses: dict[str, Tally] = {status.value: Tally() for status in ShipmentStatus}
    for status, cas, n, kg in rows:
        if not n:
            continue
        density = lookup.densities.get(cas)
        for tally in (total, statuses.setdefault(status, Tally())):
            tally.add(n, kg, cas, density)
    interdictions, distinct_counts = _interdictions(session, dialect, scope, lookup)
    seized_kg = sum(
        (Decimal(str(row.quantity_kg)) for row in interdictions if row.event == "seized"),
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
    return _Shipments(totals, statuses, interdictions)


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


def _interdictions(
    session: Session, dialect: str, scope: Scope, lookup: Names
) -> tuple[list[Interdiction], dict[str, int]]:
    """Shipments stopped or seized in the period, per event country, substance and origin.

    A shipment stopped twice in one country counts once there; its quantity is the largest
    quantity observed at those events, or the declared quantity when none was observed; and a
    shipment stopped in two countries counts once among the stopped shipments."""
    statement = _interdictions_raw(dialect, scope) if scope.raw_only else _interdictions_kept(scope)
    groups: dict[tuple[str, str, str, str], list[Any]] = {}
    counts: dict[str, int] = defaultdict(int)
    for part, event, country, origin, cas, n, kg, once in session.execute(statement):
        counts[event] += int(once or 0)
        if part == 2 or not n:
            continue
        group = groups.setdefault((event, country, origin, cas), [0, Decimal(0)])
        group[0] += int(n)
        group[1] += as_decimal(kg)
    found = []
    for (event, country, origin, cas), (n, kg) in groups.items():
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
    return found, {event: n for event, n in counts.items() if n}


def _in_period(o: Any, scope: Scope) -> list[ColumnElement[bool]]:
    return [
        o.occurred_at >= scope.period.start_at,
        o.occurred_at < scope.period.end_before,
        *route_filters(
            scope, o.exporting_country, o.importing_country, o.transit_key, o.cas_number
        ),
    ]


def _per_shipment(o: Any, where: list[ColumnElement[bool]], name: str) -> Any:
    """Stops (or seizures) grouped per (type, country, shipment): each counts once there, with
    its largest quantity."""
    return (
        select(
            o.event_type,
            o.country,
            o.shipment_id,
            o.exporting_country,
            o.cas_number,
            func.max(o.quantity_kg).label("quantity_kg"),
        )
        .where(*where)
        .group_by(o.event_type, o.country, o.shipment_id, o.exporting_country, o.cas_number)
        .cte(name)
    )


def _parts(per_shipment: Any, shipments: Any) -> tuple[Any, Any]:
    """(part 1) the per-shipment rows grouped by (type, country, origin, substance); (part 2)
    the distinct shipments per type among `shipments` (type, shipment_id)."""
    p = per_shipment.c
    keys = (p.event_type, p.country, p.exporting_country, p.cas_number)
    nothing = null().cast(String)
    table = select(
        literal(1).label("part"),
        *keys,
        func.count().label("n"),
        func.sum(p.quantity_kg).label("kg"),
        literal(0).label("once"),
    ).group_by(*keys)
    distinct = select(
        literal(2),
        shipments.c.event_type,
        nothing,
        nothing,
        nothing,
        literal(0),
        null().cast(p.quantity_kg.type),
        func.count(),
    ).group_by(shipments.c.event_type)
    return table, distinct


def _interdictions_raw(dialect: str, scope: Scope) -> Any:
    """The reference: every stop and seizure joined to its shipment, grouped per shipment."""
    o = interdiction_events(dialect, flags=False).subquery("interdiction_raw").c
    per_shipment = _per_shipment(o, _in_period(o, scope), "per_shipment")
    shipments = select(per_shipment.c.event_type, per_shipment.c.shipment_id).distinct().subquery()
    return union_all(*_parts(per_shipment, shipments))


def _interdictions_kept(scope: Scope) -> Any:
    """From `summary_shipment_interdiction`: rows that are the only event of their (shipment,
    type, country) are counted and summed as they are in one pass, which also counts the rows
    that are the only event of their (shipment, type); only the other rows (a shipment stopped
    twice: few) are grouped per shipment, through a partial index."""
    o = INTERDICTION.c
    where = _in_period(o, scope)
    keys = (o.event_type, o.country, o.exporting_country, o.cas_number)
    solo = o.solo_in_country == 1
    single = (
        select(
            literal(1).label("part"),
            *keys,
            func.sum(case((solo, 1), else_=0)),
            func.sum(case((solo, o.quantity_kg), else_=None)),
            func.sum(case((o.solo_in_type == 1, 1), else_=0)),
        )
        .where(*where)
        .group_by(*keys)
    )
    repeated = _per_shipment(o, [*where, o.solo_in_country == 0], "repeated")
    shipments = (
        select(o.event_type, o.shipment_id).where(*where, o.solo_in_type == 0).distinct().subquery()
    )
    return union_all(single, *_parts(repeated, shipments))


def _observed(dialect: str, scope: Scope) -> Any:
    """Shipments citing a PEN whose latest recorded observation occurred in the period, with
    route, notified, declared and observed quantities: from `summary_shipment_observed`, or
    (raw_only) ranked from the border events themselves."""
    source = latest_observations(dialect).subquery("observed_raw") if scope.raw_only else OBSERVED
    o = source.c
    return (
        select(
            o.shipment_id,
            o.pen_id,
            o.exporting_country,
            o.importing_country,
            o.cas_number,
            o.notified_kg,
            o.declared_kg,
            o.observed_kg,
        )
        .where(
            o.pen_id.is_not(None),
            o.occurred_at >= scope.period.start_at,
            o.occurred_at < scope.period.end_before,
            *route_filters(
                scope, o.exporting_country, o.importing_country, o.transit_key, o.cas_number
            ),
        )
        .subquery("observed")
    )


def _gaps(session: Session, dialect: str, scope: Scope) -> tuple[GapTotals, list[QuantityGap]]:
    """Observed against notified quantities, for shipments citing a PEN.

    The observation compared is the shipment's latest recorded one (as on the shipment), counted
    in the period in which it occurred."""
    o = _observed(dialect, scope).c
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
    count = int(totals[0] or 0)
    return (
        GapTotals(
            shipments_observed=count,
            declared_differs=int(totals[1] or 0),
            observed_differs=int(totals[2] or 0),
            observed_excess_kg=rounded(as_decimal(totals[3])) or 0.0,
            observed_shortfall_kg=rounded(as_decimal(totals[4])) or 0.0,
        ),
        [
            QuantityGap(
                shipment_id=row[0],
                customs_reference=row[1],
                pen_reference=row[2],
                exporting_country=row[3],
                importing_country=row[4],
                cas_number=row[5],
                notified_kg=float(as_decimal(row[6])),
                declared_kg=float(as_decimal(row[7])),
                observed_kg=float(as_decimal(row[8])),
                declared_minus_notified_kg=float(as_decimal(row[7]) - as_decimal(row[6])),
                observed_minus_notified_kg=float(as_decimal(row[8]) - as_decimal(row[6])),
            )
            for row in rows
        ],
    )


# Flags.


def _flag_facts(dialect: str, scope: Scope) -> Any:
    """Flags raised in the period: rule, severity, status and whole hours to triage; from
    `summary_flag` (one row per flag beside its subject's route), or (raw_only) by joining the
    flags to their shipments and notifications."""
    if not scope.raw_only:
        o = FLAG_SUBJECT.c
        return (
            select(o.rule, o.severity, o.status, o.triage_hours)
            .where(
                *_in_period_created(o, scope),
                # A draft is its exporting country's alone (analysts and admins do not see it).
                or_(o.draft_country == "", o.draft_country == (scope.party_country or "")),
                *route_filters(
                    scope, o.exporting_country, o.importing_country, o.transit_key, o.cas_number
                ),
            )
            .subquery("flag_fact")
        )
    f = FLAG.c
    columns = (f.rule, f.severity, f.status, triage_hours(dialect, f).label("triage_hours"))
    in_period = _in_period_created(f, scope)
    s, p = SHIPMENT.c, PEN.c
    on_shipments = (
        select(*columns)
        .select_from(FLAG.join(SHIPMENT, and_(f.subject_type == "shipment", f.subject_id == s.id)))
        .where(*in_period, *_shipment_route(dialect, scope))
    )
    on_pens = (
        select(*columns)
        .select_from(
            FLAG.join(PEN, and_(f.subject_type == "pre_export_notification", f.subject_id == p.id))
        )
        .where(
            *in_period,
            # A draft is its exporting country's alone (analysts and admins do not see it).
            or_(p.status != "draft", p.exporting_country == (scope.party_country or "")),
            *route_filters(
                scope,
                p.exporting_country,
                p.importing_country,
                json_text(dialect, p.transit_countries),
                p.cas_number,
            ),
        )
    )
    return union_all(on_shipments, on_pens).subquery("flag_fact")


def _in_period_created(f: Any, scope: Scope) -> tuple[ColumnElement[bool], ...]:
    return (f.created_at >= scope.period.start_at, f.created_at < scope.period.end_before)


class _Flags:
    def __init__(self) -> None:
        self.by_status: dict[str, int] = defaultdict(int)
        self.hours: dict[int, int] = defaultdict(int)

    def add(self, status: str, hours: int, n: int) -> None:
        self.by_status[status] += n
        if hours >= 0:
            self.hours[hours] += n

    def figures(self) -> dict[str, Any]:
        return {
            "flags": sum(self.by_status.values()),
            **{status: self.by_status.get(status, 0) for status in FLAG_STATUSES},
            "median_triage_hours": percentile(self.hours, 0.5),
            "p90_triage_hours": percentile(self.hours, 0.9),
        }


def flag_counts(session: Session, scope: Scope) -> dict[str, int]:
    """Flags raised in the period by status alone: the headline figures need no more, and
    grouping a year of flags by four keys costs twice as much as by one."""
    facts = _flag_facts(dialect_of(session), scope)
    rows = session.execute(select(facts.c.status, func.count()).group_by(facts.c.status))
    return {status: int(n) for status, n in rows}


def flag_summary(session: Session, scope: Scope, applied: Applied) -> FlagSummary:
    """Flags by rule and severity, how triage ended (confirmed or dismissed), time to triage."""
    facts = _flag_facts(dialect_of(session), scope)
    keys = (facts.c.rule, facts.c.severity, facts.c.status, facts.c.triage_hours)
    rows = session.execute(select(*keys, func.count()).group_by(*keys)).all()
    total = _Flags()
    groups: dict[tuple[str, str], _Flags] = defaultdict(_Flags)
    severities: dict[str, _Flags] = {severity: _Flags() for severity in SEVERITIES}
    for rule, severity, status, hours, n in rows:
        for flags in (total, groups[(rule, severity)], severities.setdefault(severity, _Flags())):
            flags.add(status, int(hours), int(n))
    figures = total.figures()
    decided = figures["confirmed"] + figures["dismissed"]
    return FlagSummary(
        filters=applied,
        totals=FlagTotals(**figures, confirmed_share=share(figures["confirmed"], decided)),
        by_rule=[
            FlagGroup(rule=rule, severity=severity, **flags.figures())
            for (rule, severity), flags in sorted(
                groups.items(), key=lambda item: (-item[1].figures()["flags"], item[0])
            )
        ],
        by_severity=[
            SeverityCount(
                severity=severity,
                flags=sum(flags.by_status.values()),
                confirmed=flags.by_status.get("confirmed", 0),
                dismissed=flags.by_status.get("dismissed", 0),
            )
            for severity, flags in severities.items()
        ],
    )
