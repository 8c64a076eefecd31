"""An entity's links: the records the caller may read, never one it may not (not even a count)."""

from typing import Any

from tests.factories import SHIPMENTS, Api, event_body, lane, manual_flag, record_shipment
from tests.investigations.helpers import ENTITIES, entity_of, twins


def _links(actor: Any, entity_id: str, depth: int) -> dict[str, Any]:
    response = actor.get(f"{ENTITIES}/{entity_id}/links", params={"depth": depth})
    assert response.status_code == 200, response.text
    return dict(response.json())


def _types(graph: dict[str, Any]) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for node in graph["nodes"]:
        found.setdefault(node["type"], set()).add(node["id"])
    return found


class TestLinks:
    def test_depth_two_reaches_the_shipments_flags_and_incidents_of_both_twins(
        self, api: Api
    ) -> None:
        first, second = twins(api)
        trade = lane(api, "DE", "AF", ("PK",))
        customs = api.customs("PK")
        shipment = record_shipment(
            customs, None, **trade.shipment_body(importer_id=second["id"], customs_reference="L-1")
        )
        flag = manual_flag(customs, shipment, "high", "Declared as vinegar")
        seized = customs.post(
            f"{SHIPMENTS}/{shipment['id']}/events", json=event_body("seized", "PK")
        )
        assert seized.status_code == 201, seized.text
        entity = entity_of(api.admin, first)
        reader = api.regulator("AF")
        one = _types(_links(reader, entity["id"], 1))
        assert one == {"entity": {entity["id"]}, "operator": {first["id"], second["id"]}}
        graph = _links(reader, entity["id"], 2)
        two = _types(graph)
        assert two["shipment"] == {shipment["id"]}
        assert len(two["incident"]) == 1
        assert {"source": second["id"], "target": shipment["id"], "kind": "importer"} in graph[
            "edges"
        ]
        three = _types(_links(reader, entity["id"], 3))
        assert flag["id"] in three["flag"]
        assert trade.exporter["id"] in three["operator"]

    def test_a_country_off_the_route_sees_the_entity_and_nothing_it_may_not_read(
        self, api: Api
    ) -> None:
        first, second = twins(api)
        trade = lane(api, "DE", "AF", ("PK",))
        shipment = record_shipment(
            api.customs("PK"),
            None,
            **trade.shipment_body(importer_id=second["id"], customs_reference="L-2"),
        )
        entity = entity_of(api.admin, first)
        graph = _links(api.regulator("FR"), entity["id"], 3)
        assert set(_types(graph)) == {"entity", "operator"}
        assert shipment["id"] not in str(graph)
        assert trade.exporter["id"] not in str(graph)

    def test_a_draft_pen_stays_with_its_exporting_country(self, api: Api) -> None:
        trade = lane(api, "DE", "PK", ())
        draft = trade.draft()
        entity = entity_of(api.admin, trade.importer)
        assert draft["id"] in str(_links(api.regulator("DE"), entity["id"], 2))
        for outsider in (api.regulator("PK"), api.analyst(), api.admin):
            assert draft["id"] not in str(_links(outsider, entity["id"], 3))

    def test_depth_is_one_to_three(self, api: Api) -> None:
        first, _ = twins(api)
        entity = entity_of(api.admin, first)
        response = api.admin.get(f"{ENTITIES}/{entity['id']}/links", params={"depth": 4})
        assert response.status_code == 422
