"""Outbound destinations: webhook and peer URLs reach public addresses only, checked when
stored (422) and again when the worker sends (DNS rebinding), unless private destinations are
allowed for development."""

import socket
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from app.core.config import Settings
from app.core.destinations import DestinationRefused, check_url, pin
from app.main import create_app
from tests.alerts.conftest import Receiver, fast, run_worker
from tests.alerts.helpers import webhook_authority
from tests.factories import Api, lane

PROBLEM = "https://pentrack.org/problems/"
PRIVATE = [
    "http://127.0.0.1:8080/hook",
    "http://localhost/hook",
    "http://api.localhost/hook",
    "http://2130706433/hook",  # 127.0.0.1 as one decimal number
    "http://0x7f000001/hook",
    "http://017700000001/hook",
    "http://127.1/hook",
    "http://[::1]/hook",
    "http://[::ffff:169.254.169.254]/latest/meta-data",
    "http://169.254.169.254/latest/meta-data",
    "http://metadata.google.internal/computeMetadata/v1/",
    "http://10.0.0.8/hook",
    "http://172.16.3.4/hook",
    "http://192.168.1.1/hook",
    "http://100.64.0.1/hook",  # shared address space
    "http://[fd00::1]/hook",  # unique local
    "http://[fe80::1]/hook",  # link-local
    "http://224.0.0.1/hook",  # multicast
    "http://0.0.0.0/hook",
]


@pytest.fixture
def strict_api(settings: Settings, engine: Engine) -> Iterator[Api]:
    """The API as production runs it: private destinations refused."""
    strict = settings.model_copy(update={"allow_private_destinations": False})
    with TestClient(create_app(strict, engine=engine), raise_server_exceptions=False) as client:
        yield Api(client, engine)


class TestWhenStored:
    @pytest.mark.parametrize("url", PRIVATE)
    def test_an_authority_webhook_to_a_private_address_is_422_and_writes_nothing(
        self, strict_api: Api, url: str
    ) -> None:
        body = {"country": "PK", "name": "ANF", "kind": "law_enforcement", "webhook_url": url}
        response = strict_api.admin.post("/api/v1/authorities", json=body)
        assert response.status_code == 422, response.text
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["type"] == PROBLEM + "destination-not-allowed"
        assert strict_api.admin.get("/api/v1/authorities").json()["items"] == []

    @pytest.mark.parametrize("url", PRIVATE[:6])
    def test_a_peer_on_a_private_address_is_422_on_create_and_on_update(
        self, strict_api: Api, url: str
    ) -> None:
        peer = {"node_id": "pk", "name": "PK", "base_url": url, "countries": ["PK"]}
        refused = strict_api.admin.post("/api/v1/peers", json=peer)
        assert refused.status_code == 422, refused.text
        assert refused.json()["type"] == PROBLEM + "destination-not-allowed"
        created = strict_api.admin.post(
            "/api/v1/peers", json={**peer, "base_url": "https://pk.example"}
        )
        assert created.status_code == 201, created.text
        moved = strict_api.admin.patch(
            f"/api/v1/peers/{created.json()['id']}", json={"base_url": url}
        )
        assert moved.status_code == 422, moved.text
        kept = strict_api.admin.get(f"/api/v1/peers/{created.json()['id']}").json()
        assert kept["base_url"] == "https://pk.example/"

    @pytest.mark.parametrize("url", ["https://anf.example/hook", "http://8.8.4.4:8443/h"])
    def test_public_names_and_addresses_are_kept(self, url: str) -> None:
        check_url(url, allow_private=False)

    def test_development_may_allow_private_destinations(self) -> None:
        for url in PRIVATE:
            check_url(url, allow_private=True)


class TestWhenSent:
    def test_a_name_that_now_resolves_to_a_private_address_is_not_sent(
        self, api: Api, engine: Engine, settings: Settings, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Stored while public, re-pointed at 127.0.0.1 (DNS rebinding): the worker refuses."""
        receiver = Receiver().start()
        try:
            url = f"http://hooks.pk.example:{receiver.port}/hooks"
            webhook_authority(api, "PK", url)
            de_pk = lane(api)
            de_pk.pen_in("sent")

            def rebound(host: str, port: Any, *args: Any, **kwargs: Any) -> Any:
                assert host == "hooks.pk.example"
                return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port))]

            monkeypatch.setattr(socket, "getaddrinfo", rebound)
            strict = fast(settings, allow_private_destinations=False)
            assert run_worker(engine, strict, until_idle=False) == 1
            assert receiver.received == []
            [delivery] = api.admin.get("/api/v1/deliveries").json()["items"]
            detail = api.admin.get(f"/api/v1/deliveries/{delivery['id']}").json()
            assert "destination refused" in detail["attempts_log"][0]["error"]
            assert "127.0.0.1" in detail["attempts_log"][0]["error"]
        finally:
            receiver.stop()

    def test_only_the_status_and_reason_of_an_answer_are_kept(
        self, api: Api, engine: Engine, settings: Settings
    ) -> None:
        secret_page = b"<html>internal admin console, token=abc123</html>"
        receiver = Receiver(reply=lambda n, r: (500, {}, 0.0), body=secret_page).start()
        try:
            webhook_authority(api, "PK", receiver.url)
            lane(api).pen_in("sent")
            assert run_worker(engine, fast(settings), until_idle=False) == 1
            [delivery] = api.admin.get("/api/v1/deliveries").json()["items"]
            detail = api.admin.get(f"/api/v1/deliveries/{delivery['id']}")
            [attempt] = detail.json()["attempts_log"]
            assert attempt["status_code"] == 500
            assert attempt["response_excerpt"] in (None, "Internal Server Error")
            assert "token" not in detail.text
        finally:
            receiver.stop()


def test_pin_sends_to_the_checked_address_with_the_name_kept(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(
        socket,
        "getaddrinfo",
        lambda host, port, *a, **k: [
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.216.34", port))
        ],
    )
    target = pin("https://hooks.example/in?x=1", allow_private=False)
    assert (target.url, target.host, target.port) == (
        "https://93.184.216.34:443/in?x=1",
        "hooks.example",
        443,
    )
    with pytest.raises(DestinationRefused):
        pin("ftp://hooks.example/", allow_private=False)
    assert httpx.URL(target.url).host == "93.184.216.34"
