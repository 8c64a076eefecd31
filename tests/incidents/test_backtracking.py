"""Backtracking requests: asked by the recording country, answered by the addressed country's
regulator or law enforcement, overdue when `reply_by` passes; alerts in the right inboxes."""

from datetime import date, timedelta

import pytest
from sqlalchemy.engine import Engine

from app.worker.tasks import announce_overdue_backtracking
from tests.factories import AUDIT, Api, walk
from tests.incidents.conftest import World
from tests.incidents.helpers import INCIDENTS, REQUESTS, ask, inbox, record_incident


def _answer(actor, request, **body):  # type: ignore[no-untyped-def]
    return actor.post(
        f"{REQUESTS}/{request['id']}/answer",
        json={"findings": "Sold by Rheinchemie to a broker in Dubai", **body},
    )


class TestAsk:
    def test_a_request_is_open_with_a_thirty_day_window(self, world: World) -> None:
        incident = record_incident(world.officer("IR", "law_enforcement"))
        request = ask(world.officer("IR", "customs"), incident, "DE")
        assert request["status"] == "open"
        assert request["reply_by"] == (date.today() + timedelta(days=30)).isoformat()
        assert request["overdue"] is False
        assert (request["from_country"], request["to_country"]) == ("IR", "DE")
        assert request["incident_reference"] == incident["reference"]

    def test_only_the_recording_country_asks(self, world: World, api: Api) -> None:
        incident = record_incident(world.officer("IR", "law_enforcement"))
        path = f"{INCIDENTS}/{incident['id']}/backtracking-requests"
        body = {"to_country": "DE", "question": "Who supplied it?"}
        assert world.officer("AF", "law_enforcement").post(path, json=body).status_code == 403
        assert world.officer("FR", "regulator").post(path, json=body).status_code == 404
        assert api.analyst().post(path, json=body).status_code == 403

    def test_a_request_to_ones_own_country_or_nowhere_is_refused(self, world: World) -> None:
        police = world.officer("IR", "law_enforcement")
        incident = record_incident(police)
        path = f"{INCIDENTS}/{incident['id']}/backtracking-requests"
        own = police.post(path, json={"to_country": "IR", "question": "?"})
        assert own.status_code == 400
        assert own.json()["type"].endswith("/backtracking-to-own-country")
        assert police.post(path, json={"to_country": "XX", "question": "?"}).status_code == 400
        past = police.post(
            path, json={"to_country": "DE", "question": "?", "reply_by": "2020-01-01"}
        )
        assert past.status_code == 400

    def test_the_addressed_country_reads_the_incident_once_asked_at_the_requests_scope(
        self, world: World, api: Api
    ) -> None:
        broker = api.operator("FR", "Marseille Négoce SARL")
        police = world.officer("IR", "law_enforcement")
        incident = record_incident(police, operator_ids=[broker["id"]], scope="summary")
        france = world.officer("FR", "law_enforcement")
        assert france.get(f"{INCIDENTS}/{incident['id']}").status_code == 404
        ask(police, incident, "FR", scope="full")
        seen = france.get(f"{INCIDENTS}/{incident['id']}").json()
        assert seen["shared_scope"] == "full"
        assert seen["operators"][0]["name"] == "Marseille Négoce SARL"
        # Countries merely named still read it at the incident's own scope.
        assert (
            world.officer("DE", "regulator")
            .get(f"{INCIDENTS}/{incident['id']}")
            .json()["shared_scope"]
            == "summary"
        )
        assert [i["id"] for i in walk(world.officer("FR", "customs"), INCIDENTS)] == [
            incident["id"]
        ]

    def test_the_addressed_regulator_and_police_get_the_alert(self, world: World) -> None:
        incident = record_incident(world.officer("IR", "law_enforcement"), scope="confidential")
        request = ask(world.officer("IR", "law_enforcement"), incident, "DE")
        alerts = world.alerts("backtracking.requested", request["id"])
        assert set(alerts) == {"DE/regulator", "DE/law_enforcement"}
        alert = alerts["DE/law_enforcement"]
        assert alert["scope"] == "confidential"
        assert alert["payload"]["question"] == "Who supplied this consignment?"
        assert "description" not in alert["payload"]["incident"]
        assert inbox(world.officer("DE", "customs"), event_type="backtracking.requested") == []

    def test_asking_is_audited(self, world: World, api: Api) -> None:
        incident = record_incident(world.officer("IR", "law_enforcement"))
        request = ask(world.officer("IR", "regulator"), incident, "DE")
        (row,) = walk(api.admin, AUDIT, subject_id=request["id"])
        assert row["action"] == "backtracking.requested"


class TestAnswer:
    @pytest.mark.parametrize("kind", ["regulator", "law_enforcement"])
    def test_the_addressed_regulator_or_police_answers(
        self, world: World, api: Api, kind: str
    ) -> None:
        supplier = api.operator("DE", "Rheinchemie GmbH")
        incident = record_incident(world.officer("IR", "law_enforcement"))
        request = ask(world.officer("IR", "law_enforcement"), incident, "DE")
        response = _answer(world.officer("DE", kind), request, operator_ids=[supplier["id"]])
        assert response.status_code == 200, response.text
        answered = response.json()
        assert answered["status"] == "answered"
        assert answered["operator_ids"] == [supplier["id"]]
        assert answered["answered_at"] is not None
        alerts = world.alerts("backtracking.answered", request["id"])
        assert set(alerts) == {"IR/regulator", "IR/customs", "IR/law_enforcement"}
        assert alerts["IR/customs"]["payload"]["findings"].startswith("Sold by Rheinchemie")
        (row,) = walk(api.admin, AUDIT, subject_id=request["id"], action="backtracking.answered")
        assert row["after"]["status"] == "answered"

    def test_customs_of_the_addressed_country_and_the_asker_may_not_answer(
        self, world: World
    ) -> None:
        incident = record_incident(world.officer("IR", "law_enforcement"))
        request = ask(world.officer("IR", "law_enforcement"), incident, "DE")
        assert _answer(world.officer("DE", "customs"), request).status_code == 403
        assert _answer(world.officer("IR", "regulator"), request).status_code == 403
        assert _answer(world.officer("AE", "regulator"), request).status_code == 404

    def test_a_request_is_answered_once(self, world: World) -> None:
        incident = record_incident(world.officer("IR", "law_enforcement"))
        request = ask(world.officer("IR", "law_enforcement"), incident, "DE")
        assert _answer(world.officer("DE", "regulator"), request).status_code == 200
        again = _answer(world.officer("DE", "law_enforcement"), request)
        assert again.status_code == 409
        assert again.json()["type"].endswith("/backtracking-already-answered")

    def test_an_unknown_operator_in_the_answer_writes_nothing(self, world: World) -> None:
        incident = record_incident(world.officer("IR", "law_enforcement"))
        request = ask(world.officer("IR", "law_enforcement"), incident, "DE")
        assert (
            _answer(world.officer("DE", "regulator"), request, operator_ids=["nobody"]).status_code
            == 400
        )
        (still,) = walk(world.officer("DE", "regulator"), REQUESTS)
        assert still["status"] == "open"


class TestList:
    def test_each_country_lists_what_it_sent_or_received(self, world: World, api: Api) -> None:
        police = world.officer("IR", "law_enforcement")
        incident = record_incident(police)
        to_de = ask(police, incident, "DE")
        to_ae = ask(police, incident, "AE")

        def ids(actor, **params):  # type: ignore[no-untyped-def]
            return {r["id"] for r in walk(actor, REQUESTS, **params)}

        assert ids(world.officer("IR", "customs")) == {to_de["id"], to_ae["id"]}
        assert ids(police, direction="received") == set()
        assert ids(world.officer("DE", "customs")) == {to_de["id"]}
        assert ids(world.officer("AF", "regulator")) == set()
        assert ids(api.analyst()) == {to_de["id"], to_ae["id"]}
        _answer(world.officer("AE", "regulator"), to_ae)
        assert ids(police, status="open") == {to_de["id"]}


class TestOverdue:
    def test_an_overdue_request_is_announced_once_to_both_sides(
        self, world: World, engine: Engine
    ) -> None:
        incident = record_incident(world.officer("IR", "law_enforcement"))
        soon = (date.today() + timedelta(days=1)).isoformat()
        request = ask(world.officer("IR", "law_enforcement"), incident, "DE", reply_by=soon)
        answered = ask(world.officer("IR", "law_enforcement"), incident, "AE", reply_by=soon)
        assert _answer(world.officer("AE", "regulator"), answered).status_code == 200
        assert announce_overdue_backtracking(engine) == 0
        later = date.today() + timedelta(days=3)
        assert announce_overdue_backtracking(engine, today=later) == 1
        assert announce_overdue_backtracking(engine, today=later) == 0
        alerts = world.alerts("backtracking.overdue", request["id"])
        assert set(alerts) == {
            "DE/regulator",
            "DE/law_enforcement",
            "IR/regulator",
            "IR/customs",
            "IR/law_enforcement",
        }
        assert world.alerts("backtracking.overdue", answered["id"]) == {}
        got = inbox(world.officer("IR", "law_enforcement"), event_type="backtracking.overdue")
        assert [a["subject_id"] for a in got] == [request["id"]]

    def test_a_request_past_its_date_reads_as_overdue(self, world: World, engine: Engine) -> None:
        incident = record_incident(world.officer("IR", "law_enforcement"))
        request = ask(world.officer("IR", "law_enforcement"), incident, "DE")
        with engine.begin() as connection:
            connection.exec_driver_sql(
                "UPDATE backtracking_request SET reply_by = '2020-01-01' WHERE id = "
                f"'{request['id']}'"
            )
        (listed,) = walk(world.officer("DE", "regulator"), REQUESTS)
        assert listed["overdue"] is True
