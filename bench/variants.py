"""pentrack with proposed changes patched in, to measure them before anyone edits app/.

    .venv/bin/python bench/write_path.py --db sqlite --variant variants:queued_writers

Each factory patches pentrack *before* the routers are imported, then builds the app as
`pentrack serve` does. Not product code. (`queued_writers` and `fewer_hops`, measured on
2026-11-28, and `hop_per_call`, are gone: pentrack's write turns, app/core/admission.py, queue
writers, and it uses FastAPI's own handling.)

- `unordered_writers`: no write turns (`PENTRACK_WRITE_THREADS=64`): every writer goes for the
  database at once and, on SQLite, waits for its lock in the busy handler, as before 2026-12-01.
  What the turns are worth (app/core/admission.py cites it).
- `write_turns`: `$BENCH_WRITE_TURNS` write turns (default 3) instead of the default (1 on
  SQLite, 8 on PostgreSQL): how many writers one process should let into the database at once.
- `inline`: every thread-pool call runs inline on the event loop thread: no crossing at all, an
  upper bound for what thread hand-offs cost (not a design: a blocked write would stop the loop).
- `inline_without_rules`: both upper bounds at once.
- `rules_deferred`: an upper bound, not a design: the rules are not evaluated on the request
  (`app.flows.judge` does nothing), as if a worker judged each change from the outbox after
  the commit. What the write path costs without them.
- `short_switch`: pentrack unchanged, with Python's thread switch interval at 0.5 ms instead of
  5 ms (`sys.setswitchinterval`; `$BENCH_SWITCH_INTERVAL` seconds when set): a worker thread
  that finished a statement waits less for the GIL while the event loop thread runs.
- `checkout`: pentrack as another checkout has it (the folder in $BENCH_CHECKOUT, e.g. a
  `git worktree` of an earlier commit), served beside this one in the same rounds: a before and
  after measured on the same machine minutes.
- `unfrozen`: pentrack as `create_app` builds it, without `pentrack serve`'s freezing of its
  start-up objects out of the garbage collector's full collections (app/core/collector.py).
- `no_pre_ping`: PostgreSQL connections handed out by the pool without `pool_pre_ping`'s
  `SELECT 1` at every checkout (one round trip a request): variant/full 1.04 on 2026-12-07
  18:05, within the rounds' spread; not adopted.
- `inline_profiled`: pentrack unchanged, but every "run in the thread pool" runs inline on the
  event loop thread, so that pyinstrument sees all of a request's CPU time on one thread.
  `POST /__profile/start` and `/__profile/stop` bracket the measured requests; the report goes
  to $BENCH_PROFILE_OUTPUT (text). Only for concurrency 1: a blocked
  write would stop the event loop.
"""

import os
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI
from starlette.types import ASGIApp, Receive, Scope, Send


def _create() -> FastAPI:
    """The app as `pentrack serve` builds it (an older checkout's, `create_app`)."""
    from app import main

    return getattr(main, "create_served_app", main.create_app)()


def _served(**settings: Any) -> FastAPI:
    """The served app with some settings changed."""
    from app.core.config import get_settings
    from app.main import create_served_app

    return create_served_app(get_settings().model_copy(update=settings))


def unordered_writers() -> FastAPI:
    """As many write turns as the setting allows: writers race for the database."""
    return _served(write_threads=64)


def write_turns() -> FastAPI:
    """`$BENCH_WRITE_TURNS` write turns (default 3) instead of the setting's default."""
    return _served(write_threads=int(os.environ.get("BENCH_WRITE_TURNS", "3")))


def _no_rules() -> None:
    from app import flows

    def judge(*_args: Any, **_kwargs: Any) -> list[Any]:
        return []

    vars(flows).update(judge=judge)


def short_switch() -> FastAPI:
    import sys

    sys.setswitchinterval(float(os.environ.get("BENCH_SWITCH_INTERVAL", "0.0005")))
    return _create()


def checkout() -> FastAPI:
    import sys

    sys.path.insert(0, os.environ["BENCH_CHECKOUT"])  # before `app` is first imported
    app = _create()
    import app as package

    assert package.__file__ is not None
    assert package.__file__.startswith(os.environ["BENCH_CHECKOUT"]), package.__file__
    return app


def rules_deferred() -> FastAPI:
    _no_rules()
    return _create()


def inline_without_rules() -> FastAPI:
    """`inline` and `rules_deferred` at once: no thread crossing and no rule evaluation, what the
    rest of a write (authentication, checks, the change, audit, events, routing) costs."""
    _no_rules()
    return inline()


def inline_profiled() -> ASGIApp:
    from pyinstrument import Profiler

    inline_calls()
    app = _create()
    output = os.environ["BENCH_PROFILE_OUTPUT"]
    profiler = Profiler(interval=0.0005, async_mode="disabled")

    async def profiled(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith("/__profile/"):
            if scope["path"] == "/__profile/start":
                profiler.reset()
                profiler.start()
            elif profiler.is_running:
                profiler.stop()
                with open(output, "w") as text:
                    text.write(profiler.output_text(show_all=False))
            await send({"type": "http.response.start", "status": 204, "headers": []})
            await send({"type": "http.response.body", "body": b""})
            return
        await app(scope, receive, send)

    return profiled


def inline_calls() -> None:
    """Every thread-pool call (FastAPI's, Starlette's, the session's end) run inline on the calling
    thread."""
    import anyio.to_thread

    async def run_inline(func: Callable[..., Any], *args: Any, **_options: Any) -> Any:
        return func(*args)

    vars(anyio.to_thread).update(run_sync=run_inline)


def inline() -> FastAPI:
    """Every thread-pool call run inline on the event loop: an upper bound for fewer hops."""
    inline_calls()
    return _create()


def unfrozen() -> FastAPI:
    """pentrack as `create_app` builds it, nothing frozen out of the garbage collector's full
    collections: `pentrack serve` before 2026-12-07 (app/core/collector.py)."""
    from app.main import create_app

    return create_app()


def no_pre_ping() -> FastAPI:
    """PostgreSQL connections handed out by the pool without the `SELECT 1` that
    `pool_pre_ping` sends at every checkout (one round trip per request)."""
    from app.core import db

    create_engine = db.create_engine

    def without_ping(*args: Any, **options: Any) -> Any:
        options.pop("pool_pre_ping", None)
        return create_engine(*args, **options)

    vars(db).update(create_engine=without_ping)
    return _create()
