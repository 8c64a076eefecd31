"""The latest-observation table (`summary_shipment_observed`) and the roll-up rebuild.

The table is kept by triggers through every kind of write; `rebuild_rollups` (what a bulk load
runs with the triggers off) gives exactly the state the triggers keep."""

from decimal import Decimal
from typing import Any

from sqlalchemy import delete, func, insert, select, union_all, update
from sqlalchemy.engine import Engine
from sqlmodel import Session

from app.core.types import utcnow
from app.dashboard.facts import PEN_MONTH, PEN_MONTH_DELTA, SHIPMENT_MONTH, SHIPMENT_MONTH_DELTA
from app.dashboard.rollups import (
    OBSERVED,
    OBSERVED_COLUMNS,
    latest_observations,
    rebuild_rollups,
    suspended_triggers,
)
from app.notifications.models import PreExportNotification
from app.shipments.models import Shipment, ShipmentEvent
from tests.dashboard.scenario import at, build
from tests.dashboard.test_rollups import both_paths, rollup_matches_raw
from tests.factories import Api


def _normal(value: Any) -> Any:
    if isinstance(value, Decimal):
        return round(float(value), 3)
    if hasattr(value, "tzinfo") and value.tzinfo is not None:
        return value.replace(tzinfo=None)
    if isinstance(value, str) and value.startswith("["):
        return value.replace(" ", "")  # JSON text of either dialect
    return value


def observed_rows(session: Session) -> set[tuple[Any, ...]]:
    return {
        tuple(_normal(v) for v in row)
        for row in session.execute(select(*[OBSERVED.c[c] for c in OBSERVED_COLUMNS]))
    }


def raw_observed_rows(session: Session) -> set[tuple[Any, ...]]:
    return {
        tuple(_normal(v) for v in row)
        for row in session.execute(latest_observations(session.get_bind().dialect.name))
    }


def monthly_rows(session: Session) -> dict[str, set[tuple[Any, ...]]]:
    """Each roll-up's non-zero rows, with the deltas PostgreSQL writers appended added in."""
    state = {}
    for table, delta in ((PEN_MONTH, PEN_MONTH_DELTA), (SHIPMENT_MONTH, SHIPMENT_MONTH_DELTA)):
        count = "pen_count" if table is PEN_MONTH else "shipment_count"
        keys = [c.name for c in table.primary_key.columns]
        both = union_all(
            *[select(*[t.c[k] for k in keys], t.c[count], t.c.quantity_kg) for t in (table, delta)]
        ).subquery()
        state[table.name] = {
            tuple(_normal(v) for v in row)
            for row in session.execute(
                select(
                    *[both.c[k] for k in keys],
                    func.sum(both.c[count]),
                    func.sum(both.c.quantity_kg),
                ).group_by(*[both.c[k] for k in keys])
            )
            if row[-2] != 0 or row[-1] != 0
        }
    return state


def _event(engine: Engine, shipment_id: str, event_id: str, kg: str | None, month: int) -> None:
    with engine.begin() as connection:
        connection.execute(
            insert(ShipmentEvent).values(
                id=event_id,
                shipment_id=shipment_id,
                type="inspected",
                country="DE",
                occurred_at=at(month, 2),
                quantity_observed=Decimal(kg) if kg else None,
                unit="kg" if kg else None,
                quantity_observed_kg=Decimal(kg) if kg else None,
                created_at=utcnow(),
            )
        )


class TestLatestObservation:
    def test_follows_every_write_and_summaries_equal_raw(self, api: Api, engine: Engine) -> None:
        world = build(api)
        s1, s2 = world.ships[0], world.ships[1]
        with Session(engine) as session:
            assert observed_rows(session) == raw_observed_rows(session)
            assert len(observed_rows(session)) == 3  # s1, s2 and the seized TZ shipment
        # A later observation, then one without a quantity (changes nothing), then a correction.
        _event(engine, s1.id, "01ZZOBSERVED0000000000001", "6100", 2)
        _event(engine, s1.id, "01ZZOBSERVED0000000000002", None, 2)
        with engine.begin() as connection:
            connection.execute(
                update(ShipmentEvent)
                .where(ShipmentEvent.id == "01ZZOBSERVED0000000000001")  # type: ignore[arg-type]
                .values(quantity_observed_kg=Decimal("5900"))
            )
        # Deleting the latest falls back to the one before; a changed declared quantity,
        # notified quantity and route follow into the table.
        _event(engine, s2.id, "01ZZOBSERVED0000000000003", "3000", 11)
        with engine.begin() as connection:
            connection.execute(
                delete(ShipmentEvent).where(
                    ShipmentEvent.id == "01ZZOBSERVED0000000000003"  # type: ignore[arg-type]
                )
            )
        world.move(Shipment, s2.id, quantity_kg=4321, exporting_country="BE")
        world.move(PreExportNotification, world.pens[0].id, quantity_kg=5100)
        with Session(engine) as session:
            assert observed_rows(session) == raw_observed_rows(session)
        for filters in (
            {},
            {"substance": "108-24-7"},
            {"party_country": "AE"},
            {"exporting_country": "BE"},
        ):
            fast, raw = both_paths(engine, "shipments", **filters)
            assert fast == raw, filters
        fast, _ = both_paths(engine, "shipments")
        gaps = {g["shipment_id"]: g for g in fast["gaps"]}
        assert gaps[s1.id]["observed_kg"] == 5900 and gaps[s1.id]["notified_kg"] == 5100
        assert gaps[s2.id]["declared_kg"] == 4321
        # Deleting a shipment's events and the shipment removes its row.
        with engine.begin() as connection:
            connection.execute(delete(ShipmentEvent).where(ShipmentEvent.shipment_id == s2.id))  # type: ignore[arg-type]
        with Session(engine) as session:
            assert observed_rows(session) == raw_observed_rows(session)
            assert s2.id not in {row[0] for row in observed_rows(session)}


class TestRebuild:
    def test_rebuild_equals_trigger_state(self, api: Api, engine: Engine) -> None:
        world = build(api)
        _event(engine, world.ships[0].id, "01ZZOBSERVED0000000000004", "5555", 3)
        world.move(Shipment, world.ships[4].id, quantity_kg=1234, created_at=at(7, 1))
        with Session(engine) as session:
            kept = monthly_rows(session), observed_rows(session)
            rebuild_rollups(session)
            session.commit()
        with Session(engine) as session:
            assert (monthly_rows(session), observed_rows(session)) == kept
        rollup_matches_raw(engine)

    def test_bulk_load_without_triggers_rebuilds(self, api: Api, engine: Engine) -> None:
        world = build(api)
        source = world.ships[0]
        with Session(engine) as session, session.begin(), suspended_triggers(session):
            # Rows written while the triggers are off: no roll-up sees them ...
            session.execute(
                update(Shipment)
                .where(Shipment.id == source.id)  # type: ignore[arg-type]
                .values(status="released", quantity_kg=Decimal("4800"))
            )
            session.execute(
                insert(ShipmentEvent).values(
                    id="01ZZOBSERVED0000000000005",
                    shipment_id=source.id,
                    type="inspected",
                    country="DE",
                    occurred_at=at(4, 2),
                    quantity_observed=Decimal("4700"),
                    unit="kg",
                    quantity_observed_kg=Decimal("4700"),
                    created_at=utcnow(),
                )
            )
            stale = session.execute(select(func.count()).select_from(OBSERVED)).scalar_one()
            assert stale == 3
            # ... and the rebuild at the end of the load makes them exact again.
        rollup_matches_raw(engine)
        with Session(engine) as session:
            assert observed_rows(session) == raw_observed_rows(session)
        fast, raw = both_paths(engine, "shipments")
        assert fast == raw
        # The triggers are back on.
        _event(engine, source.id, "01ZZOBSERVED0000000000006", "4650", 5)
        with Session(engine) as session:
            assert observed_rows(session) == raw_observed_rows(session)
        rollup_matches_raw(engine)
