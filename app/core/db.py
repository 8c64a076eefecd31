"""Engine and the one-transaction-per-request session."""

import weakref
from collections.abc import AsyncIterator
from functools import lru_cache, partial
from typing import Annotated, Any

import anyio
import anyio.to_thread
from fastapi import Depends, Request
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session, create_engine

from app.core.admission import WRITE_METHODS, Turns
from app.core.bulk import json_text
from app.core.config import Settings, get_settings


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


def build_engine(settings: Settings) -> Engine:
    url = settings.database_url
    if is_sqlite(url):
        engine = create_engine(
            url,
            connect_args={
                "check_same_thread": False,
                "timeout": settings.sqlite_busy_timeout_ms / 1000,
            },
            pool_size=settings.db_pool_size,
            max_overflow=20,
            hide_parameters=True,
            json_serializer=json_text,
        )
        _configure_sqlite(engine, settings.sqlite_busy_timeout_ms)
        return engine
    # hide_parameters: errors and logs name the statement, never the PEN or shipment data bound
    # to it. json_serializer: JSON columns written through orjson (several times the standard
    # library's speed on payloads; the same JSON read back).
    engine = create_engine(
        url,
        pool_size=settings.db_pool_size,
        max_overflow=20,
        pool_pre_ping=True,
        hide_parameters=True,
        json_serializer=json_text,
    )
    _configure_postgresql(engine)
    return engine


def _configure_postgresql(engine: Engine) -> None:
    """No JIT compilation on pentrack's connections.

    PostgreSQL compiles a plan whose estimated cost passes `jit_above_cost`; on a large
    database a write's rules statement or a summary's GROUP BY gets there, and compiling took
    100–640 ms for statements that run in 5–50 ms (bench/README.md, "Facts that grew with the
    database"). pentrack's statements are all of that kind. Set once per connection (the pool's
    reset on return is a rollback, which keeps it)."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        cursor = dbapi_conn.cursor()
        cursor.execute("SET jit = off")
        cursor.close()
        dbapi_conn.commit()  # a SET inside a transaction rolled back would be undone


def _configure_sqlite(engine: Engine, busy_timeout_ms: int) -> None:
    """WAL, a busy timeout, and writers that take the write lock up front.

    pysqlite's own transaction handling starts a deferred transaction, which a
    second writer can only upgrade by failing with "database is locked" (the busy
    handler is not used for upgrades). Writers therefore open their transaction
    with BEGIN IMMEDIATE and queue on the busy timeout instead; readers stay deferred.
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # we emit BEGIN ourselves
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
        conn.exec_driver_sql(f"BEGIN {mode}")


@lru_cache
def get_engine() -> Engine:
    return build_engine(get_settings())


_writers: "weakref.WeakKeyDictionary[Engine, Engine]" = weakref.WeakKeyDictionary()


def _writer(engine: Engine) -> Engine:
    """`engine` (same pool) whose transactions begin with BEGIN IMMEDIATE on SQLite."""
    writer = _writers.get(engine)
    if writer is None:
        writer = _writers[engine] = engine.execution_options(sqlite_begin="IMMEDIATE")
    return writer


def open_session(engine: Engine, *, write: bool = False) -> Session:
    """A session whose transactions are write transactions when `write` is set.

    No I/O: the connection is taken, and the transaction begun, by the first statement."""
    bind = _writer(engine) if write and engine.dialect.name == "sqlite" else engine
    return Session(bind, expire_on_commit=False, info={WRITES: write})


# Set on a session opened to write (a POST, PUT, PATCH or DELETE request's, a CLI command's).
WRITES = "pentrack.writes"


# A request's session keeps every row it loads or writes until it closes. SQLAlchemy's identity
# map holds rows weakly, so without this a row read by one step of a request (the validation)
# and dropped is read again by the next (the rules, the response) instead of found by its key.
KEEP = "pentrack.keep_loaded"


@event.listens_for(Session, "loaded_as_persistent")
@event.listens_for(Session, "pending_to_persistent")
def _keep(session: Session, instance: object) -> None:
    kept = session.info.get(KEEP)
    if kept is not None:
        kept.append(instance)


def _end(session: Session, *, commit: bool) -> None:
    try:
        if commit:
            session.commit()
        else:
            session.rollback()
    finally:
        session.close()


async def get_session(request: Request) -> AsyncIterator[Session]:
    """Commit after the handler succeeds, roll back on any exception.

    Async, so that taking a turn (`app/core/admission.py`) and opening the session, which does no
    I/O, cost no trip to a worker thread; the commit or rollback goes to one."""
    turns: Turns = request.app.state.turns
    write = request.method in WRITE_METHODS
    async with turns.for_method(request.method):
        session = open_session(request.app.state.engine, write=write)
        session.info[KEEP] = []
        try:
            yield session
        except BaseException:
            await _end_in_thread(session, commit=False)
            raise
        await _end_in_thread(session, commit=True)


async def _end_in_thread(session: Session, *, commit: bool) -> None:
    if not session.in_transaction():
        # No transaction (adding a row begins one): the handler never used the session, or
        # ended its read itself in its own worker-thread call (app/dashboard/router.py).
        # Closing holds no connection and does no I/O.
        session.close()
        return
    # A limiter of its own, as FastAPI's exits of sync dependencies have: ending a session, which
    # gives back a database connection, never waits for a thread of the shared pool.
    await anyio.to_thread.run_sync(
        partial(_end, session, commit=commit), limiter=anyio.CapacityLimiter(1)
    )


# scope="function": commit before the response is sent, so a failed commit is the answer.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]


async def get_app_settings(request: Request) -> Settings:
    """The settings the running app was built with (tests build apps with their own); async
    because it does no I/O (no trip to the thread pool)."""
    settings: Settings = request.app.state.settings
    return settings


SettingsDep = Annotated[Settings, Depends(get_app_settings)]


def release_loaded(session: Session) -> None:
    """Let go of every row the session has loaded (after a flush: nothing is pending), so that
    a long job's memory does not grow with what it has read (bulk imports, by batch)."""
    session.expunge_all()
    kept = session.info.get(KEEP)
    if kept is not None:
        kept.clear()
