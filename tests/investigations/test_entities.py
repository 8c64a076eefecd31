"""Entity resolution: one real-world party across operator records, with its reasons; the
investigators' decisions stick through re-resolution."""

from sqlalchemy.engine import Engine

from app.core.db import open_session
from app.investigations.entities import resolve_all
from tests.factories import Api
from tests.investigations.helpers import ENTITIES, entity_of, twins


def _resolve_again(engine: Engine) -> None:
    """What `pentrack entities resolve` does: everything from scratch."""
    with open_session(engine, write=True) as session:
        resolve_all(session)
        session.commit()


class TestResolution:
    def test_twins_in_two_countries_resolve_to_one_entity_with_reasons(self, api: Api) -> None:
        first, second = twins(api)
        api.operator("AE", "Gulf Star Trading LLC", address="Office 4, Deira, Dubai")
        entity = entity_of(api.regulator("PK"), first)
        assert {m["operator_id"] for m in entity["members"]} == {first["id"], second["id"]}
        assert entity["countries"] == ["AE", "AF"]
        for member in entity["members"]:
            assert "same_address" in member["match_reasons"]
            similar = [r for r in member["match_reasons"] if r.startswith("similar_name:")]
            assert similar and float(similar[0].split(":")[1]) >= 0.8

    def test_a_registration_number_and_a_transliterated_name_join_two_records(
        self, api: Api
    ) -> None:
        first = api.operator("DE", "Müller Chemie GmbH", registration_number="HRB 12345")
        second = api.operator(
            "DE", "MUELLER CHEMIE AG", address="Elsewhere 9", registration_number="hrb-12345"
        )
        entity = entity_of(api.analyst(), first)
        assert {m["operator_id"] for m in entity["members"]} == {first["id"], second["id"]}
        assert all("same_registration_number" in m["match_reasons"] for m in entity["members"])

    def test_different_companies_stay_apart(self, api: Api) -> None:
        karachi = api.operator("PK", "Karachi Traders Pvt Ltd", address="1 Port Road, Karachi")
        lahore = api.operator("PK", "Lahore Traders Pvt Ltd", address="2 Mall Road, Lahore")
        assert entity_of(api.admin, karachi)["id"] != entity_of(api.admin, lahore)["id"]
        assert entity_of(api.admin, karachi)["members"][0]["match_reasons"] == []

    def test_an_entity_reads_by_id_and_an_unknown_one_is_404(self, api: Api) -> None:
        first, _ = twins(api)
        entity = entity_of(api.admin, first)
        response = api.law_enforcement("IR").get(f"{ENTITIES}/{entity['id']}")
        assert response.status_code == 200, response.text
        assert response.json()["name"] == entity["name"]
        missing = api.admin.get(f"{ENTITIES}/ent_nothing")
        assert missing.status_code == 404
        assert missing.json()["type"].endswith("entity-not-found")

    def test_customs_do_not_read_entities(self, api: Api) -> None:
        assert api.customs("PK").get(ENTITIES).status_code == 403


class TestDecisions:
    def test_a_split_sticks_through_resolving_again(self, api: Api, engine: Engine) -> None:
        first, second = twins(api)
        police = api.law_enforcement("AE")
        entity = entity_of(police, first)
        response = police.post(
            f"{ENTITIES}/{entity['id']}/decisions",
            json={
                "operator_id": first["id"],
                "other_operator_id": second["id"],
                "decision": "different",
            },
        )
        assert response.status_code == 200, response.text
        assert [m["operator_id"] for m in response.json()["members"]] == [first["id"]]
        _resolve_again(engine)
        # A third record of the same house arrives: the split still holds.
        api.operator("AE", "Al Noor Chemicals", address=JEBEL_ALI_SPACED)
        assert entity_of(police, first)["id"] != entity_of(police, second)["id"]

    def test_a_confirmation_joins_records_no_score_would(self, api: Api, engine: Engine) -> None:
        front = api.operator("AF", "Helmand Agro Supplies", address="Lashkar Gah")
        house = api.operator("AE", "Al-Noor Chemicals FZE", address="Dubai")
        regulator = api.regulator("AF")
        entity = entity_of(regulator, front)
        response = regulator.post(
            f"{ENTITIES}/{entity['id']}/decisions",
            json={"operator_id": front["id"], "other_operator_id": house["id"], "decision": "same"},
        )
        assert response.status_code == 200, response.text
        members = {m["operator_id"]: m["match_reasons"] for m in response.json()["members"]}
        assert members == {
            front["id"]: ["confirmed_by_investigator"],
            house["id"]: ["confirmed_by_investigator"],
        }
        _resolve_again(engine)
        assert entity_of(regulator, front)["id"] == entity_of(regulator, house)["id"]
        # The entity's old id still finds the party.
        again = regulator.get(f"{ENTITIES}/{entity['id']}")
        assert again.status_code == 200
        assert front["id"] in {m["operator_id"] for m in again.json()["members"]}

    def test_a_decision_on_an_operator_outside_the_entity_is_422(self, api: Api) -> None:
        first, second = twins(api)
        other = api.operator("FR", "Chimie du Nord SA", address="Lille")
        regulator = api.regulator("FR")
        entity = entity_of(regulator, first)
        response = regulator.post(
            f"{ENTITIES}/{entity['id']}/decisions",
            json={
                "operator_id": other["id"],
                "other_operator_id": second["id"],
                "decision": "same",
            },
        )
        assert response.status_code == 422
        assert response.json()["type"].endswith("not-an-entity-member")

    def test_analysts_may_not_decide(self, api: Api) -> None:
        first, second = twins(api)
        analyst = api.analyst()
        entity = entity_of(analyst, first)
        response = analyst.post(
            f"{ENTITIES}/{entity['id']}/decisions",
            json={
                "operator_id": first["id"],
                "other_operator_id": second["id"],
                "decision": "different",
            },
        )
        assert response.status_code == 403


JEBEL_ALI_SPACED = "Plot 12,  Jebel Ali Free Zone, Dubai"
