"""The schema comes from Alembic alone: migrations agree with the models, run twice, and go
back down to base — on the database under test (SQLite, or PostgreSQL when configured)."""

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from app.core.config import Settings
from app.core.db import build_engine, open_session
from app.core.migrations import downgrade, upgrade
from app.main import create_app
from app.rules.service import seed_builtin_rules
from seed.loader import seed_reference
from tests.factories import Api, lane, record_shipment
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


def test_flags_raised_before_their_buyers_were_kept_get_them(scratch_url: str) -> None:
    """Migration 7b3d9e2f4a18: every existing flag is given its subject's importer and
    consignee, so flags confirmed before the upgrade still link those parties' next trade."""
    upgrade(scratch_url)
    settings = Settings(database_url=scratch_url)
    engine = build_engine(settings)
    try:
        seed_reference(engine)
        with open_session(engine, write=True) as session:
            seed_builtin_rules(session)
            session.commit()
        with TestClient(create_app(settings, engine=engine)) as client:
            api = Api(client, engine)
            trade = lane(api)
            pen = trade.pen_in("sent")
            shipment = record_shipment(
                api.customs("AE"), None, **trade.shipment_body(customs_reference="M-1")
            )
        downgrade(scratch_url, "5d2a8c6e9f13")
        upgrade(scratch_url)
        with engine.connect() as connection:
            buyers = connection.execute(
                text("SELECT DISTINCT subject_id, importer_id, consignee_id FROM flag")
            ).all()
    finally:
        engine.dispose()
    assert {s for s, _, _ in buyers} == {pen["id"], shipment["id"]}
    assert {(i, c) for _, i, c in buyers} == {(trade.importer["id"], None)}
