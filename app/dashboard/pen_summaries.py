"""INCB-style summaries of notifications (sent and received, replies, requirements, flows towards
a region): one aggregate query each over the figures of app/dashboard/figures.py, folded in Python."""

from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from sqlalchemy import func, literal, select, union_all
from sqlmodel import Session

from app.dashboard.figures import (
    PEN,
    SHIPMENT,
    Scope,
    json_text,
    month_of,
    pens_sent,
    replied_late,
    reply_days,
    shipments_declared,
    unanswered,
    withdrawn_unreplied,
)
from app.dashboard.names import Names, dialect_of, names
from app.dashboard.regions import CONCERN_CODE, Region, get_region
from app.dashboard.schemas import (
    Applied,
    CountryPens,
    CountryReplies,
    FlowTotals,
    MonthFlow,
    PenFlow,
    PenSummary,
    PenTotals,
    RegionFlowSummary,
    ReplyFigures,
    ReplySummary,
    Requirement,
    RequirementSummary,
    RequirementTotals,
    RouteFlow,
    SubstancePens,
)
from app.dashboard.stats import percentile
from app.dashboard.tally import Tally, share
from app.reference.service import reference

# PENs sent, received, and the exporting → importing matrix.


def pen_summary(session: Session, scope: Scope, applied: Applied) -> PenSummary:
    """PENs sent by exporting country, received by importing country, and between them."""
    lookup = names(session)
    p = PEN.c
    keys = (p.exporting_country, p.importing_country, p.cas_number)
    rows = session.execute(
        select(*keys, func.count(), func.sum(p.quantity_kg))
        .where(*pens_sent(dialect_of(session), scope))
        .group_by(*keys)
    ).all()
    total = Tally()
    exporting: dict[str, Tally] = defaultdict(Tally)
    importing: dict[str, Tally] = defaultdict(Tally)
    pairs: dict[tuple[str, str], Tally] = defaultdict(Tally)
    substances: dict[str, Tally] = defaultdict(Tally)
    for exp, imp, cas, n, kg in rows:
        if not n:
            continue
        density = lookup.densities.get(cas)
        for tally in (total, exporting[exp], importing[imp], pairs[(exp, imp)], substances[cas]):
            tally.add(n, kg, cas, density)

    return PenSummary(
        filters=applied,
        totals=PenTotals(
            pens=total.n,
            quantity_kg=total.kg_out,
            quantity_l=total.litres_out,
            exporting_countries=len(exporting),
            importing_countries=len(importing),
        ),
        by_exporting_country=_by_country(exporting, lookup),
        by_importing_country=_by_country(importing, lookup),
        matrix=[
            PenFlow(
                exporting_country=exp,
                importing_country=imp,
                pens=t.n,
                quantity_kg=t.kg_out,
                quantity_l=t.litres_out,
            )
            for (exp, imp), t in _ranked(pairs)
        ],
        by_substance=[
            SubstancePens(
                cas_number=cas,
                substance=lookup.substance(cas),
                pens=t.n,
                quantity_kg=t.kg_out,
                quantity_l=t.litres_out,
            )
            for cas, t in _ranked(substances)
        ],
    )


def _by_country(tallies: dict[str, Tally], lookup: Names) -> list[CountryPens]:
    return [
        CountryPens(
            country=code,
            country_name=lookup.country(code),
            pens=t.n,
            quantity_kg=t.kg_out,
            quantity_l=t.litres_out,
        )
        for code, t in _ranked(tallies)
    ]


def _ranked(tallies: dict[Any, Tally]) -> list[tuple[Any, Tally]]:
    """Largest first by count, then mass; ties by key, so the order is stable."""
    return sorted(tallies.items(), key=lambda item: (-item[1].n, -item[1].kg, item[0]))


# Replies to PENs.


@dataclass
class _Replies:
    pens: int = 0
    no_objection: int = 0
    objection: int = 0
    information_requested: int = 0
    unanswered: int = 0
    awaiting: int = 0
    withdrawn: int = 0
    replied_late: int = 0

    def __post_init__(self) -> None:
        self.days: dict[int, int] = defaultdict(int)

    def add(self, decision: str, withdrawn: int, days: int, late: int, silent: int, n: int) -> None:
        self.pens += n
        if decision in ("no_objection", "objection", "information_requested"):
            setattr(self, decision, getattr(self, decision) + n)
            self.days[days] += n
            self.replied_late += n if late else 0
        elif withdrawn:
            self.withdrawn += n
        elif silent:
            self.unanswered += n
        else:
            self.awaiting += n

    def figures(self) -> dict[str, Any]:
        return {
            "pens": self.pens,
            "no_objection": self.no_objection,
            "objection": self.objection,
            "information_requested": self.information_requested,
            "unanswered": self.unanswered,
            "awaiting": self.awaiting,
            "withdrawn": self.withdrawn,
            "replied_late": self.replied_late,
            "objection_rate": share(self.objection, self.pens),
            "share_unanswered": share(self.unanswered, self.pens),
            "median_reply_days": percentile(self.days, 0.5),
            "p90_reply_days": percentile(self.days, 0.9),
        }


def reply_summary(session: Session, scope: Scope, applied: Applied) -> ReplySummary:
    """Replies by importing country: decisions, silence past reply_by, and reply times."""
    lookup = names(session)
    dialect = dialect_of(session)
    p = PEN.c
    keys = (
        p.importing_country,
        func.coalesce(p.decision, ""),
        withdrawn_unreplied(),
        reply_days(dialect),
        replied_late(dialect),
        unanswered(applied.as_of),
    )
    rows = session.execute(
        select(*keys, func.count()).where(*pens_sent(dialect, scope)).group_by(*keys)
    ).all()
    total = _Replies()
    countries: dict[str, _Replies] = defaultdict(_Replies)
    for imp, decision, withdrawn, days, late, silent, n in rows:
        n = int(n or 0)
        if not n:
            continue
        for replies in (total, countries[imp]):
            replies.add(decision, int(withdrawn), int(days), int(late), int(silent), n)
    ranked = sorted(countries.items(), key=lambda item: (-item[1].pens, item[0]))
    return ReplySummary(
        filters=applied,
        totals=ReplyFigures(**total.figures()),
        by_importing_country=[
            CountryReplies(country=code, country_name=lookup.country(code), **r.figures())
            for code, r in ranked
        ],
    )


# Article 12(10)(a) invocations and no-licit-need declarations.


def requirement_summary(session: Session, scope: Scope, applied: Applied) -> RequirementSummary:
    """Who requires PENs for what (Annex VI as data), and who declared no licit need."""
    lookup = names(session)
    table = lookup.tables.get(scope.substance) if scope.substance else None
    countries = [c for c in (scope.importing_country, scope.exporting_country) if c]
    rows = sorted(
        (
            r
            for r in reference(session).requirements
            if (r.since is None or r.since <= scope.period.end)
            and (
                not scope.substance
                or r.cas_number == scope.substance
                or (r.cas_number is None and r.table == table)
            )
            and (not countries or r.country in countries)
            and (scope.region is None or r.country in scope.region)
        ),
        key=lambda x: (x.country, x.cas_number or "", x.table or ""),
    )
    requirements = [
        Requirement(
            country=row.country,
            country_name=lookup.country(row.country),
            cas_number=row.cas_number,
            table=row.table,
            substance=lookup.substance(row.cas_number)
            if row.cas_number
            else f"All Table {row.table} substances",
            requires_pen=row.requires_pen,
            no_licit_need=row.no_licit_need,
            since=row.since,
        )
        for row in rows
    ]
    return RequirementSummary(
        filters=applied,
        totals=RequirementTotals(
            governments_requiring_pens=len({x.country for x in requirements if x.requires_pen}),
            governments_no_licit_need=len({x.country for x in requirements if x.no_licit_need}),
        ),
        requirements=requirements,
    )


# Flows towards the region of concern.


@dataclass
class _Flows:
    """Tallies of notifications and shipments by month, by route, and in total."""

    months: dict[str, dict[str, Tally]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(Tally))
    )
    routes: dict[tuple[str, str, str], dict[str, Tally]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(Tally))
    )
    totals: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))


def _flow_query(dialect: str, scope: Scope) -> Any:
    """Notified (kind "pens", by sent_at) and declared ("shipments", by created_at) quantities
    in the scope, by month, route and substance: both kinds in one statement."""
    branches = []
    for kind, table, moment, where in (
        ("pens", PEN, PEN.c.sent_at, pens_sent(dialect, scope)),
        ("shipments", SHIPMENT, SHIPMENT.c.created_at, shipments_declared(dialect, scope)),
    ):
        c = table.c
        keys = (
            month_of(dialect, moment),
            c.exporting_country,
            json_text(dialect, c.transit_countries),
            c.importing_country,
            c.cas_number,
        )
        branches.append(
            select(literal(kind), *keys, func.count(), func.sum(c.quantity_kg))
            .where(*where)
            .group_by(*keys)
        )
    return union_all(*branches)


def _flow_figures(tallies: dict[str, Tally]) -> dict[str, Any]:
    pens, shipments = tallies["pens"], tallies["shipments"]
    return {
        "pens": pens.n,
        "pen_kg": pens.kg_out,
        "pen_l": pens.litres_out,
        "shipments": shipments.n,
        "shipment_kg": shipments.kg_out,
        "shipment_l": shipments.litres_out,
    }


def _route_flows(flows: _Flows) -> list[RouteFlow]:
    by_route = []
    for (exp, transit, imp), tallies in sorted(
        flows.routes.items(),
        key=lambda item: (-item[1]["shipments"].kg, -item[1]["pens"].kg, item[0]),
    ):
        transit_list = transit.split(",") if transit else []
        by_route.append(
            RouteFlow(
                route=" → ".join([exp, *transit_list, imp]),
                exporting_country=exp,
                transit_countries=transit_list,
                importing_country=imp,
                **_flow_figures(tallies),
            )
        )
    return by_route


def region_flow_summary(session: Session, scope: Scope, applied: Applied) -> RegionFlowSummary:
    """Notified and declared quantities bound for a region (by default Afghanistan and its
    neighbours), by month and by route."""
    region: Region = get_region(applied.region or CONCERN_CODE)  # type: ignore[assignment]
    flow_scope = replace(scope, region=None, destination=region.countries)
    dialect = dialect_of(session)
    lookup = names(session)
    flows = _Flows()
    for kind, month, exp, transit_key, imp, cas, n, kg in session.execute(
        _flow_query(dialect, flow_scope)
    ):
        density = lookup.densities.get(cas)
        route = (exp, _canonical_transit(transit_key), imp)
        for tally in (flows.months[month][kind], flows.routes[route][kind], flows.totals[kind]):
            tally.add(n, kg, cas, density)
    for month in _months(scope.period.start, scope.period.end):
        flows.months[month]  # a month without activity is a month of zeros, not a gap
    return RegionFlowSummary(
        filters=applied,
        totals=FlowTotals(
            region=region.code,
            region_name=region.name,
            countries=sorted(region.countries),
            **_flow_figures(flows.totals),
        ),
        by_month=[
            MonthFlow(month=m, **_flow_figures(flows.months[m])) for m in sorted(flows.months)
        ],
        by_route=_route_flows(flows),
    )


MAX_FILLED_MONTHS = 600


def _months(start: date, end: date) -> list[str]:
    """Every YYYY-MM from `start` to `end` (at most fifty years' worth)."""
    months: list[str] = []
    year, month = start.year, start.month
    while (year, month) <= (end.year, end.month) and len(months) < MAX_FILLED_MONTHS:
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def _canonical_transit(transit_key: str | None) -> str:
    """'["AE", "IR"]' (either dialect's JSON text) as 'AE,IR'."""
    if not transit_key:
        return ""
    return ",".join(
        part.strip().strip('"') for part in transit_key.strip("[]").split(",") if part.strip()
    )
