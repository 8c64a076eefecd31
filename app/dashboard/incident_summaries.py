"""Incident and backtracking summaries (PICS-style, INCB Form D): seizures by substance, country,
origin and method; backtracking requests sent, answered, overdue and time to answer. Composed
from app/dashboard/figures.py."""

from collections import defaultdict
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlmodel import Session

from app.dashboard.figures import (
    BACKTRACKING,
    INCIDENT,
    INCIDENT_SUBSTANCE,
    Scope,
    answer_days,
    backtracking_overdue,
    backtracking_sent,
    incidents_occurred,
    is_seizure,
)
from app.dashboard.names import Names, dialect_of, names
from app.dashboard.schemas import (
    Applied,
    BacktrackingByCountry,
    BacktrackingFigures,
    BacktrackingSummary,
    CountrySeizures,
    IncidentKindCount,
    IncidentSummary,
    IncidentTotals,
    MethodCount,
    SubstanceSeizures,
)
from app.dashboard.stats import percentile
from app.dashboard.tally import as_decimal, rounded, share

KINDS = ("seizure", "stopped_shipment", "attempted_diversion", "illicit_laboratory", "theft")
UNKNOWN = "unknown"
NOT_STATED = "not stated"


def _kg(value: Decimal) -> float:
    return rounded(value) or 0.0


def incident_summary(session: Session, scope: Scope, applied: Applied) -> IncidentSummary:
    """Incidents by kind; seizures by substance, recording country and origin; methods."""
    dialect = dialect_of(session)
    i = INCIDENT.c
    occurred = incidents_occurred(dialect, scope)
    rows = session.execute(
        select(i.kind, i.country, i.origin_country, i.method, func.count(), func.sum(i.quantity_kg))
        .where(*occurred)
        .group_by(i.kind, i.country, i.origin_country, i.method)
    ).all()
    named = names(session)
    kinds: dict[str, list[Any]] = {k: [0, Decimal(0)] for k in KINDS}
    countries: dict[str, list[Any]] = defaultdict(lambda: [0, Decimal(0)])
    origins: dict[str, list[Any]] = defaultdict(lambda: [0, Decimal(0)])
    methods: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for kind, country, origin, method, n, kg in rows:
        n, kg = int(n), as_decimal(kg)
        kinds.setdefault(kind, [0, Decimal(0)])
        kinds[kind][0] += n
        kinds[kind][1] += kg
        methods[method or NOT_STATED][0] += n
        if kind == "seizure":
            methods[method or NOT_STATED][1] += n
            for table, key in ((countries, country), (origins, origin or UNKNOWN)):
                table[key][0] += n
                table[key][1] += kg
    seized = kinds["seizure"]
    return IncidentSummary(
        filters=applied,
        totals=IncidentTotals(
            incidents=sum(v[0] for v in kinds.values()),
            seizures=seized[0],
            seized_kg=_kg(seized[1]),
        ),
        by_kind=[
            IncidentKindCount(kind=k, incidents=v[0], quantity_kg=_kg(v[1]))
            for k, v in kinds.items()
        ],
        seizures_by_substance=_by_substance(session, scope, named),
        seizures_by_country=_countries(countries, named),
        seizures_by_origin=_countries(origins, named),
        by_method=[
            MethodCount(method=m, incidents=v[0], seizures=v[1])
            for m, v in sorted(methods.items(), key=lambda item: (-item[1][0], item[0]))
        ],
    )


def _countries(table: dict[str, list[Any]], named: Names) -> list[CountrySeizures]:
    return [
        CountrySeizures(
            country=c,
            country_name=named.country(c) if c != UNKNOWN else UNKNOWN,
            seizures=v[0],
            quantity_kg=_kg(v[1]),
        )
        for c, v in sorted(table.items(), key=lambda item: (-item[1][1], item[0]))
    ]


def _by_substance(session: Session, scope: Scope, named: Names) -> list[SubstanceSeizures]:
    """Seizures per substance found (a seizure of two substances counts for each), with the
    kilograms of that substance; unscheduled chemicals by the name recorded."""
    s = INCIDENT_SUBSTANCE.c
    rows = session.execute(
        select(
            s.cas_number, s.name, func.count(func.distinct(s.incident_id)), func.sum(s.quantity_kg)
        )
        .join(INCIDENT, INCIDENT.c.id == s.incident_id)
        .where(is_seizure(), *incidents_occurred(dialect_of(session), scope))
        .group_by(s.cas_number, s.name)
    ).all()
    found = [
        SubstanceSeizures(
            cas_number=cas,
            substance=named.substance(cas) if cas in named.substances else name,
            table=(named.tables.get(cas) or None) if cas else None,
            seizures=int(n),
            quantity_kg=_kg(as_decimal(kg)),
        )
        for cas, name, n, kg in rows
    ]
    return sorted(found, key=lambda r: (-r.quantity_kg, r.substance))


def incident_count(session: Session, scope: Scope) -> int:
    """Incidents in the scope: the headline figure."""
    return int(
        session.execute(
            select(func.count())
            .select_from(INCIDENT)
            .where(*incidents_occurred(dialect_of(session), scope))
        ).scalar_one()
    )


class _Requests:
    def __init__(self) -> None:
        self.sent = self.answered = self.overdue = 0
        self.days: dict[int, int] = defaultdict(int)

    def add(self, status: str, days: int, overdue: int, n: int) -> None:
        self.sent += n
        if status == "answered":
            self.answered += n
            self.days[max(days, 0)] += n
        self.overdue += overdue * n

    def figures(self) -> dict[str, Any]:
        return {
            "sent": self.sent,
            "answered": self.answered,
            "open": self.sent - self.answered,
            "overdue": self.overdue,
            "response_rate": share(self.answered, self.sent),
            "median_days_to_answer": percentile(self.days, 0.5),
            "p90_days_to_answer": percentile(self.days, 0.9),
        }


def backtracking_summary(session: Session, scope: Scope, applied: Applied) -> BacktrackingSummary:
    """Backtracking requests sent in the period: answered, open, overdue (open past `reply_by`
    on `as_of`), the response rate and the time to answer, in all and by addressed country."""
    dialect = dialect_of(session)
    b = BACKTRACKING.c
    keys = (
        b.to_country,
        b.status,
        answer_days(dialect).label("days"),
        backtracking_overdue(applied.as_of).label("overdue"),
    )
    rows = session.execute(
        select(*keys, func.count()).where(*backtracking_sent(dialect, scope)).group_by(*keys)
    ).all()
    total = _Requests()
    by_country: dict[str, _Requests] = defaultdict(_Requests)
    for country, status, days, overdue, n in rows:
        for tally in (total, by_country[country]):
            tally.add(status, int(days), int(overdue), int(n))
    named = names(session)
    return BacktrackingSummary(
        filters=applied,
        totals=BacktrackingFigures(**total.figures()),
        by_addressed_country=[
            BacktrackingByCountry(country=c, country_name=named.country(c), **t.figures())
            for c, t in sorted(by_country.items(), key=lambda item: (-item[1].sent, item[0]))
        ],
    )
