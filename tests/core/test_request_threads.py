"""Writes and reads have turns of their own (app/core/admission.py), and writers wait for theirs in
arrival order: a read is answered while writes wait for the database, and the waiting writes go
through once it is free, in the order they came.

Against a real server (`pentrack serve`) on the suite's database: the test holds the lock a write
needs (SQLite's write lock, or on PostgreSQL an EXCLUSIVE lock on the operator table, which lets
readers in) from a connection of its own.
"""

import sqlite3
import time
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from app.auth.roles import Role
from tests.core.server import create_token, fresh_database, prepare, running_server
from tests.factories import AUDIT

pytestmark = pytest.mark.slow

OPERATORS = "/api/v1/operators"


@contextmanager
def write_lock_held(database_url: str) -> Iterator[None]:
    if database_url.startswith("sqlite"):
        connection = sqlite3.connect(make_url(database_url).database or "", isolation_level=None)
        try:
            connection.execute("BEGIN IMMEDIATE")
            yield
            connection.execute("ROLLBACK")
        finally:
            connection.close()
        return
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            connection.execute(text("LOCK TABLE operator IN EXCLUSIVE MODE"))
            yield
            connection.rollback()
    finally:
        engine.dispose()


def _operator(name: str) -> dict[str, str]:
    return {"name": name, "country": "DE", "address": "Hafenstrasse 1, Hamburg"}


class TestRequestThreads:
    def test_reads_are_answered_while_writes_wait_and_the_writes_then_go_through(
        self, tmp_path: Path
    ) -> None:
        with fresh_database(tmp_path) as database_url:
            prepare(database_url)
            admin = create_token(database_url, Role.ADMIN)
            headers = {"Authorization": f"Bearer {admin}"}
            with (
                running_server(database_url, tmp_path / "serve.log") as base_url,
                httpx.Client(base_url=base_url, headers=headers, timeout=60) as client,
                ThreadPoolExecutor(max_workers=2) as pool,
            ):
                writes: list[Future[httpx.Response]] = []
                with write_lock_held(database_url):
                    for name in ("Rheinchemie GmbH", "Elbe Solvents AG"):
                        writes.append(pool.submit(client.post, OPERATORS, json=_operator(name)))
                    time.sleep(1.0)  # both writes reach the server and wait for the lock
                    assert not any(write.done() for write in writes)

                    read = client.get(OPERATORS)

                    assert read.status_code == 200, read.text
                    assert read.json()["items"] == []
                    assert not any(write.done() for write in writes)

                created = [write.result(timeout=60) for write in writes]
                assert [response.status_code for response in created] == [201, 201]
                listed = client.get(OPERATORS).json()["items"]
                assert sorted(item["name"] for item in listed) == [
                    "Elbe Solvents AG",
                    "Rheinchemie GmbH",
                ]

    def test_writers_waiting_for_the_database_go_through_in_arrival_order(
        self, tmp_path: Path
    ) -> None:
        names = [f"Writer {index} GmbH" for index in range(6)]
        with fresh_database(tmp_path) as database_url:
            prepare(database_url)
            admin = create_token(database_url, Role.ADMIN)
            headers = {"Authorization": f"Bearer {admin}"}
            with (
                # One write turn, as on SQLite by default (PostgreSQL's default is 8).
                running_server(
                    database_url, tmp_path / "serve.log", settings={"PENTRACK_WRITE_THREADS": "1"}
                ) as base_url,
                httpx.Client(base_url=base_url, headers=headers, timeout=60) as client,
                ThreadPoolExecutor(max_workers=len(names)) as pool,
            ):
                writes: list[Future[httpx.Response]] = []
                with write_lock_held(database_url):
                    for name in names:
                        writes.append(pool.submit(client.post, OPERATORS, json=_operator(name)))
                        time.sleep(0.2)  # each write reaches the server before the next
                    assert not any(write.done() for write in writes)

                assert [write.result(timeout=60).status_code for write in writes] == [201] * 6
                page = client.get(AUDIT, params={"action": "operator.created", "limit": 500})
                created = page.json()["items"]
                created.sort(key=lambda event: event["occurred_at"])
                assert [event["after"]["name"] for event in created] == names
