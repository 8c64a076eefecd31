"""Two pentrack nodes, two databases, real loopback servers: DE hosts Germany's authorities,
PK hosts Pakistan's. A PEN sent on DE arrives on PK; PK's reply moves it on DE. Forged,
tampered and replayed messages are refused with a problem and leave nothing behind."""

import json
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from app.authorities.service import generate_webhook_secret
from app.core.config import Settings
from app.core.db import build_engine, open_session
from app.core.migrations import upgrade
from app.delivery.signing import generate_signing_key, sign
from app.main import create_app
from app.models import metadata
from seed.loader import seed_reference
from tests.alerts.conftest import LiveServer, fast, run_worker
from tests.alerts.helpers import PENS, count, emit_incidents
from tests.conftest import REFERENCE_TABLES, _drop_postgres, _fresh_postgres
from tests.factories import Api, pen_body

INBOX = "/api/v1/nodes/messages"


@pytest.fixture(scope="module")
def pk_engine(database_url: str) -> Iterator[Engine]:
    """The second node's own database (same kind as the first)."""
    server = os.environ.get("PENTRACK_TEST_DATABASE_URL", "")
    with tempfile.TemporaryDirectory(prefix="pentrack-pk-") as folder:
        if database_url.startswith("postgresql"):
            url, name = _fresh_postgres(server)
        else:
            url, name = f"sqlite:///{Path(folder) / 'pk.db'}", ""
        upgrade(url)
        engine = build_engine(Settings(database_url=url))
        seed_reference(engine)
        yield engine
        engine.dispose()
        if name:
            _drop_postgres(server, name)


@pytest.fixture
def clean_pk(pk_engine: Engine) -> Iterator[Engine]:
    yield pk_engine
    with pk_engine.begin() as connection:
        for table in reversed(metadata.sorted_tables):
            if table.name not in REFERENCE_TABLES:
                connection.execute(table.delete())


@dataclass
class Nodes:
    de: Api
    pk: Api
    de_engine: Engine
    pk_engine: Engine
    de_settings: Settings
    pk_settings: Settings
    pk_url: str
    secret: str
    de_key: str

    def signed(
        self, body: dict[str, Any], *, msg_id: str = "msg_test_1", **kwargs: Any
    ) -> tuple[bytes, dict[str, str]]:
        """A message as node DE would send it to PK."""
        raw = json.dumps(body)
        options: dict[str, Any] = {"secret": self.secret, "signing_key": self.de_key} | kwargs
        headers = sign(msg_id, raw, **options)
        return raw.encode(), {**headers, "content-type": "application/json", "pentrack-node": "de"}


@pytest.fixture
def nodes(api: Api, engine: Engine, settings: Settings, clean_pk: Engine) -> Iterator[Nodes]:
    de_key, de_public = generate_signing_key()
    pk_key, pk_public = generate_signing_key()
    secret = generate_webhook_secret()
    de_settings = fast(settings, node_id="de", node_signing_key=de_key)
    pk_settings = fast(
        Settings(database_url=str(clean_pk.url.render_as_string(hide_password=False))),
        node_id="pk",
        node_signing_key=pk_key,
    )
    de_app = create_app(de_settings, engine=engine)
    pk_app = create_app(pk_settings, engine=clean_pk)
    with (
        LiveServer(de_app) as de_server,
        LiveServer(pk_app) as pk_server,
        TestClient(pk_app, raise_server_exceptions=False) as pk_client,
    ):
        pk = Api(pk_client, clean_pk)
        from app.alerts.defaults import seed_default_routing

        with open_session(clean_pk, write=True) as session:
            seed_default_routing(session)
            session.commit()
        for on, node_id, server, public, country in (
            (api, "pk", pk_server, pk_public, "PK"),
            (pk, "de", de_server, de_public, "DE"),
        ):
            response = on.admin.post(
                "/api/v1/peers",
                json={
                    "node_id": node_id,
                    "name": f"pentrack {country}",
                    "base_url": server.base_url,
                    "countries": [country],
                    "shared_secret": secret,
                    "public_key": public,
                },
            )
            assert response.status_code == 201, response.text
            assert (
                "shared_secret" not in on.admin.get(f"/api/v1/peers/{response.json()['id']}").json()
            )
        yield Nodes(
            api, pk, engine, clean_pk, de_settings, pk_settings, pk_server.base_url, secret, de_key
        )


def _inbound(api: Api) -> list[dict[str, Any]]:
    response = api.admin.get(INBOX)
    assert response.status_code == 200, response.text
    return list(response.json()["items"])


class TestRoundTrip:
    def test_pen_sent_on_de_arrives_on_pk_and_the_reply_moves_it_on_de(self, nodes: Nodes) -> None:
        de_regulator, pk_regulator = nodes.de.regulator("DE"), nodes.pk.regulator("PK")
        exporter = nodes.de.operator("DE", "Rheinchemie GmbH")
        importer = nodes.de.operator("PK", "Indus Textiles Ltd")
        draft = de_regulator.post(PENS, json=pen_body(exporter, importer))
        assert draft.status_code == 201, draft.text
        pen = de_regulator.post(f"{PENS}/{draft.json()['id']}/send").json()

        assert run_worker(nodes.de_engine, nodes.de_settings) == 1
        found = pk_regulator.get(PENS, params={"reference": pen["reference"]}).json()["items"]
        [mirror] = found
        assert mirror["status"] == "sent"
        assert mirror["exporting_country"] == "DE" and mirror["quantity_kg"] == pen["quantity_kg"]
        assert mirror["reply_by"] == pen["reply_by"]
        assert mirror["means_of_payment"] == "letter_of_credit"
        [alert] = pk_regulator.get("/api/v1/alerts").json()["items"]
        assert alert["event_type"] == "pen.sent" and alert["subject_id"] == mirror["id"]
        [received] = _inbound(nodes.pk)
        assert (received["type"], received["outcome"]) == ("pen.sent", "applied")
        assert received["subject_id"] == mirror["id"]

        objected = pk_regulator.post(
            f"{PENS}/{mirror['id']}/respond",
            json={"decision": "objection", "reason": "Importer holds no licence"},
        )
        assert objected.status_code == 200, objected.text
        assert run_worker(nodes.pk_engine, nodes.pk_settings) == 1

        on_de = de_regulator.get(f"{PENS}/{pen['id']}").json()
        assert on_de["status"] == "objection" and on_de["decision"] == "objection"
        assert on_de["history"][-1]["text"] == "Importer holds no licence"
        assert on_de["history"][-1]["country"] == "PK"
        replies = de_regulator.get("/api/v1/alerts", params={"event_type": "pen.responded"})
        assert [a["subject_id"] for a in replies.json()["items"]] == [pen["id"]]
        [reply] = _inbound(nodes.de)
        assert (reply["type"], reply["subject_id"]) == ("pen.responded", pen["id"])
        # Nothing echoed back: the reply applied on DE is not sent to PK again.
        assert run_worker(nodes.de_engine, nodes.de_settings) == 0
        decisions = nodes.de.admin.get(
            "/api/v1/routing-decisions", params={"subject_id": pen["id"], "event_type": "pen.sent"}
        )
        [decision] = decisions.json()["items"]
        assert decision["remote"][0]["node_id"] == "pk"


def _deep_json(depth: int) -> str:
    """An alert whose payload nests `depth` objects (too deep for json.dumps to write)."""
    head = json.dumps(TestRefused.ALERT)[:-2]  # drop the closing braces of data and the body
    payload = '{"k":' * depth + '"x"' + "}" * depth
    return (
        head.replace(
            '"payload": {"customs_reference": "SZ-1", "means_of_payment": "cash"}',
            '"payload": ' + payload,
        )
        + "}}"
    )


class TestCompletePenAcrossNodes:
    def test_a_complete_pen_arrives_complete(self, nodes: Nodes) -> None:
        de_regulator, pk_regulator = nodes.de.regulator("DE"), nodes.pk.regulator("PK")
        exporter = nodes.de.operator("DE", "Rheinchemie GmbH")
        importer = nodes.de.operator("PK", "Indus Textiles Ltd")
        broker = nodes.de.operator("AE", "Jebel Ali Brokers FZE", kind="broker")
        complete = {
            "import_authorisation": {
                "number": "PK-IMP-7",
                "issued_on": "2026-11-01",
                "issued_by": "ANF",
            },
            "form": "solution",
            "concentration_percent": 37,
            "final_destination_country": "UZ",
            "parties": [{"operator_id": broker["id"], "role": "broker"}],
            "invoice": {"number": "INV-1", "value": 1000, "currency": "EUR"},
            "other_information": {"end_user_certificate": "EUC-1"},
        }
        draft = de_regulator.post(PENS, json=pen_body(exporter, importer, **complete))
        assert draft.status_code == 201, draft.text
        pen = de_regulator.post(f"{PENS}/{draft.json()['id']}/send").json()
        assert run_worker(nodes.de_engine, nodes.de_settings) == 1
        [mirror] = pk_regulator.get(PENS, params={"reference": pen["reference"]}).json()["items"]
        for field in ("import_authorisation", "invoice", "other_information", "form"):
            assert mirror[field] == pen[field], field
        assert mirror["quantity_base_kg"] == pen["quantity_base_kg"]
        assert mirror["final_destination_country"] == "UZ"
        [party] = mirror["parties"]
        assert party["role"] == "broker" and party["operator_id"] != broker["id"]
        local = nodes.pk.admin.get(f"/api/v1/operators/{party['operator_id']}").json()
        assert (local["name"], local["country"]) == ("Jebel Ali Brokers FZE", "AE")


class TestRefused:
    ALERT = {
        "type": "alert",
        "timestamp": "2026-01-05T10:00:00+00:00",
        "data": {
            "event_id": "e1",
            "event_type": "shipment.seized",
            "subject_type": "shipment",
            "subject_id": "s1",
            "severity": None,
            "title": "Shipment SZ-1 seized",
            "rule": "shipment-incident-route",
            "scope": "full",
            "countries": ["PK"],
            "kinds": ["regulator"],
            "route": {"exporting": "DE", "importing": "PK", "transit": []},
            "payload": {"customs_reference": "SZ-1", "means_of_payment": "cash"},
        },
    }

    def _post(self, nodes: Nodes, http: httpx.Client, raw: bytes, headers: dict[str, str]) -> Any:
        return http.post(nodes.pk_url + INBOX, content=raw, headers=headers)

    def _nothing_stored(self, nodes: Nodes) -> None:
        assert count(nodes.pk_engine, "inbound_message") == 0
        assert count(nodes.pk_engine, "alert") == 0

    def _problem(self, response: Any, status: int, type_: str) -> None:
        assert response.status_code == status, response.text
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["type"].endswith("/" + type_)

    def test_a_valid_alert_is_filed_once_and_a_repeat_is_a_duplicate(
        self, nodes: Nodes, http: httpx.Client
    ) -> None:
        nodes.pk.regulator("PK")
        raw, headers = nodes.signed(self.ALERT)
        first = self._post(nodes, http, raw, headers)
        assert first.status_code == 200, first.text
        assert first.json()["status"] == "accepted"
        again = self._post(nodes, http, raw, headers)
        assert again.status_code == 200 and again.json()["status"] == "duplicate"
        assert count(nodes.pk_engine, "inbound_message") == 1
        assert count(nodes.pk_engine, "alert") == 1

    def test_tampered_body_is_refused(self, nodes: Nodes, http: httpx.Client) -> None:
        nodes.pk.regulator("PK")
        raw, headers = nodes.signed(self.ALERT)
        tampered = raw.replace(b'"cash"', b'"bank_transfer"')
        self._problem(self._post(nodes, http, tampered, headers), 401, "invalid-signature")
        self._nothing_stored(nodes)

    def test_replayed_old_message_is_refused(self, nodes: Nodes, http: httpx.Client) -> None:
        nodes.pk.regulator("PK")
        captured_at = datetime.now(UTC) - timedelta(hours=1)
        raw, headers = nodes.signed(self.ALERT, now=captured_at)
        self._problem(self._post(nodes, http, raw, headers), 401, "invalid-signature")
        # Re-stamping it breaks the signature instead.
        headers["webhook-timestamp"] = str(int(datetime.now(UTC).timestamp()))
        self._problem(self._post(nodes, http, raw, headers), 401, "invalid-signature")
        self._nothing_stored(nodes)

    def test_hmac_alone_is_refused_when_the_peer_signs_with_ed25519(
        self, nodes: Nodes, http: httpx.Client
    ) -> None:
        # Whoever holds the shared secret (PK itself) could forge an HMAC; not an ed25519 one.
        raw, headers = nodes.signed(self.ALERT, signing_key=None)
        self._problem(self._post(nodes, http, raw, headers), 401, "invalid-signature")
        self._nothing_stored(nodes)

    def test_unknown_node_is_refused_exactly_as_a_bad_signature_is(
        self, nodes: Nodes, http: httpx.Client
    ) -> None:
        raw, headers = nodes.signed(self.ALERT)
        unknown = self._post(nodes, http, raw, {**headers, "pentrack-node": "xx"})
        self._problem(unknown, 401, "invalid-signature")
        forged = self._post(nodes, http, raw.replace(b"SZ-1", b"SZ-2"), headers)
        self._problem(forged, 401, "invalid-signature")
        # Nothing tells a caller whether a node id is registered here.
        assert {k: v for k, v in unknown.json().items() if k != "instance"} == {
            k: v for k, v in forged.json().items() if k != "instance"
        }
        self._nothing_stored(nodes)

    @pytest.mark.parametrize(
        ("route", "countries"),
        [
            ({"exporting": "FR", "importing": "PK", "transit": []}, ["PK"]),  # not DE's route
            ({"exporting": "DE", "importing": "AE", "transit": []}, ["PK"]),  # PK not on it
        ],
    )
    def test_a_peer_may_only_alert_about_its_own_routes_and_countries_on_them(
        self, nodes: Nodes, http: httpx.Client, route: dict[str, Any], countries: list[str]
    ) -> None:
        nodes.pk.regulator("PK")
        body = {
            **self.ALERT,
            "data": {**self.ALERT["data"], "route": route, "countries": countries},
        }  # type: ignore[dict-item]
        raw, headers = nodes.signed(body)
        self._problem(self._post(nodes, http, raw, headers), 403, "peer-not-authoritative")
        self._nothing_stored(nodes)

    @pytest.mark.parametrize("timestamp", ["99999999999999999999", "-5", "1e9"])
    def test_an_absurd_timestamp_is_refused_before_any_work(
        self, nodes: Nodes, http: httpx.Client, timestamp: str
    ) -> None:
        raw, headers = nodes.signed(self.ALERT)
        response = self._post(nodes, http, raw, {**headers, "webhook-timestamp": timestamp})
        self._problem(response, 401, "invalid-signature")
        self._nothing_stored(nodes)

    @pytest.mark.parametrize("depth", [40, 3000])
    def test_a_deeply_nested_signed_body_is_a_bad_message(
        self, nodes: Nodes, http: httpx.Client, depth: int
    ) -> None:
        nodes.pk.regulator("PK")
        nested: Any = "x"
        for _ in range(depth):
            nested = {"k": nested}
        body = {**self.ALERT, "data": {**self.ALERT["data"], "payload": nested}}  # type: ignore[dict-item]
        raw = json.dumps(body) if depth < 900 else _deep_json(depth)
        headers = sign("msg_deep", raw, secret=nodes.secret, signing_key=nodes.de_key)
        headers = {**headers, "content-type": "application/json", "pentrack-node": "de"}
        response = self._post(nodes, http, raw.encode(), headers)
        self._problem(response, 422, "message-too-deep")
        self._nothing_stored(nodes)

    def test_a_peer_may_not_speak_for_a_country_it_does_not_host(
        self, nodes: Nodes, http: httpx.Client
    ) -> None:
        reply = {
            "type": "pen.responded",
            "timestamp": "2026-01-05T10:00:00+00:00",
            "data": {
                "reference": "PK-2026-000001",
                "actor_country": "PK",
                "decision": "no_objection",
            },
        }
        raw, headers = nodes.signed(reply)
        self._problem(self._post(nodes, http, raw, headers), 403, "peer-not-authoritative")
        self._nothing_stored(nodes)


def _pen_sent(reference: str, exporting: str = "DE", **document: Any) -> dict[str, Any]:
    """A pen.sent message as a node hosting `exporting` would send it."""
    party = {"address": "1 Harbour Road", "kind": "trader"}
    pen = {
        "reference": reference,
        "exporting_country": exporting,
        "importing_country": "PK",
        "transit_countries": [],
        "exporter": {**party, "name": "Rheinchemie GmbH", "country": exporting},
        "importer": {**party, "name": "Indus Textiles Ltd", "country": "PK"},
        "substance": "108-24-7",
        "quantity": "5000",
        "unit": "l",
        "expected_dispatch_date": "2026-12-20",
        "expected_point_of_entry": "Karachi",
        "mode_of_transport": "sea",
        "means_of_payment": "letter_of_credit",
    } | document
    return {
        "type": "pen.sent",
        "timestamp": "2026-01-05T10:00:00+00:00",
        "data": {"reference": reference, "actor_country": exporting, "pen": pen},
    }


class TestPeerReferences:
    """A peer names its own PENs, in its own countries' series, and never one of ours."""

    def _send(self, nodes: Nodes, http: httpx.Client, body: dict[str, Any], msg_id: str) -> Any:
        raw, headers = nodes.signed(body, msg_id=msg_id)
        return http.post(nodes.pk_url + INBOX, content=raw, headers=headers)

    def _local_german_draft(self, nodes: Nodes) -> Any:
        """A draft by PK's node's own German regulator (drafting in the DE series)."""
        local_de = nodes.pk.regulator("DE")
        exporter = nodes.pk.operator("DE", "Lokal Chemie GmbH")
        importer = nodes.pk.operator("PK", "Karachi Dyes Ltd")
        return local_de.post(PENS, json=pen_body(exporter, importer))

    def test_a_planted_next_number_does_not_block_local_drafting(
        self, nodes: Nodes, http: httpx.Client
    ) -> None:
        year = datetime.now(UTC).year
        planted = [f"DE-{year}-{n:06d}" for n in (1, 2, 3)]
        for n, reference in enumerate(planted):
            accepted = self._send(nodes, http, _pen_sent(reference), f"msg_plant_{n}")
            assert accepted.status_code == 200, accepted.text
        references = []
        for _ in range(2):
            draft = self._local_german_draft(nodes)
            assert draft.status_code == 201, draft.text
            references.append(draft.json()["reference"])
        assert references == [f"DE-{year}-000004", f"DE-{year}-000005"]

    def test_a_reference_already_known_here_is_a_conflict_and_stores_nothing(
        self, nodes: Nodes, http: httpx.Client
    ) -> None:
        nodes.pk.regulator("PK")
        first = self._send(nodes, http, _pen_sent("DE-2026-000100"), "msg_first")
        assert first.status_code == 200, first.text
        pens_before = count(nodes.pk_engine, "pre_export_notification")
        again = self._send(nodes, http, _pen_sent("DE-2026-000100", quantity="9000"), "msg_second")
        assert again.status_code == 409, again.text
        assert again.headers["content-type"] == "application/problem+json"
        assert again.json()["type"].endswith("/peer-reference-conflict")
        assert count(nodes.pk_engine, "pre_export_notification") == pens_before
        assert count(nodes.pk_engine, "inbound_message") == 1

    @pytest.mark.parametrize(
        "reference", ["PK-2026-000001", "DE-2026-000001; drop", "de-2026-000001", "X" * 40]
    )
    def test_a_reference_outside_the_exporting_country_s_series_is_refused(
        self, nodes: Nodes, http: httpx.Client, reference: str
    ) -> None:
        nodes.pk.regulator("PK")
        refused = self._send(nodes, http, _pen_sent(reference), "msg_series")
        assert refused.status_code == 409, refused.text
        assert refused.json()["type"].endswith("/peer-reference-conflict")
        assert count(nodes.pk_engine, "pre_export_notification") == 0
        assert count(nodes.pk_engine, "inbound_message") == 0

    def test_a_pen_sent_for_a_local_notification_changes_nothing(
        self, nodes: Nodes, http: httpx.Client
    ) -> None:
        draft = self._local_german_draft(nodes).json()
        refused = self._send(nodes, http, _pen_sent(draft["reference"]), "msg_claim")
        assert refused.status_code == 409, refused.text
        local_de = nodes.pk.regulator("DE")
        assert local_de.get(f"{PENS}/{draft['id']}").json()["status"] == "draft"


class TestRemoteAlerts:
    def test_a_seizure_on_de_reaches_pk_authorities_through_the_node(self, nodes: Nodes) -> None:
        pk_customs = nodes.pk.customs("PK")
        nodes.de.regulator("PK")  # a row on DE for a country PK hosts: reached via PK only
        emit_incidents(nodes.de_engine, 1, "PK")

        assert count(nodes.de_engine, "alert") == 0  # PK's authorities live on node PK
        assert run_worker(nodes.de_engine, nodes.de_settings) == 1
        [alert] = pk_customs.get("/api/v1/alerts").json()["items"]
        assert alert["event_type"] == "shipment.seized"
        assert alert["origin_node"] == "de" and alert["rule"] == "shipment-incident-route"
        assert alert["payload"]["customs_reference"] == "SZ-0"
        [message] = _inbound(nodes.pk)
        assert (message["type"], message["outcome"]) == ("alert", "applied")
