"""Routes whose whole request runs in one worker thread.

FastAPI runs every sync dependency, the sync endpoint, the response model's validation and the
session's commit in the thread pool, one call at a time: a pentrack write crosses between the
event loop and a worker thread six times. Each crossing wakes two threads; on a two-core VM that
is 0.1-0.3 ms of CPU, more than a SQL statement (`bench/framework.py`).

`OneThreadRoute` hands a sync endpoint's request to a worker thread once: there, on an event loop
of that thread, FastAPI solves the dependencies, calls the endpoint, validates the response and
commits, with its thread-pool calls run inline (they are already off the server's loop). The
server's loop only reads the body before and sends the response after, so it stays free while
the worker waits for the database. Dependencies, their order, the one transaction per request and
the error handling are FastAPI's own, unchanged.

Writes and reads have threads of their own, so reads never queue behind writers waiting for a
lock. Writes get few (`Settings.write_threads`): on SQLite one, since SQLite lets one writer in
at a time and the others would poll its lock from its busy handler, which sleeps up to 100 ms
between tries; queued for the one thread, writers go in arrival order with no gap between them.
"""

import asyncio
import atexit
import contextvars
import threading
from collections.abc import Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from contextlib import AsyncExitStack
from typing import Any, TypeVar

import anyio.to_thread
from fastapi.routing import APIRoute
from starlette.requests import Request
from starlette.responses import Response

from app.core.config import Settings
from app.core.db import WRITE_METHODS

T = TypeVar("T")
Handler = Callable[[Request], Coroutine[Any, Any, Response]]

_in_request_thread: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "pentrack_in_request_thread", default=False
)
_anyio_run_sync = anyio.to_thread.run_sync


async def _run_sync(
    func: Callable[..., T],
    *args: Any,
    abandon_on_cancel: bool = False,
    cancellable: bool | None = None,
    limiter: anyio.CapacityLimiter | None = None,
) -> T:
    """AnyIO's `to_thread.run_sync`, except in a request thread: there the call runs inline."""
    if _in_request_thread.get():
        return func(*args)
    return await _anyio_run_sync(
        func, *args, abandon_on_cancel=abandon_on_cancel, cancellable=cancellable, limiter=limiter
    )


# Starlette's run_in_threadpool and FastAPI's contextmanager_in_threadpool look this up on each call.
anyio.to_thread.run_sync = _run_sync  # type: ignore[assignment]

_local = threading.local()
_loops: list[asyncio.AbstractEventLoop] = []
_executors: dict[tuple[str, int], ThreadPoolExecutor] = {}
_lock = threading.Lock()


def _thread_loop() -> asyncio.AbstractEventLoop:
    loop: asyncio.AbstractEventLoop | None = getattr(_local, "loop", None)
    if loop is None:
        loop = _local.loop = asyncio.new_event_loop()
        with _lock:
            _loops.append(loop)
    return loop


def _executor(kind: str, threads: int) -> ThreadPoolExecutor:
    """The process's pool of `threads` threads for `kind` requests (shared by its apps)."""
    with _lock:
        executor = _executors.get((kind, threads))
        if executor is None:
            executor = ThreadPoolExecutor(threads, thread_name_prefix=f"pentrack-{kind}")
            _executors[(kind, threads)] = executor
        return executor


def executor_for(request: Request) -> ThreadPoolExecutor:
    settings: Settings = request.app.state.settings
    if request.method not in WRITE_METHODS:
        return _executor("read", settings.read_threads)
    threads = settings.write_threads
    if threads is None:
        threads = 1 if request.app.state.engine.dialect.name == "sqlite" else 8
    return _executor("write", threads)


@atexit.register
def _close_loops() -> None:
    for executor in _executors.values():
        executor.shutdown(wait=True)
    for loop in _loops:
        loop.close()


async def _handle(handler: Handler, request: Request) -> Response:
    # The function-scoped dependencies (the session: commit or roll back) close here, in this
    # thread, before the response leaves: a failed commit is the answer, as with FastAPI's stack.
    scope = request.scope
    async with AsyncExitStack() as request_stack, AsyncExitStack() as function_stack:
        scope["fastapi_inner_astack"] = request_stack
        scope["fastapi_function_astack"] = function_stack
        return await handler(request)


def _run_in_this_thread(handler: Handler, request: Request) -> Response:
    _in_request_thread.set(True)
    return _thread_loop().run_until_complete(_handle(handler, request))


class OneThreadRoute(APIRoute):
    """An APIRoute whose sync endpoint's request runs in one worker thread (see the module)."""

    def get_route_handler(self) -> Handler:
        handler = super().get_route_handler()
        if asyncio.iscoroutinefunction(self.endpoint):
            return handler

        async def one_thread_handler(request: Request) -> Response:
            await request.body()  # read on the server's loop; the handler finds it cached
            context = contextvars.copy_context()
            return await asyncio.get_running_loop().run_in_executor(
                executor_for(request), context.run, _run_in_this_thread, handler, request
            )

        return one_thread_handler
