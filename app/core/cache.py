"""The one per-process cache: data that changes rarely (reference data, rules, routing),
checked against the database on every use.

A table joins a cache group by naming it in its table info (`{"cache_group": "rules"}`, see
`group_info`); the migration `cache_versions` gives each group's tables triggers that add one to
the group's row in `cache_version` whenever they change, in the changing transaction, whoever
writes — the API, the CLI, another process or a person with psql. A cache entry remembers the
version it was loaded at; a reader compares it with the version its own transaction sees (one
small query, remembered until the session flushes a change to a cached table) and reloads when
they differ. So a change is seen by every process as soon as it commits, and by the changing
transaction itself after its flush.

Cached values are shared between threads and requests, so they are immutable: loaders return
tuples, frozen dataclasses, read-only mappings, or transient copies of rows that nothing writes.
"""

from collections.abc import Callable
from threading import Lock
from typing import Any, TypeVar
from weakref import WeakKeyDictionary

from sqlalchemy import event, select
from sqlalchemy.engine import Connection, Engine
from sqlmodel import Session

from app.core.models import CacheVersion

T = TypeVar("T")

CACHE_GROUP = "cache_group"
# The groups (each a row of `cache_version`, bumped by the triggers of its tables).
REFERENCE = "reference"
RULES = "rules"
ROUTING = "routing"


def group_info(group: str) -> dict[str, dict[str, str]]:
    """Table arguments that put a table in a cache group: `__table_args__ = group_info(...)`,
    or as the last item of a tuple of table arguments."""
    return {"info": {CACHE_GROUP: group}}


_MEMO = "pentrack.cache_versions"
_TABLE = CacheVersion.__table__  # type: ignore[attr-defined]
_VERSIONS = select(_TABLE.c.name, _TABLE.c.version)
_stores: "WeakKeyDictionary[Engine, dict[str, tuple[int, Any]]]" = WeakKeyDictionary()
_lock = Lock()


def versions(session: Session) -> dict[str, int]:
    """The versions this transaction sees, read once until the session flushes a cached table."""
    return _memo(session)[1]


def _memo(session: Session) -> tuple[Any, dict[str, int], dict[str, Any]]:
    """(transaction, the versions it sees, the values `cached` gave it at those versions)."""
    # The connection first: it begins the transaction of a session that has not used one yet
    # (whose get_transaction() would be None until then, and the memo never found again).
    connection = session.connection()
    transaction = session.get_transaction()
    held = session.info.get(_MEMO)
    if held is not None and held[0] is transaction:
        return held
    # Core on the session's connection: the ORM's execution path costs more than the query.
    seen = {name: version for name, version in connection.execute(_VERSIONS).all()}
    held = (transaction, seen, {})
    session.info[_MEMO] = held
    return held


def forget(session: Session) -> None:
    """Read the versions again at the next use (after writes that did not flush the session)."""
    session.info.pop(_MEMO, None)


def _cache_group(instance: object) -> str | None:
    table = getattr(instance, "__table__", None)
    return table.info.get(CACHE_GROUP) if table is not None else None


@event.listens_for(Session, "after_flush")
def _after_flush(session: Session, _context: Any) -> None:
    # Still the flush's own lists here. Only a flush that wrote a cached table moves a version.
    for instance in (*session.new, *session.dirty, *session.deleted):
        if _cache_group(instance) is not None:
            forget(session)
            return


def _engine(session: Session) -> Engine:
    bind = session.get_bind()
    return bind.engine if isinstance(bind, Connection) else bind


def cached(session: Session, group: str, name: str, load: Callable[[Session], T]) -> T:
    """`load(session)`'s value, kept under `name`, loaded again when `group` has changed.

    A database without the group's version row (never the case after `pentrack migrate`) is
    never cached. Within a transaction the value is remembered with the versions it sees
    (a bulk import asks for the reference data several times a row)."""
    _, seen, values = _memo(session)
    if name in values:
        return values[name]
    version = seen.get(group)
    if version is None:
        return load(session)
    engine = _engine(session)
    store = _stores.get(engine)
    if store is None:
        with _lock:
            store = _stores.setdefault(engine, {})
    held = store.get(name)
    if held is not None and held[0] == version:
        values[name] = held[1]
        return held[1]
    value = load(session)
    store[name] = (version, value)
    values[name] = value
    return value
