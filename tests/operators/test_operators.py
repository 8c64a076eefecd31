"""Operators: the companies named on notifications and shipments."""

from typing import Any

import pytest

from tests.factories import AUDIT, Actor, Api, walk

PROBLEM = "https://pentrack.org/problems/"
OPERATORS = "/api/v1/operators"


@pytest.fixture
def regulator(api: Api) -> Actor:
    return api.regulator("DE")


def _operator(**fields: Any) -> dict[str, Any]:
    return {
        "name": "Rheinchemie GmbH",
        "country": "DE",
        "address": "Hafenstr. 1, Duisburg",
        **fields,
    }


class TestRegister:
    def test_regulator_registers_an_operator_and_it_is_audited(
        self, api: Api, regulator: Actor
    ) -> None:
        response = regulator.post(
            OPERATORS,
            json=_operator(
                kind="manufacturer", licence_number="DE-L-1", licence_valid_until="2027-12-31"
            ),
        )
        assert response.status_code == 201, response.text
        created = response.json()
        assert regulator.get(f"{OPERATORS}/{created['id']}").json() == created
        [event] = walk(api.admin, AUDIT, subject_id=created["id"])
        assert event["action"] == "operator.created"
        assert event["actor_authority_id"] == regulator.authority_id
        assert event["after"]["licence_number"] == "DE-L-1"

    def test_an_exporting_regulator_may_register_the_foreign_importer(
        self, regulator: Actor
    ) -> None:
        response = regulator.post(OPERATORS, json=_operator(name="Indus Textiles", country="PK"))
        assert response.status_code == 201, response.text
        assert response.json()["country"] == "PK"

    @pytest.mark.parametrize(
        ("fields", "status", "problem_type"),
        [
            ({"country": "XX"}, 400, "unknown-country"),
            ({"country": "Germany"}, 422, "validation-error"),
            ({"name": ""}, 422, "validation-error"),
            ({"address": None}, 422, "validation-error"),
            ({"kind": "smuggler"}, 422, "validation-error"),
            ({"licence_valid_until": "soon"}, 422, "validation-error"),
            ({"vat": "DE123"}, 422, "validation-error"),
        ],
        ids=str,
    )
    def test_bad_operator_is_refused_and_writes_nothing(
        self, api: Api, regulator: Actor, fields: dict[str, Any], status: int, problem_type: str
    ) -> None:
        audit_before = walk(api.admin, AUDIT)
        response = regulator.post(OPERATORS, json=_operator(**fields))
        assert response.status_code == status, response.text
        assert response.json()["type"] == PROBLEM + problem_type
        assert walk(regulator, OPERATORS) == []
        assert walk(api.admin, AUDIT) == audit_before


class TestRead:
    def test_list_filters_by_country_and_part_of_the_name(self, regulator: Actor) -> None:
        for name, country in [("Rheinchemie", "DE"), ("Elbe Chemie", "DE"), ("Indus", "PK")]:
            assert (
                regulator.post(OPERATORS, json=_operator(name=name, country=country)).status_code
                == 201
            )
        de = [o["name"] for o in walk(regulator, OPERATORS, country="DE")]
        assert de == ["Elbe Chemie", "Rheinchemie"]  # newest first
        assert [o["name"] for o in walk(regulator, OPERATORS, name="chemie")] == de

    def test_unknown_operator_is_404(self, regulator: Actor) -> None:
        response = regulator.get(f"{OPERATORS}/nobody")
        assert response.status_code == 404
        assert response.json()["type"] == PROBLEM + "operator-not-found"
