"""The `pentrack` command as an operator uses it."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.core.config import Settings
from app.main import create_app

PENTRACK = [sys.executable, "-m", "app.cli"]


def run(args: list[str], database_url: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PENTRACK_DATABASE_URL": database_url}
    return subprocess.run(
        [*PENTRACK, *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )


@pytest.fixture
def fresh_sqlite(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'cli.db'}"


class TestMigrate:
    def test_migrate_twice_is_safe_and_readyz_turns_ready(self, fresh_sqlite: str) -> None:
        app = create_app(Settings(database_url=fresh_sqlite))
        with TestClient(app) as client:
            assert client.get("/readyz").status_code == 503
            first = run(["migrate"], fresh_sqlite)
            second = run(["migrate"], fresh_sqlite)
            assert first.returncode == 0, first.stderr
            assert second.returncode == 0, second.stderr
            assert client.get("/readyz").json()["status"] == "ready"
            assert client.get("/healthz").status_code == 200
            assert client.head("/healthz").status_code == 200
            assert client.head("/readyz").status_code == 200

    def test_an_unreachable_database_is_503_without_its_address(self) -> None:
        url = "postgresql+psycopg://secret-user@127.0.0.1:1/nowhere"
        with TestClient(create_app(Settings(database_url=url))) as client:
            response = client.get("/readyz")
        assert response.status_code == 503
        assert response.json()["status"] == "unavailable"
        assert "secret-user" not in response.text and "127.0.0.1" not in response.text


class TestTokenCreate:
    def test_prints_a_working_token_alone_on_the_last_line(self, fresh_sqlite: str) -> None:
        assert run(["migrate"], fresh_sqlite).returncode == 0
        result = run(
            ["token", "create", "--role", "analyst", "--name", "INCB analyst"], fresh_sqlite
        )
        assert result.returncode == 0, result.stderr
        token = result.stdout.strip().splitlines()[-1]
        app = create_app(Settings(database_url=fresh_sqlite))
        with TestClient(app) as client:
            ok = client.get("/api/v1/audit-events", headers={"Authorization": f"Bearer {token}"})
            bad = client.get("/api/v1/audit-events", headers={"Authorization": "Bearer pt_nope"})
        assert ok.status_code == 200
        assert bad.status_code == 401

    def test_regulator_without_authority_is_refused(self, fresh_sqlite: str) -> None:
        assert run(["migrate"], fresh_sqlite).returncode == 0
        result = run(["token", "create", "--role", "regulator"], fresh_sqlite)
        assert result.returncode == 2
        assert "authority" in result.stderr

    def test_law_enforcement_needs_a_law_enforcement_authority(self, fresh_sqlite: str) -> None:
        assert run(["migrate"], fresh_sqlite).returncode == 0
        assert run(["seed"], fresh_sqlite).returncode == 0
        app = create_app(Settings(database_url=fresh_sqlite))
        admin = run(["token", "create", "--role", "admin"], fresh_sqlite).stdout.splitlines()[-1]
        with TestClient(app) as client:
            ids = {
                kind: client.post(
                    "/api/v1/authorities",
                    json={"country": "PK", "name": f"PK {kind}", "kind": kind},
                    headers={"Authorization": f"Bearer {admin}"},
                ).json()["id"]
                for kind in ("law_enforcement", "regulator")
            }
            refused = run(
                ["token", "create", "--role", "law_enforcement", "--authority", ids["regulator"]],
                fresh_sqlite,
            )
            assert refused.returncode == 2
            assert "law_enforcement authority" in refused.stderr
            made = run(
                [
                    "token",
                    "create",
                    "--role",
                    "law_enforcement",
                    "--authority",
                    ids["law_enforcement"],
                ],
                fresh_sqlite,
            )
            assert made.returncode == 0, made.stderr
            token = made.stdout.strip().splitlines()[-1]
            headers = {"Authorization": f"Bearer {token}"}
            assert client.get("/api/v1/incidents", headers=headers).status_code == 200
            assert client.get("/api/v1/audit-events", headers=headers).status_code == 403
