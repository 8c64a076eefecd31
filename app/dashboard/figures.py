"""One definition per figure: what each summary counts, as SQLAlchemy expressions over the raw
tables (notifications, shipments, border events, flags, incidents, backtracking requests).

Every summary query is composed from these definitions, and nothing else defines them: there are
no roll-up tables to keep in step (bench/README.md, "Dashboard summaries": indexed queries over
the raw tables meet the targets at 1,000,000 shipments, so the roll-up machinery was removed).
Changing what "replied late" means is an edit to `replied_late` below and nowhere else.
"""

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
    exists,
    false,
    func,
    literal,
    or_,
    select,
)
from sqlalchemy.orm import aliased
from sqlalchemy.sql.elements import ColumnElement

from app.incidents.models import BacktrackingRequest, Incident, IncidentCountry, IncidentSubstance
from app.notifications.models import PreExportNotification
from app.rules.models import Flag
from app.shipments.models import Shipment, ShipmentEvent

PEN = PreExportNotification.__table__  # type: ignore[attr-defined]
SHIPMENT = Shipment.__table__  # type: ignore[attr-defined]
EVENT = ShipmentEvent.__table__  # type: ignore[attr-defined]
FLAG = Flag.__table__  # type: ignore[attr-defined]
INCIDENT = Incident.__table__  # type: ignore[attr-defined]
INCIDENT_SUBSTANCE = IncidentSubstance.__table__  # type: ignore[attr-defined]
INCIDENT_COUNTRY = IncidentCountry.__table__  # type: ignore[attr-defined]
BACKTRACKING = BacktrackingRequest.__table__  # type: ignore[attr-defined]

DECISIONS = ("no_objection", "objection", "information_requested")
INTERDICTIONS = ("stopped", "seized")


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

    def holds(self, moment: Any) -> list[ColumnElement[bool]]:
        """`moment` (a timestamp column) falls on one of the period's days."""
        return [moment >= self.start_at, moment < self.end_before]


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

    @property
    def filters_routes(self) -> bool:
        """Whether any condition falls on a row's route or substance."""
        return any(
            value is not None and value != ""
            for value in (
                self.substance,
                self.exporting_country,
                self.importing_country,
                self.transit_country,
                self.region,
                self.destination,
                self.party_country,
            )
        )


# Dialect-specific expressions. SQLite keeps timestamps as naive UTC text; PostgreSQL as timestamptz.


def month_of(dialect: str, column: Any) -> ColumnElement[Any]:
    """YYYY-MM of a timestamp, in UTC."""
    if dialect == "postgresql":
        return func.to_char(func.timezone("UTC", column), "YYYY-MM")
    return func.strftime("%Y-%m", column)


def date_of(dialect: str, column: Any) -> ColumnElement[Any]:
    """The UTC calendar day of a timestamp."""
    if dialect == "postgresql":
        return cast(func.timezone("UTC", column), Date)
    return func.date(column)


def json_text(dialect: str, column: Any) -> ColumnElement[Any]:
    """A JSON list as text (to match a country in it, or to group routes by it)."""
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


def route_filters(dialect: str, scope: Scope, table: Any) -> list[ColumnElement[bool]]:
    """The scope's conditions on a notification's or shipment's route and substance."""
    c = table.c
    exporting, importing = c.exporting_country, c.importing_country

    def transits(country: str) -> ColumnElement[bool]:
        return json_text(dialect, c.transit_countries).like(f'%"{country}"%')

    where: list[ColumnElement[bool]] = []
    if scope.substance:
        where.append(c.cas_number == scope.substance)
    if scope.exporting_country:
        where.append(exporting == scope.exporting_country)
    if scope.importing_country:
        where.append(importing == scope.importing_country)
    if scope.transit_country:
        where.append(transits(scope.transit_country))
    if scope.region is not None:
        members = sorted(scope.region)
        where.append(or_(exporting.in_(members), importing.in_(members)) if members else false())
    if scope.destination is not None:
        where.append(importing.in_(sorted(scope.destination)) if scope.destination else false())
    if scope.party_country:
        country = scope.party_country
        where.append(or_(exporting == country, importing == country, transits(country)))
    return where


# Notifications. A notification counts once sent, in the period of its sent_at.


def pens_sent(dialect: str, scope: Scope) -> list[ColumnElement[bool]]:
    """Notifications sent in the scope's period, on its routes and substance."""
    return [*scope.period.holds(PEN.c.sent_at), *route_filters(dialect, scope, PEN)]


def withdrawn_unreplied() -> ColumnElement[int]:
    """1: withdrawn before any decision came."""
    p = PEN.c
    return case((and_(p.decision.is_(None), p.status == "withdrawn"), 1), else_=0)


def reply_days(dialect: str) -> ColumnElement[int]:
    """Whole days from sending to the decision; -1 while there is none."""
    p = PEN.c
    return case((p.decided_at.is_not(None), whole_days(dialect, p.sent_at, p.decided_at)), else_=-1)


def replied_late(dialect: str) -> ColumnElement[int]:
    """1: the decision came on a day after reply_by."""
    p = PEN.c
    late = and_(
        p.decided_at.is_not(None),
        p.reply_by.is_not(None),
        date_of(dialect, p.decided_at) > p.reply_by,
    )
    return case((late, 1), else_=0)


def unanswered(as_of: date) -> ColumnElement[int]:
    """1: no decision, not withdrawn, and reply_by passed before `as_of`."""
    p = PEN.c
    silent = and_(
        p.decision.is_(None),
        p.status != "withdrawn",
        p.reply_by.is_not(None),
        p.reply_by < literal(as_of, Date),
    )
    return case((silent, 1), else_=0)


# Shipments. A shipment counts in the period of its created_at (when it was declared).


def shipments_declared(dialect: str, scope: Scope) -> list[ColumnElement[bool]]:
    """Shipments declared in the scope's period, on its routes and substance."""
    return [*scope.period.holds(SHIPMENT.c.created_at), *route_filters(dialect, scope, SHIPMENT)]


def _interdiction_quantity() -> ColumnElement[Any]:
    e, declared_by = EVENT.c, SHIPMENT.alias("declared_by")
    declared = (
        select(declared_by.c.quantity_kg)
        .where(declared_by.c.id == e.shipment_id)
        .correlate(EVENT)
        .scalar_subquery()
    )
    return func.coalesce(e.quantity_observed_kg, declared)


# The parts of the statements that no filter changes are built once, at import (SQLAlchemy
# expressions are immutable; building them cost more than running the small views' statements).
_INTERDICTION_QUANTITY = _interdiction_quantity()


def interdiction_quantity() -> ColumnElement[Any]:
    """A stop's or seizure's quantity: the one observed at the event, else the shipment's
    declared quantity (looked up only when nothing was observed)."""
    return _INTERDICTION_QUANTITY


def interdictions(
    dialect: str, scope: Scope, *, by_origin: bool = True, types: tuple[str, ...] = INTERDICTIONS
) -> Any:
    """Every stop and seizure (`types`) that occurred in the period, on a shipment in the scope's
    routes:
    (event_type, country, shipment_id, quantity_kg) and, `by_origin`, the shipment's
    exporting_country and cas_number. The route is the event's copy of its shipment's, so a
    year's stops are read from one index without looking their shipments up."""
    e = EVENT.c
    columns = [
        e.type.label("event_type"),
        e.country,
        e.shipment_id,
        interdiction_quantity().label("quantity_kg"),
    ]
    if by_origin:
        columns += [e.exporting_country, e.cas_number]
    return select(*columns).where(*interdictions_in(dialect, scope, types))


def interdictions_in(
    dialect: str, scope: Scope, types: tuple[str, ...] = INTERDICTIONS
) -> list[ColumnElement[bool]]:
    """The conditions of `interdictions`: border events of `types` in the period, on the scope's
    routes."""
    e = EVENT.c
    return [
        e.type.in_(types),
        *scope.period.holds(e.occurred_at),
        *route_filters(dialect, scope, EVENT),
    ]


def latest_observations(dialect: str, scope: Scope) -> Any:
    """Per shipment citing a notification, its latest recorded observed quantity (by the event's
    created_at, then id: as on the shipment), counted in the period in which it occurred:
    (shipment_id, pen_id, notified_kg, declared_kg, observed_kg). The events carry their
    shipment's notification and route, so only the observations of shipments citing a
    notification are read, and only theirs look their shipment and notification up."""
    e = EVENT.c
    return _OBSERVATIONS.where(
        *scope.period.holds(e.occurred_at), *route_filters(dialect, scope, EVENT)
    )


def _observations() -> Any:
    """The latest recorded observation of each shipment citing a notification, any period."""
    e, s, p = EVENT.c, SHIPMENT.c, PEN.c
    later = aliased(EVENT)
    recorded_after = exists().where(
        later.c.shipment_id == e.shipment_id,
        later.c.quantity_observed_kg.is_not(None),
        or_(
            later.c.created_at > e.created_at,
            and_(later.c.created_at == e.created_at, later.c.id > e.id),
        ),
    )
    return (
        select(
            e.shipment_id,
            e.notification_id.label("pen_id"),
            p.quantity_kg.label("notified_kg"),
            s.quantity_kg.label("declared_kg"),
            e.quantity_observed_kg.label("observed_kg"),
        )
        .select_from(
            EVENT.join(SHIPMENT, s.id == e.shipment_id).join(PEN, p.id == e.notification_id)
        )
        .where(e.quantity_observed_kg.is_not(None), e.notification_id.is_not(None), ~recorded_after)
    )


_OBSERVATIONS = _observations()


# Flags. A flag counts in the period it was raised, if the caller may see its subject.


def triage_hours(dialect: str) -> ColumnElement[int]:
    """Whole hours from a flag's raising to its latest triage step; -1 while untriaged."""
    f = FLAG.c
    return cast(
        case(
            (f.triaged_at.is_not(None), whole_hours(dialect, f.created_at, f.triaged_at)),
            else_=literal(-1),
        ),
        Integer,
    )


def flags_raised(dialect: str, scope: Scope, *columns: Any) -> Any:
    """`columns` of the flags raised in the period on shipments and notifications in the scope.

    A draft notification is its exporting country's alone, so flags on drafts count only for
    that country's regulator. Flags on shipments are joined to their shipment only when the
    scope filters routes (the unfiltered view reads the flags alone)."""
    f = FLAG.c
    raised = scope.period.holds(f.created_at)
    on_shipments = select(*columns).where(f.subject_type == "shipment", *raised)
    if scope.filters_routes:
        on_shipments = on_shipments.join(SHIPMENT, SHIPMENT.c.id == f.subject_id).where(
            *route_filters(dialect, scope, SHIPMENT)
        )
    p = PEN.c
    on_pens = (
        select(*columns)
        .join(PEN, p.id == f.subject_id)
        .where(
            f.subject_type == "pre_export_notification",
            *raised,
            or_(p.status != "draft", p.exporting_country == (scope.party_country or "")),
            *route_filters(dialect, scope, PEN),
        )
    )
    return on_shipments.union_all(on_pens).subquery("flag_raised")


# Incidents. An incident counts in the period of the day it occurred; its origin stands for the
# exporting country and its destination for the importing one in the route filters; a
# regulator or law-enforcement authority sees the incidents its country is named in.


def incident_filters(dialect: str, scope: Scope) -> list[ColumnElement[bool]]:
    """The scope's conditions on an incident's countries and substances (not its date)."""
    i = INCIDENT.c
    where: list[ColumnElement[bool]] = []
    if scope.substance:
        # IN, not EXISTS: the seizures-by-substance query reads incident_substance itself.
        found = select(INCIDENT_SUBSTANCE.c.incident_id).where(
            INCIDENT_SUBSTANCE.c.cas_number == scope.substance
        )
        where.append(i.id.in_(found))
    if scope.exporting_country:
        where.append(i.origin_country == scope.exporting_country)
    if scope.importing_country:
        where.append(i.destination_country == scope.importing_country)
    if scope.transit_country:
        where.append(json_text(dialect, i.transit_countries).like(f'%"{scope.transit_country}"%'))
    if scope.region is not None:
        members = sorted(scope.region)
        named = [i.country, i.origin_country, i.destination_country]
        where.append(or_(*(c.in_(members) for c in named)) if members else false())
    if scope.party_country:
        named_in = select(INCIDENT_COUNTRY.c.incident_id).where(
            INCIDENT_COUNTRY.c.country == scope.party_country
        )
        where.append(i.id.in_(named_in))
    return where


def incidents_occurred(dialect: str, scope: Scope) -> list[ColumnElement[bool]]:
    """Incidents that occurred in the scope's period, on its countries and substances."""
    i = INCIDENT.c
    return [
        i.occurred_on >= scope.period.start,
        i.occurred_on <= scope.period.end,
        *incident_filters(dialect, scope),
    ]


def is_seizure() -> ColumnElement[bool]:
    return INCIDENT.c.kind == "seizure"


# Backtracking requests count in the period they were sent, when the scope's filters hold for
# their incident; a country sees the requests it sent or received.


def backtracking_sent(dialect: str, scope: Scope) -> list[ColumnElement[bool]]:
    b = BACKTRACKING.c
    where = [*scope.period.holds(b.created_at)]
    party = scope.party_country
    if party:
        where.append(or_(b.from_country == party, b.to_country == party))
    incident_scope = Scope(
        period=scope.period,
        substance=scope.substance,
        exporting_country=scope.exporting_country,
        importing_country=scope.importing_country,
        transit_country=scope.transit_country,
        region=scope.region,
    )
    if incident_scope.filters_routes:
        matching = select(INCIDENT.c.id).where(*incident_filters(dialect, incident_scope))
        where.append(b.incident_id.in_(matching))
    return where


def answer_days(dialect: str) -> ColumnElement[int]:
    """Whole days from sending a backtracking request to its answer; -1 while open."""
    b = BACKTRACKING.c
    return cast(
        case(
            (b.answered_at.is_not(None), whole_days(dialect, b.created_at, b.answered_at)),
            else_=literal(-1),
        ),
        Integer,
    )


def backtracking_overdue(as_of: date) -> ColumnElement[int]:
    """1: still open and `reply_by` passed before `as_of`."""
    b = BACKTRACKING.c
    return cast(case((and_(b.status == "open", b.reply_by < as_of), 1), else_=0), Integer)
