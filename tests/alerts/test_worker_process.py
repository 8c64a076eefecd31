"""`pentrack worker` as real processes: killed mid-run and restarted (at least once, none
lost), stopped by SIGTERM, and two workers side by side on PostgreSQL (never the same
delivery twice)."""

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine

from tests.alerts.conftest import Receiver
from tests.alerts.helpers import delivery_statuses, emit_incidents, webhook_authority
from tests.factories import Api

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


def _env(database_url: str, **settings: str) -> dict[str, str]:
    env = {
        **os.environ,
        "PENTRACK_DATABASE_URL": database_url,
        "PENTRACK_LOG_LEVEL": "warning",
        "PENTRACK_DELIVERY_SCHEDULE_SECONDS": "[0.2, 0.2, 0.2]",
        "PENTRACK_DELIVERY_JITTER": "0",
        "PENTRACK_DELIVERY_TIMEOUT_SECONDS": "0.5",
        "PENTRACK_DELIVERY_LEASE_SECONDS": "60",
        "PENTRACK_WORKER_POLL_SECONDS": "0.05",
        "PENTRACK_WORKER_BATCH_SIZE": "5",
        "PENTRACK_WORKER_CONCURRENCY": "2",
    }
    env.update({f"PENTRACK_{k.upper()}": v for k, v in settings.items()})
    return env


class Workers:
    """`pentrack worker` processes, each stopped by its pid at teardown."""

    def __init__(self, tmp_path: Path) -> None:
        self.tmp_path = tmp_path
        self.processes: list[subprocess.Popen[bytes]] = []

    def start(self, env: dict[str, str], *args: str) -> subprocess.Popen[bytes]:
        with (self.tmp_path / f"worker-{len(self.processes)}.log").open("wb") as log:
            process = subprocess.Popen(
                [sys.executable, "-c", "from app.cli import main; main()", "worker", *args],
                cwd=self.tmp_path,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        self.processes.append(process)
        return process

    def stop_all(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                os.kill(process.pid, signal.SIGKILL)
                process.wait(timeout=10)


@pytest.fixture
def workers(tmp_path: Path) -> Iterator[Workers]:
    workers = Workers(tmp_path)
    yield workers
    workers.stop_all()


def _wait_all_delivered(engine: Engine, expected: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        statuses = delivery_statuses(engine)
        if len(statuses) == expected and set(statuses.values()) == {"delivered"}:
            return
        time.sleep(0.1)
    raise AssertionError(f"not all delivered: {sorted(set(delivery_statuses(engine).values()))}")


def test_worker_killed_mid_run_then_restarted_loses_nothing(
    api: Api, engine: Engine, database_url: str, receiver: Receiver, workers: Workers
) -> None:
    webhook_authority(api, "PK", receiver.url, kind="customs")
    receiver.reply = lambda n, r: (200, {}, 0.03)
    emit_incidents(engine, 60, "PK")
    env = _env(database_url, delivery_lease_seconds="1")

    first = workers.start(env)
    receiver.wait_for(10)
    os.kill(first.pid, signal.SIGKILL)
    first.wait(timeout=10)
    assert first.returncode == -signal.SIGKILL
    time.sleep(0.3)  # the receiver finishes recording what reached it before the kill
    at_death = delivery_statuses(engine)
    left = [i for i, s in at_death.items() if s != "delivered"]
    assert left, "the worker was meant to die mid-run"
    # In flight: posted to the receiver, but the dead worker never recorded the answer.
    in_flight = {i for i in receiver.ids() if at_death.get(i) != "delivered"}

    second = workers.start(env)
    _wait_all_delivered(engine, 60)
    os.kill(second.pid, signal.SIGTERM)
    assert second.wait(timeout=10) == 0

    ids = receiver.ids()
    assert set(ids) == set(delivery_statuses(engine))  # every alert arrived at least once
    # Only what was in flight when the first worker died can arrive twice, and only once more.
    twice = {i for i in ids if ids.count(i) > 1}
    assert twice <= in_flight
    assert all(ids.count(i) == 2 for i in twice)


def test_worker_once_delivers_what_is_due_and_exits(
    api: Api, engine: Engine, database_url: str, receiver: Receiver, workers: Workers
) -> None:
    webhook_authority(api, "PK", receiver.url, kind="customs")
    emit_incidents(engine, 12, "PK")
    process = workers.start(_env(database_url), "--once")
    assert process.wait(timeout=30) == 0
    assert set(delivery_statuses(engine).values()) == {"delivered"}
    assert len(receiver.ids()) == 12


def test_two_workers_on_postgres_never_send_a_delivery_twice(
    api: Api,
    engine: Engine,
    database_url: str,
    receiver: Receiver,
    workers: Workers,
    is_postgres: bool,
) -> None:
    if not is_postgres:
        pytest.skip("several workers need PostgreSQL (FOR UPDATE SKIP LOCKED)")
    webhook_authority(api, "PK", receiver.url, kind="customs")
    receiver.reply = lambda n, r: (200, {}, 0.01)
    emit_incidents(engine, 200, "PK")
    env = _env(database_url)

    pair = [workers.start(env), workers.start(env)]
    _wait_all_delivered(engine, 200)
    for process in pair:
        os.kill(process.pid, signal.SIGTERM)
        assert process.wait(timeout=10) == 0

    ids = receiver.ids()
    assert len(ids) == len(set(ids)) == 200
    with engine.connect() as connection:
        names = connection.execute(text("SELECT DISTINCT worker FROM delivery_attempt")).all()
        attempts = connection.execute(text("SELECT count(*) FROM delivery_attempt")).scalar()
    assert len(names) == 2, "both workers took part"
    assert attempts == 200
