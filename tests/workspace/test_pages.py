"""The workspace through its HTML forms (in-process): the same flows, scope rules and audit
as the API, field-level messages, CSRF, sign-in redirects."""

import re
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from app.alerts.defaults import seed_default_routing
from app.core.config import Settings
from app.core.db import open_session
from app.main import create_app
from tests.factories import AUDIT, PENS, Api, lane, manual_flag, pen_body, shipment_body
from tests.workspace.helpers import Browser, csrf_of, post_form


def draft_form(exporter: dict[str, Any], importer: dict[str, Any]) -> dict[str, Any]:
    body = pen_body(exporter, importer)
    return {k: v for k, v in body.items() if k not in ("exporting_country", "transit_countries")}


class TestDoor:
    def test_without_a_session_the_workspace_sends_to_sign_in(
        self, settings: Settings, engine: Engine
    ) -> None:
        with TestClient(create_app(settings, engine=engine), follow_redirects=False) as client:
            response = client.get("/workspace/pens?status=sent")
        assert response.status_code == 303
        assert response.headers["location"] == "/sign-in?next=/workspace/pens%3Fstatus%3Dsent"

    def test_an_analyst_is_refused(self, browsers: Browser, api: Api) -> None:
        assert browsers(api.analyst().token).get("/workspace").status_code == 403

    def test_root_leads_an_officer_to_the_workspace(self, browsers: Browser, api: Api) -> None:
        response = browsers(api.customs("DE").token).get("/")
        assert response.headers["location"] == "/workspace"


class TestNotificationForms:
    def test_a_draft_with_mistakes_comes_back_with_a_message_per_field(
        self, browsers: Browser, api: Api
    ) -> None:
        de = browsers(api.regulator("DE").token)
        form = {**draft_form(api.operator("DE"), api.operator("PK")), "quantity": "-5"}
        form.pop("expected_point_of_entry")
        response = post_form(de, "/workspace/pens", form, "/workspace/pens/new")
        assert response.status_code == 200
        assert re.search(r'id="f-quantity-error">[^<]+<', response.text)
        assert re.search(r'id="f-expected_point_of_entry-error">Required.<', response.text)
        assert api.regulator("DE").get(PENS).json()["items"] == []

    def test_draft_send_and_reply_as_the_api_would(self, browsers: Browser, api: Api) -> None:
        exporter, importer = api.operator("DE"), api.operator("PK")
        de = browsers(api.regulator("DE").token)
        created = post_form(
            de, "/workspace/pens", draft_form(exporter, importer), "/workspace/pens/new"
        )
        assert created.status_code == 303, created.text
        page = created.headers["location"]
        pen_id = page.rsplit("/", 1)[1]
        assert post_form(de, f"{page}/send", {}, page).status_code == 303
        pk = browsers(api.regulator("PK").token)
        refused = post_form(pk, f"{page}/respond", {"decision": "objection"}, page)
        assert refused.status_code == 200
        assert re.search(r'id="f-reason-error">[^<]+<', refused.text)
        replied = post_form(
            pk, f"{page}/respond", {"decision": "objection", "reason": "Importateur inconnu"}, page
        )
        assert replied.status_code == 303
        pen = api.regulator("PK").get(f"{PENS}/{pen_id}").json()
        assert pen["status"] == "objection"
        actions = [
            e["action"] for e in api.admin.get(AUDIT, params={"subject_id": pen_id}).json()["items"]
        ]
        api_twin = lane(api, "FR", "IN").pen_in("objection")
        twin_actions = [
            e["action"]
            for e in api.admin.get(AUDIT, params={"subject_id": api_twin["id"]}).json()["items"]
        ]
        assert sorted(actions) == sorted(twin_actions)

    def test_a_draft_is_invisible_to_the_importing_country(
        self, browsers: Browser, api: Api
    ) -> None:
        pen = lane(api).draft()
        assert (
            browsers(api.regulator("PK").token).get(f"/workspace/pens/{pen['id']}").status_code
            == 404
        )

    def test_a_form_without_the_session_token_writes_nothing(
        self, browsers: Browser, api: Api
    ) -> None:
        de = browsers(api.regulator("DE").token)
        form = draft_form(api.operator("DE"), api.operator("PK"))
        response = de.post("/workspace/pens", data={**form, "csrf": "forged"})
        assert response.status_code == 403
        assert api.regulator("DE").get(PENS).json()["items"] == []


class TestCustomsForms:
    def test_record_a_shipment_and_an_event_then_find_it_by_container(
        self, browsers: Browser, api: Api
    ) -> None:
        route = lane(api)
        body = route.shipment_body(customs_reference="PK-IMP-77", container_ids=["MSKU1234565"])
        form = {**body, "transit_countries": " ".join(body["transit_countries"])}
        form["container_ids"] = "MSKU1234565"
        pk = browsers(api.customs("PK").token)
        created = post_form(pk, "/workspace/shipments", form, "/workspace/shipments/new")
        assert created.status_code == 303, created.text
        page = created.headers["location"]
        event = {"type": "arrived", "occurred_at": "2026-01-05T10:30", "location": "Port Qasim"}
        assert post_form(pk, f"{page}/events", event, page).status_code == 303
        shipment_id = page.rsplit("/", 1)[1]
        stored = api.customs("PK").get(f"/api/v1/shipments/{shipment_id}").json()
        assert [e["type"] for e in stored["events"]] == ["arrived"]
        found = pk.get(
            "/workspace/shipments", params={"q": "MSKU1234565"}, headers={"HX-Request": "true"}
        )
        assert ">PK-IMP-77</a>" in found.text and "<html" not in found.text
        assert (
            ">PK-IMP-77</a>"
            not in browsers(api.customs("FR").token)
            .get("/workspace/shipments", params={"q": "PK-IMP-77"})
            .text
        )

    def test_a_regulator_may_not_record_shipments(self, browsers: Browser, api: Api) -> None:
        body = shipment_body(None)
        de = browsers(api.regulator("DE").token)
        response = de.post(
            "/workspace/shipments", data={**body, "csrf": csrf_of(de, "/workspace/pens/new")}
        )
        assert response.status_code == 403


class TestInboxAndTriage:
    def test_an_alert_is_acknowledged_in_place_and_audited(
        self, browsers: Browser, api: Api, engine: Engine
    ) -> None:
        with open_session(engine, write=True) as session:
            seed_default_routing(session)
            session.commit()
        lane(api).pen_in("sent")
        pk = browsers(api.regulator("PK").token)
        home = pk.get("/workspace").text
        alert_id = re.search(r'id="alert-([0-9a-z]+)"', home)
        assert alert_id, "the sent PEN's alert is in the inbox"
        done = pk.post(
            f"/workspace/alerts/{alert_id.group(1)}/acknowledge",
            data={"csrf": csrf_of(pk, "/workspace")},
            headers={"HX-Request": "true"},
        )
        assert done.status_code == 200 and "<html" not in done.text
        alert = api.regulator("PK").get(f"/api/v1/alerts/{alert_id.group(1)}").json()
        assert alert["status"] == "acknowledged"
        audit = api.admin.get(AUDIT, params={"subject_id": alert_id.group(1)}).json()["items"]
        assert [e["action"] for e in audit] == ["alert.acknowledged"]
        assert f'id="alert-{alert_id.group(1)}"' not in pk.get("/workspace").text

    def test_a_flag_is_triaged_with_its_explanation_and_evidence_in_view(
        self, browsers: Browser, api: Api
    ) -> None:
        pen = lane(api).pen_in("sent")
        flag = manual_flag(api.regulator("PK"), pen, "high", "Importer unknown to the registry")
        pk = browsers(api.regulator("PK").token)
        queue = pk.get("/workspace/flags").text
        assert "Importer unknown to the registry" in queue and f'id="flag-{flag["id"]}"' in queue
        refused = post_form(
            pk,
            f"/workspace/flags/{flag['id']}/triage",
            {"status": "under_review"},
            "/workspace/flags",
        )
        assert refused.status_code == 200 and 'role="alert"' in refused.text
        moved = post_form(
            pk,
            f"/workspace/flags/{flag['id']}/triage",
            {"status": "under_review", "note": "Asking the registry"},
            "/workspace/flags",
        )
        assert moved.status_code == 303
        assert api.regulator("PK").get(f"/api/v1/flags/{flag['id']}").json()["status"] == (
            "under_review"
        )


def test_a_page_not_for_the_role_says_so_in_the_readers_language(
    browsers: Browser, api: Api
) -> None:
    customs = browsers(api.customs("PK").token)
    refused = customs.get("/workspace/pens?lang=es")
    assert refused.status_code == 403
    assert refused.headers["content-type"].startswith("text/html")
    assert "las autoridades de fiscalización" in refused.text
