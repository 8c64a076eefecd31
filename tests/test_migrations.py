"""The schema comes from Alembic alone: migrations agree with the models, run twice, and go
back down to base — on the database under test (SQLite, or PostgreSQL when configured)."""

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests.migration_check import check


@pytest.fixture
def scratch_url(tmp_path: Path) -> Iterator[str]:
    server = os.environ.get("PENTRACK_TEST_DATABASE_URL")
    if not (server and server.startswith("postgresql")):
        yield f"sqlite:///{tmp_path / 'migrations.db'}"
        return
    name = f"pentrack_mig_{uuid.uuid4().hex[:8]}"
    admin = create_engine(make_url(server).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    yield make_url(server).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


class TestMigrations:
    def test_models_and_migrations_agree_and_downgrade_to_base(self, scratch_url: str) -> None:
        assert check(scratch_url) == []

    def test_no_migration_loads_another_or_folds_at_random(self) -> None:
        versions = Path(__file__).resolve().parent.parent / "migrations" / "versions"
        for path in versions.glob("*.py"):
            source = path.read_text()
            assert "importlib" not in source, path.name
            assert "random()" not in source, path.name
