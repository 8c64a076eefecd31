"""The rows every summary is computed from ("facts"), read from roll-ups or raw tables.

A notification fact is one sent notification (or a roll-up row counting several alike); a
shipment fact is one shipment. Both sources give the same columns, so a summary query does not
care where its rows come from: whole months of the period come from the monthly roll-ups, the
partial months at either end from the raw tables.
"""

import calendar
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import (
    Date,
    Integer,
    Text,
    and_,
    case,
    cast,
    false,
    func,
    literal,
    or_,
    select,
    union_all,
)
from sqlalchemy.sql.elements import ColumnElement

from app.dashboard.models import (
    NO_DATE,
    PenMonthly,
    PenMonthlyDelta,
    ShipmentMonthly,
    ShipmentMonthlyDelta,
)
from app.notifications.models import PreExportNotification
from app.shipments.models import Shipment

PEN = PreExportNotification.__table__  # type: ignore[attr-defined]
SHIPMENT = Shipment.__table__  # type: ignore[attr-defined]
PEN_MONTH = PenMonthly.__table__  # type: ignore[attr-defined]
SHIPMENT_MONTH = ShipmentMonthly.__table__  # type: ignore[attr-defined]
PEN_MONTH_DELTA = PenMonthlyDelta.__table__  # type: ignore[attr-defined]
SHIPMENT_MONTH_DELTA = ShipmentMonthlyDelta.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Period:
    """Calendar days `start` to `end`, both included, in UTC."""

    start: date
    end: date

    @property
    def start_at(self) -> datetime:
        return datetime.combine(self.start, time(), tzinfo=UTC)

    @property
    def end_before(self) -> datetime:
        return datetime.combine(self.end + timedelta(days=1), time(), tzinfo=UTC)

    def split(self) -> tuple[tuple[str, str] | None, list["Period"]]:
        """The whole months inside the period (first and last, YYYY-MM), and the leftover days."""
        first = self.start if self.start.day == 1 else _next_month(self.start)
        last_day = calendar.monthrange(self.end.year, self.end.month)[1]
        last = self.end.replace(day=1) if self.end.day == last_day else _prev_month(self.end)
        if first > last:
            return None, [self]
        edges = []
        if self.start < first:
            edges.append(Period(self.start, first - timedelta(days=1)))
        after_last = _next_month(last)
        if after_last <= self.end:
            edges.append(Period(after_last, self.end))
        return (f"{first:%Y-%m}", f"{last:%Y-%m}"), edges


def _next_month(day: date) -> date:
    return (day.replace(day=1) + timedelta(days=32)).replace(day=1)


def _prev_month(day: date) -> date:
    return (day.replace(day=1) - timedelta(days=1)).replace(day=1)


@dataclass(frozen=True)
class Scope:
    """What a summary covers: the caller's filters and, for a regulator, its country."""

    period: Period
    substance: str | None = None
    exporting_country: str | None = None
    importing_country: str | None = None
    transit_country: str | None = None
    # Rows whose exporting or importing country is in the region.
    region: frozenset[str] | None = None
    # Rows bound for one of these countries (flows towards a region).
    destination: frozenset[str] | None = None
    # A regulator sees the rows its country is party to (exporting, importing or transit).
    party_country: str | None = None
    # Ignore the roll-ups (tests compare both paths; a benchmark may time both).
    raw_only: bool = False


# Dialect-specific expressions. SQLite keeps timestamps as naive UTC text; PostgreSQL as timestamptz.


def month_of(dialect: str, column: Any) -> ColumnElement[Any]:
    if dialect == "postgresql":
        return func.to_char(func.timezone("UTC", column), "YYYY-MM")
    return func.strftime("%Y-%m", column)


def date_of(dialect: str, column: Any) -> ColumnElement[Any]:
    if dialect == "postgresql":
        return cast(func.timezone("UTC", column), Date)
    return func.date(column)


def json_text(dialect: str, column: Any) -> ColumnElement[Any]:
    """A JSON list as canonical text, the form the roll-ups key on."""
    if dialect == "postgresql":
        return cast(column, Text)
    return func.json(column)


def whole_days(dialect: str, since: Any, until: Any) -> ColumnElement[Any]:
    if dialect == "postgresql":
        return cast(func.floor(func.extract("epoch", until - since) / 86400), Integer)
    return _sqlite_millis(since, until) // 86_400_000


def whole_hours(dialect: str, since: Any, until: Any) -> ColumnElement[Any]:
    if dialect == "postgresql":
        return cast(func.floor(func.extract("epoch", until - since) / 3600), Integer)
    return _sqlite_millis(since, until) // 3_600_000


def _sqlite_millis(since: Any, until: Any) -> ColumnElement[Any]:
    """Milliseconds between two SQLite timestamps, exactly (julianday alone drifts by µs, which
    puts a whole hour on the wrong side of floor())."""
    return cast(func.round((func.julianday(until) - func.julianday(since)) * 86_400_000), Integer)


def contains_country(transit_key: Any, country: str) -> ColumnElement[bool]:
    return transit_key.like(f'%"{country}"%')


def route_filters(
    scope: Scope, exporting: Any, importing: Any, transit_key: Any, cas_number: Any
) -> list[ColumnElement[bool]]:
    """The scope's conditions on a row's route and substance."""
    where: list[ColumnElement[bool]] = []
    if scope.substance:
        where.append(cas_number == scope.substance)
    if scope.exporting_country:
        where.append(exporting == scope.exporting_country)
    if scope.importing_country:
        where.append(importing == scope.importing_country)
    if scope.transit_country:
        where.append(contains_country(transit_key, scope.transit_country))
    if scope.region is not None:
        if not scope.region:
            where.append(false())
        else:
            members = sorted(scope.region)
            where.append(or_(exporting.in_(members), importing.in_(members)))
    if scope.destination is not None:
        where.append(importing.in_(sorted(scope.destination)) if scope.destination else false())
    if scope.party_country:
        country = scope.party_country
        where.append(
            or_(
                exporting == country,
                importing == country,
                contains_country(transit_key, country),
            )
        )
    return where


# Notification facts.

PEN_FACT_COLUMNS = (
    "month",
    "exporting_country",
    "importing_country",
    "transit_key",
    "cas_number",
    "decision",
    "withdrawn",
    "reply_days",
    "replied_late",
    "reply_by",
    "n",
    "quantity_kg",
)


def _pen_raw(dialect: str, scope: Scope, period: Period) -> dict[str, Any]:
    p = PEN.c
    transit_key = json_text(dialect, p.transit_countries)
    decided = p.decided_at.is_not(None)
    return {
        "where": [
            p.sent_at >= period.start_at,
            p.sent_at < period.end_before,
            *route_filters(
                scope, p.exporting_country, p.importing_country, transit_key, p.cas_number
            ),
        ],
        "month": month_of(dialect, p.sent_at),
        "exporting_country": p.exporting_country,
        "importing_country": p.importing_country,
        "transit_key": transit_key,
        "cas_number": p.cas_number,
        "decision": func.coalesce(p.decision, ""),
        "withdrawn": case((and_(p.decision.is_(None), p.status == "withdrawn"), 1), else_=0),
        "reply_days": case((decided, whole_days(dialect, p.sent_at, p.decided_at)), else_=-1),
        "replied_late": case(
            (
                and_(decided, p.reply_by.is_not(None), date_of(dialect, p.decided_at) > p.reply_by),
                1,
            ),
            else_=0,
        ),
        "reply_by": case(
            (p.decision.is_(None), func.coalesce(p.reply_by, literal(NO_DATE, Date))),
            else_=literal(NO_DATE, Date),
        ),
        "n": literal(1),
        "quantity_kg": p.quantity_kg,
    }


Source = Callable[..., dict[str, Any]]


def _facts(
    dialect: str,
    scope: Scope,
    raw: Source,
    rollup: Callable[..., list[dict[str, Any]]],
    name: str,
    columns: tuple[str, ...],
) -> Any:
    """Whole months from the roll-up, the partial months at either end from the raw table
    (everything from the raw table when `scope.raw_only`), as one subquery of `columns` alone.

    Only the columns the summary reads are computed: PostgreSQL evaluates every output
    expression of a UNION ALL branch, and the raw branches' expressions (the month as text, the
    transit list as JSON text, reply times) cost more per row than reading the row."""
    months, edges = scope.period.split()
    if scope.raw_only:
        months, edges = None, [scope.period]
    sources = [raw(dialect, scope, edge) for edge in edges]
    if months:
        sources += rollup(scope, months)
    parts = [
        select(*[source[c].label(c) for c in columns]).where(*source["where"]) for source in sources
    ]
    return (parts[0] if len(parts) == 1 else union_all(*parts)).subquery(name)


def _rollup(
    tables: tuple[Any, ...], count: str, columns: tuple[str, ...], scope: Scope, months: Any
) -> list[dict[str, Any]]:
    """The monthly roll-up rows and the deltas not yet folded into them (PostgreSQL writers
    append deltas; see app/dashboard/rollups.py: fold_rollup_deltas)."""
    sources = []
    for table in tables:
        r = table.c
        sources.append(
            {
                "where": [
                    r.month >= months[0],
                    r.month <= months[1],
                    *route_filters(
                        scope, r.exporting_country, r.importing_country, r.transit_key, r.cas_number
                    ),
                ],
                **{c: r[c] for c in columns if c != "n"},
                "n": r[count],
            }
        )
    return sources


def _pen_rollup(scope: Scope, months: tuple[str, str]) -> list[dict[str, Any]]:
    return _rollup((PEN_MONTH, PEN_MONTH_DELTA), "pen_count", PEN_FACT_COLUMNS, scope, months)


def pen_facts(dialect: str, scope: Scope, columns: tuple[str, ...] = PEN_FACT_COLUMNS) -> Any:
    """Sent notifications in the scope, as a subquery with `columns` (of PEN_FACT_COLUMNS)."""
    return _facts(dialect, scope, _pen_raw, _pen_rollup, "pen_fact", columns)


# Shipment facts.


SHIPMENT_FACT_COLUMNS = (
    "month",
    "exporting_country",
    "importing_country",
    "transit_key",
    "cas_number",
    "status",
    "n",
    "quantity_kg",
)


def _shipment_raw(dialect: str, scope: Scope, period: Period) -> dict[str, Any]:
    s = SHIPMENT.c
    transit_key = json_text(dialect, s.transit_countries)
    return {
        "where": [
            s.created_at >= period.start_at,
            s.created_at < period.end_before,
            *route_filters(
                scope, s.exporting_country, s.importing_country, transit_key, s.cas_number
            ),
        ],
        "month": month_of(dialect, s.created_at),
        "exporting_country": s.exporting_country,
        "importing_country": s.importing_country,
        "transit_key": transit_key,
        "cas_number": s.cas_number,
        "status": s.status,
        "n": literal(1),
        "quantity_kg": s.quantity_kg,
    }


def _shipment_rollup(scope: Scope, months: tuple[str, str]) -> list[dict[str, Any]]:
    return _rollup(
        (SHIPMENT_MONTH, SHIPMENT_MONTH_DELTA),
        "shipment_count",
        SHIPMENT_FACT_COLUMNS,
        scope,
        months,
    )


def shipment_facts(
    dialect: str, scope: Scope, columns: tuple[str, ...] = SHIPMENT_FACT_COLUMNS
) -> Any:
    """Shipments declared in the scope, as a subquery with `columns` (of SHIPMENT_FACT_COLUMNS)."""
    return _facts(dialect, scope, _shipment_raw, _shipment_rollup, "shipment_fact", columns)
