"""The per-process cache (reference data, rules, routing) never serves a stale answer:
a change made anywhere — another process, the CLI, SQL typed by a person — is seen by the
running app on its next request."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import event, text
from sqlalchemy.engine import Engine

from app.core.cache import CACHE_GROUP
from app.core.db import open_session
from app.models import metadata
from app.reference.service import find_substance, reference
from tests.factories import Api, lane, record_shipment

FLAGS = "/api/v1/flags"


def versions(engine: Engine) -> dict[str, int]:
    with engine.connect() as connection:
        return dict(connection.execute(text("SELECT name, version FROM cache_version")).all())  # type: ignore[arg-type]


@pytest.fixture
def every_cached_table_has_rows(api: Api) -> None:
    api.regulator("DE")  # an authority and a user
    created = api.admin.post(
        "/api/v1/routing-rules",
        json={"code": "cache-test", "event_types": ["pen.sent"], "route_roles": ["importing"]},
    )
    assert created.status_code == 201, created.text
    peer = {
        "node_id": "cache-test",
        "name": "pentrack PK",
        "base_url": "http://127.0.0.1:9",
        "countries": ["PK"],
    }
    assert api.admin.post("/api/v1/peers", json=peer).status_code == 201
    requirement = {"country": "PK", "cas_number": "90-82-4", "quantity_kg": 1, "source": "test"}
    assert api.admin.post("/api/v1/legitimate-requirements", json=requirement).status_code == 201
    trade = lane(api)
    shipment = record_shipment(api.customs("DE"), None, **trade.shipment_body())
    started = api.law_enforcement("DE").post(
        f"/api/v1/shipments/{shipment['id']}/controlled-delivery", json={}
    )
    assert started.status_code == 201, started.text


def test_reference_data_rules_and_routing_are_the_cached_groups() -> None:
    cached = {t.name: t.info[CACHE_GROUP] for t in metadata.sorted_tables if CACHE_GROUP in t.info}
    assert cached == {
        "country": "reference",
        "substance": "reference",
        "pen_requirement": "reference",
        "legitimate_requirement": "reference",
        "risk_list": "reference",
        "rule": "rules",
        "routing_rule": "routing",
        "peer": "routing",
        "authority": "routing",
        "controlled_delivery": "routing",
    }


@pytest.mark.usefixtures("every_cached_table_has_rows")
@pytest.mark.parametrize(
    ("group", "table"),
    [(t.info[CACHE_GROUP], t.name) for t in metadata.sorted_tables if CACHE_GROUP in t.info],
)
def test_every_change_to_a_cached_table_moves_its_version(
    engine: Engine, group: str, table: str
) -> None:
    before = versions(engine)
    with engine.connect() as connection:
        transaction = connection.begin()
        column = {
            "country": "name",
            "substance": "name",
            "risk_list": "title",
            "controlled_delivery": "started_at",
        }.get(table, "created_at")
        changed = connection.execute(text(f"UPDATE {table} SET {column} = {column}"))
        assert changed.rowcount > 0
        inside = dict(connection.execute(text("SELECT name, version FROM cache_version")).all())  # type: ignore[arg-type]
        transaction.rollback()
    assert inside[group] > before[group]  # once per statement (PostgreSQL) or per row (SQLite)
    assert {k: v for k, v in inside.items() if k != group} == {
        k: v for k, v in before.items() if k != group
    }
    assert versions(engine) == before  # the bump rolled back with the change


def test_a_token_created_outside_the_app_works_at_once(api: Api) -> None:
    admin = api.admin
    assert admin.get("/api/v1/authorities").status_code == 200  # the app now knows one token
    analyst = api.analyst()  # written by another session, as `pentrack token create` does
    assert analyst.get("/api/v1/authorities").status_code == 200


def test_a_user_disabled_in_the_database_is_refused_on_the_next_request(
    api: Api, engine: Engine
) -> None:
    analyst = api.analyst()
    assert analyst.get("/api/v1/authorities").status_code == 200  # remembered by the app
    with engine.begin() as connection:
        connection.execute(
            text("UPDATE app_user SET disabled = :yes WHERE role = 'analyst'"), {"yes": True}
        )
    response = analyst.get("/api/v1/authorities")
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"


def test_a_rule_disabled_in_the_database_stops_raising_flags_at_once(
    api: Api, engine: Engine
) -> None:
    trade = lane(api)  # the importer has no registration number: new-counterparty fires
    first = trade.draft()
    flags = trade.exporting.get(FLAGS, params={"subject_id": first["id"]}).json()["items"]
    assert "new-counterparty" in {f["rule"] for f in flags}

    with engine.begin() as connection:
        connection.execute(
            text("UPDATE rule SET enabled = :no WHERE code = 'new-counterparty'"), {"no": False}
        )
    second = trade.draft()
    flags = trade.exporting.get(FLAGS, params={"subject_id": second["id"]}).json()["items"]
    assert "new-counterparty" not in {f["rule"] for f in flags}


def test_a_requirement_added_by_sql_is_used_by_the_next_evaluation(
    api: Api, engine: Engine
) -> None:
    trade = lane(api, exporting="DE", importing="KE", transit=())
    before = trade.draft()
    flags = trade.exporting.get(FLAGS, params={"subject_id": before["id"]}).json()["items"]
    assert "no-licit-need-destination" not in {f["rule"] for f in flags}

    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO pen_requirement (id, country, cas_number, requires_pen, "
                "no_licit_need, source, created_at, scope_key) VALUES ('cachetest01', 'KE', "
                "'108-24-7', :yes, :yes, 'test', :now, '108-24-7|*')"
            ),
            {"yes": True, "now": datetime.now(UTC)},
        )
    after = trade.draft()
    flags = trade.exporting.get(FLAGS, params={"subject_id": after["id"]}).json()["items"]
    assert "no-licit-need-destination" in {f["rule"] for f in flags}


def test_a_transaction_reads_the_versions_once_even_when_a_cached_read_begins_it(
    engine: Engine,
) -> None:
    """A session whose first statement is a cached read (a CLI command, the worker, a summary
    computed without a request) asks for the versions once, not again at its next cached read."""
    asked: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
        if "FROM cache_version" in statement:
            asked.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        with open_session(engine) as session:
            reference(session)
            assert find_substance(session, "108-24-7") is not None
            reference(session)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert len(asked) == 1
