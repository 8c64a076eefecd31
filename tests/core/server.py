"""A real pentrack server for tests: a fresh database and `pentrack serve` in a subprocess."""

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

import httpx
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from app.auth.roles import Role
from app.auth.service import create_user
from app.core.config import Settings
from app.core.db import build_engine, open_session
from app.core.migrations import upgrade
from app.rules.service import seed_builtin_rules
from seed.loader import seed_reference


def free_port() -> int:
    with closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def fresh_database(folder: Path) -> Iterator[str]:
    """A new database of the suite's kind: a SQLite file in `folder`, or a PostgreSQL database
    on the PENTRACK_TEST_DATABASE_URL server (dropped afterwards)."""
    server = os.environ.get("PENTRACK_TEST_DATABASE_URL", "")
    if not server.startswith("postgresql"):
        yield f"sqlite:///{folder / 'server.db'}"
        return
    name = f"pentrack_server_{uuid.uuid4().hex[:10]}"
    admin = create_engine(make_url(server).set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        yield make_url(server).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def prepare(database_url: str) -> None:
    """What `pentrack migrate` and `pentrack seed` do (in process, to save two interpreters)."""
    upgrade(database_url)
    engine = build_engine(Settings(database_url=database_url))
    try:
        seed_reference(engine)
        with open_session(engine, write=True) as session:
            seed_builtin_rules(session)
            session.commit()
    finally:
        engine.dispose()


def create_token(database_url: str, role: Role, authority_id: str | None = None) -> str:
    """What `pentrack token create` does."""
    engine = build_engine(Settings(database_url=database_url))
    try:
        with open_session(engine, write=True) as session:
            _, token = create_user(session, role=role, authority_id=authority_id, name=None)
            session.commit()
    finally:
        engine.dispose()
    return token


@contextmanager
def running_server(
    database_url: str, log: Path, *, timeout: float = 30.0, settings: dict[str, str] | None = None
) -> Iterator[str]:
    """`pentrack serve` on 127.0.0.1 and a free port until the block ends; its base URL.

    `settings` are extra environment variables (`PENTRACK_…`). Stopped by its pid (SIGTERM, then
    SIGKILL); its output goes to `log`.
    """
    port = free_port()
    command = [sys.executable, "-m", "app.cli", "serve", "--host", "127.0.0.1", "--port", str(port)]
    env = {
        **os.environ,
        "PENTRACK_DATABASE_URL": database_url,
        "PENTRACK_LOG_LEVEL": "warning",
        **(settings or {}),
    }
    base_url = f"http://127.0.0.1:{port}"
    with log.open("wb") as output:
        process = subprocess.Popen(
            command, cwd=log.parent, env=env, stdout=output, stderr=subprocess.STDOUT
        )
    try:
        _wait_ready(process, base_url, log, timeout)
        yield base_url
    finally:
        if process.poll() is None:
            os.kill(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.kill(process.pid, signal.SIGKILL)
                process.wait(timeout=10)


def _wait_ready(process: subprocess.Popen[bytes], base_url: str, log: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    with httpx.Client(base_url=base_url, timeout=2.0) as client:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"pentrack serve exited:\n{log.read_text()[-3000:]}")
            try:
                if client.get("/readyz").status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
    raise RuntimeError(f"pentrack serve not ready after {timeout} s:\n{log.read_text()[-3000:]}")
