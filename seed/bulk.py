"""Batched bulk writes and time-ordered ids for generating large demo data sets.

`session.add_all` costs about ten times more per row than an executemany of plain dicts
(shared/ECOSYSTEM.md), so volume goes through `insert(table)` in batches; on PostgreSQL, through
COPY, which is faster again (psycopg's executemany sends one statement per row).
"""

import random
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Table, insert
from sqlmodel import Session, SQLModel

ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"
_PAIRS = [a + b for a in ALPHABET for b in ALPHABET]  # every 10-bit value as two characters
_SHIFTS = tuple(range(120, -1, -10))  # 13 pairs: 26 characters, as new_id() writes them


class TimeOrderedIds:
    """Ids in the format of app.core.ids.new_id (ULID), stamped with the row's own time.

    new_id() stamps the moment of insertion; demo rows describe a past year, and the API lists
    newest first by id, so the demo stamps each id with the row's created_at instead. The 80
    random bits come from a seeded generator, which keeps a run deterministic.
    """

    def __init__(self, seed: int) -> None:
        self._random = random.Random(seed)

    def __call__(self, at: datetime) -> str:
        value = (int(at.timestamp() * 1000) << 80) | self._random.getrandbits(80)
        return "".join([_PAIRS[(value >> shift) & 1023] for shift in _SHIFTS])


class BulkWriter:
    """Buffers rows per table and inserts every buffer, parents first, once one is full.

    Flushing all buffers together, in the order the tables were registered, keeps foreign keys
    satisfied without deferring constraints.
    """

    def __init__(
        self,
        session: Session,
        *,
        batch_size: int = 5000,
        echo: Callable[[str], Any] = print,
        copy: bool | None = None,
    ) -> None:
        self._session = session
        self._batch_size = batch_size
        self._echo = echo
        # COPY where the database has it (PostgreSQL), unless told otherwise.
        is_postgres = session.get_bind().dialect.name == "postgresql"
        self._copy = is_postgres if copy is None else copy and is_postgres
        self._tables: dict[str, Table] = {}
        self._columns: dict[str, list[str]] = {}
        self._buffers: dict[str, list[dict[str, Any]]] = {}
        self._written: dict[str, int] = {}
        self._progress: dict[str, tuple[str, int]] = {}

    def register(self, *models: type[SQLModel]) -> None:
        """Declare tables in dependency order (parents before children)."""
        for model in models:
            table = _table(model)
            self._tables[table.name] = table
            self._columns[table.name] = [c.name for c in table.columns]
            self._buffers[table.name] = []
            self._written[table.name] = 0

    def track(self, model: type[SQLModel], label: str, total: int) -> None:
        """Report progress of `model`'s table as `label done/total` after each flush."""
        self._progress[_name(model)] = (label, total)

    def add(self, model: type[SQLModel], row: dict[str, Any]) -> None:
        name = _name(model)
        buffer = self._buffers[name]
        columns = self._columns[name]
        # Every row must carry every column, so that one compiled statement serves the batch.
        if len(row) != len(columns):
            row = {column: row.get(column) for column in columns}
        buffer.append(row)
        if len(buffer) >= self._batch_size:
            self.flush()

    def flush(self) -> None:
        reported = []
        for name, table in self._tables.items():
            rows = self._buffers[name]
            if not rows:
                continue
            if self._copy:
                self._copy_rows(table, rows)
            else:
                self._session.execute(insert(table), rows)
            self._written[name] += len(rows)
            self._buffers[name] = []
            if name in self._progress:
                label, total = self._progress[name]
                reported.append(f"{label} {self._written[name]}/{total}")
        if reported:
            self._echo("  " + ", ".join(reported))

    def _copy_rows(self, table: Table, rows: list[dict[str, Any]]) -> None:
        """COPY the rows in the session's own transaction (psycopg 3)."""
        from psycopg.types.json import Jsonb

        columns = self._columns[table.name]
        json_columns = {c.name for c in table.columns if isinstance(c.type, JSON)}
        names = ", ".join(f'"{c}"' for c in columns)
        connection = self._session.connection().connection.driver_connection
        assert connection is not None
        with (
            connection.cursor() as cursor,
            cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy,
        ):
            for row in rows:
                copy.write_row(
                    [
                        Jsonb(row[c]) if c in json_columns and row[c] is not None else row[c]
                        for c in columns
                    ]
                )

    def written(self, model: type[SQLModel]) -> int:
        return self._written[_name(model)]

    @property
    def rows_written(self) -> int:
        return sum(self._written.values())


def _table(model: type[SQLModel]) -> Table:
    table: Table = model.__table__  # type: ignore[attr-defined]
    return table


def _name(model: type[SQLModel]) -> str:
    return _table(model).name
