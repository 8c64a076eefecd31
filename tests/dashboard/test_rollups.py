"""The monthly roll-ups stay equal to the raw tables through every kind of write."""

import random
import threading
from datetime import date

import pytest
from sqlalchemy import delete, func, select, text, union_all, update
from sqlalchemy.engine import Engine
from sqlmodel import Session

from app.core.types import utcnow
from app.dashboard import summaries
from app.dashboard.deps import Summarised
from app.dashboard.facts import (
    PEN_MONTH,
    PEN_MONTH_DELTA,
    SHIPMENT_MONTH,
    SHIPMENT_MONTH_DELTA,
    Period,
    Scope,
    pen_facts,
    shipment_facts,
)
from app.dashboard.rollups import FLAG_SUBJECT, flag_subjects, fold_rollup_deltas
from app.dashboard.schemas import Applied
from app.notifications.models import PreExportNotification
from app.rules.models import Flag, FlagTriage
from app.shipments.models import Shipment
from app.shipments.states import ShipmentStatus
from tests.dashboard.scenario import YEAR, World, at, build
from tests.factories import Api


def both_paths(engine: Engine, name: str, **filters: object) -> tuple[dict, dict]:
    period = Period(date(YEAR, 1, 1), date(YEAR, 12, 31))
    applied = Applied(date_from=period.start, date_to=period.end, year=YEAR, as_of=utcnow().date())
    with Session(engine) as session:
        fast = summaries.compute(session, name, Summarised(Scope(period, **filters), applied))  # type: ignore[arg-type]
        raw = summaries.compute(
            session,
            name,
            Summarised(Scope(period, raw_only=True, **filters), applied),  # type: ignore[arg-type]
        )
    return fast.model_dump(), raw.model_dump()


def rollup_matches_raw(engine: Engine) -> None:
    """Every roll-up row, with the deltas not yet folded into it, equals the GROUP BY of the raw
    rows it stands for (zero rows aside)."""
    with Session(engine) as session:
        dialect = engine.dialect.name
        everything = Period(date(1990, 1, 1), date(2100, 12, 31))
        for table, delta, facts, count in (
            (
                PEN_MONTH,
                PEN_MONTH_DELTA,
                pen_facts(dialect, Scope(everything, raw_only=True)),
                "pen_count",
            ),
            (
                SHIPMENT_MONTH,
                SHIPMENT_MONTH_DELTA,
                shipment_facts(dialect, Scope(everything, raw_only=True)),
                "shipment_count",
            ),
        ):
            keys = [c.name for c in table.primary_key.columns]
            both = union_all(
                *[
                    select(*[t.c[k] for k in keys], t.c[count].label("n"), t.c.quantity_kg)
                    for t in (table, delta)
                ]
            ).subquery()
            stored = {
                tuple(row[:-2]): (int(row[-2]), round(float(row[-1]), 3))
                for row in session.execute(
                    select(
                        *[both.c[k] for k in keys], func.sum(both.c.n), func.sum(both.c.quantity_kg)
                    ).group_by(*[both.c[k] for k in keys])
                )
                if row[-2] != 0
            }
            computed = {
                tuple(row[:-2]): (int(row[-2]), round(float(row[-1]), 3))
                for row in session.execute(
                    select(
                        *[facts.c[k] for k in keys],
                        func.sum(facts.c.n),
                        func.sum(facts.c.quantity_kg),
                    ).group_by(*[facts.c[k] for k in keys])
                )
            }
            assert stored == computed, table.name


class TestRollups:
    def test_every_summary_equals_raw_after_writes(self, api: Api, engine: Engine) -> None:
        world = build(api)
        # More writes after the roll-ups first saw the rows: a late reply, a withdrawal,
        # border events, a changed quantity, a deleted draft.
        late = world.pens[3]
        importing = world.regulator(late.importing)
        path = f"/api/v1/pre-export-notifications/{late.id}"
        assert (
            importing.post(f"{path}/respond", json={"decision": "no_objection"}).status_code == 200
        )
        world.move(PreExportNotification, late.id, decided_at=at(5, 2))
        withdrawn = world.pens[7]
        exporting = world.regulator(withdrawn.exporting)
        response = exporting.post(
            f"/api/v1/pre-export-notifications/{withdrawn.id}/withdraw",
            json={"reason": "Order cancelled"},
        )
        assert response.status_code == 200
        cn = world.ships[2]
        world.event(cn, "export_cleared", "CN", at(5, 6))
        world.event(cn, "departed", "CN", at(5, 7))
        world.move(Shipment, world.ships[4].id, quantity_kg=1234, created_at=at(7, 1))
        for name in summaries.KINDS:
            for filters in (
                {},
                {"substance": "108-24-7"},
                {"party_country": "AE"},
                {"transit_country": "AE"},
            ):
                fast, raw = both_paths(engine, name, **filters)
                assert fast == raw, (name, filters)
        rollup_matches_raw(engine)

    def test_concurrent_status_changes_keep_rollup_exact(self, api: Api, engine: Engine) -> None:
        world = World(api)
        ships = [
            world.shipment(
                None,
                recorded_by="DE",
                created=at(month, 3),
                exporting="DE",
                importing="PK",
                quantity=100 + month,
            )
            for month in (1, 1, 2, 2, 3, 3)
        ]
        statuses = [s.value for s in ShipmentStatus]
        errors: list[BaseException] = []

        def writer(seed: int) -> None:
            rng = random.Random(seed)
            try:
                # One subject per transaction, as every API write does (a border event moves
                # one shipment); each trigger locks roll-up rows in key order.
                for _ in range(40):
                    chosen = [rng.choice(ships)]
                    with Session(engine) as session:
                        for ship in chosen:
                            session.execute(
                                update(Shipment)
                                .where(Shipment.id == ship.id)  # type: ignore[arg-type]
                                .values(status=rng.choice(statuses))
                            )
                        session.commit()
            except BaseException as exc:
                errors.append(exc)

        threads = [threading.Thread(target=writer, args=(seed,)) for seed in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
        rollup_matches_raw(engine)
        fast, raw = both_paths(engine, "shipments")
        assert fast == raw


def flag_table_matches_raw(engine: Engine) -> None:
    """`summary_flag` holds exactly the rows computed from the flags and their subjects."""
    columns = list(FLAG_SUBJECT.c)
    with Session(engine) as session:
        stored = {tuple(row) for row in session.execute(select(*columns))}
        computed = {tuple(row) for row in session.execute(flag_subjects(engine.dialect.name))}
    assert stored == computed
    assert stored


class TestFlagTable:
    def test_follows_every_kind_of_write(self, api: Api, engine: Engine) -> None:
        world = build(api)
        de = world.regulator("DE")
        # A draft (its flags are the exporting country's alone) with a manual flag on it.
        draft = world.pen("DE", "PK", quantity=700)
        subjects = [
            ("shipment", world.ships[0].id, world.ships[0].exporting),
            ("shipment", world.ships[1].id, world.ships[1].exporting),
            ("pre_export_notification", world.pens[0].id, world.pens[0].exporting),
            ("pre_export_notification", draft.id, "DE"),
        ]
        created = []
        for kind, subject, country in subjects:
            response = world.regulator(country).post(
                "/api/v1/flags",
                json={
                    "subject_type": kind,
                    "subject_id": subject,
                    "severity": "high",
                    "explanation": "Customs officer's suspicion",
                },
            )
            assert response.status_code == 201, response.text
            created.append(response.json()["id"])
        flag_table_matches_raw(engine)
        # Triage (flag update), a moved flag, the draft sent (subject status), a changed
        # route and substance (subject update), a deleted flag and a deleted subject.
        for step in ("under_review", "confirmed"):
            response = world.regulator(world.ships[0].exporting).post(
                f"/api/v1/flags/{created[0]}/triage", json={"status": step, "note": "Checked"}
            )
            assert response.status_code == 200, response.text
        world.move(Flag, created[1], created_at=at(3, 4), triaged_at=at(3, 9))
        analyst = api.analyst()
        before = analyst.get("/api/v1/summaries/flags", params={"year": YEAR}).json()
        path = f"/api/v1/pre-export-notifications/{draft.id}"
        assert de.post(f"{path}/send").status_code == 200
        world.move(Flag, created[3], created_at=at(6, 1))
        after = analyst.get("/api/v1/summaries/flags", params={"year": YEAR}).json()
        assert after["totals"]["flags"] > before["totals"]["flags"]
        flag_table_matches_raw(engine)
        world.move(
            Shipment,
            world.ships[1].id,
            importing_country="AE",
            transit_countries=["IR"],
            cas_number="7722-64-7",
        )
        world.move(PreExportNotification, world.pens[0].id, exporting_country="NL")
        with engine.begin() as connection:
            connection.execute(delete(FlagTriage).where(FlagTriage.flag_id == created[0]))  # type: ignore[arg-type]
            connection.execute(delete(Flag).where(Flag.id == created[0]))  # type: ignore[arg-type]
        flag_table_matches_raw(engine)
        for filters in (
            {},
            {"substance": "7722-64-7"},
            {"party_country": "AE"},
            {"party_country": "DE"},
            {"transit_country": "IR"},
            {"exporting_country": "NL"},
        ):
            fast, raw = both_paths(engine, "flags", **filters)
            assert fast == raw, filters


def delta_rows(engine: Engine) -> int:
    with engine.connect() as connection:
        return sum(
            int(connection.execute(select(func.count()).select_from(t)).scalar_one())
            for t in (PEN_MONTH_DELTA, SHIPMENT_MONTH_DELTA)
        )


class TestRollupDeltas:
    """PostgreSQL writers append signed deltas instead of updating the shared monthly row."""

    @pytest.fixture(autouse=True)
    def _postgres_only(self, engine: Engine) -> None:
        if engine.dialect.name != "postgresql":
            pytest.skip("SQLite has one writer at a time: its triggers update the monthly rows")

    def _same_lane(self, api: Api) -> list[str]:
        world = World(api)
        return [
            world.shipment(
                None, recorded_by="DE", created=at(4, day), exporting="DE", importing="PK"
            ).id
            for day in (2, 3)
        ]

    def test_writers_of_one_lane_and_month_do_not_wait(self, api: Api, engine: Engine) -> None:
        first, second = self._same_lane(api)
        with engine.connect() as holder, engine.connect() as other:
            holder.execute(update(Shipment).where(Shipment.id == first).values(status="cleared"))  # type: ignore[arg-type]
            # Before the deltas this statement queued on the (DE, PK, April, declared) and
            # (…, cleared) roll-up rows the first transaction holds, and gave up here.
            other.execute(text("SET lock_timeout = '2s'"))
            other.execute(update(Shipment).where(Shipment.id == second).values(status="cleared"))  # type: ignore[arg-type]
            other.commit()
            holder.commit()
        rollup_matches_raw(engine)
        fast, raw = both_paths(engine, "shipments")
        assert fast == raw

    def test_fold_moves_every_delta_into_the_monthly_rows(self, api: Api, engine: Engine) -> None:
        # Another session holds the fold locks, so the writers' triggers append and never fold.
        with engine.connect() as folding:
            folding.execute(
                text(
                    "SELECT pg_advisory_lock(hashtext('summary_pen_month')), "
                    "pg_advisory_lock(hashtext('summary_shipment_month'))"
                )
            )
            world = build(api)
            appended = delta_rows(engine)
            folding.execute(text("SELECT pg_advisory_unlock_all()"))
            folding.commit()
        assert appended > 0
        rollup_matches_raw(engine)
        before = both_paths(engine, "pens")[0], both_paths(engine, "shipments")[0]
        with Session(engine) as session:
            fold_rollup_deltas(session)
            session.commit()
        assert delta_rows(engine) == 0
        rollup_matches_raw(engine)
        assert (both_paths(engine, "pens")[0], both_paths(engine, "shipments")[0]) == before
        world.shipment(None, recorded_by="DE", created=at(4, 9), exporting="DE", importing="PK")
        rollup_matches_raw(engine)
