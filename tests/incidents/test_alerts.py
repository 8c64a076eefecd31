"""`incident.recorded` alerts: the countries named and international authorities, each at the
incident's scope, never wider."""

from tests.factories import Api
from tests.incidents.conftest import World
from tests.incidents.helpers import inbox, record_incident

NAMED = {
    f"{c}/{k}"
    for c in ("IR", "DE", "AE", "AF")
    for k in ("regulator", "customs", "law_enforcement")
}


class TestIncidentAlerts:
    def test_the_countries_named_and_international_authorities_hear_of_it(
        self, world: World, api: Api
    ) -> None:
        broker = api.operator("AE", "Gulf Forwarding FZE")
        incident = record_incident(
            world.officer("IR", "law_enforcement"), operator_ids=[broker["id"]]
        )
        alerts = world.alerts("incident.recorded", incident["id"])
        assert set(alerts) == (NAMED - {"IR/law_enforcement"}) | {"AT/international"}
        origin = alerts["DE/regulator"]
        assert origin["scope"] == "full"
        assert origin["payload"]["operators"][0]["name"] == "Gulf Forwarding FZE"
        assert origin["title"] == f"Incident {incident['reference']} recorded"
        copy = alerts["AT/international"]
        assert copy["scope"] == "confidential"
        assert "operators" not in copy["payload"] and "description" not in copy["payload"]
        assert "Gulf Forwarding" not in str(copy)

    def test_each_inbox_shows_its_own_alert(self, world: World) -> None:
        incident = record_incident(world.officer("IR", "customs"))
        for country, expected in (("AF", 1), ("FR", 0)):
            police = world.officer(country, "law_enforcement")
            got = inbox(police, event_type="incident.recorded")
            assert [a["subject_id"] for a in got] == [incident["id"]] * expected

    def test_a_summary_incident_reaches_everyone_as_a_summary(self, world: World, api: Api) -> None:
        broker = api.operator("AE", "Gulf Forwarding FZE")
        incident = record_incident(
            world.officer("IR", "law_enforcement"), operator_ids=[broker["id"]], scope="summary"
        )
        alerts = world.alerts("incident.recorded", incident["id"])
        assert {a["scope"] for a in alerts.values()} == {"summary"}
        payload = alerts["DE/law_enforcement"]["payload"]
        assert payload["reference"] == incident["reference"]
        assert "description" not in payload and "operators" not in payload
        assert "Gulf Forwarding" not in str(alerts)

    def test_a_confidential_incident_is_never_shared_fully(self, world: World) -> None:
        incident = record_incident(world.officer("IR", "law_enforcement"), scope="confidential")
        alerts = world.alerts("incident.recorded", incident["id"])
        assert {a["scope"] for a in alerts.values()} == {"confidential"}
