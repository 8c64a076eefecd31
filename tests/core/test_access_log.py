"""Every request is logged by a running server, one line with a timestamp and its X-Request-ID."""

import re
from pathlib import Path

import httpx
import pytest

from tests.core.server import fresh_database, prepare, running_server

pytestmark = pytest.mark.slow

TIMESTAMP = r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}"


class TestAccessLog:
    def test_each_request_is_logged_with_a_timestamp_and_its_request_id(
        self, tmp_path: Path
    ) -> None:
        log = tmp_path / "serve.log"
        with fresh_database(tmp_path) as database_url:
            prepare(database_url)
            with (
                running_server(database_url, log, settings={"PENTRACK_LOG_LEVEL": "info"}) as url,
                httpx.Client(base_url=url, timeout=30) as client,
            ):
                kept = client.get("/api/v1/countries", headers={"X-Request-ID": "gw-1f2e"})
                generated = client.get("/api/v1/countries/DE")
                assert kept.status_code == generated.status_code == 401
            lines = log.read_text().splitlines()

        for request_id, request in (
            ("gw-1f2e", "GET /api/v1/countries HTTP/1.1"),
            (generated.headers["x-request-id"], "GET /api/v1/countries/DE HTTP/1.1"),
        ):
            logged = [line for line in lines if f"request_id={request_id}" in line]
            assert len(logged) == 1, lines
            assert re.match(TIMESTAMP, logged[0]), logged[0]
            assert f'"{request}" 401' in logged[0]
