"""Webhook delivery against a real HTTP receiver on 127.0.0.1, verified with the
`standardwebhooks` package: success, retries, 4xx/5xx, Retry-After, dead letters, redelivery."""

import time
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy.engine import Engine
from standardwebhooks import Webhook

from app.alerts import outbox
from app.auth.roles import Role
from app.core.config import Settings
from app.core.db import open_session
from app.core.ids import new_id
from app.events import service as events
from app.events.types import EventType, SubjectType
from app.worker.tasks import announce_overdue_replies
from tests.alerts.conftest import Receiver, Reply, drain, fast, run_worker
from tests.alerts.helpers import (
    count,
    delivery_statuses,
    emit_incidents,
    sent_pen,
    webhook_authority,
)
from tests.factories import Api


def _delivery(api: Api, delivery_id: str) -> dict[str, Any]:
    response = api.admin.get(f"/api/v1/deliveries/{delivery_id}")
    assert response.status_code == 200, response.text
    return dict(response.json())


def _only_delivery(api: Api) -> dict[str, Any]:
    response = api.admin.get("/api/v1/deliveries")
    assert response.status_code == 200, response.text
    [item] = response.json()["items"]
    return _delivery(api, item["id"])


def _replies(*replies: Reply) -> Any:
    """Answer the n-th request with replies[n] (the last one from then on)."""
    return lambda n, _request: replies[min(n, len(replies) - 1)]


class TestSuccess:
    def test_alert_is_signed_delivered_and_still_awaits_acknowledgement(
        self, api: Api, engine: Engine, worker_settings: Settings, receiver: Receiver
    ) -> None:
        _, secret = webhook_authority(api, "PK", receiver.url)
        pk = api.regulator("PK")
        pen = sent_pen(api, api.regulator("DE"))
        [alert] = pk.get("/api/v1/alerts").json()["items"]
        delivery = _only_delivery(api)
        assert delivery["status"] == "pending" and delivery["alert_id"] == alert["id"]

        assert run_worker(engine, worker_settings) == 1
        [request] = receiver.received
        # The receiver's side of Standard Webhooks, with the maintained implementation.
        payload = Webhook(secret).verify(request.body, request.headers)
        assert request.webhook_id == delivery["id"]
        assert payload["type"] == "pen.sent"
        assert payload["data"]["alert_id"] == alert["id"]
        assert payload["data"]["payload"]["reference"] == pen["reference"]
        assert payload["data"]["payload"]["means_of_payment"] == "letter_of_credit"

        delivered = _delivery(api, delivery["id"])
        assert delivered["status"] == "delivered" and delivered["attempts"] == 1
        [attempt] = delivered["attempts_log"]
        assert attempt["status_code"] == 200 and attempt["outcome"] == "delivered"
        # A 2xx is not "handled": the inbox still shows it new until someone acknowledges.
        assert pk.get(f"/api/v1/alerts/{alert['id']}").json()["status"] == "new"
        acknowledged = pk.post(f"/api/v1/alerts/{alert['id']}/acknowledge", json={"note": "Seen"})
        assert acknowledged.status_code == 200, acknowledged.text
        assert acknowledged.json()["status"] == "acknowledged"
        assert pk.get("/api/v1/alerts", params={"status": "new"}).json()["items"] == []
        audit = api.admin.get("/api/v1/audit-events", params={"subject_id": alert["id"]})
        assert [e["action"] for e in audit.json()["items"]] == ["alert.acknowledged"]

    def test_nothing_is_queued_when_the_transaction_rolls_back(self, engine: Engine) -> None:
        with open_session(engine, write=True) as session:
            outbox.route(
                session,
                events.emit(
                    session,
                    EventType.SHIPMENT_SEIZED,
                    SubjectType.SHIPMENT,
                    new_id(),
                    route={"exporting": "DE", "importing": "PK", "transit": []},
                    payload={},
                ),
            )
            session.rollback()
        assert count(engine, "alert") == count(engine, "delivery") == 0


class TestRetries:
    def test_receiver_down_then_up_gets_it_once_under_the_same_id(
        self, api: Api, engine: Engine, worker_settings: Settings, receiver: Receiver
    ) -> None:
        webhook_authority(api, "PK", receiver.url)
        sent_pen(api, api.regulator("DE"))
        receiver.stop()

        run_worker(engine, worker_settings)
        failed = _only_delivery(api)
        assert failed["status"] == "retrying"
        assert "Connect" in failed["last_error"]

        receiver.start()
        drain(engine, worker_settings)
        delivered = _delivery(api, failed["id"])
        assert delivered["status"] == "delivered"
        assert [a["outcome"] for a in delivered["attempts_log"]] == ["retrying", "delivered"]
        assert receiver.ids() == [failed["id"]]

    def test_server_errors_are_retried_with_the_same_webhook_id(
        self, api: Api, engine: Engine, worker_settings: Settings, receiver: Receiver
    ) -> None:
        _, secret = webhook_authority(api, "PK", receiver.url)
        receiver.reply = _replies((500, {}, 0), (503, {}, 0), (200, {}, 0))
        sent_pen(api, api.regulator("DE"))

        drain(engine, worker_settings)
        delivery = _only_delivery(api)
        assert [a["status_code"] for a in delivery["attempts_log"]] == [500, 503, 200]
        assert len(set(receiver.ids())) == 1 and len(receiver.ids()) == 3
        for request in receiver.received:
            Webhook(secret).verify(request.body, request.headers)

    def test_client_errors_are_retried_but_gone_is_final(
        self, api: Api, engine: Engine, worker_settings: Settings, receiver: Receiver
    ) -> None:
        webhook_authority(api, "PK", receiver.url)
        receiver.reply = _replies((400, {}, 0), (410, {}, 0))
        sent_pen(api, api.regulator("DE"))

        drain(engine, worker_settings)
        delivery = _only_delivery(api)
        assert [(a["status_code"], a["outcome"]) for a in delivery["attempts_log"]] == [
            (400, "retrying"),
            (410, "dead"),
        ]
        assert delivery["status"] == "dead"

    def test_retry_after_is_honoured(
        self, api: Api, engine: Engine, worker_settings: Settings, receiver: Receiver
    ) -> None:
        webhook_authority(api, "PK", receiver.url)
        receiver.reply = _replies((429, {"Retry-After": "30"}, 0))
        sent_pen(api, api.regulator("DE"))

        before = datetime.now(UTC)
        run_worker(engine, worker_settings)
        delivery = _only_delivery(api)
        assert delivery["status"] == "retrying"
        waited = datetime.fromisoformat(delivery["next_attempt_at"]) - before
        assert 29 <= waited.total_seconds() <= 32  # not the 0.2 s of the schedule
        assert run_worker(engine, worker_settings) == 0  # not due yet

    def test_a_slow_receiver_times_out_and_is_retried(
        self, api: Api, engine: Engine, worker_settings: Settings, receiver: Receiver
    ) -> None:
        webhook_authority(api, "PK", receiver.url)
        receiver.reply = _replies((200, {}, 1.0), (200, {}, 0))
        sent_pen(api, api.regulator("DE"))

        drain(engine, fast(worker_settings, delivery_timeout_seconds=0.3))
        delivery = _only_delivery(api)
        assert "Timeout" in delivery["attempts_log"][0]["error"]
        assert delivery["status"] == "delivered"


class TestDeadLetters:
    def test_gives_up_after_the_schedule_and_admin_redelivers_one(
        self, api: Api, engine: Engine, worker_settings: Settings, receiver: Receiver
    ) -> None:
        _, secret = webhook_authority(api, "PK", receiver.url)
        receiver.reply = _replies((500, {}, 0))
        sent_pen(api, api.regulator("DE"))

        drain(engine, worker_settings)
        dead = api.admin.get("/api/v1/deliveries", params={"status": ["dead", "retrying"]})
        [item] = dead.json()["items"]
        assert item["status"] == "dead"
        assert item["attempts"] == len(worker_settings.delivery_schedule_seconds) + 1
        assert item["last_status_code"] == 500

        receiver.reply = _replies((200, {}, 0))
        redelivered = api.admin.post(f"/api/v1/deliveries/{item['id']}/redeliver")
        assert redelivered.status_code == 200, redelivered.text
        assert redelivered.json()["status"] == "pending"
        drain(engine, worker_settings)
        assert _delivery(api, item["id"])["status"] == "delivered"
        last = receiver.received[-1]
        assert last.webhook_id == item["id"]
        Webhook(secret).verify(last.body, last.headers)
        actions = api.admin.get("/api/v1/audit-events", params={"subject_id": item["id"]})
        assert {e["action"] for e in actions.json()["items"]} == {
            "delivery.dead",
            "delivery.redelivered",
        }

    def test_admin_redelivers_every_dead_delivery(
        self, api: Api, engine: Engine, worker_settings: Settings, receiver: Receiver
    ) -> None:
        webhook_authority(api, "PK", receiver.url, kind="customs")
        receiver.reply = _replies((410, {}, 0))
        emit_incidents(engine, 3, "PK")
        drain(engine, worker_settings)
        assert set(delivery_statuses(engine).values()) == {"dead"}

        receiver.reply = _replies((200, {}, 0))
        response = api.admin.post("/api/v1/deliveries/redeliver", json={"status": ["dead"]})
        assert response.status_code == 200, response.text
        assert response.json() == {"redelivered": 3}
        drain(engine, worker_settings)
        assert set(delivery_statuses(engine).values()) == {"delivered"}
        assert len(set(receiver.ids())) == 3

    def test_only_admins_see_deliveries(self, api: Api) -> None:
        regulator = api.actor(Role.REGULATOR, "PK")
        assert regulator.get("/api/v1/deliveries").status_code == 403
        missing = api.admin.post("/api/v1/deliveries/nope/redeliver")
        assert missing.status_code == 404
        assert missing.headers["content-type"] == "application/problem+json"
        assert missing.json()["type"].endswith("/delivery-not-found")


class TestInbox:
    def test_each_authority_sees_its_own_alerts_only(self, api: Api) -> None:
        pk, de = api.regulator("PK"), api.regulator("DE")
        sent_pen(api, de)
        [alert] = pk.get("/api/v1/alerts").json()["items"]
        assert de.get("/api/v1/alerts").json()["items"] == []
        assert de.get(f"/api/v1/alerts/{alert['id']}").status_code == 404
        other = de.post(f"/api/v1/alerts/{alert['id']}/acknowledge")
        assert other.status_code == 404
        assert other.json()["type"].endswith("/alert-not-found")
        by_admin = api.admin.post(f"/api/v1/alerts/{alert['id']}/acknowledge")
        assert by_admin.status_code == 403
        assert by_admin.json()["type"].endswith("/not-alert-recipient")
        assert api.analyst().get("/api/v1/alerts").json()["items"] == []

    def test_acknowledging_twice_keeps_the_first(self, api: Api) -> None:
        pk = api.regulator("PK")
        sent_pen(api, api.regulator("DE"))
        [alert] = pk.get("/api/v1/alerts").json()["items"]
        first = pk.post(f"/api/v1/alerts/{alert['id']}/acknowledge").json()
        time.sleep(0.01)
        second = pk.post(f"/api/v1/alerts/{alert['id']}/acknowledge", json={"note": "again"})
        assert second.status_code == 200
        assert second.json()["acknowledged_at"] == first["acknowledged_at"]
        assert second.json()["acknowledgement_note"] is None


class TestReplyOverdue:
    def test_silence_past_reply_by_is_announced_once_to_the_exporting_regulator(
        self, api: Api, engine: Engine
    ) -> None:
        de = api.regulator("DE")
        pen = sent_pen(api, de)
        replied = sent_pen(api, de, importing="IN")
        respond = api.regulator("IN").post(
            f"/api/v1/pre-export-notifications/{replied['id']}/respond",
            json={"decision": "no_objection"},
        )
        assert respond.status_code == 200, respond.text
        later = date.fromisoformat(pen["reply_by"]) + timedelta(days=1)

        assert announce_overdue_replies(engine, today=later) == 1
        assert announce_overdue_replies(engine, today=later) == 0
        [alert] = de.get("/api/v1/alerts", params={"event_type": "pen.reply_overdue"}).json()[
            "items"
        ]
        assert alert["subject_id"] == pen["id"]
        assert alert["payload"]["days_overdue"] == 1
