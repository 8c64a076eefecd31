"""RFC 9457 problem details: every error, whatever raised it, answers application/problem+json."""

import logging
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError

from app.core.problems import PayloadTooLarge
from tests.factories import PENS, Actor, Api, lane, walk

PROBLEM = "https://pentrack.org/problems/"


def _assert_problem(response: Any, status: int, type_: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["type"] == PROBLEM + type_
    assert body["status"] == status
    assert isinstance(body["title"], str) and body["title"]
    assert isinstance(body["detail"], str) and body["detail"]
    return dict(body)


@pytest.fixture
def analyst(api: Api) -> Actor:
    return api.analyst()


class TestProblemShape:
    def test_unknown_path_is_a_404_problem(self, analyst: Actor) -> None:
        body = _assert_problem(analyst.get("/api/v1/no-such-thing"), 404, "http-404")
        assert body["instance"] == "/api/v1/no-such-thing"

    def test_wrong_method_is_a_405_problem(self, analyst: Actor) -> None:
        response = analyst.delete("/api/v1/countries")
        _assert_problem(response, 405, "http-405")
        assert response.headers["allow"] == "GET"

    @pytest.mark.parametrize(
        ("method", "path", "allow"),
        [
            ("PUT", PENS, "GET, POST"),
            ("DELETE", "/api/v1/authorities/de-regulator", "GET, PATCH"),
            ("POST", "/api/v1/peers", None),  # a path with one route: allowed, not a 405
        ],
    )
    def test_allow_names_every_method_of_the_path(
        self, analyst: Actor, method: str, path: str, allow: str | None
    ) -> None:
        # A path's GET and POST are separate routes; the 405 names both (RFC 9110), not only
        # the methods of the first route whose path matched.
        response = analyst.client.request(method, path, headers=analyst.headers())
        if allow is None:
            assert response.status_code != 405
            return
        _assert_problem(response, 405, "http-405")
        assert response.headers["allow"] == allow

    def test_domain_problem_names_its_own_type_and_instance(self, analyst: Actor) -> None:
        body = _assert_problem(analyst.get("/api/v1/countries/ZZ"), 404, "country-not-found")
        assert body["instance"] == "/api/v1/countries/ZZ"

    def test_validation_problem_lists_each_error(self, analyst: Actor) -> None:
        response = analyst.get(PENS, params={"limit": 0, "status": "lost"})
        body = _assert_problem(response, 422, "validation-error")
        locs = sorted(tuple(e["loc"]) for e in body["errors"])
        assert locs == [("query", "limit"), ("query", "status")]
        assert all(set(e) == {"loc", "msg", "type"} for e in body["errors"])
        assert body["detail"].startswith("query.")

    def test_limit_above_500_is_refused(self, analyst: Actor) -> None:
        _assert_problem(analyst.get(PENS, params={"limit": 501}), 422, "validation-error")

    @pytest.mark.parametrize("cursor", ["zzzz", "!!!", "bad cursor"])
    def test_cursor_not_handed_out_is_a_400_problem(self, analyst: Actor, cursor: str) -> None:
        _assert_problem(analyst.get(PENS, params={"cursor": cursor}), 400, "bad-cursor")


class TestBodySizeLimit:
    def test_declared_oversized_body_is_413(self, api: Api) -> None:
        de = api.regulator("DE")
        response = de.post(PENS, content=b"{" + b" " * (1024 * 1024) + b"}")
        _assert_problem(response, 413, "payload-too-large")

    def test_413_is_the_payload_too_large_problem_with_instance_and_request_id(
        self, api: Api
    ) -> None:
        de = api.regulator("DE")
        response = de.post(
            PENS, content=b" " * (1024 * 1024 + 1), headers={"X-Request-ID": "big-1"}
        )
        assert response.status_code == 413
        assert response.headers["content-type"] == "application/problem+json"
        assert response.headers["x-request-id"] == "big-1"
        assert response.json() == PayloadTooLarge("The body may be at most 1048576 bytes.").to_dict(
            instance=PENS
        )

    def test_streamed_oversized_body_is_413_and_writes_nothing(self, api: Api) -> None:
        de_pk = lane(api)

        def chunks() -> Iterator[bytes]:
            for _ in range(12):
                yield b" " * 100_000

        response = de_pk.exporting.post(
            PENS, content=chunks(), headers={"content-type": "application/json"}
        )
        body = _assert_problem(response, 413, "payload-too-large")
        assert body["title"] == PayloadTooLarge.title
        assert body["instance"] == PENS
        assert response.headers["x-request-id"]
        assert walk(de_pk.exporting, PENS) == []


class TestRequestId:
    def test_request_id_is_echoed(self, analyst: Actor) -> None:
        response = analyst.get("/api/v1/countries/DE", headers={"X-Request-ID": "abc-123"})
        assert response.headers["x-request-id"] == "abc-123"

    def test_request_id_is_generated_when_absent(self, analyst: Actor) -> None:
        first = analyst.get("/api/v1/countries/DE").headers["x-request-id"]
        second = analyst.get("/api/v1/countries/DE").headers["x-request-id"]
        assert first and second and first != second


class TestUnexpectedErrors:
    @pytest.fixture
    def app(self, fresh_app: FastAPI) -> FastAPI:
        """These tests add routes of their own: an app of their own, not the shared one."""
        return fresh_app

    def test_crash_is_a_500_problem_with_request_id_and_no_internals(
        self, app: FastAPI, client: TestClient
    ) -> None:
        def crash() -> None:
            raise RuntimeError("secret connection string postgres://admin:hunter2@db")

        app.add_api_route("/crash", crash)
        response = client.get("/crash", headers={"X-Request-ID": "req-42"})
        body = _assert_problem(response, 500, "internal-error")
        assert body["request_id"] == "req-42"
        assert response.headers["x-request-id"] == "req-42"
        assert "hunter2" not in response.text and "RuntimeError" not in response.text

    def test_a_500_closes_its_connection_cleanly(self, app: FastAPI, client: TestClient) -> None:
        def crash() -> None:
            raise RuntimeError("boom")

        app.add_api_route("/crash", crash)
        response = client.get("/crash")
        assert response.status_code == 500
        assert response.headers["connection"] == "close"

    def test_database_errors_never_carry_the_values_bound_to_them(
        self, app: FastAPI, client: TestClient, engine: Engine, caplog: pytest.LogCaptureFixture
    ) -> None:
        def leak() -> None:
            with engine.connect() as connection:
                connection.execute(
                    text("INSERT INTO country (iso2, iso3, numeric, name) VALUES (:a, :b, :c, :d)"),
                    {"a": "DE", "b": "DEU", "c": "276", "d": "hawala-secret-42"},
                )

        app.add_api_route("/leak", leak)
        with caplog.at_level(logging.ERROR):
            response = client.get("/leak")
        assert response.status_code == 500
        assert "hawala-secret-42" not in caplog.text
        assert "hawala-secret-42" not in response.text

    def test_database_unavailable_is_503_with_retry_after(
        self, app: FastAPI, client: TestClient
    ) -> None:
        def locked() -> None:
            raise OperationalError("UPDATE x", {}, Exception("database is locked"))

        app.add_api_route("/locked", locked)
        response = client.get("/locked")
        _assert_problem(response, 503, "service-busy")
        assert response.headers["retry-after"] == "1"
