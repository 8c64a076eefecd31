"""compose.yaml, the Dockerfile and constraints.txt, checked without a Docker daemon (none runs
on the development machines or CI: `docker compose config` cannot be run there)."""

import re
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return dict(yaml.safe_load((ROOT / "compose.yaml").read_text()))


class TestCompose:
    def test_database_migration_api_and_worker_each_with_a_healthcheck(
        self, compose: dict[str, Any]
    ) -> None:
        services = compose["services"]
        assert set(services) == {"db", "migrate", "api", "worker"}
        for name, service in services.items():
            check = service.get("healthcheck")
            assert check and check["test"], name
            assert check.get("start_period"), name

    def test_the_migration_runs_once_after_the_database_is_healthy(
        self, compose: dict[str, Any]
    ) -> None:
        migrate = compose["services"]["migrate"]
        assert migrate["restart"] == "no"
        assert "pentrack migrate" in " ".join(migrate["command"])
        assert migrate["depends_on"] == {"db": {"condition": "service_healthy"}}

    def test_api_and_worker_wait_for_a_successful_migration(self, compose: dict[str, Any]) -> None:
        for name in ("api", "worker"):
            depends = compose["services"][name]["depends_on"]
            assert depends["db"] == {"condition": "service_healthy"}, name
            assert depends["migrate"] == {"condition": "service_completed_successfully"}, name
        assert compose["services"]["worker"]["command"] == ["pentrack", "worker"]
        assert compose["services"]["api"]["command"][:2] == ["pentrack", "serve"]

    def test_every_app_service_reaches_the_compose_database(self, compose: dict[str, Any]) -> None:
        for name in ("migrate", "api", "worker"):
            url = compose["services"][name]["environment"]["PENTRACK_DATABASE_URL"]
            assert url.startswith("postgresql+psycopg://") and "@db:5432/" in url, name

    def test_settings_named_in_compose_exist(self, compose: dict[str, Any]) -> None:
        from app.core.config import Settings

        known = {f"PENTRACK_{n.upper()}" for n in Settings.model_fields}
        for name in ("migrate", "api", "worker"):
            for key in compose["services"][name]["environment"]:
                if key.startswith("PENTRACK_"):
                    assert key in known, (name, key)


class TestImage:
    def test_the_image_neither_migrates_at_start_nor_lacks_a_start_period(self) -> None:
        dockerfile = (ROOT / "Dockerfile").read_text()
        assert "migrate" not in "".join(
            line for line in dockerfile.splitlines() if line.startswith(("CMD", "ENTRYPOINT"))
        )
        assert re.search(r"HEALTHCHECK .*--start-period=\d+s", dockerfile)
        assert 'ENTRYPOINT ["pentrack"]' in dockerfile  # `docker run IMAGE worker` works
        assert "pip install -c constraints.txt ." in dockerfile


class TestConstraints:
    def test_versions_only_and_every_dependency_pinned(self) -> None:
        lines = [
            line
            for line in (ROOT / "constraints.txt").read_text().splitlines()
            if line and not line.startswith("#")
        ]
        pinned = {}
        for line in lines:
            assert re.fullmatch(r"[A-Za-z0-9._-]+==[A-Za-z0-9.+!-]+", line), line
            name, version = line.split("==")
            pinned[re.sub(r"[-_.]+", "-", name).lower()] = version
        project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
        for requirement in project["dependencies"] + project["optional-dependencies"]["dev"]:
            name = re.split(r"[<>=!~;\[ ]", requirement, maxsplit=1)[0]
            assert re.sub(r"[-_.]+", "-", name).lower() in pinned, requirement
        assert "pentrack" not in pinned
