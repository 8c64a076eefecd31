"""NUL characters are refused with 422 wherever a request carries them, before anything is
written (PostgreSQL cannot store them; SQLite would)."""

import pytest

from tests.factories import PENS, SHIPMENTS, Api, lane, walk


def _assert_refused(response: object) -> None:
    assert response.status_code == 422, response.text  # type: ignore[attr-defined]
    assert response.headers["content-type"] == "application/problem+json"  # type: ignore[attr-defined]
    problem = response.json()  # type: ignore[attr-defined]
    assert problem["type"].endswith("/validation-error")
    assert problem["errors"][0]["type"] == "nul_character"


class TestNul:
    @pytest.mark.parametrize(
        "field", ["expected_point_of_entry", "intended_use", "means_of_payment"]
    )
    def test_a_nul_in_a_body_string_is_422_and_writes_nothing(self, api: Api, field: str) -> None:
        de_pk = lane(api)
        body = de_pk.draft_body(**{field: "Karachi\u0000port"})
        _assert_refused(de_pk.exporting.post(PENS, json=body))
        assert walk(de_pk.exporting, PENS) == []

    def test_a_nul_in_a_key_of_a_free_form_object_is_422(self, api: Api) -> None:
        de_pk = lane(api)
        body = de_pk.draft_body(other_information={"a\u0000b": 1})
        _assert_refused(de_pk.exporting.post(PENS, json=body))

    @pytest.mark.parametrize("query", ["reference=DE%00", "status=%00", "customs_reference=a%00b"])
    def test_a_nul_in_a_query_filter_is_422(self, api: Api, query: str) -> None:
        de_pk = lane(api)
        _assert_refused(de_pk.exporting.get(f"{PENS}?{query}"))
        _assert_refused(api.customs("AE").get(f"{SHIPMENTS}?{query}"))

    def test_a_nul_in_a_path_id_is_422(self, api: Api) -> None:
        _assert_refused(api.admin.get(f"{PENS}/abc%00def"))

    def test_a_nul_in_a_cookie_is_422_without_authentication(self, api: Api) -> None:
        response = api.client.get("/dashboard", headers={"Cookie": "pentrack_session=abc%00def"})
        _assert_refused(response)
