"""Every request is logged by a running server: one line with its time, request id, principal,
route template, status and duration; JSON for a collector, or a line for a terminal."""

import json
import re
from pathlib import Path

import httpx
import pytest

from app.auth.roles import Role
from tests.core.server import create_token, fresh_database, prepare, running_server

pytestmark = pytest.mark.slow

ISO_TIME = r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}"


def _serve_and_call(tmp_path: Path, log_format: str) -> tuple[list[str], str]:
    log = tmp_path / "serve.log"
    with fresh_database(tmp_path) as database_url:
        prepare(database_url)
        token = create_token(database_url, Role.ANALYST)
        settings = {"PENTRACK_LOG_LEVEL": "info", "PENTRACK_LOG_FORMAT": log_format}
        with (
            running_server(database_url, log, settings=settings) as url,
            httpx.Client(base_url=url, timeout=30) as client,
        ):
            assert (
                client.get("/api/v1/countries", headers={"X-Request-ID": "gw-1f2e"}).status_code
                == 401
            )
            generated = client.get("/api/v1/countries/DE")
            assert generated.status_code == 401
            signed_in = client.get(
                "/api/v1/countries/FR",
                headers={"Authorization": f"Bearer {token}", "X-Request-ID": "signed-in"},
            )
            assert signed_in.status_code == 200
    return log.read_text().splitlines(), generated.headers["x-request-id"]


class TestAccessLog:
    def test_json_lines_carry_time_request_id_route_status_and_duration(
        self, tmp_path: Path
    ) -> None:
        lines, generated_id = _serve_and_call(tmp_path, "json")
        records = [json.loads(line) for line in lines if line.startswith("{")]
        access = {r["request_id"]: r for r in records if r.get("logger") == "pentrack.access"}
        kept = access["gw-1f2e"]
        assert re.match(ISO_TIME, kept["timestamp"])
        assert kept["level"] == "info"
        assert kept["method"] == "GET" and kept["path"] == "/api/v1/countries"
        assert kept["route"] == "/api/v1/countries" and kept["status"] == 401
        assert kept["duration_ms"] >= 0 and kept["principal_id"] is None
        # The route template, not the raw path: ids do not multiply the series.
        assert access[generated_id]["route"] == "/api/v1/countries/{iso2}"
        # The caller, once authenticated: the user's id.
        assert access["signed-in"]["principal_id"] and access["signed-in"]["status"] == 200
        # /readyz, polled until the server was ready, wrote nothing once it answered 200.
        assert not [r for r in records if r.get("logger", "").startswith("alembic")]
        assert not [r for r in records if r.get("path") == "/readyz" and r["status"] == 200]

    def test_console_lines_are_for_a_person(self, tmp_path: Path) -> None:
        lines, _ = _serve_and_call(tmp_path, "console")
        [kept] = [line for line in lines if "gw-1f2e" in line and "pentrack.access" in line]
        assert re.match(ISO_TIME, kept), kept
        assert '"GET /api/v1/countries HTTP/1.1" 401' in kept
        assert "request_id=gw-1f2e" in kept and "route=/api/v1/countries" in kept
