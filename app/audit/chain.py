"""The audit trail as a hash chain: each row carries its place (`chain_seq`), the hash of the row
before it and its own hash over its content. A row changed, removed or inserted out of band
breaks the chain at that row, and `pentrack audit verify` names it.

Rows are chained when their transaction commits (`before_commit`, below): the chain's head is
taken under a lock (a PostgreSQL advisory lock; SQLite has one writer anyway) only for the moment
of the commit, so concurrent writers wait for each other's commits, not for each other's whole
requests. `audit.service.record` hands each row to `defer`: it is written then, already chained,
in one statement with the transaction's other rows (not inserted, then updated with its link);
a reader of the trail inside the transaction calls `write_deferred` first. A rolled-back
transaction's rows are forgotten with it.

The chain proves the trail was not edited with SQL behind the application's back; it is not a
signature (whoever can write the table and knows this code can also forge a consistent tail).
"""

import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import (
    Connection,
    MetaData,
    Table,
    bindparam,
    event,
    insert,
    select,
    text,
    update,
)
from sqlmodel import Session

from app.audit.models import AuditEvent
from app.core.bulk import insert_rows

GENESIS = "0" * 64
PENDING = "pentrack.audit_pending"
# Any constant: the key of the advisory lock that orders commits onto the chain.
CHAIN_LOCK = 0x70_65_6E_74  # "pent"
CONTENT = (
    "id",
    "occurred_at",
    "actor_user_id",
    "actor_role",
    "actor_authority_id",
    "action",
    "subject_type",
    "subject_id",
    "before",
    "after",
    "request_id",
)
TABLE: Table = AuditEvent.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Deferred:
    """A row not yet written: inserted, chained, when the session commits."""

    row: Mapping[str, Any]


def defer(session: Session, row: Mapping[str, Any]) -> None:
    """Write and chain this row when the session commits."""
    session.info.setdefault(PENDING, []).append(Deferred(row))


def write_deferred(session: Session) -> None:
    """Write the deferred rows now (unchained: chained at commit), for a reader of the trail
    inside the transaction."""
    pending = session.info.get(PENDING) or []
    rows = [item.row for item in pending if isinstance(item, Deferred)]
    if rows:
        session.connection().execute(insert(TABLE), rows)
        pending[:] = [item.row if isinstance(item, Deferred) else item for item in pending]


@dataclass(frozen=True)
class StoredRange:
    """`count` rows written with the consecutive ids `first`…`last` (audit.record_many): chained
    when the session commits from what the database holds, so that a bulk import's memory does
    not grow with its audit rows. `staged`: written to the session's staging table (`stage`),
    not yet to `audit_event`."""

    first: str
    last: str
    count: int
    staged: bool = False


def remember_stored(
    session: Session, first: str, last: str, count: int, staged: bool = False
) -> None:
    """Chain the rows with ids `first`…`last` (consecutive, all written by this session)."""
    session.info.setdefault(PENDING, []).append(StoredRange(first, last, count, staged))


# PostgreSQL: many rows of one transaction (a bulk import's) wait in a temporary table, private
# to the connection and emptied at commit, and go to `audit_event` once, chained, when the
# transaction commits: written to `audit_event` at once, they would each be written twice (the
# INSERT, then the UPDATE that chains it, with all six indexes), which cost a bulk import a
# tenth of its time.
STAGE = "pentrack_audit_stage"
_STAGE_TABLE = TABLE.to_metadata(MetaData(), name=STAGE)
_CREATE_STAGE = text(
    f"CREATE TEMPORARY TABLE IF NOT EXISTS {STAGE} "
    "(LIKE audit_event INCLUDING DEFAULTS, PRIMARY KEY (id)) ON COMMIT DELETE ROWS"
)
_STAGED = (
    select(_STAGE_TABLE)
    .where(_STAGE_TABLE.c.id.between(bindparam("first"), bindparam("last")))
    .order_by(_STAGE_TABLE.c.id)
)


def stage_table(session: Session) -> Table:
    """The staging table of this session's connection, created if need be (once per
    transaction: a rolled-back one takes its creation with it)."""
    transaction = session.get_transaction()
    if session.info.get(STAGE) is not transaction:
        session.connection().execute(_CREATE_STAGE)
        session.info[STAGE] = transaction
    return _STAGE_TABLE


def row_hash(prev_hash: str, row: Mapping[Any, Any]) -> str:
    """The hash of a row after `prev_hash`: SHA-256 over the previous hash and the row's
    content as canonical JSON."""
    content = {name: _plain(row[name]) for name in CONTENT}
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(f"{prev_hash}\n{canonical}".encode()).hexdigest()


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


@event.listens_for(Session, "before_commit")
def _seal(session: Session) -> None:
    pending = session.info.pop(PENDING, None)
    if pending:
        seal(session.connection(), pending)


@event.listens_for(Session, "after_rollback")
def _forget(session: Session) -> None:
    session.info.pop(PENDING, None)


# Built once: the commit of every write runs them.
_HEAD = (
    select(TABLE.c.chain_seq, TABLE.c.row_hash)
    .where(TABLE.c.chain_seq.is_not(None))
    .order_by(TABLE.c.chain_seq.desc())
    .limit(1)
)
_LINK = (
    update(TABLE)
    .where(TABLE.c.id == bindparam("b_id"))
    .values(
        chain_seq=bindparam("chain_seq"),
        prev_hash=bindparam("prev_hash"),
        row_hash=bindparam("row_hash"),
    )
)
_LOCK = text("SELECT pg_advisory_xact_lock(:key)")


# The unchained rows of a stored range, in id order (the order they were written).
_STORED = (
    select(TABLE)
    .where(
        TABLE.c.id.between(bindparam("first"), bindparam("last")),
        TABLE.c.chain_seq.is_(None),
    )
    .order_by(TABLE.c.id)
)
LINK_BATCH = 5000
# A request's few rows: one executemany (a COPY costs more to set up than it saves).
FEW = 50


def seal(connection: Connection, rows: Iterable[Mapping[str, Any] | StoredRange | Deferred]) -> int:
    """Append these rows (their content as written; a stored range's as the database holds
    it), in this order, to the chain; how many. The content is JSON-native and the times aware
    UTC, so it hashes as it will read back. Deferred and staged rows are written to
    `audit_event` here, chained."""
    if connection.dialect.name == "postgresql":
        connection.execute(_LOCK, {"key": CHAIN_LOCK})
    head = connection.execute(_HEAD).first()
    seq, prev = (head[0], head[1]) if head else (0, GENESIS)
    links: list[dict[str, Any]] = []
    chained: list[dict[str, Any]] = []
    sealed = 0
    for row, staged in _expanded(connection, rows):
        seq += 1
        digest = row_hash(prev, row)
        if staged:
            chained.append({**row, "chain_seq": seq, "prev_hash": prev, "row_hash": digest})
        else:
            links.append(
                {"b_id": row["id"], "chain_seq": seq, "prev_hash": prev, "row_hash": digest}
            )
        prev = digest
        if len(links) >= LINK_BATCH:
            sealed += _link(connection, links)
            links = []
        if len(chained) >= LINK_BATCH:
            sealed += _insert_chained(connection, chained)
            chained = []
    return sealed + _link(connection, links) + _insert_chained(connection, chained)


def _insert_chained(connection: Connection, rows: list[dict[str, Any]]) -> int:
    if len(rows) > FEW:
        insert_rows(connection, TABLE, rows)
    elif rows:
        connection.execute(insert(TABLE), rows)
    return len(rows)


def _expanded(
    connection: Connection, rows: Iterable[Mapping[str, Any] | StoredRange | Deferred]
) -> Iterator[tuple[Mapping[str, Any], bool]]:
    """Each row to chain, and whether it is still to be written (deferred or staged, not yet
    in `audit_event`)."""
    for row in rows:
        if isinstance(row, Deferred):
            yield row.row, True
            continue
        if not isinstance(row, StoredRange):
            yield row, False
            continue
        # Read whole before the links are written (a cursor left open across them would not
        # do on SQLite); a batch's rows at a time.
        query = _STAGED if row.staged else _STORED
        stored = [
            r._mapping for r in connection.execute(query, {"first": row.first, "last": row.last})
        ]
        if len(stored) != row.count:
            raise RuntimeError(
                f"audit rows {row.first}…{row.last}: {len(stored)} unchained rows, "
                f"{row.count} written: a row was inserted out of band"
            )
        for found in cast(list[Mapping[str, Any]], stored):
            yield found, row.staged


def _link(connection: Connection, links: list[dict[str, Any]]) -> int:
    if not links:
        return 0
    if connection.dialect.name == "postgresql":
        # One UPDATE … FROM unnest(…) per batch, not one per row (bulk imports chain 10⁵ rows);
        # one array per column, four parameters whatever the batch's size, sent in binary (`%b`:
        # the text form quotes each element through a regular expression).
        connection.exec_driver_sql(
            "UPDATE audit_event AS a SET chain_seq = v.seq, prev_hash = v.prev, "
            "row_hash = v.hash FROM unnest(%b::text[], %b::bigint[], %b::text[], %b::text[]) "
            "AS v(id, seq, prev, hash) WHERE a.id = v.id",
            tuple(
                [link[name] for link in links]
                for name in ("b_id", "chain_seq", "prev_hash", "row_hash")
            ),
        )
    else:
        connection.execute(_LINK, links)
    return len(links)


@dataclass(frozen=True)
class Break:
    """Where the chain breaks: the first row that does not fit, and why."""

    audit_id: str
    reason: str


def verify(connection: Connection) -> tuple[int, Break | None]:
    """Walk the chain: (rows checked, the first break or None)."""
    outside = connection.execute(
        select(TABLE.c.id)
        .where(TABLE.c.chain_seq.is_(None))
        .order_by(TABLE.c.occurred_at, TABLE.c.id)
        .limit(1)
    ).first()
    expected_seq, prev, checked = 1, GENESIS, 0
    rows = connection.execute(
        select(TABLE).where(TABLE.c.chain_seq.is_not(None)).order_by(TABLE.c.chain_seq)
    )
    for row in rows:
        found = row._mapping
        if found["chain_seq"] != expected_seq or found["prev_hash"] != prev:
            return checked, Break(
                found["id"], "a row before it was removed or inserted out of band"
            )
        if found["row_hash"] != row_hash(prev, found):
            return checked, Break(found["id"], "its content was changed")
        prev, expected_seq, checked = found["row_hash"], expected_seq + 1, checked + 1
    if outside is not None:
        return checked, Break(outside[0], "inserted out of band (not on the chain)")
    return checked, None
