"""Cases: opened by an investigator's authority, shared with the authorities it invites and read
by no one else; members read what the case holds under its scope; every read is audited."""

from typing import Any

from tests.factories import AUDIT, Actor, Api, lane, manual_flag, record_shipment
from tests.incidents.helpers import record_incident
from tests.investigations.helpers import CASES, entity_of, twins


def _open(actor: Actor, **body: Any) -> dict[str, Any]:
    response = actor.post(CASES, json={"title": "Port Qasim consignee", **body})
    assert response.status_code == 201, response.text
    assert response.headers["Location"].endswith(response.json()["id"])
    return dict(response.json())


def _add(actor: Actor, case: dict[str, Any], type_: str, id_: str) -> Any:
    return actor.post(f"{CASES}/{case['id']}/items", json={"type": type_, "id": id_})


def _invite(owner: Actor, case: dict[str, Any], authority_id: str | None) -> Any:
    return owner.post(f"{CASES}/{case['id']}/members", json={"authority_id": authority_id})


def _items(actor: Actor, case: dict[str, Any]) -> dict[str, dict[str, Any]]:
    response = actor.get(f"{CASES}/{case['id']}")
    assert response.status_code == 200, response.text
    return {item["id"]: item for item in response.json()["items"]}


class TestSharing:
    def test_a_case_shared_with_an_invited_authority_is_read_by_it_and_no_one_else(
        self, api: Api
    ) -> None:
        owner = api.law_enforcement("PK")
        case = _open(owner, summary="Consignee traced to other importers")
        invited = api.regulator("DE")
        assert invited.get(f"{CASES}/{case['id']}").status_code == 404
        assert _invite(owner, case, invited.authority_id).status_code == 201
        assert invited.get(f"{CASES}/{case['id']}").status_code == 200
        assert case["id"] in {c["id"] for c in invited.get(CASES).json()["items"]}
        # Not the owner's or the invitee's country colleagues, nor anyone else.
        for outsider in (api.regulator("PK"), api.law_enforcement("DE"), api.regulator("FR")):
            assert outsider.get(f"{CASES}/{case['id']}").status_code == 404
            assert case["id"] not in {c["id"] for c in outsider.get(CASES).json()["items"]}
        for other_role in (api.analyst(), api.admin, api.customs("PK")):
            assert other_role.get(f"{CASES}/{case['id']}").status_code == 403

    def test_members_read_the_items_cut_to_the_cases_scope(self, api: Api) -> None:
        trade = lane(api, "IR", "PK", ())
        shipment = record_shipment(api.customs("PK"), None, **trade.shipment_body())
        owner = api.law_enforcement("PK")
        case = _open(owner, scope="confidential")
        assert _add(owner, case, "shipment", shipment["id"]).status_code == 201
        first, _ = twins(api)
        entity = entity_of(api.admin, first)
        assert _add(owner, case, "entity", entity["id"]).status_code == 201
        invited = api.law_enforcement("DE")
        assert _invite(owner, case, invited.authority_id).status_code == 201
        mine, theirs = _items(owner, case), _items(invited, case)
        assert set(theirs) == {shipment["id"], entity["id"]}
        assert mine[shipment["id"]]["record"]["quantity_kg"] is not None
        assert "quantity_kg" not in theirs[shipment["id"]]["record"]
        assert theirs[entity["id"]]["record"]["countries"] == ["AE", "AF"]

    def test_only_the_owner_invites_and_only_investigating_authorities(self, api: Api) -> None:
        owner = api.regulator("PK")
        case = _open(owner)
        invited = api.regulator("DE")
        assert _invite(owner, case, invited.authority_id).status_code == 201
        assert _invite(owner, case, invited.authority_id).status_code == 409
        assert _invite(invited, case, api.authority("FR")).status_code == 403
        response = _invite(owner, case, api.authority("FR", "customs"))
        assert response.status_code == 422
        assert response.json()["type"].endswith("unknown-authority")


class TestConfidentiality:
    def test_a_draft_pen_is_never_added(self, api: Api) -> None:
        trade = lane(api, "DE", "PK", ())
        owner = api.regulator("DE")
        case = _open(owner)
        response = _add(owner, case, "pre_export_notification", trade.draft()["id"])
        assert response.status_code == 422
        assert response.json()["type"].endswith("unknown-case-item")

    def test_a_record_the_adder_may_not_read_is_unknown(self, api: Api) -> None:
        trade = lane(api, "DE", "AF", ())
        shipment = record_shipment(api.customs("AF"), None, **trade.shipment_body())
        owner = api.law_enforcement("PK")
        case = _open(owner)
        response = _add(owner, case, "shipment", shipment["id"])
        assert response.status_code == 422
        assert shipment["id"] not in response.text.replace(f"{shipment['id']!r}", "")

    def test_a_record_of_an_uninvited_country_does_not_reach_the_members(self, api: Api) -> None:
        # Iran's incident names Pakistan: Pakistan reads it, Germany (invited) may not.
        incident = record_incident(
            api.law_enforcement("IR"),
            origin_country="AF",
            destination_country="PK",
            transit_countries=[],
        )
        trade = lane(api, "PK", "AF", ())
        flag = manual_flag(
            api.customs("PK"),
            record_shipment(api.customs("PK"), None, **trade.shipment_body()),
            "medium",
            "Route changed twice",
        )
        owner = api.law_enforcement("PK")
        case = _open(owner, scope="full")
        assert _add(owner, case, "incident", incident["id"]).status_code == 201
        assert _add(owner, case, "flag", flag["id"]).status_code == 201
        invited = api.law_enforcement("DE")
        assert _invite(owner, case, invited.authority_id).status_code == 201
        assert set(_items(owner, case)) == {incident["id"], flag["id"]}
        response = invited.get(f"{CASES}/{case['id']}")
        assert set(_items(invited, case)) == {flag["id"]}
        assert incident["id"] not in response.text
        assert incident["reference"] not in response.text


class TestAudit:
    def test_every_read_and_change_of_a_case_is_audited(self, api: Api) -> None:
        owner = api.law_enforcement("PK")
        case = _open(owner)
        invited = api.regulator("DE")
        _invite(owner, case, invited.authority_id)
        note = owner.post(f"{CASES}/{case['id']}/notes", json={"text": "Same address as 2016"})
        assert note.status_code == 201, note.text
        invited.get(f"{CASES}/{case['id']}")
        owner.get(f"{CASES}/{case['id']}")
        rows = api.admin.get(AUDIT, params={"subject_id": case["id"], "limit": 500}).json()["items"]
        actions = sorted(r["action"] for r in rows)
        assert actions == [
            "case.member_invited",
            "case.note_added",
            "case.opened",
            "case.read",
            "case.read",
        ]
        readers = {r["actor_user_id"] for r in rows if r["action"] == "case.read"}
        assert len(readers) == 2
