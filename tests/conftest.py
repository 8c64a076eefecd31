"""Test fixtures: a migrated database per run (SQLite, or PostgreSQL when
PENTRACK_TEST_DATABASE_URL is set), emptied of everything but reference data after each test."""

import os
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import Engine, make_url

from app.core.config import Settings
from app.core.db import build_engine, open_session
from app.core.migrations import upgrade
from app.main import create_app
from app.models import metadata
from app.reference.models import RiskList
from app.rules.service import seed_builtin_rules
from seed.loader import risk_list_rows, seed_reference
from tests.factories import Api

# The browser tests' shared demo server and Chromium (session-scoped, started on first use).
pytest_plugins = ["tests.browser"]

# The suite's webhook receivers and peer nodes listen on 127.0.0.1: every app, worker and
# server it starts may send there (tests/alerts/test_destinations.py builds apps that may not).
os.environ["PENTRACK_ALLOW_PRIVATE_DESTINATIONS"] = "true"

REFERENCE_TABLES = {
    "country",
    "substance",
    "pen_requirement",
    "risk_list",
    "rule",
    "alembic_version",
    "cache_version",
}


def _fresh_postgres(url: str) -> tuple[str, str]:
    base = make_url(url)
    name = f"pentrack_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return base.set(database=name).render_as_string(hide_password=False), name


def _drop_postgres(url: str, name: str) -> None:
    admin = create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@contextmanager
def fresh_database() -> Iterator[str]:
    """An empty database of the kind the suite runs on (a new PostgreSQL database when
    PENTRACK_TEST_DATABASE_URL names a server, else a SQLite file), gone afterwards."""
    server = os.environ.get("PENTRACK_TEST_DATABASE_URL")
    if server and server.startswith("postgresql"):
        url, name = _fresh_postgres(server)
        try:
            yield url
        finally:
            _drop_postgres(server, name)
        return
    with tempfile.TemporaryDirectory(prefix="pentrack-test-") as folder:
        yield f"sqlite:///{Path(folder) / 'test.db'}"


@pytest.fixture(scope="session")
def database_url() -> Iterator[str]:
    with fresh_database() as url:
        yield url


@pytest.fixture(scope="session")
def settings(database_url: str) -> Settings:
    return Settings(database_url=database_url)


@pytest.fixture(scope="session")
def engine(settings: Settings) -> Iterator[Engine]:
    upgrade(settings.database_url)
    engine = build_engine(settings)
    seed_reference(engine)
    with open_session(engine, write=True) as session:
        seed_builtin_rules(session)
        session.commit()
    yield engine
    engine.dispose()


@pytest.fixture
def is_postgres(engine: Engine) -> bool:
    return engine.dialect.name == "postgresql"


@pytest.fixture(autouse=True)
def _clean_tables(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    if "engine" not in request.fixturenames:
        return
    engine: Engine = request.getfixturevalue("engine")
    with engine.begin() as connection:
        for table in reversed(metadata.sorted_tables):
            if table.name not in REFERENCE_TABLES:
                connection.execute(table.delete())
        # Requirements added by a test go; the seeded ones stay.
        connection.execute(text("DELETE FROM pen_requirement WHERE source = 'test'"))
        # So do chemicals an admin added (POST /substances) with the source "test".
        connection.execute(text("DELETE FROM substance WHERE source = 'test'"))
        # Risk lists a test edited go back to their seeded entries.
        lists = RiskList.__table__  # type: ignore[attr-defined]
        stored = dict(connection.execute(select(lists.c.code, lists.c.entries)).all())
        for seeded in risk_list_rows():
            if stored.get(seeded.code) != seeded.entries:
                connection.execute(
                    lists.update()
                    .where(lists.c.code == seeded.code)
                    .values(entries=seeded.entries, source=seeded.source)
                )
        # Rules created by a test go; the built-in ones come back as they were seeded.
        connection.execute(text("DELETE FROM rule WHERE NOT builtin OR version > 1"))
        connection.execute(text("UPDATE rule SET is_current = TRUE, enabled = TRUE WHERE builtin"))


@pytest.fixture(scope="session")
def app(settings: Settings, engine: Engine):  # type: ignore[no-untyped-def]
    """One app per test process: FastAPI builds its routes' dependants on the first request,
    about a quarter of a second, which per test was most of the suite's time. A test that
    changes the app (adds a route, say) asks for `fresh_app` instead."""
    return create_app(settings, engine=engine)


@pytest.fixture
def fresh_app(settings: Settings, engine: Engine):  # type: ignore[no-untyped-def]
    return create_app(settings, engine=engine)


@pytest.fixture
def client(app) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


@pytest.fixture
def api(client: TestClient, engine: Engine) -> Api:
    return Api(client, engine)
