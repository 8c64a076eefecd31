"""Article 12(10)(a) invocations and no-licit-need declarations, kept current by admins."""

from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from tests.factories import AA, AUDIT, Actor, Api, at_once, walk

PROBLEM = "https://pentrack.org/problems/"
REQUIREMENTS = "/api/v1/pen-requirements"


def _requirement(**fields: Any) -> dict[str, Any]:
    # source "test": the conftest removes these after each test and keeps the seeded ones.
    return {"country": "TV", "cas_number": AA, "since": "2024-03-01", "source": "test", **fields}


class TestList:
    def test_afghanistan_declared_no_licit_need_for_acetic_anhydride(self, api: Api) -> None:
        items = api.analyst().get(REQUIREMENTS, params={"country": "af"}).json()["items"]
        assert any(r["cas_number"] == AA and r["no_licit_need"] for r in items)
        assert {r["country"] for r in items} == {"AF"}

    def test_any_authenticated_user_may_read(self, api: Api) -> None:
        assert api.customs("AE").get(REQUIREMENTS).status_code == 200
        assert api.client.get(REQUIREMENTS).status_code == 401


class TestCreate:
    def test_admin_adds_a_requirement_that_is_listed_and_audited(self, api: Api) -> None:
        response = api.admin.post(REQUIREMENTS, json=_requirement())
        assert response.status_code == 201, response.text
        created = response.json()
        assert created["requires_pen"] is True and created["no_licit_need"] is False
        listed = api.admin.get(REQUIREMENTS, params={"country": "TV"}).json()["items"]
        assert [r["id"] for r in listed] == [created["id"]]
        [event] = walk(api.admin, AUDIT, subject_id=created["id"])
        assert event["action"] == "pen_requirement.created"
        assert event["actor_role"] == "admin"
        assert event["before"] is None
        assert event["after"]["cas_number"] == AA

    def test_a_whole_table_may_be_covered(self, api: Api) -> None:
        response = api.admin.post(REQUIREMENTS, json=_requirement(cas_number=None, table="II"))
        assert response.status_code == 201, response.text
        assert (response.json()["cas_number"], response.json()["table"]) == (None, "II")

    def test_duplicate_is_409(self, api: Api) -> None:
        assert api.admin.post(REQUIREMENTS, json=_requirement()).status_code == 201
        response = api.admin.post(REQUIREMENTS, json=_requirement())
        assert response.status_code == 409
        assert response.json()["type"] == PROBLEM + "duplicate-pen-requirement"

    @pytest.mark.parametrize("scope", [{"cas_number": AA}, {"cas_number": None, "table": "II"}])
    def test_concurrent_twins_leave_one_requirement(
        self, api: Api, app: FastAPI, scope: dict[str, Any]
    ) -> None:
        body = _requirement(**scope)
        answers = at_once(app, api.admin, [lambda a: a.post(REQUIREMENTS, json=body)] * 4)
        assert sorted(r.status_code for r in answers) == [201, 409, 409, 409]
        assert all(
            r.json()["type"] == PROBLEM + "duplicate-pen-requirement"
            for r in answers
            if r.status_code == 409
        )
        listed = api.admin.get(REQUIREMENTS, params={"country": "TV"}).json()["items"]
        assert len(listed) == 1

    def test_the_database_refuses_a_twin_written_around_the_api(
        self, api: Api, engine: Engine
    ) -> None:
        assert (
            api.admin.post(REQUIREMENTS, json=_requirement(cas_number=None, table="I")).status_code
            == 201
        )
        twin = (
            "INSERT INTO pen_requirement (id, country, requires_pen, no_licit_need, source, "
            "created_at, \"table\", scope_key) VALUES ('twin', 'TV', :yes, :no, 'test', :now, "
            "'I', '*|I')"
        )
        with pytest.raises(IntegrityError), engine.begin() as connection:
            connection.execute(text(twin), {"yes": True, "no": False, "now": datetime.now(UTC)})

    @pytest.mark.parametrize(
        ("fields", "status", "problem_type"),
        [
            ({"country": "XX"}, 400, "unknown-country"),
            ({"cas_number": "7732-18-5"}, 400, "unknown-substance"),
            ({"cas_number": "108-24-8"}, 422, "validation-error"),
            ({"table": "I"}, 422, "validation-error"),  # both a substance and a table
            ({"cas_number": None}, 422, "validation-error"),  # neither
            ({"requires_pen": False}, 422, "validation-error"),  # says nothing
            ({"table_iii": True}, 422, "validation-error"),
        ],
        ids=str,
    )
    def test_bad_requirement_is_refused_and_writes_nothing(
        self, api: Api, fields: dict[str, Any], status: int, problem_type: str
    ) -> None:
        admin = api.admin
        before, audit_before = walk(admin, REQUIREMENTS), walk(admin, AUDIT)
        response = admin.post(REQUIREMENTS, json=_requirement(**fields))
        assert response.status_code == status, response.text
        assert response.json()["type"] == PROBLEM + problem_type
        assert walk(admin, REQUIREMENTS) == before
        assert walk(admin, AUDIT) == audit_before


class TestDelete:
    def test_admin_removes_a_requirement_and_the_audit_keeps_it(self, api: Api) -> None:
        created = api.admin.post(REQUIREMENTS, json=_requirement()).json()
        response = api.admin.delete(f"{REQUIREMENTS}/{created['id']}")
        assert response.status_code == 204
        assert response.content == b""
        assert api.admin.get(REQUIREMENTS, params={"country": "TV"}).json()["items"] == []
        latest = walk(api.admin, AUDIT, subject_id=created["id"])[0]
        assert latest["action"] == "pen_requirement.deleted"
        assert latest["before"] == created
        assert latest["after"] is None

    def test_unknown_requirement_is_404(self, api: Api) -> None:
        response = api.admin.delete(f"{REQUIREMENTS}/nothing-here")
        assert response.status_code == 404
        assert response.json()["type"] == PROBLEM + "pen-requirement-not-found"

    @pytest.mark.parametrize("who", ["regulator", "analyst"])
    def test_only_admins_edit_the_list(self, api: Api, who: str) -> None:
        created = api.admin.post(REQUIREMENTS, json=_requirement()).json()
        actor: Actor = api.regulator("TV") if who == "regulator" else api.analyst()
        assert (
            actor.post(REQUIREMENTS, json=_requirement(cas_number=None, table="I")).status_code
            == 403
        )
        assert actor.delete(f"{REQUIREMENTS}/{created['id']}").status_code == 403
        assert [r["id"] for r in walk(api.admin, REQUIREMENTS, country="TV")] == [created["id"]]
