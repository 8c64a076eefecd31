"""Turns: how many requests with a database session run at once, writers in arrival order.

The session dependency (`app/core/db.py`) takes a turn before it opens the session and gives it
back after the commit or rollback. Writes (POST, PUT, PATCH, DELETE) and reads have turns of
their own, so reads never queue behind writers waiting for the database:

- writes: `Settings.write_threads`, unset 1 on SQLite and 8 on PostgreSQL. SQLite lets one writer
  in at a time; writers that all went for its lock would poll it from its busy handler, which
  sleeps up to 100 ms between tries (p99 1.5 s at 16 writers in `bench/write_path.py`, against
  0.18 s queued in order: bench/README.md). Queued for a turn instead, they go in arrival order
  with no gap between them.
- reads: `Settings.read_threads`.

A request waits for its turn on the event loop, not in a worker thread (`anyio.Semaphore` hands
each released turn to the longest waiter). The thread pool (AnyIO's default limiter, sized in
the app's lifespan by `size_thread_pool`) has a thread for every turn, so a request that holds
its turn, and with it a database connection, never waits for a thread. Turns, like the thread
pool, belong to an event loop (a server has one; tests may drive one app from several), as
FastAPI's own `Depends(max_concurrency=…)` limits do.
"""

import sys
from weakref import WeakKeyDictionary

import anyio
import anyio.to_thread
from anyio.lowlevel import RunVar
from sqlalchemy.engine import Engine

from app.core.config import Settings

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def write_turns(settings: Settings, engine: Engine) -> int:
    """Write requests that may hold a session at once."""
    if settings.write_threads is not None:
        return settings.write_threads
    return 1 if engine.dialect.name == "sqlite" else 8


class Turns:
    """The write and read turns of one app."""

    def __init__(self, settings: Settings, engine: Engine) -> None:
        self.writes = write_turns(settings, engine)
        self.reads = settings.read_threads

    def for_method(self, method: str) -> anyio.Semaphore:
        """The semaphore a request of `method` takes a turn from, on the running event loop."""
        semaphores = _semaphores.get(None)
        if semaphores is None:
            semaphores = WeakKeyDictionary()
            _semaphores.set(semaphores)
        pair = semaphores.get(self)
        if pair is None:
            pair = semaphores[self] = (
                anyio.Semaphore(self.writes, fast_acquire=True),
                anyio.Semaphore(self.reads, fast_acquire=True),
            )
        return pair[0] if method in WRITE_METHODS else pair[1]


# Per event loop: each app's (write, read) semaphores.
_semaphores: RunVar[WeakKeyDictionary[Turns, tuple[anyio.Semaphore, anyio.Semaphore]]] = RunVar(
    "pentrack_turns"
)


def size_thread_pool(turns: Turns) -> None:
    """A thread for every turn (see the module); called in the lifespan, on the server's loop."""
    limiter = anyio.to_thread.current_default_thread_limiter()
    limiter.total_tokens = max(limiter.total_tokens, turns.reads + turns.writes)


# How long a thread may hold the GIL before another that asks for it gets it (Python's default:
# 5 ms). A request's thread gives it up anyway at every statement it sends, so the interval only
# cuts its runs of pure Python short; with 8 PostgreSQL writers, the event loop and the reads all
# asking, forced hand-offs every 5 ms cost CPU of their own. Measured against 5 ms in the same
# rounds (bench/README.md, 2026-12-07 16:10–16:40 UTC): 20 ms ahead in 7 of 8 rounds on
# PostgreSQL (×1.12 and ×1.08 in two runs, CPU per request −5 to −20 %) and in 6 of 8 on SQLite
# (×1.06 and ×1.08, p99 284–314 against 329–338 ms). 50 ms: ×1.01 against 5 ms, one run.
SWITCH_INTERVAL_SECONDS = 0.02


def lengthen_switch_interval() -> None:
    """The served process's switch interval (above); tests keep Python's."""
    sys.setswitchinterval(SWITCH_INTERVAL_SECONDS)
