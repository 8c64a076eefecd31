"""Recording incidents and reading them: who may record, what is stored, who reads what."""

import re
from datetime import date, timedelta

import pytest

from tests.factories import AA, KMNO4, Api, lane, record_shipment, walk
from tests.incidents.conftest import World
from tests.incidents.helpers import INCIDENTS, incident_body, record_incident


class TestRecord:
    def test_law_enforcement_records_a_seizure_with_a_reference_of_its_country(
        self, world: World
    ) -> None:
        police = world.officer("IR", "law_enforcement")
        first = record_incident(police)
        second = record_incident(world.officer("IR", "customs"))
        year = date.today().year
        assert first["reference"] == f"INC-IR-{year}-000001"
        assert second["reference"] == f"INC-IR-{year}-000002"
        assert re.fullmatch(
            r"INC-DE-\d{4}-000001", record_incident(world.officer("DE", "regulator"))["reference"]
        )
        assert first["kind"] == "seizure"
        assert first["shared_scope"] == "full"

    def test_volumes_of_known_substances_are_converted_to_kg(self, world: World) -> None:
        incident = record_incident(world.officer("IR", "law_enforcement"))
        (aa,) = incident["substances"]
        assert aa == {
            "cas_number": AA,
            "name": "Acetic anhydride",
            "quantity": 2380,
            "unit": "l",
            "quantity_kg": 2570.4,
        }
        assert incident["quantity_kg"] == 2570.4

    def test_unscheduled_chemicals_are_recorded_by_name(self, world: World) -> None:
        incident = record_incident(
            world.officer("IR", "law_enforcement"),
            substances=[
                {"name": "Acetyl chloride", "quantity": 200, "unit": "l"},
                {"cas_number": KMNO4, "quantity": 1.5, "unit": "t"},
                {"cas_number": "64-19-7", "name": "Acetic acid", "quantity": 50, "unit": "kg"},
            ],
        )
        kgs = [s["quantity_kg"] for s in incident["substances"]]
        assert kgs == [None, 1500, 50]  # no density known for a chemical named by hand
        assert incident["quantity_kg"] == 1550

    def test_an_unknown_cas_number_without_a_name_is_refused(self, world: World) -> None:
        police = world.officer("IR", "law_enforcement")
        response = police.post(
            INCIDENTS,
            json=incident_body(
                "IR", substances=[{"cas_number": "7732-18-5", "quantity": 1, "unit": "kg"}]
            ),
        )
        assert response.status_code == 400
        assert response.json()["type"].endswith("/unknown-substance")

    def test_a_substance_needs_a_cas_number_or_a_name(self, world: World) -> None:
        response = world.officer("IR", "customs").post(
            INCIDENTS, json=incident_body("IR", substances=[{"quantity": 1, "unit": "kg"}])
        )
        assert response.status_code == 422

    def test_an_incident_is_recorded_only_for_the_callers_own_country(
        self, world: World, api: Api
    ) -> None:
        response = world.officer("IR", "law_enforcement").post(INCIDENTS, json=incident_body("AF"))
        assert response.status_code == 403
        assert response.json()["type"].endswith("/not-your-country")
        assert walk(api.admin, INCIDENTS) == []

    @pytest.mark.parametrize("role", ["admin", "analyst"])
    def test_admins_and_analysts_do_not_record(self, api: Api, role: str) -> None:
        actor = api.admin if role == "admin" else api.analyst()
        assert actor.post(INCIDENTS, json=incident_body("IR")).status_code == 403

    def test_an_occurrence_in_the_future_is_refused(self, world: World) -> None:
        later = (date.today() + timedelta(days=5)).isoformat()
        response = world.officer("IR", "customs").post(
            INCIDENTS, json=incident_body("IR", occurred_on=later)
        )
        assert response.status_code == 422

    def test_an_unknown_operator_is_refused_and_nothing_is_written(
        self, world: World, api: Api
    ) -> None:
        response = world.officer("IR", "customs").post(
            INCIDENTS, json=incident_body("IR", operator_ids=["nobody"])
        )
        assert response.status_code == 400
        assert walk(api.admin, INCIDENTS) == []
        assert (
            api.admin.get("/api/v1/audit-events", params={"action": "incident.recorded"}).json()[
                "items"
            ]
            == []
        )

    def test_recording_is_audited(self, world: World, api: Api) -> None:
        incident = record_incident(world.officer("IR", "law_enforcement"))
        rows = api.admin.get("/api/v1/audit-events", params={"subject_id": incident["id"]}).json()
        (row,) = rows["items"]
        assert row["action"] == "incident.recorded"
        assert row["actor_role"] == "law_enforcement"
        assert row["after"]["reference"] == incident["reference"]


class TestLinks:
    def test_a_shipment_the_caller_reads_may_be_linked(self, world: World, api: Api) -> None:
        trade = lane(api, "DE", "IR", ("AE",))
        shipment = record_shipment(world.officer("IR", "customs"), None, **trade.shipment_body())
        incident = record_incident(
            world.officer("IR", "law_enforcement"), shipment_id=shipment["id"]
        )
        assert incident["shipment_id"] == shipment["id"]

    def test_a_shipment_the_caller_may_not_read_is_an_unknown_link(
        self, world: World, api: Api
    ) -> None:
        trade = lane(api, "DE", "PK", ("AE",))
        shipment = record_shipment(api.customs("AE"), None, **trade.shipment_body())
        police = world.officer("IR", "law_enforcement")
        hidden = police.post(INCIDENTS, json=incident_body("IR", shipment_id=shipment["id"]))
        missing = police.post(INCIDENTS, json=incident_body("IR", shipment_id="nothing"))
        assert hidden.status_code == missing.status_code == 422
        assert hidden.json()["type"] == missing.json()["type"]
        assert shipment["customs_reference"] not in hidden.text

    def test_a_draft_pen_cannot_be_linked(self, world: World, api: Api) -> None:
        trade = lane(api, "IR", "AF", ())
        draft = trade.draft()
        response = trade.exporting.post(INCIDENTS, json=incident_body("IR", pen_id=draft["id"]))
        assert response.status_code == 422
        sent = trade.pen_in("sent")
        linked = record_incident(trade.exporting, pen_id=sent["id"])
        assert linked["pen_id"] == sent["id"]


class TestWhoReads:
    @pytest.mark.parametrize("country", ["IR", "DE", "AE", "AF"])
    @pytest.mark.parametrize("kind", ["regulator", "customs", "law_enforcement"])
    def test_the_countries_named_read_it(self, world: World, country: str, kind: str) -> None:
        incident = record_incident(world.officer("IR", "law_enforcement"))
        response = world.officer(country, kind).get(f"{INCIDENTS}/{incident['id']}")
        assert response.status_code == 200
        assert [i["id"] for i in walk(world.officer(country, kind), INCIDENTS)] == [incident["id"]]

    @pytest.mark.parametrize("kind", ["regulator", "customs", "law_enforcement"])
    def test_a_country_not_named_gets_404_and_an_empty_list(self, world: World, kind: str) -> None:
        incident = record_incident(world.officer("IR", "law_enforcement"))
        france = world.officer("FR", kind)
        response = france.get(f"{INCIDENTS}/{incident['id']}")
        assert response.status_code == 404
        assert response.json()["type"].endswith("/incident-not-found")
        assert walk(france, INCIDENTS) == []

    def test_analysts_read_every_incident(self, world: World, api: Api) -> None:
        ids = {record_incident(world.officer(c, "customs"))["id"] for c in ("IR", "FR")}
        assert {i["id"] for i in walk(api.analyst(), INCIDENTS)} == ids

    def test_a_confidential_incident_hides_operators_and_text_from_other_countries(
        self, world: World, api: Api
    ) -> None:
        broker = api.operator("AE", "Gulf Forwarding FZE")
        incident = record_incident(
            world.officer("IR", "law_enforcement"),
            operator_ids=[broker["id"]],
            scope="confidential",
        )
        own = world.officer("IR", "regulator").get(f"{INCIDENTS}/{incident['id']}").json()
        assert own["shared_scope"] == "full"
        assert own["operators"][0]["name"] == "Gulf Forwarding FZE"
        for reader in (world.officer("DE", "regulator"), api.analyst(), api.admin):
            seen = reader.get(f"{INCIDENTS}/{incident['id']}").json()
            assert seen["shared_scope"] == "confidential"
            assert seen["operators"] == seen["operator_ids"] == []
            assert seen["description"] is None
            assert seen["method"] == incident["method"]
            assert "Gulf Forwarding" not in str(seen)

    def test_a_summary_incident_keeps_what_identifies_it(self, world: World) -> None:
        incident = record_incident(world.officer("IR", "law_enforcement"), scope="summary")
        seen = world.officer("AF", "customs").get(f"{INCIDENTS}/{incident['id']}").json()
        assert seen["shared_scope"] == "summary"
        assert seen["reference"] == incident["reference"]
        assert seen["substances"] == [
            {
                "cas_number": AA,
                "name": "Acetic anhydride",
                "quantity": None,
                "unit": None,
                "quantity_kg": 2570.4,
            }
        ]
        assert seen["description"] is None
        listed = walk(world.officer("AF", "customs"), INCIDENTS)[0]
        assert listed["description"] is None and listed["shared_scope"] == "summary"


class TestList:
    def test_filters_by_kind_countries_substance_and_dates(self, world: World, api: Api) -> None:
        police = world.officer("IR", "law_enforcement")
        old = record_incident(police, occurred_on="2025-03-01")
        lab = record_incident(
            police,
            kind="illicit_laboratory",
            substances=[{"cas_number": KMNO4, "quantity": 40, "unit": "kg"}],
            origin_country="FR",
            transit_countries=[],
        )
        analyst = api.analyst()

        def ids(**params: object) -> set[str]:
            return {i["id"] for i in walk(analyst, INCIDENTS, **params)}

        assert ids(kind="illicit_laboratory") == {lab["id"]}
        assert ids(country="IR") == {old["id"], lab["id"]}
        assert ids(country="FR") == set()
        assert ids(named_country="FR") == {lab["id"]}
        assert ids(named_country="AE") == {old["id"]}
        assert ids(substance=AA) == {old["id"]}
        assert ids(**{"from": "2025-01-01", "to": "2025-12-31"}) == {old["id"]}
        assert analyst.get(INCIDENTS, params={"kind": "picnic"}).status_code == 422

    def test_pages_follow_the_cursor(self, world: World) -> None:
        police = world.officer("IR", "law_enforcement")
        made = {record_incident(police)["id"] for _ in range(3)}
        first = police.get(INCIDENTS, params={"limit": 2}).json()
        assert len(first["items"]) == 2 and first["next_cursor"]
        assert {i["id"] for i in walk(police, INCIDENTS, limit=2)} == made
