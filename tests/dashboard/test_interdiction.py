"""The stop and seizure table (`summary_shipment_interdiction`) and the roll-up rebuild.

The table is kept by triggers through every kind of write (stops, seizures and releases through
the API; events inserted several at a time, retyped, moved and deleted; shipments changed); the
stopped and seized summary read from it equals the one joined from the raw tables, and
`rebuild_rollups` gives exactly the state the triggers keep."""

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.engine import Engine
from sqlmodel import Session

from app.core.types import utcnow
from app.dashboard import summaries
from app.dashboard.deps import Summarised
from app.dashboard.facts import Period, Scope
from app.dashboard.rollups import (
    INTERDICTION,
    INTERDICTION_COLUMNS,
    interdiction_events,
    rebuild_rollups,
    suspended_triggers,
)
from app.dashboard.schemas import Applied
from app.shipments.models import Shipment, ShipmentEvent
from tests.dashboard.scenario import YEAR, at, build
from tests.dashboard.test_observed import _normal, monthly_rows, observed_rows
from tests.dashboard.test_rollups import both_paths, rollup_matches_raw
from tests.factories import Api


def interdiction_rows(session: Session) -> set[tuple[Any, ...]]:
    return {
        tuple(_normal(v) for v in row)
        for row in session.execute(select(*[INTERDICTION.c[c] for c in INTERDICTION_COLUMNS]))
    }


def raw_interdiction_rows(session: Session) -> set[tuple[Any, ...]]:
    return {
        tuple(_normal(v) for v in row)
        for row in session.execute(interdiction_events(session.get_bind().dialect.name))
    }


def assert_exact(engine: Engine) -> None:
    with Session(engine) as session:
        assert interdiction_rows(session) == raw_interdiction_rows(session)


def both_paths_in(engine: Engine, name: str, start: date, end: date, **filters: Any) -> tuple:
    period = Period(start, end)
    applied = Applied(date_from=start, date_to=end, year=YEAR, as_of=utcnow().date())
    with Session(engine) as session:
        fast = summaries.compute(session, name, Summarised(Scope(period, **filters), applied))
        raw = summaries.compute(
            session,
            name,
            Summarised(Scope(period, raw_only=True, **filters), applied),
        )
    return fast.model_dump(), raw.model_dump()


def overview_both(engine: Engine, **filters: Any) -> tuple[dict, dict]:
    period = Period(date(YEAR, 1, 1), date(YEAR, 12, 31))
    applied = Applied(date_from=period.start, date_to=period.end, year=YEAR, as_of=utcnow().date())
    with Session(engine) as session:
        fast = summaries.overview(session, Summarised(Scope(period, **filters), applied))
        raw = summaries.overview(
            session,
            Summarised(Scope(period, raw_only=True, **filters), applied),
        )
    return fast.model_dump(), raw.model_dump()


def _event_row(
    shipment_id: str, event_id: str, kind: str, country: str, month: int, kg: Any
) -> dict:
    return {
        "id": event_id,
        "shipment_id": shipment_id,
        "type": kind,
        "country": country,
        "occurred_at": at(month, 5),
        "quantity_observed": Decimal(kg) if kg else None,
        "unit": "kg" if kg else None,
        "quantity_observed_kg": Decimal(kg) if kg else None,
        "created_at": utcnow(),
    }


def _summaries_equal(engine: Engine) -> None:
    for filters in (
        {},
        {"substance": "108-24-7"},
        {"party_country": "AE"},
        {"exporting_country": "BE"},
        {"importing_country": "PK"},
    ):
        fast, raw = both_paths(engine, "shipments", **filters)
        assert fast == raw, filters
        fast, raw = overview_both(engine, **filters)
        assert fast == raw, filters
    # A period whose edge falls between two stops of one shipment in one country.
    fast, raw = both_paths_in(engine, "shipments", date(YEAR, 3, 23), date(YEAR, 12, 31))
    assert fast == raw
    fast, raw = both_paths_in(engine, "shipments", date(YEAR, 1, 1), date(YEAR, 3, 22))
    assert fast == raw


class TestInterdictionTable:
    def test_follows_every_write_and_summaries_equal_raw(self, api: Api, engine: Engine) -> None:
        world = build(api)
        s1, s2, s3, s4 = world.ships[0], world.ships[1], world.ships[2], world.ships[3]
        with Session(engine) as session:
            assert interdiction_rows(session) == raw_interdiction_rows(session)
            # s1 stopped and seized in DE, s2 stopped in AE (then released), s4 seized in AE.
            assert len(interdiction_rows(session)) == 4
        fast, _ = both_paths(engine, "shipments")
        assert (fast["totals"]["stopped"], fast["totals"]["seized"]) == (2, 2)
        # Through the API: s2 stopped again in AE (a second stop there, counted once), released.
        world.event(s2, "stopped", "AE", at(4, 2), observed=3900)
        world.event(s2, "released", "AE", at(4, 3))
        assert_exact(engine)
        with Session(engine) as session:
            flags = {
                row[10:] for row in interdiction_rows(session) if row[1:3] == (s2.id, "stopped")
            }
        assert flags == {(0, 0)}  # two stops of s2 in AE: neither is solo
        _summaries_equal(engine)
        fast, _ = both_paths(engine, "shipments")
        assert fast["totals"]["stopped"] == 2
        ae = [
            r
            for r in fast["stopped_and_seized"]
            if r["event"] == "stopped" and r["country"] == "AE"
        ]
        assert [r["shipments"] for r in ae] == [1]
        # Several events in one statement: s3 stopped in two countries (counted once among the
        # stopped), an inspection (not a stop), and a stop without an observed quantity.
        with engine.begin() as connection:
            connection.execute(
                insert(ShipmentEvent),
                [
                    _event_row(s3.id, "01ZZINTERDICT000000000001", "stopped", "CN", 5, None),
                    _event_row(s3.id, "01ZZINTERDICT000000000002", "stopped", "AF", 6, "1900"),
                    _event_row(s3.id, "01ZZINTERDICT000000000003", "inspected", "AF", 6, "1950"),
                ],
            )
        assert_exact(engine)
        _summaries_equal(engine)
        fast, _ = both_paths(engine, "shipments")
        assert fast["totals"]["stopped"] == 3
        # Retyping: a stop becomes a seizure, an inspection a stop; a stop moves country and time.
        with engine.begin() as connection:
            event = ShipmentEvent.id
            connection.execute(
                update(ShipmentEvent)
                .where(event == "01ZZINTERDICT000000000001")  # type: ignore[arg-type]
                .values(type="seized")
            )
            connection.execute(
                update(ShipmentEvent)
                .where(event == "01ZZINTERDICT000000000003")  # type: ignore[arg-type]
                .values(type="stopped", country="CN", occurred_at=at(7, 1))
            )
            connection.execute(
                update(ShipmentEvent)
                .where(event == "01ZZINTERDICT000000000002")  # type: ignore[arg-type]
                .values(type="inspected")
            )
        assert_exact(engine)
        _summaries_equal(engine)
        # Shipment changes: the declared quantity (used where nothing was observed), the origin,
        # the route and the substance follow into the table; a status change alone changes nothing.
        world.move(Shipment, s3.id, quantity_kg=Decimal("2345"), exporting_country="BE")
        world.move(Shipment, s4.id, transit_countries=["AE", "IR"], cas_number="7722-64-7")
        world.move(Shipment, s1.id, status="released")
        assert_exact(engine)
        _summaries_equal(engine)
        with Session(engine) as session:
            by_event = {row[0]: row for row in interdiction_rows(session)}
        assert by_event["01ZZINTERDICT000000000001"][4] == "BE"
        assert by_event["01ZZINTERDICT000000000001"][8] == 2345
        # Deleting events, then a shipment with all its events, removes their rows.
        with engine.begin() as connection:
            connection.execute(
                delete(ShipmentEvent).where(
                    ShipmentEvent.id == "01ZZINTERDICT000000000003"  # type: ignore[arg-type]
                )
            )
        assert_exact(engine)
        _summaries_equal(engine)
        with engine.begin() as connection:
            connection.execute(delete(ShipmentEvent).where(ShipmentEvent.shipment_id == s3.id))  # type: ignore[arg-type]
        with Session(engine) as session:
            assert interdiction_rows(session) == raw_interdiction_rows(session)
            assert s3.id not in {row[1] for row in interdiction_rows(session)}
        _summaries_equal(engine)


class TestInterdictionRebuild:
    def test_rebuild_equals_trigger_state(self, api: Api, engine: Engine) -> None:
        world = build(api)
        world.event(world.ships[1], "stopped", "AE", at(4, 2), observed=3900)
        world.move(
            Shipment, world.ships[3].id, quantity_kg=Decimal("21000"), exporting_country="KE"
        )
        with Session(engine) as session:
            kept = monthly_rows(session), observed_rows(session), interdiction_rows(session)
            assert len(kept[2]) == 5
            rebuild_rollups(session)
            session.commit()
        with Session(engine) as session:
            assert (
                monthly_rows(session),
                observed_rows(session),
                interdiction_rows(session),
            ) == kept
        rollup_matches_raw(engine)

    def test_bulk_load_without_triggers_rebuilds(self, api: Api, engine: Engine) -> None:
        world = build(api)
        source = world.ships[2]
        with Session(engine) as session, session.begin(), suspended_triggers(session):
            # Rows written while the triggers are off: the table does not see them ...
            session.execute(
                insert(ShipmentEvent).values(
                    **_event_row(source.id, "01ZZINTERDICT000000000004", "seized", "CN", 5, None)
                )
            )
            session.execute(
                update(Shipment)
                .where(Shipment.id == source.id)  # type: ignore[arg-type]
                .values(status="seized", quantity_kg=Decimal("1999"))
            )
            stale = session.execute(select(func.count()).select_from(INTERDICTION)).scalar_one()
            assert stale == 4
            # ... and the rebuild at the end of the load makes it exact again.
        assert_exact(engine)
        with Session(engine) as session:
            assert len(interdiction_rows(session)) == 5
        fast, raw = both_paths(engine, "shipments")
        assert fast == raw
        assert fast["totals"]["seized"] == 3
        # The triggers are back on.
        with engine.begin() as connection:
            connection.execute(
                insert(ShipmentEvent).values(
                    **_event_row(source.id, "01ZZINTERDICT000000000005", "stopped", "AF", 6, "10")
                )
            )
        assert_exact(engine)
        with Session(engine) as session:
            assert len(interdiction_rows(session)) == 6
        rollup_matches_raw(engine)
