"""The rules on a batch of new shipments at once (bulk imports): the same facts, hits and flags
as `service.evaluate_subject` gives each shipment recorded alone, in file order.

A shipment recorded alone is judged against the shipments recorded before it, the earlier rows
of its own import included. Here the history aggregates of a whole batch come from one
statement, run before the batch is written (the subjects as a VALUES list joined to `shipment`
on the covering indexes), and the batch's own earlier rows are added to each subject's windows
in Python. Every other fact comes from `gather.shipment_facts` itself (the operators, PENs and
reference data it reads are already in the session). tests/imports/test_flags.py checks the
flags against the single endpoint's on the demo data.
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
    facts = [gather.shipment_facts(session, s, []) for s in shipments]
    aggregates = [a for r in enabled for a in r.aggregates]
    windows = list(gather.windows_of(a for a in aggregates if a.over in SHIPMENT_GROUPS))
    if windows:
        _add_aggregates(session, shipments, facts, windows)
    others = [a for a in aggregates if a.over not in SHIPMENT_GROUPS]
    if any(not a.over.endswith("_pens") for a in others):
        # A new group over shipments must be taught here, or the batch's own earlier rows would
        # be missing from it (tests/imports/test_flags.py compares with the single endpoint).
        raise NotImplementedError(
            f"rules/batch.py: aggregate groups {sorted({a.over for a in others})}"
        )
    if others:
        # Groups over PENs: a batch of shipments adds nothing to them; gather's own statement.
        for shipment, subject_facts in zip(shipments, facts, strict=True):
            gather.add_aggregates(session, subject_facts, shipment, others)
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
        raised = [rules.flag_values(rules.SHIPMENT, shipment.id, hit) for hit in hits]
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
            since = shipment.created_at - timedelta(days=days) if days else None
            for other in earlier[_key(over, shipment)]:
                if since is not None and other.created_at < since:
                    continue
                count += 1
                total = (total or Decimal(0)) + other.quantity_kg
                largest = other.quantity_kg if largest is None else max(largest, other.quantity_kg)
            gather.store_aggregate(facts[index], over, days, count, total, largest)
        for over in {over for over, _ in windows}:
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
    """(subject index, window index) → count, sum and max over the shipments already stored
    (gather.aggregate_statement's conditions, for every subject in one statement).

    Sent as the driver's own positional parameters: SQLAlchemy compiling a text statement of
    thousands of named parameters cost more than running it."""
    connection = session.connection()
    dialect = connection.dialect
    mark = "?" if dialect.paramstyle == "qmark" else "%s"
    to_time = UTCDateTime().bind_processor(dialect) or (lambda value: value)
    to_quantity = QUANTITY.result_processor(dialect, None) or (lambda value: value)
    days_used = sorted({days for _, days in windows if days})
    columns = ["i", "importer_id", "exporter_id", "cas_number", "notification_id", "created_at"]
    columns += [f"since_{d}" for d in days_used]
    placeholder = "(" + ", ".join([mark] * len(columns)) + ")"
    params: list[Any] = []
    for index, s in enumerate(shipments):
        params += [index, s.importer_id, s.exporter_id, s.cas_number, s.notification_id]
        params += [to_time(s.created_at)]
        params += [to_time(s.created_at - timedelta(days=d)) for d in days_used]
    branches = []
    for w, (over, days) in enumerate(windows):
        if over == "pen_shipments":
            on = "h.notification_id = s.notification_id"
        else:
            on = "h.importer_id = s.importer_id AND h.cas_number = s.cas_number"
            on += " AND h.created_at < s.created_at"
            if over == "parties_substance":
                on += " AND h.exporter_id = s.exporter_id"
            if days:
                on += f" AND h.created_at >= s.since_{days}"
        branches.append(
            f"SELECT s.i, {w}, count(*), sum(h.quantity_kg), max(h.quantity_kg) "
            f"FROM s JOIN shipment h ON {on} GROUP BY s.i"
        )
    sql = (
        f"WITH s({', '.join(columns)}) AS (VALUES {', '.join([placeholder] * len(shipments))}) "
        + " UNION ALL ".join(branches)
    )
    return {
        (int(i), int(w)): (int(n), to_quantity(total), to_quantity(largest))
        for i, w, n, total, largest in connection.exec_driver_sql(sql, tuple(params))
    }
