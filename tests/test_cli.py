"""The `pentrack` command as an operator uses it."""

import os
import signal
import subprocess
import sys
import time
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
        assert response.json() == {"status": "not ready", "reason": "database"}
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


class TestNodeKeygen:
    def test_prints_a_key_pair_the_federation_code_accepts(self, fresh_sqlite: str) -> None:
        from app.delivery.signing import public_key_of, validate_public_key, validate_signing_key

        result = run(["node", "keygen"], fresh_sqlite)
        assert result.returncode == 0, result.stderr
        setting, public = result.stdout.strip().splitlines()
        name, _, private = setting.partition("=")
        assert name == "PENTRACK_NODE_SIGNING_KEY"
        public_key = public.removeprefix("public_key=")
        assert validate_signing_key(private) and validate_public_key(public_key)
        assert public_key_of(private) == public_key
        # The private key is a valid setting for this node.
        assert Settings(database_url=fresh_sqlite, node_signing_key=private)
        assert run(["node", "keygen"], fresh_sqlite).stdout != result.stdout


class TestErrors:
    def test_an_unreachable_database_is_one_line(self) -> None:
        url = "postgresql+psycopg://postgres@127.0.0.1:1/nowhere"
        result = run(["token", "list"], url)
        assert result.returncode == 1
        [line] = result.stderr.strip().splitlines()
        assert line.startswith("error: the database cannot be reached"), line
        assert "--debug" in line

    def test_debug_shows_the_traceback(self) -> None:
        url = "postgresql+psycopg://postgres@127.0.0.1:1/nowhere"
        result = run(["--debug", "token", "list"], url)
        assert result.returncode != 0
        assert "Traceback" in result.stderr

    def test_a_bad_log_level_is_named_in_one_line(self, fresh_sqlite: str) -> None:
        env = {**os.environ, "PENTRACK_DATABASE_URL": fresh_sqlite, "PENTRACK_LOG_LEVEL": "verbose"}
        result = subprocess.run(
            [*PENTRACK, "migrate"], env=env, capture_output=True, text=True, timeout=60, check=False
        )
        assert result.returncode == 1
        [line] = result.stderr.strip().splitlines()
        assert "PENTRACK_LOG_LEVEL" in line and "'debug'" in line, line

    def test_unknown_settings_in_dotenv_are_warned_about(
        self, fresh_sqlite: str, tmp_path: Path
    ) -> None:
        (tmp_path / ".env").write_text(
            "PENTRACK_LOG_LEVEL=warning\nPENTRACK_DATABSE_URL=sqlite:///typo.db\nOTHER=1\n"
        )
        env = {**os.environ, "PENTRACK_DATABASE_URL": fresh_sqlite}
        result = subprocess.run(
            [*PENTRACK, "migrate"],
            env=env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert result.returncode == 0, result.stderr
        assert "unknown setting PENTRACK_DATABSE_URL in .env" in result.stderr
        assert "PENTRACK_LOG_LEVEL" not in result.stderr and "OTHER" not in result.stderr


class TestHealth:
    def test_schema_is_healthy_only_once_migrated(self, fresh_sqlite: str) -> None:
        before = run(["health", "schema"], fresh_sqlite)
        assert before.returncode == 1 and "schema at None" in before.stderr
        assert run(["migrate"], fresh_sqlite).returncode == 0
        assert run(["health", "schema"], fresh_sqlite).returncode == 0

    def test_a_worker_is_healthy_only_while_it_runs(self, fresh_sqlite: str) -> None:
        assert run(["migrate"], fresh_sqlite).returncode == 0
        silent = run(["health", "worker"], fresh_sqlite)
        assert silent.returncode == 1 and "no worker heartbeat" in silent.stderr
        env = {**os.environ, "PENTRACK_DATABASE_URL": fresh_sqlite}
        worker = subprocess.Popen([*PENTRACK, "worker"], env=env, stderr=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + 60
            while run(["health", "worker"], fresh_sqlite).returncode != 0:
                assert time.monotonic() < deadline, "no heartbeat from the running worker"
                time.sleep(0.5)
        finally:
            worker.send_signal(signal.SIGTERM)
            assert worker.wait(timeout=30) == 0
        # A worker that stopped cleanly leaves no heartbeat behind.
        assert run(["health", "worker"], fresh_sqlite).returncode == 1

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
