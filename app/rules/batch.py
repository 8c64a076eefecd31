"""The rules on a batch of new shipments at once (bulk imports): the same facts, hits and flags
as `service.evaluate_subject` gives each shipment recorded alone, in file order.

A shipment recorded alone is judged against the shipments recorded before it, the earlier rows
of its own import included. Here the history aggregates of a whole batch come from one
statement, run before the batch is written (the subjects as a VALUES list joined to `shipment`
on the covering indexes, one scan per group for all its windows), and the batch's own earlier
rows are added to each subject's windows in Python. Every other fact comes from
`gather.shipment_facts` itself (the operators, PENs and reference data it reads are already in
the session). tests/imports/test_flags.py checks the flags against the single endpoint's on the
demo data.
"""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from types import SimpleNamespace
from typing import Any, cast

from sqlalchemy import Numeric
from sqlmodel import Session

from app.audit import service as audit
from app.core.bulk import insert_rows
from app.core.types import UTCDateTime
from app.rules import gather
from app.rules import service as rules
from app.rules.engine import CompiledRule, evaluate
from app.rules.models import Flag
from app.shipments.models import Shipment

# The aggregate groups over shipments this module computes for a batch (rules/conditions.py).
SHIPMENT_GROUPS = frozenset({"importer_substance", "parties_substance", "pen_shipments"})
# The groups over earlier sent PENs: a batch of shipments adds nothing to them.
PEN_GROUPS = frozenset({"importer_substance_pens", "country_substance_pens"})
FLAG_TABLE = Flag.__table__  # type: ignore[attr-defined]
QUANTITY = Numeric(18, 3)  # shipment.quantity_kg, as gather's sums read it


@dataclass
class Prepared:
    """A batch's facts, gathered before it is written."""

    rules: tuple[CompiledRule, ...]
    facts: list[dict[str, Any]]


def gather_facts(session: Session, shipments: Sequence[Shipment]) -> Prepared:
    """The facts of each new shipment (not yet written), in order, aggregates included."""
    enabled = rules.enabled_rules(session, rules.SHIPMENT)
    if not enabled or not shipments:
        return Prepared(enabled, [{} for _ in shipments])
    incidents = gather.new_shipments_link_facts(session, shipments)
    facts = [
        gather.shipment_facts(session, s, [], incidents=i)
        for s, i in zip(shipments, incidents, strict=True)
    ]
    aggregates = [a for r in enabled for a in r.aggregates]
    unknown = {a.over for a in aggregates} - SHIPMENT_GROUPS - PEN_GROUPS
    if unknown:
        # A new group must be taught here, or the batch's own earlier rows could be missing
        # from it (tests/imports/test_flags.py compares with the single endpoint).
        raise NotImplementedError(f"rules/batch.py: aggregate groups {sorted(unknown)}")
    windows = list(gather.windows_of(aggregates))
    if windows:
        _add_aggregates(session, shipments, facts, windows)
    return Prepared(enabled, facts)


def raise_flags(
    session: Session, shipments: Sequence[Shipment], prepared: Prepared
) -> list[rules.Judgement]:
    """Evaluate the rules on each shipment (now written) and store its flags, with their audit
    rows, as `service.insert_flag` stores each (in one statement per table)."""
    judgements = []
    rows: list[dict[str, Any]] = []
    for shipment, facts in zip(shipments, prepared.facts, strict=True):
        hits = evaluate(prepared.rules, facts) if prepared.rules else []
        # A new shipment has no flags yet: every hit is new.
        raised = [rules.flag_values(rules.SHIPMENT, shipment, hit) for hit in hits]
        rows += raised
        # Read-only stand-ins for the flags as written (ORM instances cost more than the rows).
        flags = [cast(Flag, SimpleNamespace(**values)) for values in raised]
        judgements.append(rules.Judgement(flags, sum((f.weight for f in flags), Decimal(0))))
    insert_rows(session, FLAG_TABLE, rows)
    audit.record_many(
        session, None, "flag.raised", "flag", [(r["id"], rules.flag_audit(r)) for r in rows]
    )
    return judgements


def _add_aggregates(
    session: Session,
    shipments: Sequence[Shipment],
    facts: list[dict[str, Any]],
    windows: list[gather.Window],
) -> None:
    stored = _stored_aggregates(session, shipments, windows)
    earlier: dict[tuple[Any, ...], list[Shipment]] = defaultdict(list)
    for index, shipment in enumerate(shipments):
        for w, (over, days) in enumerate(windows):
            if over == "pen_shipments" and shipment.notification_id is None:
                gather.store_aggregate(facts[index], over, days, 0, None, None)
                continue
            count, total, largest = stored.get((index, w), (0, None, None))
            if over in PEN_GROUPS:
                gather.store_aggregate(facts[index], over, days, count, total, largest)
                continue
            since = shipment.created_at - timedelta(days=days) if days else None
            for other in earlier[_key(over, shipment)]:
                if since is not None and other.created_at < since:
                    continue
                count += 1
                total = (total or Decimal(0)) + other.quantity_kg
                largest = other.quantity_kg if largest is None else max(largest, other.quantity_kg)
            gather.store_aggregate(facts[index], over, days, count, total, largest)
        for over in {over for over, _ in windows} - PEN_GROUPS:
            if over != "pen_shipments" or shipment.notification_id is not None:
                earlier[_key(over, shipment)].append(shipment)


def _key(over: str, shipment: Shipment) -> tuple[Any, ...]:
    if over == "pen_shipments":
        return (over, shipment.notification_id)
    if over == "parties_substance":
        return (over, shipment.importer_id, shipment.exporter_id, shipment.cas_number)
    return (over, shipment.importer_id, shipment.cas_number)


def _stored_aggregates(
    session: Session, shipments: Sequence[Shipment], windows: list[gather.Window]
) -> dict[tuple[int, int], tuple[int, Decimal | None, Decimal | None]]:
    """(subject index, window index) → count, sum and max over the shipments and PENs already
    stored (gather.aggregate_statement's conditions, for every subject in one statement).

    Sent as the driver's own parameters: SQLAlchemy compiling a text statement of thousands of
    named parameters cost more than running it. On PostgreSQL the subjects go as one array per
    column (`unnest`), a dozen parameters whatever the batch's size: psycopg parsing a statement
    of tens of thousands of placeholders cost more than the statement. The arrays go in
    binary (`%b`): psycopg's text form quotes each element through a regular expression, 3.6×
    the time of the binary form for a thousand-row batch's arrays."""
    connection = session.connection()
    dialect = connection.dialect
    to_time = UTCDateTime().bind_processor(dialect) or (lambda value: value)
    to_quantity = QUANTITY.result_processor(dialect, None) or (lambda value: value)
    days_used = sorted({days for _, days in windows if days})
    columns: dict[str, list[Any]] = {
        "i": list(range(len(shipments))),
        "id": [s.id for s in shipments],
        "importer_id": [s.importer_id for s in shipments],
        "exporter_id": [s.exporter_id for s in shipments],
        "importing_country": [s.importing_country for s in shipments],
        "cas_number": [s.cas_number for s in shipments],
        "notification_id": [s.notification_id for s in shipments],
        "created_at": [to_time(s.created_at) for s in shipments],
    }
    for d in days_used:
        columns[f"since_{d}"] = [to_time(s.created_at - timedelta(days=d)) for s in shipments]
    tables, selects = _branches(windows)
    sql = _subjects(dialect.name, columns) + tables + " " + selects
    if dialect.name == "postgresql":
        params = list(columns.values())
    else:
        params = [v for row in zip(*columns.values(), strict=True) for v in row]
    return {
        (int(i), int(w)): (int(n), to_quantity(total), to_quantity(largest))
        for i, w, n, total, largest in connection.exec_driver_sql(sql, tuple(params))
    }


def _subjects(dialect: str, columns: dict[str, list[Any]]) -> str:
    """The common table `s` of the subjects, one row each."""
    names = ", ".join(columns)
    if dialect == "postgresql":
        types = {"i": "int[]", "created_at": "timestamptz[]"}
        arrays = ", ".join(
            f"%b::{types.get(name, 'timestamptz[]' if name.startswith('since_') else 'text[]')}"
            for name in columns
        )
        return f"WITH s AS (SELECT * FROM unnest({arrays}) AS s({names}))"
    placeholder = "(" + ", ".join(["?"] * len(columns)) + ")"
    rows = len(columns["i"])
    return f"WITH s({names}) AS (VALUES {', '.join([placeholder] * rows)})"


def _branches(windows: list[gather.Window]) -> tuple[str, str]:
    """The common tables and the SELECT of the statement: one row (subject, window, count, sum,
    max) per subject and window, as one UNION ALL.

    The windows of one group share one scan of the covering index (a common table `g…` with
    an aggregate per window, the shorter windows as FILTERs): three windows over an importer's
    substance read its history once, not three times."""
    scans: dict[str, list[tuple[int, int | None]]] = {}
    selects = []
    for w, (over, days) in enumerate(windows):
        if over in PEN_GROUPS:
            selects.append(_pen_branch(w, over, days))
        else:
            scans.setdefault(over, []).append((w, days))
    tables = []
    for n, (over, members) in enumerate(scans.items()):
        if over == "pen_shipments":
            on, bound = "h.notification_id = s.notification_id", None
        else:
            on = "h.importer_id = s.importer_id AND h.cas_number = s.cas_number"
            on += " AND h.created_at < s.created_at"
            if over == "parties_substance":
                on += " AND h.exporter_id = s.exporter_id"
            # Rows older than every window need not be read.
            bound = None if any(not d for _, d in members) else max(d or 0 for _, d in members)
            if bound:
                on += f" AND h.created_at >= s.since_{bound}"
        columns = []
        for w, days in members:
            narrower = over != "pen_shipments" and days and days != bound
            only = f" FILTER (WHERE h.created_at >= s.since_{days})" if narrower else ""
            columns.append(
                f"count(*){only} AS n{w}, sum(h.quantity_kg){only} AS t{w}, "
                f"max(h.quantity_kg){only} AS l{w}"
            )
            selects.append(f"SELECT i, {w}, n{w}, t{w}, l{w} FROM g{n}")
        tables.append(
            f"g{n} AS (SELECT s.i AS i, {', '.join(columns)} FROM s JOIN shipment h ON {on} "
            "GROUP BY s.i)"
        )
    return "".join(", " + t for t in tables), " UNION ALL ".join(selects)


def _pen_branch(w: int, over: str, days: int | None) -> str:
    """gather._earlier_pens for every subject: earlier sent PENs of the substance, from any
    exporter, to the same importer or the same importing country."""
    on = (
        "p.importer_id = s.importer_id"
        if over == "importer_substance_pens"
        else "p.importing_country = s.importing_country"
    )
    on += " AND p.cas_number = s.cas_number AND p.created_at < s.created_at"
    on += " AND p.sent_at IS NOT NULL AND p.id <> s.id"
    if days:
        on += f" AND p.created_at >= s.since_{days}"
    return (
        f"SELECT s.i, {w}, count(*), sum(p.quantity_kg), max(p.quantity_kg) "
        f"FROM s JOIN pre_export_notification p ON {on} GROUP BY s.i"
    )
