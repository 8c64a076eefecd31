"""Border events recorded before they carried their shipment's route get it from the migration,
on the database the suite runs on (a database of its own, with the demo's events)."""

from collections.abc import Iterator

import pytest
from sqlalchemy import text

from app.core.config import Settings
from app.core.db import build_engine
from app.core.migrations import downgrade, upgrade
from seed.demo import seed_demo
from seed.loader import seed_reference
from tests.conftest import fresh_database

BEFORE = "d5f1b7e2a9c4"  # the revision before the events carried a route
COPIED = (
    "exporting_country",
    "importing_country",
    "transit_countries",
    "cas_number",
    "notification_id",
)


@pytest.fixture
def own_database() -> Iterator[str]:
    with fresh_database() as url:
        yield url


def test_events_get_their_shipments_route(own_database: str) -> None:
    upgrade(own_database)
    engine = build_engine(Settings(database_url=own_database))
    seed_reference(engine)
    seed_demo(engine, scale=1, echo=lambda _: None)
    engine.dispose()

    downgrade(own_database, BEFORE)
    upgrade(own_database)

    engine = build_engine(Settings(database_url=own_database))
    with engine.connect() as connection:
        events = connection.execute(text("SELECT count(*) FROM shipment_event")).scalar_one()
        differing = connection.execute(
            text(
                "SELECT count(*) FROM shipment_event e JOIN shipment s ON s.id = e.shipment_id "
                "WHERE " + " OR ".join(f"e.{c} IS DISTINCT FROM s.{c}" for c in COPIED)
            )
        ).scalar_one()
        citing = connection.execute(
            text("SELECT count(*) FROM shipment_event WHERE notification_id IS NOT NULL")
        ).scalar_one()
    engine.dispose()
    assert events > 1000
    assert differing == 0
    assert 0 < citing < events
