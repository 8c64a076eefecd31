"""`pentrack seed --demo`: a year of activity that the API serves as it would its own."""

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text

from app.core.config import Settings
from app.main import create_app
from app.notifications.states import PenStatus
from tests.seed.conftest import fresh_database, pentrack

PENS = "/api/v1/pre-export-notifications"
SHIPMENTS = "/api/v1/shipments"


@dataclass
class Demo:
    url: str
    stdout: str
    tokens: list[tuple[str, str, str]]  # (role, authority, token)
    client: TestClient

    def token(self, role: str, authority: str = "-") -> str:
        return next(t for r, a, t in self.tokens if r == role and a == authority)

    def get(self, token: str, path: str, **params: Any) -> Any:
        response = self.client.get(
            path, params=params, headers={"Authorization": f"Bearer {token}"}
        )
        assert response.status_code == 200, response.text
        return response.json()

    def count(self, table: str) -> int:
        engine = create_engine(self.url)
        with engine.connect() as connection:
            number = connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()
        engine.dispose()
        return int(number)


def _tokens(stdout: str) -> list[tuple[str, str, str]]:
    rows = [line.split() for line in stdout.splitlines()]
    return [(r[0], r[1], r[2]) for r in rows if len(r) == 3 and r[2].startswith("pt_")]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    with fresh_database(tmp_path_factory.mktemp("demo")) as url:
        assert pentrack(["migrate"], url).returncode == 0
        result = pentrack(["seed", "--demo"], url)
        assert result.returncode == 0, result.stderr
        with TestClient(create_app(Settings(database_url=url))) as client:
            yield Demo(url, result.stdout, _tokens(result.stdout), client)


class TestUsers:
    def test_printed_tokens_authenticate_with_their_roles(self, demo: Demo) -> None:
        roles = Counter(role for role, _, _ in demo.tokens)
        assert roles == {"admin": 1, "analyst": 1, "regulator": 19, "customs": 19}
        for _, _, token in demo.tokens:
            assert demo.get(token, "/api/v1/countries/AF")["iso3"] == "AFG"
        unknown = demo.client.get("/api/v1/countries/AF", headers={"Authorization": "Bearer pt_x"})
        assert unknown.status_code == 401

    def test_authorities_have_readable_ids(self, demo: Demo) -> None:
        admin = demo.token("admin")
        assert demo.get(admin, "/api/v1/authorities/incb")["kind"] == "international"
        assert demo.get(admin, "/api/v1/authorities/pk-customs")["country"] == "PK"


class TestNotifications:
    def test_every_status_is_present(self, demo: Demo) -> None:
        analyst = demo.token("analyst", "incb")
        for status in PenStatus:
            if status == PenStatus.DRAFT:
                continue  # drafts are the exporting country's alone
            items = demo.get(analyst, PENS, status=status.value, limit=5)["items"]
            assert items, status
            assert {pen["status"] for pen in items} == {status.value}
        drafts = [
            pen
            for role, _, token in demo.tokens
            if role == "regulator"
            for pen in demo.get(token, PENS, status="draft", limit=5)["items"]
        ]
        assert drafts

    def test_some_replies_are_overdue(self, demo: Demo) -> None:
        items = demo.get(demo.token("analyst", "incb"), PENS, reply_overdue="true", limit=50)[
            "items"
        ]
        assert items
        assert all(pen["reply_overdue"] and pen["decision"] is None for pen in items)
        assert all(date.fromisoformat(pen["reply_by"]) < date.today() for pen in items)

    def test_history_leads_to_the_status(self, demo: Demo) -> None:
        analyst = demo.token("analyst", "incb")
        [objected] = demo.get(analyst, PENS, status="objection", limit=1)["items"]
        detail = demo.get(analyst, f"{PENS}/{objected['id']}")
        kinds = [m["kind"] for m in detail["history"]]
        assert kinds[0] == "send" and kinds[-1] == "respond"
        assert detail["history"][-1]["decision"] == "objection"
        assert detail["history"][-1]["text"]

    def test_new_notifications_continue_the_numbering(self, demo: Demo) -> None:
        admin, regulator = demo.token("admin"), demo.token("regulator", "de-regulator")
        exporter = demo.get(admin, "/api/v1/operators", country="DE", limit=1)["items"][0]
        importer = demo.get(admin, "/api/v1/operators", country="TR", limit=1)["items"][0]
        body = {
            "exporting_country": "DE",
            "importing_country": "TR",
            "exporter_id": exporter["id"],
            "importer_id": importer["id"],
            "substance": "108-24-7",
            "quantity": 2200,
            "unit": "l",
            "expected_dispatch_date": (date.today() + timedelta(days=30)).isoformat(),
            "expected_point_of_entry": "Mersin Port",
            "mode_of_transport": "sea",
            "means_of_payment": "letter_of_credit",
        }
        response = demo.client.post(
            PENS, json=body, headers={"Authorization": f"Bearer {regulator}"}
        )
        assert response.status_code == 201, response.text
        reference = response.json()["reference"]
        prefix = reference.rsplit("-", 1)[0]
        engine = create_engine(demo.url)
        with engine.connect() as connection:
            highest = connection.execute(
                text("SELECT max(reference) FROM pre_export_notification WHERE reference LIKE :p"),
                {"p": f"{prefix}-%"},
            ).scalar_one()
        engine.dispose()
        assert highest == reference
        assert int(reference.rsplit("-", 1)[1]) > 1


class TestShipments:
    def test_statuses_come_with_events(self, demo: Demo) -> None:
        analyst = demo.token("analyst", "incb")
        for status, last_event in (("delivered", "import_cleared"), ("seized", "seized")):
            [shipment] = demo.get(analyst, SHIPMENTS, status=status, limit=1)["items"]
            events = demo.get(analyst, f"{SHIPMENTS}/{shipment['id']}")["events"]
            assert events[-1]["type"] == last_event

    def test_the_port_qasim_case_is_a_seized_misdeclaration(self, demo: Demo) -> None:
        analyst = demo.token("analyst", "incb")
        [case] = demo.get(analyst, SHIPMENTS, customs_reference="PK-QASIM-2016-0117")["items"]
        assert (case["status"], case["quantity_kg"]) == ("seized", 21700.0)
        assert (case["declared_hs_code"], case["substance"]) == ("2915.21", "108-24-7")
        detail = demo.get(analyst, f"{SHIPMENTS}/{case['id']}")
        assert [e["type"] for e in detail["events"]][-2:] == ["stopped", "seized"]
        assert detail["events"][-1]["occurred_at"].startswith("2016-01")

    def test_some_observed_quantities_differ_from_the_notified(self, demo: Demo) -> None:
        engine = create_engine(demo.url)
        with engine.connect() as connection:
            differing = connection.execute(
                text(
                    "SELECT count(*) FROM shipment_event e JOIN shipment s ON s.id = e.shipment_id"
                    " JOIN pre_export_notification p ON p.id = s.notification_id"
                    " WHERE e.quantity_observed_kg > p.quantity_kg"
                )
            ).scalar_one()
        engine.dispose()
        assert differing > 0


class TestSecondRun:
    def test_adds_nothing_and_prints_no_tokens(self, demo: Demo) -> None:
        before = {t: demo.count(t) for t in ("app_user", "pre_export_notification", "shipment")}
        again = pentrack(["seed", "--demo"], demo.url)
        assert again.returncode == 0, again.stderr
        assert "already present" in again.stdout
        assert not _tokens(again.stdout)
        assert {t: demo.count(t) for t in before} == before


def test_generation_is_deterministic_for_a_scale(tmp_path: Path) -> None:
    """Two fresh databases, the same scale: the same notifications and shipments."""
    from app.core.db import build_engine
    from app.core.migrations import upgrade
    from seed.demo import seed_demo
    from seed.loader import seed_reference

    fingerprints = []
    for name in ("a", "b"):
        url = f"sqlite:///{tmp_path / name}.db"
        upgrade(url)
        engine = build_engine(Settings(database_url=url))
        seed_reference(engine)
        seed_demo(engine, scale=1, echo=lambda _: None)
        with engine.connect() as connection:
            fingerprints.append(
                (
                    connection.execute(
                        text(
                            "SELECT reference, status, cas_number, quantity, created_at"
                            " FROM pre_export_notification ORDER BY reference"
                        )
                    ).all(),
                    connection.execute(
                        text(
                            "SELECT customs_reference, status, quantity_kg FROM shipment"
                            " ORDER BY recorded_country, customs_reference"
                        )
                    ).all(),
                )
            )
        engine.dispose()
    assert fingerprints[0] == fingerprints[1]
    assert len(fingerprints[0][0]) == 200
    assert len(fingerprints[0][1]) == 1000
