"""`pentrack migrate` on PostgreSQL takes an advisory lock: replicas starting together migrate
one after the other instead of racing on the same DDL."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from app.core.migrations import MIGRATION_LOCK, head_revision, stored_revision
from tests.core.server import fresh_database

pytestmark = pytest.mark.slow


def _migrate(database_url: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PENTRACK_DATABASE_URL": database_url}
    return subprocess.Popen(
        [sys.executable, "-m", "app.cli", "migrate"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


@pytest.fixture
def postgres_url(tmp_path: Path):  # type: ignore[no-untyped-def]
    if not os.environ.get("PENTRACK_TEST_DATABASE_URL", "").startswith("postgresql"):
        pytest.skip("advisory locks are PostgreSQL's")
    with fresh_database(tmp_path) as url:
        yield url


class TestMigrationLock:
    def test_migrate_waits_while_another_holds_the_lock(self, postgres_url: str) -> None:
        engine = create_engine(postgres_url)
        with engine.connect() as holder:
            holder.execute(text("SELECT pg_advisory_lock(:k)"), {"k": MIGRATION_LOCK})
            waiting = _migrate(postgres_url)
            time.sleep(3)
            assert waiting.poll() is None, waiting.communicate()[0]
            assert stored_revision(engine) is None  # nothing migrated behind the lock
            holder.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": MIGRATION_LOCK})
            holder.commit()
        output, _ = waiting.communicate(timeout=120)
        assert waiting.returncode == 0, output
        assert stored_revision(engine) == head_revision()
        engine.dispose()

    def test_replicas_migrating_at_once_all_succeed(self, postgres_url: str) -> None:
        replicas = [_migrate(postgres_url) for _ in range(3)]
        for replica in replicas:
            output, _ = replica.communicate(timeout=180)
            assert replica.returncode == 0, output
        engine = create_engine(postgres_url)
        assert stored_revision(engine) == head_revision()
        engine.dispose()
