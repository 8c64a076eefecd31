"""INCB-style summaries of notifications: one aggregate query each, folded in Python."""

from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Date, and_, case, func, literal, or_, select
from sqlmodel import Session, col

from app.dashboard.facts import Scope, pen_facts, shipment_facts
from app.dashboard.models import NO_DATE
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
from app.reference.models import Country, PenRequirement, Substance


@dataclass(frozen=True)
class Names:
    """Country and substance names, and densities for litres."""

    countries: dict[str, str]
    substances: dict[str, str]
    tables: dict[str, str]
    densities: dict[str, Decimal | None]

    def country(self, iso2: str) -> str:
        return self.countries.get(iso2, iso2)

    def substance(self, cas_number: str) -> str:
        return self.substances.get(cas_number, cas_number)


def names(session: Session) -> Names:
    countries = dict(
        [(row[0], row[1]) for row in session.execute(select(col(Country.iso2), col(Country.name)))]
    )
    substances = session.execute(
        select(
            col(Substance.cas_number),
            col(Substance.name),
            col(Substance.convention_table),
            col(Substance.density_kg_per_l),
        )
    ).all()
    return Names(
        countries=countries,
        substances={s[0]: s[1] for s in substances},
        tables={s[0]: s[2] for s in substances},
        densities={s[0]: s[3] for s in substances},
    )


def dialect_of(session: Session) -> str:
    return session.get_bind().dialect.name


# PENs sent, received, and the exporting → importing matrix.


def pen_summary(session: Session, scope: Scope, applied: Applied) -> PenSummary:
    """PENs sent by exporting country, received by importing country, and between them."""
    lookup = names(session)
    facts = pen_facts(
        dialect_of(session),
        scope,
        ("exporting_country", "importing_country", "cas_number", "n", "quantity_kg"),
    )
    rows = session.execute(
        select(
            facts.c.exporting_country,
            facts.c.importing_country,
            facts.c.cas_number,
            func.sum(facts.c.n),
            func.sum(facts.c.quantity_kg),
        ).group_by(facts.c.exporting_country, facts.c.importing_country, facts.c.cas_number)
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

    def by_country(tallies: dict[str, Tally]) -> list[CountryPens]:
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

    return PenSummary(
        filters=applied,
        totals=PenTotals(
            pens=total.n,
            quantity_kg=total.kg_out,
            quantity_l=total.litres_out,
            exporting_countries=len(exporting),
            importing_countries=len(importing),
        ),
        by_exporting_country=by_country(exporting),
        by_importing_country=by_country(importing),
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

    def add(
        self, decision: str, withdrawn: int, days: int, late: int, overdue: int, n: int
    ) -> None:
        self.pens += n
        if decision in ("no_objection", "objection", "information_requested"):
            setattr(self, decision, getattr(self, decision) + n)
            self.days[days] += n
            self.replied_late += n if late else 0
        elif withdrawn:
            self.withdrawn += n
        elif overdue:
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
    facts = pen_facts(
        dialect_of(session),
        scope,
        (
            "importing_country",
            "decision",
            "withdrawn",
            "reply_days",
            "replied_late",
            "reply_by",
            "n",
        ),
    )
    overdue = case(
        (
            and_(
                facts.c.decision == "",
                facts.c.withdrawn == 0,
                facts.c.reply_by != literal(NO_DATE, Date),
                facts.c.reply_by < literal(applied.as_of, Date),
            ),
            1,
        ),
        else_=0,
    ).label("overdue")
    keys = (
        facts.c.importing_country,
        facts.c.decision,
        facts.c.withdrawn,
        facts.c.reply_days,
        facts.c.replied_late,
        overdue,
    )
    rows = session.execute(select(*keys, func.sum(facts.c.n)).group_by(*keys)).all()
    total = _Replies()
    countries: dict[str, _Replies] = defaultdict(_Replies)
    for imp, decision, withdrawn, days, late, is_overdue, n in rows:
        n = int(n or 0)
        if not n:
            continue
        for replies in (total, countries[imp]):
            replies.add(decision, int(withdrawn), int(days), int(late), int(is_overdue), n)
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
    r = PenRequirement.__table__.c  # type: ignore[attr-defined]
    query = select(PenRequirement).where(or_(r.since.is_(None), r.since <= scope.period.end))
    if scope.substance:
        table = lookup.tables.get(scope.substance)
        query = query.where(
            or_(r.cas_number == scope.substance, and_(r.cas_number.is_(None), r.table == table))
        )
    countries = [c for c in (scope.importing_country, scope.exporting_country) if c]
    if countries:
        query = query.where(r.country.in_(countries))
    if scope.region is not None:
        query = query.where(r.country.in_(sorted(scope.region)))
    rows = sorted(
        session.scalars(query).all(),
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


def region_flow_summary(session: Session, scope: Scope, applied: Applied) -> RegionFlowSummary:
    """Notified and declared quantities bound for a region (by default Afghanistan and its
    neighbours), by month and by route."""
    region: Region = get_region(applied.region or CONCERN_CODE)  # type: ignore[assignment]
    flow_scope = replace(scope, region=None, destination=region.countries)
    dialect = dialect_of(session)
    lookup = names(session)
    months: dict[str, dict[str, Tally]] = defaultdict(lambda: defaultdict(Tally))
    routes: dict[tuple[str, str, str], dict[str, Tally]] = defaultdict(lambda: defaultdict(Tally))
    totals: dict[str, Tally] = defaultdict(Tally)
    columns = (
        "month",
        "exporting_country",
        "transit_key",
        "importing_country",
        "cas_number",
        "n",
        "quantity_kg",
    )
    for kind, facts in (
        ("pens", pen_facts(dialect, flow_scope, columns)),
        ("shipments", shipment_facts(dialect, flow_scope, columns)),
    ):
        keys = (
            facts.c.month,
            facts.c.exporting_country,
            facts.c.transit_key,
            facts.c.importing_country,
            facts.c.cas_number,
        )
        rows = session.execute(
            select(*keys, func.sum(facts.c.n), func.sum(facts.c.quantity_kg)).group_by(*keys)
        ).all()
        for month, exp, transit_key, imp, cas, n, kg in rows:
            if not n:
                continue
            density = lookup.densities.get(cas)
            route = (exp, _canonical_transit(transit_key), imp)
            for tally in (months[month][kind], routes[route][kind], totals[kind]):
                tally.add(n, kg, cas, density)

    def figures(tallies: dict[str, Tally]) -> dict[str, Any]:
        pens, shipments = tallies["pens"], tallies["shipments"]
        return {
            "pens": pens.n,
            "pen_kg": pens.kg_out,
            "pen_l": pens.litres_out,
            "shipments": shipments.n,
            "shipment_kg": shipments.kg_out,
            "shipment_l": shipments.litres_out,
        }

    by_route = []
    for (exp, transit, imp), tallies in sorted(
        routes.items(),
        key=lambda item: (-item[1]["shipments"].kg, -item[1]["pens"].kg, item[0]),
    ):
        transit_list = transit.split(",") if transit else []
        by_route.append(
            RouteFlow(
                route=" → ".join([exp, *transit_list, imp]),
                exporting_country=exp,
                transit_countries=transit_list,
                importing_country=imp,
                **figures(tallies),
            )
        )
    return RegionFlowSummary(
        filters=applied,
        totals=FlowTotals(
            region=region.code,
            region_name=region.name,
            countries=sorted(region.countries),
            **figures(totals),
        ),
        by_month=[MonthFlow(month=m, **figures(months[m])) for m in sorted(months)],
        by_route=by_route,
    )


def _canonical_transit(transit_key: str | None) -> str:
    """'["AE", "IR"]' (either dialect's JSON text) as 'AE,IR'."""
    if not transit_key:
        return ""
    return ",".join(
        part.strip().strip('"') for part in transit_key.strip("[]").split(",") if part.strip()
    )


def today_utc() -> date:
    from app.core.types import utcnow

    return utcnow().date()
