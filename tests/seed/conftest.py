"""A fresh, empty database per test for driving the `pentrack` command as a subprocess."""

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

PENTRACK = [sys.executable, "-c", "from app.cli import main; main()"]
ROOT = Path(__file__).resolve().parents[2]


def pentrack(args: list[str], database_url: str) -> subprocess.CompletedProcess[str]:
    """Run `pentrack ARGS` against `database_url`; the result, whatever its exit code."""
    env = {**os.environ, "PENTRACK_DATABASE_URL": database_url}
    return subprocess.run(
        [*PENTRACK, *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@contextmanager
def fresh_database(folder: Path) -> Iterator[str]:
    """An empty database: a new PostgreSQL database when the suite runs on PostgreSQL."""
    server = os.environ.get("PENTRACK_TEST_DATABASE_URL")
    if not (server and server.startswith("postgresql")):
        yield f"sqlite:///{folder / 'seed.db'}"
        return
    name = f"pentrack_seed_{uuid.uuid4().hex[:10]}"
    admin = create_engine(make_url(server).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(server).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def fresh_url(tmp_path: Path) -> Iterator[str]:
    with fresh_database(tmp_path) as url:
        yield url
