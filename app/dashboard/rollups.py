"""Rebuilding the summary tables from the raw tables, and bulk loads without their triggers.

The triggers (migrations/versions/*summary*) keep `summary_*` tables exact row by row, which costs
a bulk load most of its speed. A bulk load therefore switches them off inside its transaction
(`suspended_triggers`), and rebuilds every summary table from the raw tables with one set-based
INSERT … SELECT each before it commits (`rebuild_rollups`). The rebuild reads the raw tables
through app/dashboard/facts.py, the same expressions the summaries use for partial months.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

from sqlalchemy import (
    Integer,
    Table,
    case,
    cast,
    delete,
    func,
    insert,
    literal,
    select,
    text,
    union_all,
)
from sqlmodel import Session

from app.dashboard.facts import (
    PEN,
    PEN_MONTH,
    PEN_MONTH_DELTA,
    SHIPMENT,
    SHIPMENT_MONTH,
    SHIPMENT_MONTH_DELTA,
    Period,
    Scope,
    json_text,
    pen_facts,
    shipment_facts,
    whole_hours,
)
from app.dashboard.models import FlagSubject, ShipmentInterdiction, ShipmentObserved
from app.rules.models import Flag
from app.shipments.models import ShipmentEvent

OBSERVED = ShipmentObserved.__table__  # type: ignore[attr-defined]
INTERDICTION = ShipmentInterdiction.__table__  # type: ignore[attr-defined]
FLAG_SUBJECT = FlagSubject.__table__  # type: ignore[attr-defined]
FLAG = Flag.__table__  # type: ignore[attr-defined]
EVENT = ShipmentEvent.__table__  # type: ignore[attr-defined]
EVERYTHING = Period(date(1900, 1, 1), date(2999, 12, 31))


OBSERVED_COLUMNS = (
    "shipment_id",
    "pen_id",
    "exporting_country",
    "importing_country",
    "transit_key",
    "cas_number",
    "notified_kg",
    "declared_kg",
    "observed_kg",
    "occurred_at",
    "recorded_at",
    "event_id",
)


INTERDICTION_COLUMNS = (
    "event_id",
    "shipment_id",
    "event_type",
    "country",
    "exporting_country",
    "importing_country",
    "transit_key",
    "cas_number",
    "quantity_kg",
    "occurred_at",
    "solo_in_country",
    "solo_in_type",
)
INTERDICTIONS = ("stopped", "seized")
FLAG_SUBJECT_COLUMNS = (
    "flag_id",
    "subject_type",
    "subject_id",
    "rule",
    "severity",
    "status",
    "created_at",
    "triage_hours",
    "exporting_country",
    "importing_country",
    "transit_key",
    "cas_number",
    "draft_country",
)


def _monthly(table: Table, facts: Any, count: str) -> Any:
    keys = [c.name for c in table.primary_key.columns]
    query = select(
        *[facts.c[k] for k in keys], func.sum(facts.c.n), func.sum(facts.c.quantity_kg)
    ).group_by(*[facts.c[k] for k in keys])
    return insert(table).from_select([*keys, count, "quantity_kg"], query)


def latest_observations(dialect: str) -> Any:
    """Per shipment, its latest recorded observed quantity with the shipment's route and the
    notified quantity: the rows of `summary_shipment_observed`, from the raw tables."""
    e, s, p = EVENT.c, SHIPMENT.c, PEN.c
    ranked = (
        select(
            e.id,
            e.shipment_id,
            e.quantity_observed_kg,
            e.occurred_at,
            e.created_at,
            func.row_number()
            .over(partition_by=e.shipment_id, order_by=(e.created_at.desc(), e.id.desc()))
            .label("rank"),
        )
        .where(e.quantity_observed_kg.is_not(None))
        .subquery("ranked")
    )
    columns = (
        ranked.c.shipment_id,
        s.notification_id,
        s.exporting_country,
        s.importing_country,
        json_text(dialect, s.transit_countries),  # as the roll-ups key it
        s.cas_number,
        p.quantity_kg,
        s.quantity_kg,
        ranked.c.quantity_observed_kg,
        ranked.c.occurred_at,
        ranked.c.created_at,
        ranked.c.id,
    )
    return (
        select(*[c.label(name) for c, name in zip(columns, OBSERVED_COLUMNS, strict=True)])
        .select_from(
            ranked.join(SHIPMENT, s.id == ranked.c.shipment_id).outerjoin(
                PEN, p.id == s.notification_id
            )
        )
        .where(ranked.c.rank == literal(1))
    )


def interdiction_events(dialect: str, flags: bool = True) -> Any:
    """Every stop and seizure with its shipment's route, substance and quantity (observed at
    the event, else declared), and (flags) whether it is the only event of its (shipment, type,
    country) and of its (shipment, type): the rows of `summary_shipment_interdiction`, from the
    raw tables. Must match migrations/versions/2026-11-28_summary_interdiction*.py."""
    e, s = EVENT.c, SHIPMENT.c
    columns: tuple[Any, ...] = (
        e.id,
        e.shipment_id,
        e.type,
        e.country,
        s.exporting_country,
        s.importing_country,
        json_text(dialect, s.transit_countries),  # as the roll-ups key it
        s.cas_number,
        func.coalesce(e.quantity_observed_kg, s.quantity_kg),
        e.occurred_at,
    )
    if flags:
        columns += tuple(
            case((func.count().over(partition_by=keys) == 1, 1), else_=0)
            for keys in ((e.shipment_id, e.type, e.country), (e.shipment_id, e.type))
        )
    return (
        select(*[c.label(name) for c, name in zip(columns, INTERDICTION_COLUMNS, strict=False)])
        .select_from(EVENT.join(SHIPMENT, s.id == e.shipment_id))
        .where(e.type.in_(INTERDICTIONS))
    )


def triage_hours(dialect: str, f: Any) -> Any:
    """Whole hours from a flag's raising to its latest triage step; -1 while untriaged."""
    return cast(
        case(
            (f.triaged_at.is_not(None), whole_hours(dialect, f.created_at, f.triaged_at)),
            else_=literal(-1),
        ),
        Integer,
    )


def flag_subjects(dialect: str) -> Any:
    """Every flag beside its subject's route, substance and (for a draft PEN) its exporting
    country: the rows of `summary_flag`, from the raw tables. Must match
    migrations/versions/2026-12-01_summary_flag.py."""
    f = FLAG.c
    parts = []
    for subject_type, table in (("shipment", SHIPMENT), ("pre_export_notification", PEN)):
        s = table.c
        draft = (
            case((s.status == "draft", s.exporting_country), else_=literal(""))
            if table is PEN
            else literal("")
        )
        columns = (
            f.id,
            f.subject_type,
            f.subject_id,
            f.rule,
            f.severity,
            f.status,
            f.created_at,
            triage_hours(dialect, f),
            s.exporting_country,
            s.importing_country,
            json_text(dialect, s.transit_countries),
            s.cas_number,
            draft,
        )
        parts.append(
            select(*[c.label(n) for c, n in zip(columns, FLAG_SUBJECT_COLUMNS, strict=True)])
            .select_from(FLAG.join(table, s.id == f.subject_id))
            .where(f.subject_type == subject_type)
        )
    return union_all(*parts)


def rebuild_rollups(session: Session) -> None:
    """Empty every summary table and fill it again from the raw tables (set-based)."""
    dialect = session.get_bind().dialect.name
    everything = Scope(EVERYTHING, raw_only=True)
    for table in (
        PEN_MONTH,
        PEN_MONTH_DELTA,
        SHIPMENT_MONTH,
        SHIPMENT_MONTH_DELTA,
        OBSERVED,
        INTERDICTION,
        FLAG_SUBJECT,
    ):
        session.execute(delete(table))
    session.execute(_monthly(PEN_MONTH, pen_facts(dialect, everything), "pen_count"))
    session.execute(_monthly(SHIPMENT_MONTH, shipment_facts(dialect, everything), "shipment_count"))
    session.execute(
        insert(OBSERVED).from_select(list(OBSERVED_COLUMNS), latest_observations(dialect))
    )
    session.execute(
        insert(INTERDICTION).from_select(list(INTERDICTION_COLUMNS), interdiction_events(dialect))
    )
    session.execute(
        insert(FLAG_SUBJECT).from_select(list(FLAG_SUBJECT_COLUMNS), flag_subjects(dialect))
    )


def fold_rollup_deltas(session: Session) -> None:
    """Move the roll-up deltas PostgreSQL writers appended into the monthly rows, in one
    statement per roll-up (migrations/versions/2026-12-01_summary_rollup_deltas.py). Writers
    also fold now and then; this folds now. SQLite writers update the monthly rows directly."""
    if session.get_bind().dialect.name != "postgresql":
        return
    for table in (PEN_MONTH, SHIPMENT_MONTH):
        session.execute(text(f"SELECT {table.name}_fold()"))


def summary_triggers(session: Session) -> list[tuple[str, str]]:
    """(table, trigger) for every trigger that maintains a summary table."""
    if session.get_bind().dialect.name == "postgresql":
        rows = session.execute(
            text(
                "SELECT c.relname, t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                "WHERE NOT t.tgisinternal AND t.tgname LIKE 'summary\\_%' ORDER BY 1, 2"
            )
        )
    else:
        rows = session.execute(
            text(
                "SELECT tbl_name, name FROM sqlite_master WHERE type = 'trigger' "
                "AND name LIKE 'summary\\_%' ESCAPE '\\' ORDER BY 1, 2"
            )
        )
    return [(row[0], row[1]) for row in rows]


@contextmanager
def suspended_triggers(session: Session) -> Iterator[None]:
    """Run a bulk load without the summary triggers, then rebuild the summaries.

    Everything happens in the session's transaction: on PostgreSQL `ALTER TABLE … DISABLE
    TRIGGER` (undone by a rollback, and holding the tables' exclusive lock until commit, so no
    concurrent write escapes the summaries); on SQLite, which cannot disable a trigger, the
    triggers are dropped and created again from their stored SQL (SQLite's DDL is transactional).
    The caller commits."""
    triggers = summary_triggers(session)
    postgres = session.get_bind().dialect.name == "postgresql"
    stored: list[str] = []
    if postgres:
        for table, name in triggers:
            session.execute(text(f'ALTER TABLE "{table}" DISABLE TRIGGER "{name}"'))
    else:
        for _table, name in triggers:
            sql = session.execute(
                text("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = :name"),
                {"name": name},
            ).scalar_one()
            stored.append(sql)
            session.execute(text(f'DROP TRIGGER "{name}"'))
    yield
    rebuild_rollups(session)
    if postgres:
        for table, name in triggers:
            session.execute(text(f'ALTER TABLE "{table}" ENABLE TRIGGER "{name}"'))
    else:
        for sql in stored:
            session.execute(text(sql))
