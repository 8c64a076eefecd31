"""A `seized` or `stopped` border event opens an incident by itself, in the same transaction,
and tells nobody anything of a PEN that is still a draft."""

import json
from typing import Any

from tests.factories import AUDIT, SHIPMENTS, Api, event_body, lane, record_shipment, walk
from tests.incidents.conftest import World
from tests.incidents.helpers import INCIDENTS


def _shipment(api: Api, **overrides: Any) -> dict[str, Any]:
    trade = lane(api, "DE", "AF", ("IR",))
    return record_shipment(api.customs("IR"), None, **trade.shipment_body(**overrides))


class TestBorderEvents:
    def test_a_seizure_opens_an_incident_linked_to_the_shipment(
        self, world: World, api: Api
    ) -> None:
        shipment = _shipment(api)
        response = api.customs("IR").post(
            f"{SHIPMENTS}/{shipment['id']}/events",
            json=event_body(
                "seized", "IR", location="Bandar Abbas", quantity_observed=2380, unit="l"
            ),
        )
        assert response.status_code == 201, response.text
        (incident,) = walk(api.analyst(), INCIDENTS)
        assert incident["kind"] == "seizure"
        assert incident["country"] == "IR"
        assert incident["shipment_id"] == shipment["id"]
        assert (
            incident["origin_country"],
            incident["transit_countries"],
            incident["destination_country"],
        ) == ("DE", ["IR"], "AF")
        assert incident["substances"][0]["quantity_kg"] == 2570.4
        detail = api.customs("DE").get(f"{INCIDENTS}/{incident['id']}").json()
        assert {o["id"] for o in detail["operators"]} == {
            shipment["exporter_id"],
            shipment["importer_id"],
        }

    def test_a_stop_opens_a_stopped_shipment_incident_and_a_release_none(
        self, api: Api, world: World
    ) -> None:
        shipment = _shipment(api)
        customs = api.customs("IR")
        for kind in ("stopped", "released"):
            response = customs.post(
                f"{SHIPMENTS}/{shipment['id']}/events", json=event_body(kind, "IR")
            )
            assert response.status_code == 201, response.text
        kinds = [i["kind"] for i in walk(api.analyst(), INCIDENTS)]
        assert kinds == ["stopped_shipment"]
        alerts = world.alerts("incident.recorded")
        assert {"DE/regulator", "AF/law_enforcement", "IR/regulator", "AT/international"} <= set(
            alerts
        )
        assert "IR/customs" not in alerts  # it recorded the stop
        assert not any(label.startswith("FR/") for label in alerts)

    def test_a_refused_event_opens_nothing(self, api: Api, world: World) -> None:
        shipment = _shipment(api)
        response = api.customs("IR").post(
            f"{SHIPMENTS}/{shipment['id']}/events", json=event_body("seized", "AF")
        )
        assert response.status_code == 403
        assert walk(api.analyst(), INCIDENTS) == []


class TestDraftConfidentiality:
    def test_an_incident_on_a_shipment_citing_a_draft_tells_nothing_of_the_draft(
        self, world: World, api: Api
    ) -> None:
        trade = lane(api, "IR", "AF", ())
        draft = trade.draft(intended_use="Secret pharmaceutical synthesis")
        # The exporting country's customs cite their own draft (only they may read it).
        shipment = record_shipment(
            api.customs("IR"),
            None,
            **trade.shipment_body(pen_reference=draft["reference"], customs_reference="IR-77"),
        )
        response = api.customs("IR").post(
            f"{SHIPMENTS}/{shipment['id']}/events", json=event_body("stopped", "IR")
        )
        assert response.status_code == 201, response.text
        (incident,) = walk(api.analyst(), INCIDENTS)
        assert incident["pen_id"] is None
        # Quoted: the draft's reference is a substring of the incident's (INC-IR-2026-000001).
        secrets = (f'"{draft["reference"]}', draft["id"], "Secret pharmaceutical")
        readers = [
            api.analyst(),
            api.admin,
            world.officer("AF", "regulator"),
            world.officer("IR", "regulator"),
        ]
        for reader in readers:
            text = reader.get(f"{INCIDENTS}/{incident['id']}").text
            assert not any(s in text for s in secrets)
        alerts = world.alerts("incident.recorded", incident["id"])
        assert alerts
        assert not any(s in json.dumps(alerts) for s in secrets)
        audit = walk(api.admin, AUDIT, subject_id=incident["id"])
        assert audit and not any(s in json.dumps(audit) for s in secrets)
