"""Uniqueness races on PostgreSQL: a request whose check passed while a twin was still
uncommitted loses at the unique index and answers 409, never 500, and writes nothing.

The twin is planted by another connection (a copy of a real row under the contested key) and
held uncommitted until the request is waiting on it, so the race is lost every time."""

import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.engine import Engine

from app.core.ids import new_id
from tests.factories import Actor, Api, lane, record_shipment

PROBLEM = "https://pentrack.org/problems/"


def _blocked_request(
    app: FastAPI, engine: Engine, actor: Actor, plant: str, request: Callable[[Actor], Any]
) -> Any:
    """Run `plant` (SQL) in an open transaction, send `request`, commit once it waits."""
    with engine.connect() as twin:
        twin.execute(text(plant))
        done = threading.Event()

        def send() -> Any:
            with TestClient(app, raise_server_exceptions=False) as client:
                own = Actor(client, actor.token, actor.role, actor.country, actor.authority_id)
                try:
                    return request(own)
                finally:
                    done.set()

        with ThreadPoolExecutor(max_workers=1) as pool:
            future = pool.submit(send)
            deadline = time.monotonic() + 20
            while not _someone_waits_for_a_lock(engine) and time.monotonic() < deadline:
                assert not done.is_set(), future.result().text
                time.sleep(0.05)
            twin.commit()
            return future.result(timeout=30)


def _someone_waits_for_a_lock(engine: Engine) -> bool:
    with engine.connect() as connection:
        waiting = connection.execute(
            text(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE wait_event_type = 'Lock' AND datname = current_database()"
            )
        ).scalar_one()
    return bool(waiting)


def _copy(table: str, where: str, changes: str) -> str:
    """SQL inserting a copy of the row `where` selects, with `changes` applied."""
    name = f"twin_{new_id()[:12]}"
    return (
        f"CREATE TEMP TABLE {name} AS SELECT * FROM {table} WHERE {where}; "
        f"UPDATE {name} SET {changes}; "
        f"INSERT INTO {table} SELECT * FROM {name}"
    )


def _count(engine: Engine, sql: str) -> int:
    with engine.connect() as connection:
        return int(connection.execute(text(sql)).scalar_one())


@pytest.fixture(autouse=True)
def _postgres_only(is_postgres: bool) -> None:
    if not is_postgres:
        pytest.skip("SQLite has one writer at a time: there is no race to lose")


RULE = {
    "code": "race-a",
    "title": "Paid in cash",
    "severity": "low",
    "subjects": ["shipment"],
    "condition": {"in": {"fact": "means_of_payment"}, "list": ["cash"]},
    "explanation": "Paid by {means_of_payment}.",
}
ROUTING_RULE = {"code": "race-a", "event_types": ["pen.sent"], "route_roles": ["importing"]}
PEER = {
    "node_id": "race-a",
    "name": "pentrack PK",
    "base_url": "https://pk.example",
    "countries": ["PK"],
}
# (path, first body, key field, table, key column, problem type)
CONTESTED = {
    "rule-code": ("/api/v1/rules", RULE, "code", "rule", "code", "duplicate-rule-code"),
    "routing-rule-code": (
        "/api/v1/routing-rules",
        ROUTING_RULE,
        "code",
        "routing_rule",
        "code",
        "routing-rule-exists",
    ),
    "peer-node-id": ("/api/v1/peers", PEER, "node_id", "peer", "node_id", "peer-exists"),
}


class TestUniqueRaces:
    @pytest.mark.parametrize("case", list(CONTESTED))
    def test_a_code_taken_meanwhile_is_409_and_nothing_else_is_written(
        self, api: Api, app: FastAPI, engine: Engine, case: str
    ) -> None:
        path, body, field, table, column, problem = CONTESTED[case]
        assert api.admin.post(path, json=body).status_code == 201
        plant = _copy(table, f"{column} = 'race-a'", f"id = '{new_id()}', {column} = 'race-b'")
        response = _blocked_request(
            app, engine, api.admin, plant, lambda a: a.post(path, json={**body, field: "race-b"})
        )
        assert response.status_code == 409, response.text
        assert response.json()["type"] == PROBLEM + problem
        assert _count(engine, f"SELECT count(*) FROM {table} WHERE {column} = 'race-b'") == 1

    def test_a_customs_reference_taken_meanwhile_is_409(
        self, api: Api, app: FastAPI, engine: Engine
    ) -> None:
        de_pk = lane(api)
        customs = api.customs("AE")
        first = record_shipment(customs, None, **de_pk.shipment_body(customs_reference="CUS-A"))
        plant = _copy(
            "shipment", f"id = '{first['id']}'", f"id = '{new_id()}', customs_reference = 'CUS-B'"
        )
        body = de_pk.shipment_body(customs_reference="CUS-B")
        response = _blocked_request(
            app, engine, customs, plant, lambda a: a.post("/api/v1/shipments", json=body)
        )
        assert response.status_code == 409, response.text
        assert response.json()["type"] == PROBLEM + "duplicate-customs-reference"
        assert _count(engine, "SELECT count(*) FROM shipment") == 2  # CUS-A and the twin
