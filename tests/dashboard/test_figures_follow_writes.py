"""The summaries follow every kind of write at once: there is nothing to keep in step (no
roll-ups), so each figure read right after a write, through the API, has its new value.

Every assertion names the number a person would compute from the small scenario by hand."""

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import delete, insert, update
from sqlalchemy.engine import Engine

from app.core.types import utcnow
from app.notifications.models import PreExportNotification
from app.rules.models import Flag, FlagTriage
from app.shipments.models import Shipment, ShipmentEvent
from tests.dashboard.scenario import YEAR, World, at
from tests.factories import Actor, Api

AA_KG_PER_L = Decimal("1.08")


def summary(analyst: Actor, name: str, **params: Any) -> dict[str, Any]:
    response = analyst.get(f"/api/v1/summaries/{name}", params={"year": YEAR, **params})
    assert response.status_code == 200, response.text
    return response.json()


def replies(analyst: Actor) -> dict[str, Any]:
    return summary(analyst, "replies")["totals"]


def raise_flag(world: World, country: str, kind: str, subject_id: str) -> str:
    response = world.regulator(country).post(
        "/api/v1/flags",
        json={
            "subject_type": kind,
            "subject_id": subject_id,
            "severity": "high",
            "explanation": "Customs officer's suspicion",
        },
    )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


class TestNotificationFigures:
    def test_follow_sending_replies_withdrawal_and_moves(self, api: Api) -> None:
        world, analyst = World(api), api.analyst()
        # Sent on 1 February with a 15-day window: reply_by 16 February, long past.
        late = world.pen("DE", "PK", sent=at(2, 1), quantity=5000)
        assert summary(analyst, "pens")["totals"]["pens"] == 1
        assert summary(analyst, "pens")["totals"]["quantity_kg"] == 5400.0
        got = replies(analyst)
        assert (got["unanswered"], got["awaiting"], got["no_objection"]) == (1, 0, 0)

        # A reply on 20 February: four days after reply_by, 19 whole days after sending.
        path = f"/api/v1/pre-export-notifications/{late.id}"
        answer = world.regulator("PK").post(f"{path}/respond", json={"decision": "no_objection"})
        assert answer.status_code == 200, answer.text
        world.move(PreExportNotification, late.id, decided_at=at(2, 20))
        got = replies(analyst)
        assert (got["unanswered"], got["no_objection"], got["replied_late"]) == (0, 1, 1)
        assert got["median_reply_days"] == 19

        # The same reply moved to the 16th is on time (the day of reply_by is not late).
        world.move(PreExportNotification, late.id, decided_at=at(2, 16, 23))
        got = replies(analyst)
        assert (got["replied_late"], got["median_reply_days"]) == (0, 15)

        # A notification withdrawn before any reply is neither unanswered nor awaiting.
        withdrawn = world.pen("NL", "PK", sent=at(3, 1), quantity=1000, withdraw=True)
        got = replies(analyst)
        assert (got["pens"], got["withdrawn"], got["unanswered"]) == (2, 1, 0)

        # Silence while reply_by is still ahead is awaiting, not unanswered.
        future = utcnow().date() + timedelta(days=5)
        world.move(PreExportNotification, withdrawn.id, status="sent", reply_by=future)
        got = replies(analyst)
        assert (got["withdrawn"], got["awaiting"], got["unanswered"]) == (0, 1, 0)
        world.move(PreExportNotification, withdrawn.id, reply_by=date(YEAR, 3, 16))
        assert replies(analyst)["unanswered"] == 1

        # Moving a notification out of the year, or changing its route, moves its figures.
        world.move(PreExportNotification, withdrawn.id, sent_at=at(3, 1).replace(year=YEAR + 1))
        pens = summary(analyst, "pens")
        assert pens["totals"]["pens"] == 1
        assert [row["country"] for row in pens["by_exporting_country"]] == ["DE"]
        world.move(PreExportNotification, late.id, exporting_country="BE", quantity_kg=4321)
        pens = summary(analyst, "pens")
        assert [(r["country"], r["quantity_kg"]) for r in pens["by_exporting_country"]] == [
            ("BE", 4321.0)
        ]
        assert summary(analyst, "pens", exporting_country="DE")["totals"]["pens"] == 0


class TestShipmentFigures:
    def test_follow_declarations_events_corrections_and_deletes(
        self, api: Api, engine: Engine
    ) -> None:
        world, analyst = World(api), api.analyst()
        pen = world.pen("DE", "PK", transit=["AE"], sent=at(3, 1), decision="no_objection")
        ship = world.shipment(pen, recorded_by="DE", created=at(3, 5), quantity=5000)
        body = summary(analyst, "shipments")
        assert (body["totals"]["shipments"], body["totals"]["quantity_kg"]) == (1, 5400.0)
        assert body["gap_totals"]["shipments_observed"] == 0

        # 4,800 l observed where 5,000 l were notified: 216 kg short.
        world.event(ship, "transit_entered", "AE", at(3, 7), observed=4800)
        gaps = summary(analyst, "shipments")["gap_totals"]
        assert (gaps["shipments_observed"], gaps["observed_differs"]) == (1, 1)
        assert gaps["observed_shortfall_kg"] == 216.0 and gaps["observed_excess_kg"] == 0.0

        # Stopped twice in AE (counts once there, with its largest quantity), then seized.
        world.event(ship, "stopped", "AE", at(3, 8), observed=4000)
        world.event(ship, "released", "AE", at(3, 9))
        world.event(ship, "stopped", "AE", at(3, 10))
        world.event(ship, "seized", "AE", at(3, 11), observed=5500)
        body = summary(analyst, "shipments")
        assert (body["totals"]["stopped"], body["totals"]["seized"]) == (1, 1)
        assert body["totals"]["seized_kg"] == 5940.0
        stops = {(r["event"], r["country"]): r for r in body["stopped_and_seized"]}
        assert stops[("stopped", "AE")]["shipments"] == 1
        assert stops[("stopped", "AE")]["quantity_kg"] == 5400.0  # the declared, unobserved stop
        # The latest recorded observation is now the seizure's: 500 l (540 kg) over.
        assert body["gap_totals"]["observed_excess_kg"] == 540.0
        assert [row["status"] for row in body["by_status"] if row["shipments"]] == ["seized"]

        # A correction and a deletion of border events (as a database operator would make).
        with engine.begin() as connection:
            connection.execute(
                update(ShipmentEvent)
                .where(ShipmentEvent.shipment_id == ship.id, ShipmentEvent.type == "seized")  # type: ignore[arg-type]
                .values(quantity_observed_kg=Decimal("5000.000"))
            )
        body = summary(analyst, "shipments")
        assert body["totals"]["seized_kg"] == 5000.0
        assert body["gap_totals"]["observed_shortfall_kg"] == 400.0
        with engine.begin() as connection:
            connection.execute(
                delete(ShipmentEvent).where(
                    ShipmentEvent.shipment_id == ship.id,  # type: ignore[arg-type]
                    ShipmentEvent.type.in_(("seized", "stopped", "released")),  # type: ignore[attr-defined]
                )
            )
        body = summary(analyst, "shipments")
        assert (body["totals"]["stopped"], body["totals"]["seized"]) == (0, 0)
        assert body["gap_totals"]["observed_shortfall_kg"] == 216.0  # back to the transit one

        # A later-recorded observation without a quantity changes nothing.
        with engine.begin() as connection:
            connection.execute(
                insert(ShipmentEvent).values(
                    id="01ZZFIGURES00000000000001",
                    shipment_id=ship.id,
                    type="transit_exited",
                    country="AE",
                    occurred_at=at(3, 12),
                    created_at=utcnow(),
                    exporting_country="DE",
                    importing_country="PK",
                    transit_countries=["AE"],
                    cas_number="108-24-7",
                    notification_id=pen.id,
                )
            )
        assert summary(analyst, "shipments")["gap_totals"]["observed_shortfall_kg"] == 216.0

        # A changed declaration and route; then the shipment moved out of the year.
        world.move(Shipment, ship.id, quantity_kg=1234, importing_country="AF")
        body = summary(analyst, "shipments", importing_country="AF")
        assert (body["totals"]["shipments"], body["totals"]["quantity_kg"]) == (1, 1234.0)
        assert summary(analyst, "shipments", importing_country="PK")["totals"]["shipments"] == 0
        flows = summary(analyst, "region-flows")["totals"]
        assert (flows["shipments"], flows["shipment_kg"]) == (1, 1234.0)
        world.move(Shipment, ship.id, created_at=at(1, 2).replace(year=YEAR + 1))
        assert summary(analyst, "shipments")["totals"]["shipments"] == 0
        assert summary(analyst, "overview")["shipments"] == 0


class TestFlagFigures:
    def test_follow_raising_triage_drafts_moves_and_deletes(self, api: Api, engine: Engine) -> None:
        world, analyst = World(api), api.analyst()
        pen = world.pen("DE", "PK", sent=at(4, 1))
        ship = world.shipment(pen, recorded_by="DE", created=at(4, 5))
        on_ship = raise_flag(world, "DE", "shipment", ship.id)
        world.move(Flag, on_ship, created_at=at(4, 6, 8))
        on_pen = raise_flag(world, "DE", "pre_export_notification", pen.id)
        world.move(Flag, on_pen, created_at=at(4, 6, 8))
        draft = world.pen("DE", "PK")
        on_draft = raise_flag(world, "DE", "pre_export_notification", draft.id)
        world.move(Flag, on_draft, created_at=at(4, 6, 8))
        totals = summary(analyst, "flags")["totals"]
        assert (totals["flags"], totals["open"]) == (2, 2)  # the draft's flag is DE's alone
        de = world.regulator("DE").get("/api/v1/summaries/flags", params={"year": YEAR})
        assert de.json()["totals"]["flags"] == 3

        # Triage: confirmed after 3 hours (moved), and the headline figures follow.
        for step in ("under_review", "confirmed"):
            response = world.regulator("DE").post(
                f"/api/v1/flags/{on_ship}/triage", json={"status": step, "note": "Checked"}
            )
            assert response.status_code == 200, response.text
        world.move(Flag, on_ship, triaged_at=at(4, 6, 11))
        totals = summary(analyst, "flags")["totals"]
        assert (totals["confirmed"], totals["open"], totals["median_triage_hours"]) == (1, 1, 3)
        overview = summary(analyst, "overview")
        assert (overview["flags"], overview["flags_confirmed"]) == (2, 1)

        # Sending the draft shows its flag to everyone.
        path = f"/api/v1/pre-export-notifications/{draft.id}"
        assert world.regulator("DE").post(f"{path}/send").status_code == 200
        assert summary(analyst, "flags")["totals"]["flags"] == 3

        # A subject's route change moves its flag between filtered views.
        assert summary(analyst, "flags", importing_country="AF")["totals"]["flags"] == 0
        world.move(Shipment, ship.id, importing_country="AF")
        assert summary(analyst, "flags", importing_country="AF")["totals"]["flags"] == 1

        # A flag moved out of the year, and a deleted one.
        world.move(Flag, on_pen, created_at=at(4, 6).replace(year=YEAR - 1))
        with engine.begin() as connection:
            connection.execute(delete(FlagTriage).where(FlagTriage.flag_id == on_ship))  # type: ignore[arg-type]
            connection.execute(delete(Flag).where(Flag.id == on_ship))  # type: ignore[arg-type]
        totals = summary(analyst, "flags")["totals"]
        assert (totals["flags"], totals["confirmed"], totals["open"]) == (1, 0, 1)
