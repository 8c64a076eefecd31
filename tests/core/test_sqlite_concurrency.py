"""Sixteen concurrent writers against a real server never see a 5xx or "database is locked".

The app runs as users run it (`pentrack serve`, uvicorn, one worker) on a fresh database of the
suite's kind (a SQLite file by default, PostgreSQL when PENTRACK_TEST_DATABASE_URL names one),
and is driven over loopback by threads with their own httpx clients while readers list.
"""

import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from app.auth.roles import Role
from tests.core.server import create_token, fresh_database, prepare, running_server
from tests.factories import PENS, pen_body

pytestmark = pytest.mark.slow

OPERATORS = "/api/v1/operators"
WRITERS = 16
READERS = 3
ROUNDS = 4  # each round: an operator, then a PEN naming it
DEADLINE_S = 8.0  # writers stop early on a slow machine; the test stays bounded


@dataclass
class Server:
    base_url: str
    admin: str
    exporting: str  # a DE regulator: drafts are visible to the exporting country
    importer_id: str


@dataclass
class Outcome:
    """What the clients saw: every status, the problems, and what was created."""

    statuses: list[int] = field(default_factory=list)
    bad: list[str] = field(default_factory=list)
    operators: list[str] = field(default_factory=list)
    pens: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def saw(self, what: str, response: httpx.Response, expected: int) -> Any:
        with self.lock:
            self.statuses.append(response.status_code)
            if response.status_code != expected or "database is locked" in response.text:
                self.bad.append(f"{what}: {response.status_code} {response.text[:300]}")
                return None
        return response.json()


def _headers(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    folder = tmp_path_factory.mktemp("server")
    with fresh_database(folder) as database_url:
        prepare(database_url)
        admin = create_token(database_url, Role.ADMIN)
        with (
            running_server(database_url, folder / "serve.log") as base_url,
            httpx.Client(base_url=base_url, headers=_headers(admin), timeout=30) as client,
        ):
            authority = client.post(
                "/api/v1/authorities",
                json={"country": "DE", "name": "DE regulator", "kind": "regulator"},
            )
            assert authority.status_code == 201, authority.text
            importer = client.post(
                OPERATORS,
                json={"name": "Indus Textiles", "country": "PK", "address": "Karachi"},
            )
            assert importer.status_code == 201, importer.text
            exporting = create_token(database_url, Role.REGULATOR, authority.json()["id"])
            yield Server(base_url, admin, exporting, importer.json()["id"])


def _write(server: Server, outcome: Outcome, writer: int, stop_at: float) -> None:
    with httpx.Client(
        base_url=server.base_url, headers=_headers(server.exporting), timeout=30
    ) as client:
        for round_ in range(ROUNDS):
            if time.monotonic() > stop_at:
                return
            name = f"Exporter {writer}-{round_}"
            body = {"name": name, "country": "DE", "address": "Hafenstrasse 1, Hamburg"}
            exporter = outcome.saw("operator", client.post(OPERATORS, json=body), 201)
            if exporter is None:
                continue
            with outcome.lock:
                outcome.operators.append(exporter["id"])
            pen_json = pen_body(exporter, {"id": server.importer_id, "country": "PK"})
            pen = outcome.saw("pen", client.post(PENS, json=pen_json), 201)
            if pen is not None:
                with outcome.lock:
                    outcome.pens.append(pen["id"])


def _read(server: Server, outcome: Outcome, writers_done: threading.Event) -> None:
    with httpx.Client(
        base_url=server.base_url, headers=_headers(server.exporting), timeout=30
    ) as client:
        while not writers_done.is_set():
            for path in (PENS, OPERATORS):
                outcome.saw(f"GET {path}", client.get(path, params={"limit": 50}), 200)


def _all_ids(server: Server, token: str, path: str) -> list[str]:
    ids: list[str] = []
    cursor = None
    with httpx.Client(base_url=server.base_url, headers=_headers(token), timeout=30) as client:
        while True:
            params: dict[str, Any] = {"limit": 500, **({"cursor": cursor} if cursor else {})}
            page = client.get(path, params=params)
            assert page.status_code == 200, page.text
            ids += [item["id"] for item in page.json()["items"]]
            cursor = page.json()["next_cursor"]
            if cursor is None:
                return ids


class TestConcurrentWriters:
    def test_sixteen_writers_and_readers_get_no_server_error_and_every_201_is_stored(
        self, server: Server
    ) -> None:
        outcome = Outcome()
        writers_done = threading.Event()
        stop_at = time.monotonic() + DEADLINE_S
        with ThreadPoolExecutor(max_workers=WRITERS + READERS) as pool:
            readers = [pool.submit(_read, server, outcome, writers_done) for _ in range(READERS)]
            writers = [
                pool.submit(_write, server, outcome, writer, stop_at) for writer in range(WRITERS)
            ]
            try:
                for future in writers:
                    future.result(timeout=60)
            finally:
                writers_done.set()
            for future in readers:
                future.result(timeout=60)

        assert not [s for s in outcome.statuses if s >= 500], outcome.bad[:5]
        assert outcome.bad == []
        # Enough writes happened at the same time for the test to mean something.
        assert len(outcome.pens) >= WRITERS * 2
        assert sorted(_all_ids(server, server.exporting, PENS)) == sorted(outcome.pens)
        stored_operators = set(_all_ids(server, server.admin, OPERATORS))
        assert stored_operators == {*outcome.operators, server.importer_id}
