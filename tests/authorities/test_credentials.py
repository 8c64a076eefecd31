"""An authority's partner settings: PATCH (with ETag / If-Match), webhook secret rotation with
an overlap, and disabling (its users refused, its webhooks held and sent once enabled again)."""

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.engine import Engine
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from app.core.config import Settings
from app.core.types import utcnow
from app.main import create_app
from tests.alerts.conftest import Receiver, run_worker
from tests.alerts.helpers import delivery_statuses, sent_pen, webhook_authority
from tests.factories import AUDIT, Api

AUTHORITIES = "/api/v1/authorities"


def _audit_rows(api: Api, authority_id: str) -> list[dict]:
    response = api.admin.get(AUDIT, params={"subject_id": authority_id})
    assert response.status_code == 200, response.text
    return list(response.json()["items"])


class TestUpdate:
    def test_admin_changes_name_email_and_webhook_url_and_it_is_audited(self, api: Api) -> None:
        authority_id, secret = webhook_authority(api, "PK", "https://hooks.example.org/a")
        response = api.admin.patch(
            f"{AUTHORITIES}/{authority_id}",
            json={
                "name": "Anti-Narcotics Force",
                "email": "pen@anf.example.org",
                "webhook_url": "https://hooks.example.org/b?token=s3cret",
            },
        )
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["name"] == "Anti-Narcotics Force"
        assert body["email"] == "pen@anf.example.org"
        assert body["webhook_url"] == "https://hooks.example.org/b?token=s3cret"
        # The authority already had a secret: none is generated or shown.
        assert body["webhook_secret"] is None
        assert api.admin.get(f"{AUTHORITIES}/{authority_id}").json()["name"] == body["name"]
        [updated] = [
            e for e in _audit_rows(api, authority_id) if e["action"] == "authority.updated"
        ]
        assert updated["before"]["name"] == "PK regulator (hooks)"
        assert updated["after"]["name"] == "Anti-Narcotics Force"
        # URL credentials and secrets never reach the audit trail.
        assert "s3cret" not in str(updated) and secret not in str(updated)

    def test_a_first_webhook_url_gets_a_generated_secret_shown_once(self, api: Api) -> None:
        authority_id = api.authority("PK")
        response = api.admin.patch(
            f"{AUTHORITIES}/{authority_id}", json={"webhook_url": "https://hooks.example.org/pk"}
        )
        assert response.status_code == 200, response.text
        assert response.json()["webhook_secret"].startswith("whsec_")
        assert "webhook_secret" not in api.admin.get(f"{AUTHORITIES}/{authority_id}").json()

    def test_a_private_webhook_url_is_refused_as_at_creation(
        self, api: Api, settings: Settings, engine: Engine
    ) -> None:
        authority_id = api.authority("PK")
        strict = create_app(
            settings.model_copy(update={"allow_private_destinations": False}), engine=engine
        )
        with TestClient(strict, raise_server_exceptions=False) as client:
            response = client.patch(
                f"{AUTHORITIES}/{authority_id}",
                json={"webhook_url": "http://10.1.2.3/hooks"},
                headers=api.admin.headers(),
            )
        assert response.status_code == 422, response.text
        assert response.json()["type"].endswith("/destination-not-allowed")
        assert api.admin.get(f"{AUTHORITIES}/{authority_id}").json()["webhook_url"] is None

    @pytest.mark.parametrize(
        "body",
        [{"name": None}, {"enabled": None}, {"webhook_url": "not a url"}, {"country": "FR"}],
    )
    def test_bad_changes_are_422_problems_and_change_nothing(self, api: Api, body: dict) -> None:
        authority_id = api.authority("PK")
        before = api.admin.get(f"{AUTHORITIES}/{authority_id}").json()
        response = api.admin.patch(f"{AUTHORITIES}/{authority_id}", json=body)
        assert response.status_code == 422, response.text
        assert response.json()["type"].endswith("/validation-error")
        assert api.admin.get(f"{AUTHORITIES}/{authority_id}").json() == before

    def test_unknown_authority_is_404(self, api: Api) -> None:
        response = api.admin.patch(f"{AUTHORITIES}/nope", json={"name": "X"})
        assert response.status_code == 404
        assert response.json()["type"].endswith("/authority-not-found")


class TestConditionalUpdate:
    def test_read_carries_an_etag_that_changes_with_the_resource(self, api: Api) -> None:
        authority_id = api.authority("PK")
        first = api.admin.get(f"{AUTHORITIES}/{authority_id}")
        again = api.admin.get(f"{AUTHORITIES}/{authority_id}")
        assert first.headers["etag"] == again.headers["etag"]
        changed = api.admin.patch(f"{AUTHORITIES}/{authority_id}", json={"name": "Renamed"})
        after = api.admin.get(f"{AUTHORITIES}/{authority_id}")
        assert after.headers["etag"] != first.headers["etag"]
        assert changed.headers["etag"] == after.headers["etag"]

    def test_if_match_with_the_current_etag_applies(self, api: Api) -> None:
        authority_id = api.authority("PK")
        etag = api.admin.get(f"{AUTHORITIES}/{authority_id}").headers["etag"]
        response = api.admin.patch(
            f"{AUTHORITIES}/{authority_id}", json={"name": "Renamed"}, headers={"If-Match": etag}
        )
        assert response.status_code == 200, response.text

    def test_a_stale_if_match_is_412_and_changes_nothing(self, api: Api) -> None:
        authority_id = api.authority("PK")
        stale = api.admin.get(f"{AUTHORITIES}/{authority_id}").headers["etag"]
        assert (
            api.admin.patch(f"{AUTHORITIES}/{authority_id}", json={"name": "A"}).status_code == 200
        )
        response = api.admin.patch(
            f"{AUTHORITIES}/{authority_id}", json={"name": "B"}, headers={"If-Match": stale}
        )
        assert response.status_code == 412, response.text
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["type"].endswith("/precondition-failed")
        assert api.admin.get(f"{AUTHORITIES}/{authority_id}").json()["name"] == "A"


class TestDisable:
    def test_a_disabled_authoritys_users_are_refused_until_it_is_enabled(self, api: Api) -> None:
        pk = api.regulator("PK")
        authority_id = pk.authority_id
        assert pk.get("/api/v1/alerts").status_code == 200
        off = api.admin.patch(f"{AUTHORITIES}/{authority_id}", json={"enabled": False})
        assert off.status_code == 200 and off.json()["enabled"] is False
        refused = pk.get("/api/v1/alerts")
        assert refused.status_code == 401
        assert refused.headers["content-type"] == "application/problem+json"
        on = api.admin.patch(f"{AUTHORITIES}/{authority_id}", json={"enabled": True})
        assert on.status_code == 200
        assert pk.get("/api/v1/alerts").status_code == 200
        actions = [
            e["after"].get("enabled")
            for e in _audit_rows(api, authority_id)
            if e["action"] == "authority.updated"
        ]
        assert sorted(actions) == [False, True]

    def test_webhooks_wait_while_disabled_and_go_out_when_enabled(
        self, api: Api, engine: Engine, worker_settings: Settings, receiver: Receiver
    ) -> None:
        authority_id, secret = webhook_authority(api, "PK", receiver.url)
        api.admin.patch(f"{AUTHORITIES}/{authority_id}", json={"enabled": False})
        sent_pen(api, api.regulator("DE"))
        assert run_worker(engine, worker_settings) == 0
        assert receiver.received == []
        assert set(delivery_statuses(engine).values()) == {"pending"}

        api.admin.patch(f"{AUTHORITIES}/{authority_id}", json={"enabled": True})
        assert run_worker(engine, worker_settings) == 1
        [request] = receiver.received
        assert Webhook(secret).verify(request.body, request.headers)["type"] == "pen.sent"
        assert set(delivery_statuses(engine).values()) == {"delivered"}


class TestRotateSecret:
    def test_both_secrets_sign_during_the_overlap_then_only_the_new_one(
        self, api: Api, engine: Engine, worker_settings: Settings, receiver: Receiver
    ) -> None:
        authority_id, old = webhook_authority(api, "PK", receiver.url)
        rotated = api.admin.post(f"{AUTHORITIES}/{authority_id}/rotate-secret")
        assert rotated.status_code == 200, rotated.text
        new = rotated.json()["webhook_secret"]
        assert new.startswith("whsec_") and new != old
        assert rotated.json()["previous_secret_until"] is not None

        sent_pen(api, api.regulator("DE"))
        assert run_worker(engine, worker_settings) == 1
        [during] = receiver.received
        assert len(during.headers["webhook-signature"].split(" ")) == 2
        # A receiver holding either secret accepts the message.
        assert Webhook(old).verify(during.body, during.headers)["type"] == "pen.sent"
        assert Webhook(new).verify(during.body, during.headers)["type"] == "pen.sent"

        # The overlap is over (24 h by default): moved into the past rather than waited for.
        with engine.begin() as connection:
            connection.execute(
                text("UPDATE authority SET previous_secret_until = :t WHERE id = :id"),
                {"t": utcnow() - timedelta(seconds=1), "id": authority_id},
            )
        sent_pen(api, api.regulator("DE"), importing="PK")
        assert run_worker(engine, worker_settings) >= 1
        after = receiver.received[-1]
        assert len(after.headers["webhook-signature"].split(" ")) == 1
        assert Webhook(new).verify(after.body, after.headers)["type"] == "pen.sent"
        with pytest.raises(WebhookVerificationError):
            Webhook(old).verify(after.body, after.headers)

    def test_the_secret_is_never_in_the_audit_trail(self, api: Api) -> None:
        authority_id, old = webhook_authority(api, "PK", "https://hooks.example.org/pk")
        new = api.admin.post(f"{AUTHORITIES}/{authority_id}/rotate-secret").json()["webhook_secret"]
        rows = _audit_rows(api, authority_id)
        assert "authority.secret_rotated" in [e["action"] for e in rows]
        assert old not in str(rows) and new not in str(rows)
        assert "webhook_secret" not in api.admin.get(f"{AUTHORITIES}/{authority_id}").json()

    def test_an_authority_without_a_webhook_has_no_secret_to_rotate(self, api: Api) -> None:
        response = api.admin.post(f"{AUTHORITIES}/{api.authority('PK')}/rotate-secret")
        assert response.status_code == 409
        assert response.json()["type"].endswith("/authority-has-no-webhook")
