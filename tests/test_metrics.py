"""`GET /metrics`: Prometheus text for admins and the scraper's token; request metrics by route
template; domain gauges computed from the database at scrape time."""

from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families
from pydantic import SecretStr
from sqlalchemy import text
from sqlalchemy.engine import Engine

from app.auth.roles import Role
from app.core.config import Settings
from app.core.http import build_http_client
from app.main import create_app
from app.worker.runner import Worker
from tests.alerts.conftest import Receiver, default_routing, receiver, run_worker, worker_settings
from tests.alerts.helpers import sent_pen, webhook_authority
from tests.factories import Api

__all__ = ["default_routing", "receiver", "worker_settings"]

SCRAPER_TOKEN = "scrape-me-0123456789abcdef"


@pytest.fixture
def client(settings: Settings, engine: Engine) -> Iterator[TestClient]:
    app = create_app(
        settings.model_copy(update={"metrics_token": SecretStr(SCRAPER_TOKEN)}), engine=engine
    )
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


def samples(api: Api) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    response = api.admin.get("/metrics")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


class TestAccess:
    def test_anonymous_callers_are_refused(self, client: TestClient) -> None:
        response = client.get("/metrics")
        assert response.status_code == 401
        assert response.headers["content-type"] == "application/problem+json"

    def test_non_admins_are_forbidden(self, api: Api) -> None:
        assert api.actor(Role.ANALYST).get("/metrics").status_code == 403
        assert api.regulator("DE").get("/metrics").status_code == 403

    def test_the_scraper_token_and_admins_may_read(self, api: Api, client: TestClient) -> None:
        scraper = client.get("/metrics", headers={"Authorization": f"Bearer {SCRAPER_TOKEN}"})
        assert scraper.status_code == 200
        assert "pentrack_database_up 1.0" in scraper.text
        assert api.admin.get("/metrics").status_code == 200


class TestRequests:
    def test_requests_are_counted_by_route_template_and_status(self, api: Api) -> None:
        reader = api.actor(Role.ANALYST)
        assert reader.get("/api/v1/countries/DE").status_code == 200
        assert reader.get("/api/v1/countries/FR").status_code == 200
        assert reader.get("/api/v1/countries/QQ").status_code == 404
        figures = samples(api)
        route = "/api/v1/countries/{iso2}"
        ok = (("method", "GET"), ("route", route), ("status", "200"))
        missing = (("method", "GET"), ("route", route), ("status", "404"))
        assert figures[("pentrack_http_requests_total", ok)] == 2
        assert figures[("pentrack_http_requests_total", missing)] == 1
        latency = (("method", "GET"), ("route", route))
        assert figures[("pentrack_http_request_duration_seconds_count", latency)] == 3
        # Raw paths never become labels.
        assert not [key for key in figures if "/api/v1/countries/DE" in str(key)]


class TestDomainGauges:
    def test_deliveries_overdue_pens_open_flags_and_workers(
        self, api: Api, engine: Engine, worker_settings: Settings, receiver: Receiver
    ) -> None:
        empty = samples(api)
        assert empty[("pentrack_deliveries", (("status", "pending"),))] == 0
        assert empty[("pentrack_delivery_oldest_due_age_seconds", ())] == 0
        assert empty[("pentrack_workers_alive", ())] == 0

        webhook_authority(api, "PK", receiver.url)
        pen = sent_pen(api, api.regulator("DE"))
        with engine.begin() as connection:
            connection.execute(
                text("UPDATE pre_export_notification SET reply_by = :d WHERE id = :id"),
                {"d": date.today() - timedelta(days=2), "id": pen["id"]},
            )
        flagged = api.regulator("DE").post(
            "/api/v1/flags",
            json={
                "subject_type": "pre_export_notification",
                "subject_id": pen["id"],
                "severity": "critical",
                "explanation": "Consignee unknown to the importing authority",
            },
        )
        assert flagged.status_code == 201, flagged.text
        queued = samples(api)
        assert queued[("pentrack_deliveries", (("status", "pending"),))] >= 1
        assert queued[("pentrack_delivery_oldest_due_age_seconds", ())] >= 0
        assert queued[("pentrack_pens_reply_overdue", ())] == 1
        assert queued[("pentrack_flags_open", (("severity", "critical"),))] >= 1

        run_worker(engine, worker_settings)
        sent = samples(api)
        assert sent[("pentrack_deliveries", (("status", "pending"),))] == 0
        assert sent[("pentrack_deliveries", (("status", "delivered"),))] >= 1
        # A worker that stopped cleanly is gone from the gauges; a running one is there.
        assert sent[("pentrack_workers_alive", ())] == 0
        with build_http_client(worker_settings, concurrency=1) as http:
            running = Worker(engine, worker_settings, http, name="running-worker")
            running.heartbeat()
            alive = samples(api)
            running.forget()
            running.close()
        assert alive[("pentrack_workers_alive", ())] == 1
        age = alive[("pentrack_worker_heartbeat_age_seconds", (("worker", "running-worker"),))]
        assert 0 <= age < 60
