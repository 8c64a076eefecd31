"""Controlled deliveries: who may run one, who hears of the shipment while it runs, what the
others read, and that ending it restores normal routing."""

from typing import Any

from tests.controlled_deliveries.conftest import CD, CONTACT, NOTE, World
from tests.factories import AUDIT, SHIPMENTS, event_body, manual_flag, walk
from tests.incidents.helpers import INCIDENTS, incident_body

PARTICIPANTS = {"DE/law_enforcement", "PK/law_enforcement", "PK/customs"}
EVERY_COMPETENT = {
    f"{c}/{k}" for c in ("DE", "AE", "PK") for k in ("regulator", "customs", "law_enforcement")
}


def _under_cd(world: World, **extra: Any) -> dict[str, Any]:
    shipment = world.shipment()
    response = world.start(
        shipment,
        participants=[world.ids["PK/law_enforcement"], world.ids["PK/customs"]],
        note=NOTE,
        **extra,
    )
    assert response.status_code == 201, response.text
    return shipment


def _seize(world: World, shipment: dict[str, Any], country: str = "PK") -> None:
    response = world.officer(f"{country}/customs").post(
        f"{SHIPMENTS}/{shipment['id']}/events", json=event_body("seized", country)
    )
    assert response.status_code == 201, response.text


class TestStart:
    def test_law_enforcement_of_a_route_country_starts_one(self, world: World) -> None:
        shipment = world.shipment()
        response = world.start(shipment, participants=[world.ids["PK/law_enforcement"]], note=NOTE)
        assert response.status_code == 201, response.text
        body = response.json()
        assert body["status"] == "active"
        assert body["participants"] == [
            world.ids["DE/law_enforcement"],
            world.ids["PK/law_enforcement"],
        ]
        assert response.headers["Location"] == f"{SHIPMENTS}/{shipment['id']}/{CD}"

    def test_customs_and_regulators_may_not(self, world: World) -> None:
        shipment = world.shipment()
        for label in ("DE/customs", "DE/regulator"):
            response = world.start(shipment, by=label, participants=[])
            assert response.status_code == 403, response.text

    def test_law_enforcement_off_the_route_sees_no_shipment(self, world: World) -> None:
        shipment = world.shipment()
        officer = world.api.law_enforcement("FR")
        response = officer.post(f"{SHIPMENTS}/{shipment['id']}/{CD}", json={"participants": []})
        assert response.status_code == 404

    def test_an_unknown_participant_is_refused_and_nothing_is_written(self, world: World) -> None:
        shipment = world.shipment()
        response = world.start(shipment, participants=["nope"])
        assert response.status_code == 400
        assert response.json()["type"].endswith("/unknown-participant")
        # Nothing was written: a new one can start.
        assert world.start(shipment, participants=[]).status_code == 201

    def test_a_second_one_while_active_is_a_conflict(self, world: World) -> None:
        shipment = _under_cd(world)
        response = world.start(shipment, by="PK/law_enforcement", participants=[])
        assert response.status_code == 409


class TestRoutingWhileActive:
    def test_a_seizure_alerts_only_the_participants(self, world: World) -> None:
        shipment = _under_cd(world)
        _seize(world, shipment)
        # PK customs recorded it (it causes the event, so it is not alerted).
        assert world.alerts("shipment.seized", shipment["id"]) == PARTICIPANTS - {"PK/customs"}

    def test_the_incident_the_seizure_opens_reaches_only_the_participants(
        self, world: World
    ) -> None:
        shipment = _under_cd(world)
        _seize(world, shipment)
        assert world.alerts("incident.recorded") == PARTICIPANTS - {"PK/customs"}

    def test_a_stop_by_a_non_participant_reaches_only_the_participants(self, world: World) -> None:
        shipment = _under_cd(world)
        response = world.officer("AE/customs").post(
            f"{SHIPMENTS}/{shipment['id']}/events", json=event_body("stopped", "AE")
        )
        assert response.status_code == 201, response.text
        assert world.alerts("shipment.stopped", shipment["id"]) == PARTICIPANTS

    def test_a_flag_on_the_shipment_reaches_only_the_participants(self, world: World) -> None:
        shipment = _under_cd(world)
        flag = manual_flag(world.officer("AE/customs"), shipment, "critical", "Seal tampered")
        assert world.alerts("flag.raised", flag["id"]) == PARTICIPANTS

    def test_an_incident_linked_to_it_reaches_only_the_participants(self, world: World) -> None:
        shipment = _under_cd(world)
        response = world.officer("AE/law_enforcement").post(
            INCIDENTS,
            json=incident_body("AE", shipment_id=shipment["id"], destination_country="PK"),
        )
        assert response.status_code == 201, response.text
        assert world.alerts("incident.recorded", response.json()["id"]) == PARTICIPANTS

    def test_without_one_the_route_hears_of_a_seizure(self, world: World) -> None:
        shipment = world.shipment()
        _seize(world, shipment)
        heard = world.alerts("shipment.seized", shipment["id"])
        assert heard == (EVERY_COMPETENT | {"AT/international"}) - {"PK/customs"}

    def test_ending_it_restores_normal_routing(self, world: World) -> None:
        shipment = _under_cd(world)
        response = world.end(shipment)
        assert response.status_code == 200, response.text
        assert response.json()["status"] == "ended"
        _seize(world, shipment)
        heard = world.alerts("shipment.seized", shipment["id"])
        assert heard == (EVERY_COMPETENT | {"AT/international"}) - {"PK/customs"}

    def test_webhooks_go_only_to_the_participants(self, world: World) -> None:
        shipment = _under_cd(world)
        _seize(world, shipment)
        hooked = {world.labels[a] for a, _ in world.webhook_bodies() if a}
        assert hooked == PARTICIPANTS - {"PK/customs"}


class TestEnd:
    def test_only_participating_law_enforcement_ends_it(self, world: World) -> None:
        shipment = _under_cd(world)
        assert world.end(shipment, by="AE/law_enforcement").status_code == 404
        assert world.end(shipment, by="PK/customs").status_code == 403
        assert world.end(shipment, by="PK/law_enforcement").status_code == 200
        assert world.end(shipment, by="PK/law_enforcement").status_code == 404


class TestReading:
    def test_participants_read_the_details(self, world: World) -> None:
        shipment = _under_cd(world, do_not_stop_contact=CONTACT)
        body = world.officer("PK/customs").get(f"{SHIPMENTS}/{shipment['id']}").json()
        assert body["controlled_delivery"]["note"] == NOTE
        assert body["do_not_stop_contact"] is None

    def test_others_read_the_shipment_with_only_the_marker(self, world: World) -> None:
        shipment = _under_cd(world, do_not_stop_contact=CONTACT)
        for label in ("AE/customs", "DE/customs", "DE/regulator"):
            response = world.officer(label).get(f"{SHIPMENTS}/{shipment['id']}")
            assert response.status_code == 200
            body = response.json()
            assert body["controlled_delivery"] is None
            assert body["do_not_stop_contact"] == CONTACT
            assert NOTE not in response.text

    def test_without_a_marker_others_see_nothing_at_all(self, world: World) -> None:
        shipment = _under_cd(world)
        body = world.officer("AE/customs").get(f"{SHIPMENTS}/{shipment['id']}").json()
        assert body["controlled_delivery"] is None and body["do_not_stop_contact"] is None

    def test_the_marker_goes_when_it_ends(self, world: World) -> None:
        shipment = _under_cd(world, do_not_stop_contact=CONTACT)
        world.end(shipment)
        body = world.officer("AE/customs").get(f"{SHIPMENTS}/{shipment['id']}").json()
        assert body["do_not_stop_contact"] is None

    def test_non_participants_get_404_for_the_delivery_itself(self, world: World) -> None:
        shipment = _under_cd(world)
        for actor in (world.officer("AE/customs"), world.api.analyst(), world.api.admin):
            assert actor.get(f"{SHIPMENTS}/{shipment['id']}/{CD}").status_code == 404

    def test_every_read_and_handover_is_in_the_participants_trail(self, world: World) -> None:
        shipment = _under_cd(world)
        world.officer("AE/customs").get(f"{SHIPMENTS}/{shipment['id']}")
        _seize(world, shipment)
        response = world.officer("PK/law_enforcement").get(f"{SHIPMENTS}/{shipment['id']}/{CD}")
        assert response.status_code == 200, response.text
        trail = response.json()["trail"]
        actions = [t["action"] for t in trail]
        assert actions[0] == "controlled_delivery.started"
        reads = [t for t in trail if t["action"] == "controlled_delivery.read"]
        assert {"authority_id": world.ids["AE/customs"], "participant": False} in [
            r["after"] for r in reads
        ]
        handovers = [t for t in trail if t["action"] == "controlled_delivery.handover"]
        assert {h["after"]["event_type"] for h in handovers} >= {
            "shipment.seized",
            "incident.recorded",
        }
        seized = next(h for h in handovers if h["after"]["event_type"] == "shipment.seized")
        assert {world.labels[a] for a in seized["after"]["authorities"]} == PARTICIPANTS - {
            "PK/customs"
        }


class TestConfidentiality:
    def test_details_reach_no_non_participant_anywhere(self, world: World) -> None:
        """The note and the participants never leave through alerts, webhook bodies, shipment
        reads and lists, summary exports or the audit trail."""
        shipment = _under_cd(world, do_not_stop_contact=CONTACT)
        _seize(world, shipment)
        manual_flag(world.officer("AE/customs"), shipment, "critical", "Seal tampered")
        secrets = (NOTE, "controlled_delivery.", "controlled-delivery")
        texts: list[str] = []
        for label in ("AE/customs", "AE/regulator", "DE/customs", "AT/international"):
            actor = world.officer(label) if label != "AT/international" else None
            if actor is not None:
                texts.append(actor.get("/api/v1/alerts", params={"limit": 500}).text)
                texts.append(actor.get(f"{SHIPMENTS}/{shipment['id']}").text)
                texts.append(actor.get(SHIPMENTS).text)
        texts += [
            b for a, b in world.webhook_bodies() if world.labels.get(a or "") not in PARTICIPANTS
        ]
        analyst = world.api.analyst()
        texts.append(str(walk(analyst, AUDIT)))
        texts.append(str(walk(world.api.admin, AUDIT)))
        export = analyst.get(
            "/api/v1/summaries/shipments/export", params={"table": "stopped_and_seized"}
        )
        assert export.status_code == 200, export.text
        assert "seized,PK" in export.text  # the seizure is counted in it
        texts.append(export.text)
        for text in texts:
            for secret in secrets:
                assert secret not in text
        # The participants' own inboxes do hear of it.
        inbox = world.officer("PK/law_enforcement").get("/api/v1/alerts").json()["items"]
        assert any(a["event_type"] == "shipment.seized" for a in inbox)
