"""Indicators that only time raises: a shipment that entered transit and never left, goods not
arrived by the expected date. A write judges them when the evidence is already old; the
worker's `judge_waiting` judges the subjects no write touches again."""

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import text
from sqlalchemy.engine import Engine

from app.worker.tasks import judge_waiting
from tests.factories import Api
from tests.rules.trade import Trade, by_rule


def _age_shipment(engine: Engine, shipment_id: str, days: int) -> None:
    """Move the shipment's events and last change `days` into the past."""
    with engine.begin() as connection:
        for table, column in (("shipment_event", "shipment_id"), ("shipment", "id")):
            time = "occurred_at" if table == "shipment_event" else "updated_at"
            rows = connection.execute(
                text(f"SELECT id, {time} FROM {table} WHERE {column} = :id"), {"id": shipment_id}
            ).all()
            for row_id, moment in rows:
                moment = moment if isinstance(moment, datetime) else datetime.fromisoformat(moment)
                connection.execute(
                    text(f"UPDATE {table} SET {time} = :t WHERE id = :id"),
                    {"t": moment - timedelta(days=days), "id": row_id},
                )


class TestTransitNeverLeft:
    def test_an_entry_into_transit_three_weeks_old_is_flagged_when_recorded(
        self, api: Api, de_pk: Trade
    ) -> None:
        shipment = de_pk.ship(de_pk.pen("no_objection"))
        de_pk.event(shipment, "departed")
        # Recorded late: the entry into the UAE happened three weeks ago.
        de_pk.event(
            shipment, "transit_entered", "AE", occurred_at=datetime.now(UTC) - timedelta(days=21)
        )
        flags = by_rule(api.admin, shipment["id"])
        assert set(flags) == {"transit-never-left"}
        assert flags["transit-never-left"]["severity"] == "high"
        assert flags["transit-never-left"]["evidence"]["days_since_last_event"] == 21

    def test_the_worker_flags_a_shipment_that_stopped_moving(
        self, api: Api, engine: Engine, de_pk: Trade
    ) -> None:
        shipment = de_pk.ship(de_pk.pen("no_objection"))
        de_pk.event(shipment, "departed")
        de_pk.event(shipment, "transit_entered", "AE")
        assert by_rule(api.admin, shipment["id"]) == {}
        _age_shipment(engine, shipment["id"], days=20)
        assert judge_waiting(engine) == 1
        # (Moving its departure 20 days back also put it before the PEN's clearance.)
        assert "transit-never-left" in by_rule(api.admin, shipment["id"])
        # Flagged once: the next round does not judge it again.
        assert judge_waiting(engine) == 0

    def test_twin_that_left_transit_is_quiet(self, api: Api, engine: Engine, de_pk: Trade) -> None:
        shipment = de_pk.ship(de_pk.pen("no_objection"))
        de_pk.event(shipment, "departed")
        de_pk.event(shipment, "transit_entered", "AE")
        de_pk.event(shipment, "transit_exited", "AE")
        _age_shipment(engine, shipment["id"], days=20)
        assert judge_waiting(engine) == 0  # it left transit: not judged again
        assert "transit-never-left" not in by_rule(api.admin, shipment["id"])


class TestNotArrived:
    def _expect_arrival(self, engine: Engine, pen_id: str, on: date) -> None:
        with engine.begin() as connection:
            connection.execute(
                text(
                    "UPDATE pre_export_notification SET expected_arrival_date = :d WHERE id = :id"
                ),
                {"d": on, "id": pen_id},
            )

    def test_the_worker_flags_goods_a_month_late(
        self, api: Api, engine: Engine, de_pk: Trade
    ) -> None:
        pen = de_pk.pen("no_objection")
        self._expect_arrival(engine, pen["id"], date.today() - timedelta(days=40))
        assert judge_waiting(engine) == 1
        flags = by_rule(de_pk.lane.exporting, pen["id"])
        assert set(flags) == {"not-arrived"}
        assert flags["not-arrived"]["evidence"]["days_past_expected_arrival"] == 40

    def test_twin_whose_arrival_was_confirmed_is_quiet(
        self, api: Api, engine: Engine, de_pk: Trade
    ) -> None:
        pen = de_pk.pen("no_objection")
        arrival = {"received_on": date.today().isoformat(), "quantity": 5000, "unit": "l"}
        response = de_pk.lane.act(pen, "confirm-arrival", arrival)
        assert response.status_code == 200, response.text
        self._expect_arrival(engine, pen["id"], date.today() - timedelta(days=40))
        assert judge_waiting(engine) == 0
        assert by_rule(de_pk.lane.exporting, pen["id"]) == {}

    def test_twin_only_ten_days_late_is_quiet(self, api: Api, engine: Engine, de_pk: Trade) -> None:
        pen = de_pk.pen("no_objection")
        self._expect_arrival(engine, pen["id"], date.today() - timedelta(days=10))
        assert judge_waiting(engine) == 0
        assert by_rule(de_pk.lane.exporting, pen["id"]) == {}
