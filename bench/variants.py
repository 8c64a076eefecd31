"""pentrack with proposed changes patched in, to measure them before anyone edits app/.

    .venv/bin/python bench/write_path.py --db sqlite --variant variants:queued_writers

Each factory patches the Annotated aliases in app.core.db and app.auth.deps *before* the
routers import them, then builds the app as `pentrack serve` does. Not product code.

- `queued_writers`: on SQLite, write requests wait for an asyncio.Lock before BEGIN
  IMMEDIATE, so writers queue in order in the event loop instead of polling the database
  lock from SQLite's busy handler (which sleeps up to 100 ms between tries).
- `fewer_hops`: queued writers, and the cheap dependencies without I/O (role checks, settings) become
  `async def`, so FastAPI does not send each one to the thread pool while the lock is held.
- `rules_deferred`: an upper bound, not a design: the rules are not evaluated on the request
  (`app.flows.judge` does nothing), as if a worker judged each change from the outbox after
  the commit. What the write path costs without them.
- `inline_profiled`: pentrack unchanged, but every "run in the thread pool" runs inline on the
  event loop thread, so that pyinstrument sees all of a request's CPU time on one thread.
  `POST /__profile/start` and `/__profile/stop` bracket the measured requests; the report goes
  to $BENCH_PROFILE_OUTPUT (text). Only for concurrency 1: a blocked
  write would stop the event loop.
"""

import asyncio
import os
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Request
from starlette.types import ASGIApp, Receive, Scope, Send


def _queue_sqlite_writers() -> None:
    from sqlmodel import Session

    from app.core import db

    async def write_turn(request: Request) -> AsyncIterator[None]:
        if request.method not in db.WRITE_METHODS:
            yield
            return
        engine = request.app.state.engine
        if not db.is_sqlite(str(engine.url)):
            yield
            return
        lock = getattr(request.app.state, "write_lock", None)
        if lock is None:  # one event loop: no race between the check and the set
            lock = request.app.state.write_lock = asyncio.Lock()
        async with lock:
            yield

    def get_session(
        request: Request, _turn: Annotated[None, Depends(write_turn, scope="function")]
    ) -> Iterator[Session]:
        yield from db.get_session(request)

    vars(db).update(SessionDep=Annotated[Session, Depends(get_session, scope="function")])


def _patch_cheap_dependencies() -> None:
    from app.auth import deps
    from app.auth.roles import Role
    from app.auth.service import Principal
    from app.core import db
    from app.core.config import Settings
    from app.core.problems import Forbidden

    def require_roles(*roles: Role) -> Callable[..., Any]:
        async def check(principal: deps.CurrentUser) -> Principal:
            if principal.role not in roles:
                allowed = ", ".join(r.value for r in roles)
                raise Forbidden(f"This action needs one of the roles: {allowed}.")
            return principal

        return check

    async def get_app_settings(request: Request) -> Settings:
        settings: Settings = request.app.state.settings
        return settings

    vars(deps).update(
        require_roles=require_roles,
        AdminUser=Annotated[Principal, Depends(require_roles(Role.ADMIN))],
        RegulatorUser=Annotated[Principal, Depends(require_roles(Role.REGULATOR))],
        CustomsUser=Annotated[Principal, Depends(require_roles(Role.CUSTOMS))],
        OperatorWriter=Annotated[
            Principal, Depends(require_roles(Role.ADMIN, Role.REGULATOR, Role.CUSTOMS))
        ],
        AuditReader=Annotated[Principal, Depends(require_roles(Role.ADMIN, Role.ANALYST))],
    )
    vars(db).update(SettingsDep=Annotated[Settings, Depends(get_app_settings)])


def _create() -> FastAPI:
    from app.main import create_app

    return create_app()


def queued_writers() -> FastAPI:
    _queue_sqlite_writers()
    return _create()


def fewer_hops() -> FastAPI:
    _queue_sqlite_writers()
    _patch_cheap_dependencies()
    return _create()


def rules_deferred() -> FastAPI:
    from app import flows

    def judge(*_args: Any, **_kwargs: Any) -> list[Any]:
        return []

    vars(flows).update(judge=judge)
    return _create()


def inline_profiled() -> ASGIApp:
    import anyio.to_thread
    from pyinstrument import Profiler

    async def run_inline(func: Callable[..., Any], *args: Any, **_options: Any) -> Any:
        return func(*args)

    vars(anyio.to_thread).update(run_sync=run_inline)
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
