"""Fixtures for alerts: a real HTTP receiver on 127.0.0.1, live uvicorn servers, fast retry
settings, and the default routing rules."""

import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from sqlalchemy.engine import Engine

from app.alerts.defaults import seed_default_routing
from app.core.config import Settings
from app.core.db import open_session
from app.core.http import build_http_client
from app.worker.runner import Worker


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes
    at: float

    @property
    def webhook_id(self) -> str:
        return self.headers["webhook-id"]

    def json(self) -> Any:
        return json.loads(self.body)


# A reply: status, extra headers, and seconds to wait before answering.
Reply = tuple[int, dict[str, str], float]


@dataclass
class Receiver:
    """A webhook endpoint on 127.0.0.1 that records every request and answers as told."""

    port: int = field(default_factory=free_port)
    received: list[Received] = field(default_factory=list)
    # Called with the request number (0-based) and the request; returns the reply.
    reply: Callable[[int, Received], Reply] = lambda n, r: (200, {}, 0.0)
    # What every answer carries.
    body: bytes = b'{"ok":true}'
    _server: ThreadingHTTPServer | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks"

    def start(self) -> "Receiver":
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("content-length", 0))
                request = Received(
                    {k.lower(): v for k, v in self.headers.items()},
                    self.rfile.read(length),
                    time.monotonic(),
                )
                with receiver._lock:
                    number = len(receiver.received)
                    receiver.received.append(request)
                status, headers, delay = receiver.reply(number, request)
                if delay:
                    time.sleep(delay)
                body = receiver.body
                try:
                    self.send_response(status)
                    for name, value in headers.items():
                        self.send_header(name, value)
                    self.send_header("content-length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the sender gave up (timeout) or was killed

            def log_message(self, *args: Any) -> None:
                pass

        ThreadingHTTPServer.allow_reuse_address = True
        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def ids(self) -> list[str]:
        with self._lock:
            return [r.webhook_id for r in self.received]

    def wait_for(self, count: int, timeout: float = 20.0) -> None:
        deadline = time.monotonic() + timeout
        while len(self.received) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"received {len(self.received)} of {count} requests")
            time.sleep(0.02)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    receiver = Receiver().start()
    yield receiver
    receiver.stop()


class LiveServer:
    """A uvicorn server for an ASGI app on 127.0.0.1 in a thread, stopped at teardown."""

    def __init__(self, app: FastAPI) -> None:
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(
            app,
            host="127.0.0.1",
            port=self.port,
            log_level="warning",
            lifespan="off",
            ws="none",
            http="h11",
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> "LiveServer":
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.01)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


def fast(settings: Settings, **overrides: Any) -> Settings:
    """Settings with a short retry schedule, no jitter, and quick timeouts."""
    values: dict[str, Any] = {
        "delivery_schedule_seconds": [0.2, 0.2, 0.2],
        "delivery_jitter": 0.0,
        "delivery_timeout_seconds": 2.0,
        "delivery_lease_seconds": 5.0,
        "worker_poll_seconds": 0.05,
        "worker_concurrency": 4,
        "worker_batch_size": 20,
    }
    values.update(overrides)
    return settings.model_copy(update=values)


@pytest.fixture
def worker_settings(settings: Settings) -> Settings:
    return fast(settings)


def run_worker(engine: Engine, settings: Settings, *, until_idle: bool = True) -> int:
    """Deliver what is due now, in this process; the number of attempts."""
    with build_http_client(settings, concurrency=settings.worker_concurrency) as client:
        worker = Worker(engine, settings, client, name="test-worker")
        try:
            return worker.run_once() if until_idle else worker.process_batch()
        finally:
            worker.close()


def drain(engine: Engine, settings: Settings, timeout: float = 10.0) -> int:
    """Run the worker until nothing is pending or retrying (waits out short backoffs)."""
    from sqlalchemy import text

    attempts = 0
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        attempts += run_worker(engine, settings)
        with engine.connect() as connection:
            left = connection.execute(
                text("SELECT count(*) FROM delivery WHERE status IN ('pending', 'retrying')")
            ).scalar_one()
        if left == 0:
            return attempts
        time.sleep(0.05)
    raise AssertionError("deliveries still pending after the timeout")


@pytest.fixture(autouse=True)
def default_routing(engine: Engine) -> None:
    with open_session(engine, write=True) as session:
        seed_default_routing(session)
        session.commit()


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=5) as client:
        yield client
