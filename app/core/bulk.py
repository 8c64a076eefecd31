"""Many rows into one table in the caller's transaction: COPY on PostgreSQL, the driver's
executemany of one INSERT elsewhere, each value bound as the column's type binds it.

Bulk imports write five or more rows per imported record (the record, its route, its audit row,
its domain event); one INSERT per row is what made the single endpoint ~190 rows/s. psycopg's
COPY is its public bulk-load API (~88k rows/s here, shared/ECOSYSTEM.md, against ~28k rows/s for
an executemany); bench/import.py measures the whole import against a bare executemany.
"""

import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any

import orjson
from sqlalchemy import JSON, ColumnElement, Connection, Table, any_, literal
from sqlalchemy.dialects.postgresql import ARRAY
from sqlmodel import Session


def json_bytes(value: Any) -> bytes | str:
    """`value` as JSON for a jsonb column: orjson's (several times the standard library's
    speed on an import's payloads), or `json.dumps`'s for what orjson refuses (keys that are not
    strings), so that what is accepted does not change. Times are refused as `json.dumps` refuses
    them."""
    try:
        return orjson.dumps(value, option=orjson.OPT_PASSTHROUGH_DATETIME)
    except TypeError:
        return json.dumps(value)


def json_text(value: Any) -> str:
    """`value` as JSON text: the engine's serializer for JSON columns (`build_engine`), so that
    every write, one row or a bulk import's, goes through orjson (`json_bytes`)."""
    encoded = json_bytes(value)
    return encoded.decode() if isinstance(encoded, bytes) else encoded


def among(session: Session, column: Any, values: Iterable[Any]) -> ColumnElement[bool]:
    """`column IN values`; on PostgreSQL `column = ANY(array)`, one parameter however many the
    values (psycopg parses a statement of a thousand placeholders slower than it runs, and
    does it again for each, the text being new each time)."""
    values = list(values)
    if session.get_bind().dialect.name == "postgresql":
        return column == any_(literal(values, ARRAY(column.type)))
    return column.in_(values)


def insert_rows(
    session: Session | Connection, table: Table, rows: Sequence[Mapping[str, Any]]
) -> None:
    """Insert `rows` (a missing column is NULL) into `table`."""
    if not rows:
        return
    connection = session.connection() if isinstance(session, Session) else session
    if connection.dialect.name == "postgresql":
        _copy(connection, table, rows)
        return
    _executemany(connection, table, rows)


Converter = tuple[str, Callable[[Any], Any] | None]


def _converters(
    connection: Connection, table: Table, json_converter: Callable[[Any], Any] | None = None
) -> list[Converter]:
    """Each column's name and bind processing (aware UTC times, JSON, …) as an INSERT through
    SQLAlchemy applies it (`json_converter`, when given, for the JSON columns), decided once per table
    rather than once per value."""
    return [
        (
            c.name,
            json_converter
            if json_converter is not None and isinstance(c.type, JSON)
            else c.type.bind_processor(connection.dialect),
        )
        for c in table.columns
    ]


def _bound(
    rows: Iterable[Mapping[str, Any]], converters: list[Converter], *, convert_none: bool
) -> Iterator[list[Any]]:
    """Each row's values in column order, converted; None too when `convert_none` (as
    SQLAlchemy binds a JSON column's None), else None stays NULL."""
    for row in rows:
        yield [
            value if convert is None or (value is None and not convert_none) else convert(value)
            for name, convert in converters
            for value in (row.get(name),)
        ]


def _executemany(connection: Connection, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """One INSERT, every row bound in one shape (a missing column NULL, as its type binds it),
    run by the driver: SQLAlchemy's own executemany spent more on each row's parameters than
    SQLite spent on the insert."""
    converters = _converters(connection, table)
    quote = connection.dialect.identifier_preparer.quote
    sql = (
        f"INSERT INTO {quote(table.name)} ({', '.join(quote(c) for c, _ in converters)}) "
        f"VALUES ({', '.join('?' for _ in converters)})"
    )
    driver = connection.connection.driver_connection
    assert driver is not None
    cursor = driver.cursor()
    try:
        cursor.executemany(sql, _bound(rows, converters, convert_none=True))
    finally:
        cursor.close()


def _copy(connection: Connection, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
    from psycopg.types.json import Jsonb

    def to_jsonb(value: Any) -> Jsonb:
        return Jsonb(value, json_bytes)

    converters = _converters(connection, table, json_converter=to_jsonb)
    names = ", ".join(f'"{c}"' for c, _ in converters)
    driver = connection.connection.driver_connection
    assert driver is not None
    with (
        driver.cursor() as cursor,
        cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy,
    ):
        for values in _bound(rows, converters, convert_none=False):
            copy.write_row(values)
