"""Incidents feed the rules: a later PEN or shipment whose party an officer named in an incident,
or traced by a backtracking answer, is flagged (`party_in_incident`, built-in rule
`party-in-incident`); the parties a border event copies from a declaration do not count."""

from typing import Any

from tests.factories import SHIPMENTS, Api, event_body, lane, record_shipment, walk
from tests.incidents.conftest import World
from tests.incidents.helpers import REQUESTS, ask, record_incident

FLAGS = "/api/v1/flags"


def _rules_hit(api: Api, subject_id: str, reader: Any = None) -> set[str]:
    return {f["rule"] for f in walk(reader or api.admin, FLAGS, subject_id=subject_id)}


class TestPartyInIncident:
    def test_a_shipment_of_an_operator_named_in_an_incident_is_flagged(
        self, world: World, api: Api
    ) -> None:
        trade = lane(api, "DE", "AF", ("IR",))
        clean = record_shipment(
            api.customs("IR"), None, **trade.shipment_body(customs_reference="A")
        )
        record_incident(world.officer("IR", "law_enforcement"), operator_ids=[trade.importer["id"]])
        later = record_shipment(
            api.customs("IR"), None, **trade.shipment_body(customs_reference="B")
        )
        assert "party-in-incident" not in _rules_hit(api, clean["id"])
        assert "party-in-incident" in _rules_hit(api, later["id"])
        (flag,) = walk(api.admin, FLAGS, subject_id=later["id"], rule="party-in-incident")
        assert (
            flag["explanation"] == "A party to this consignment was named in 1 earlier incident(s)."
        )

    def test_a_pen_whose_exporter_was_traced_by_a_backtracking_answer_is_flagged(
        self, world: World, api: Api
    ) -> None:
        trade = lane(api, "DE", "PK", ())
        police = world.officer("IR", "law_enforcement")
        request = ask(police, record_incident(police), "DE")
        answer = world.officer("DE", "regulator").post(
            f"{REQUESTS}/{request['id']}/answer",
            json={"findings": "Supplied by the exporter", "operator_ids": [trade.exporter["id"]]},
        )
        assert answer.status_code == 200, answer.text
        pen = trade.draft()
        # A draft's flags are the exporting country's alone.
        assert "party-in-incident" in _rules_hit(api, pen["id"], trade.exporting)

    def test_parties_a_border_event_copied_from_the_declaration_do_not_count(
        self, world: World, api: Api
    ) -> None:
        trade = lane(api, "DE", "AF", ("IR",))
        customs = api.customs("IR")
        seized = record_shipment(customs, None, **trade.shipment_body(customs_reference="S-1"))
        response = customs.post(
            f"{SHIPMENTS}/{seized['id']}/events", json=event_body("seized", "IR")
        )
        assert response.status_code == 201, response.text
        again = record_shipment(customs, None, **trade.shipment_body(customs_reference="S-2"))
        assert "party-in-incident" not in _rules_hit(api, again["id"])
        # Once an officer names the importer in an incident of their own, it counts.
        record_incident(world.officer("IR", "law_enforcement"), operator_ids=[trade.importer["id"]])
        third: dict[str, Any] = record_shipment(
            customs, None, **trade.shipment_body(customs_reference="S-3")
        )
        assert "party-in-incident" in _rules_hit(api, third["id"])
        assert "party-in-incident" not in _rules_hit(api, seized["id"])
