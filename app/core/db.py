"""Engine and the one-transaction-per-request session."""

from collections.abc import Iterator
from functools import lru_cache
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session, create_engine

from app.core.config import Settings, get_settings

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


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
        )
        _configure_sqlite(engine, settings.sqlite_busy_timeout_ms)
        return engine
    return create_engine(url, pool_size=settings.db_pool_size, max_overflow=20, pool_pre_ping=True)


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


def open_session(engine: Engine, *, write: bool = False) -> Session:
    """A session whose first statement opens a write transaction when `write` is set."""
    session = Session(engine, expire_on_commit=False)
    if write and is_sqlite(str(engine.url)):
        session.connection(execution_options={"sqlite_begin": "IMMEDIATE"})
    return session


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


def get_session(request: Request) -> Iterator[Session]:
    """Commit after the handler succeeds, roll back on any exception."""
    engine: Engine = request.app.state.engine
    session = open_session(engine, write=request.method in WRITE_METHODS)
    session.info[KEEP] = []
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


# scope="function": commit before the response is sent, so a failed commit is the answer.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]


async def get_app_settings(request: Request) -> Settings:
    """The settings the running app was built with (tests build apps with their own); async
    because it does no I/O (no trip to the thread pool)."""
    settings: Settings = request.app.state.settings
    return settings


SettingsDep = Annotated[Settings, Depends(get_app_settings)]
