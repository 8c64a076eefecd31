"""A served process freezes the objects of its start-up out of the garbage collector's full
collections (those pauses were the write path's p99), and shows its collections' pauses and the
frozen objects in /metrics; and it lets a thread hold the GIL longer."""

import os
import re
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from app.auth.roles import Role
from tests.core.server import create_token, fresh_database, prepare, running_server
from tests.factories import Api

pytestmark = pytest.mark.slow


def _value(text: str, name: str) -> float:
    found = re.search(rf"^{re.escape(name)} (\S+)$", text, re.MULTILINE)
    assert found, f"{name} not in /metrics"
    return float(found.group(1))


def test_pentrack_serve_freezes_its_start_up_and_reports_collections(tmp_path: Path) -> None:
    with fresh_database(tmp_path) as database_url:
        prepare(database_url)
        admin = create_token(database_url, Role.ADMIN)
        with (
            running_server(database_url, tmp_path / "serve.log") as url,
            httpx.Client(
                base_url=url, timeout=30, headers={"Authorization": f"Bearer {admin}"}
            ) as client,
        ):
            # Enough work for the collector to run: young collections every few hundred objects.
            for _ in range(20):
                assert client.get("/api/v1/countries").status_code == 200
            text = client.get("/metrics").text
    # Modules, classes, schemas: far more than a toy app holds.
    assert _value(text, "pentrack_gc_frozen_objects") > 50_000
    assert _value(text, 'pentrack_gc_pause_seconds_count{generation="0"}') > 0
    assert 'pentrack_gc_pause_seconds_bucket{generation="0",le="0.001"}' in text


def test_an_app_built_in_process_freezes_nothing(api: Api) -> None:
    """Tests build hundreds of apps; frozen objects that later become garbage are never freed."""
    text = api.admin.get("/metrics").text
    assert _value(text, "pentrack_gc_frozen_objects") == 0


def test_the_served_process_lengthens_its_thread_switch_interval(tmp_path: Path) -> None:
    """`pentrack serve`'s app (app/core/admission.py: 20 ms, measured); an app built in process
    leaves Python's 5 ms alone."""
    code = (
        "import sys\n"
        "from app.main import create_app, create_served_app\n"
        "create_app()\n"
        "print(sys.getswitchinterval())\n"
        "create_served_app()\n"
        "print(sys.getswitchinterval())\n"
    )
    env = {**os.environ, "PENTRACK_DATABASE_URL": f"sqlite:///{tmp_path / 'unused.db'}"}
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    built, served = (float(line) for line in done.stdout.split())
    assert built == pytest.approx(0.005)
    assert served == pytest.approx(0.02)
