"""A PEN draft with bad input: a 4xx problem, and nothing written (no PEN, no audit, no number)."""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.factories import AUDIT, KMNO4, PENS, Api, Lane, lane, walk

PROBLEM = "https://pentrack.org/problems/"
TODAY = datetime.now(UTC).date()


def _days(n: int) -> str:
    return (TODAY + timedelta(days=n)).isoformat()


# (id, overrides of a valid body, status, problem type, field named in `errors[].loc` for 422s)
CASES: list[tuple[str, dict[str, Any], int, str, str | None]] = [
    ("unknown-importing-country", {"importing_country": "XX"}, 400, "unknown-country", None),
    ("unknown-transit-country", {"transit_countries": ["XX"]}, 400, "unknown-country", None),
    (
        "malformed-country",
        {"importing_country": "D1"},
        422,
        "validation-error",
        "importing_country",
    ),
    (
        "three-letter-country",
        {"importing_country": "PAK"},
        422,
        "validation-error",
        "importing_country",
    ),
    ("unknown-cas", {"substance": "7732-18-5"}, 400, "unknown-substance", None),  # water
    ("malformed-cas", {"substance": "108-24"}, 422, "validation-error", "substance"),
    ("cas-not-digits", {"substance": "acetic"}, 422, "validation-error", "substance"),
    ("cas-bad-check-digit", {"substance": "108-24-8"}, 422, "validation-error", "substance"),
    ("zero-quantity", {"quantity": 0}, 422, "validation-error", "quantity"),
    (
        "dispatch-in-9999",
        {"expected_dispatch_date": "9999-12-31"},
        422,
        "validation-error",
        "expected_dispatch_date",
    ),
    ("reply-by-year-1", {"reply_by": "0001-01-01"}, 422, "validation-error", "reply_by"),
    (
        "dispatch-before-the-convention",
        {"expected_dispatch_date": "1989-12-31"},
        422,
        "validation-error",
        "expected_dispatch_date",
    ),
    ("negative-quantity", {"quantity": -5}, 422, "validation-error", "quantity"),
    ("non-numeric-quantity", {"quantity": "lots"}, 422, "validation-error", "quantity"),
    ("boolean-quantity", {"quantity": True}, 422, "validation-error", "quantity"),
    ("nan-quantity", {"quantity": "NaN"}, 422, "validation-error", "quantity"),
    ("huge-quantity", {"quantity": 10**13}, 422, "validation-error", "quantity"),
    ("astronomic-quantity", {"quantity": 1e300}, 422, "validation-error", "quantity"),
    ("sub-gram-quantity", {"quantity": 1.0001}, 422, "validation-error", "quantity"),
    ("wrong-unit", {"unit": "gallon"}, 422, "validation-error", "unit"),
    ("null-unit", {"unit": None}, 422, "validation-error", "unit"),
    ("litres-of-a-solid", {"substance": KMNO4}, 400, "unit-not-applicable", None),
    (
        "millilitres-of-a-solid",
        {"substance": KMNO4, "unit": "ml"},
        400,
        "unit-not-applicable",
        None,
    ),
    (
        "reply-by-after-dispatch",
        {"reply_by": _days(40), "expected_dispatch_date": _days(30)},
        422,
        "validation-error",
        None,
    ),
    ("reply-by-in-the-past", {"reply_by": _days(-1)}, 400, "reply-by-in-past", None),
    (
        "not-a-date",
        {"expected_dispatch_date": "next week"},
        422,
        "validation-error",
        "expected_dispatch_date",
    ),
    ("unknown-field", {"licence_fee": 12}, 422, "validation-error", "licence_fee"),
    ("same-country-both-ends", {"importing_country": "DE"}, 422, "validation-error", None),
    ("transit-through-an-end", {"transit_countries": ["DE"]}, 422, "validation-error", None),
    ("transit-twice", {"transit_countries": ["AE", "AE"]}, 422, "validation-error", None),
    (
        "unknown-mode",
        {"mode_of_transport": "teleport"},
        422,
        "validation-error",
        "mode_of_transport",
    ),
    (
        "unknown-payment",
        {"means_of_payment": "barter"},
        422,
        "validation-error",
        "means_of_payment",
    ),
    (
        "blank-point-of-entry",
        {"expected_point_of_entry": "  "},
        422,
        "validation-error",
        "expected_point_of_entry",
    ),
    ("unknown-exporter", {"exporter_id": "nobody"}, 400, "unknown-operator", None),
    ("unknown-consignee", {"consignee_id": "nobody"}, 400, "unknown-operator", None),
]


@pytest.fixture
def de_pk(api: Api) -> Lane:
    return lane(api, transit=())


def _assert_nothing_written(api: Api, de_pk: Lane, audit_before: list[dict[str, Any]]) -> None:
    assert walk(de_pk.exporting, PENS) == []
    assert walk(api.admin, AUDIT) == audit_before
    # The reference counter was not advanced either.
    assert de_pk.draft()["reference"].endswith("-000001")


class TestCreateRefuses:
    @pytest.mark.parametrize(
        ("overrides", "status", "problem_type", "field"),
        [pytest.param(*case[1:], id=case[0]) for case in CASES],
    )
    def test_bad_input_is_a_problem_and_writes_nothing(
        self,
        api: Api,
        de_pk: Lane,
        overrides: dict[str, Any],
        status: int,
        problem_type: str,
        field: str | None,
    ) -> None:
        body = de_pk.draft_body(**overrides)
        audit_before = walk(api.admin, AUDIT)
        response = de_pk.exporting.post(PENS, json=body)
        assert response.status_code == status, response.text
        assert response.headers["content-type"] == "application/problem+json"
        problem = response.json()
        assert problem["type"] == PROBLEM + problem_type
        assert problem["status"] == status
        assert problem["title"] and problem["detail"]
        if status == 422:
            assert problem["errors"]
            assert all(set(e) == {"loc", "msg", "type"} for e in problem["errors"])
            if field:
                assert ["body", field] in [e["loc"][:2] for e in problem["errors"]]
        _assert_nothing_written(api, de_pk, audit_before)

    @pytest.mark.parametrize("who", ["exporter_id", "importer_id"])
    def test_party_in_the_wrong_country_is_a_mismatch(
        self, api: Api, de_pk: Lane, who: str
    ) -> None:
        stranger = api.operator("FR", "Chimie de Lyon")
        audit_before = walk(api.admin, AUDIT)
        response = de_pk.exporting.post(PENS, json=de_pk.draft_body(**{who: stranger["id"]}))
        assert response.status_code == 400, response.text
        assert response.json()["type"] == PROBLEM + "party-country-mismatch"
        assert who in response.json()["detail"]
        _assert_nothing_written(api, de_pk, audit_before)

    def test_oversized_body_is_413(self, api: Api, de_pk: Lane) -> None:
        audit_before = walk(api.admin, AUDIT)
        body = de_pk.draft_body(intended_use="x" * (1024 * 1024 + 1))
        response = de_pk.exporting.post(PENS, json=body)
        assert response.status_code == 413
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["type"] == PROBLEM + "payload-too-large"
        _assert_nothing_written(api, de_pk, audit_before)

    def test_body_that_is_not_json_is_422(self, api: Api, de_pk: Lane) -> None:
        audit_before = walk(api.admin, AUDIT)
        response = de_pk.exporting.post(
            PENS, content=b"{not json", headers={"content-type": "application/json"}
        )
        assert response.status_code == 422, response.text
        assert response.json()["errors"][0]["type"] == "json_invalid"
        _assert_nothing_written(api, de_pk, audit_before)
