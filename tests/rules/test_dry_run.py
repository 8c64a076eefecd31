"""Dry runs: which stored PENs and shipments a rule would have flagged; nothing is written."""

from typing import Any

import pytest

from tests.factories import AUDIT, Api, walk
from tests.rules.trade import FLAGS, PROBLEM, RULES, Trade

DRY_RUN = f"{RULES}/dry-run"
CASH_ONLY = {
    "title": "Paid in cash",
    "severity": "medium",
    "weight": 3,
    "subjects": ["shipment"],
    "condition": {"in": {"fact": "means_of_payment"}, "list": ["cash"]},
    "explanation": "Paid in {means_of_payment} for {quantity_kg} kg.",
}
# Two lots between the same parties within 30 days that together pass 500 kg.
SPLIT_AT_500 = {
    "title": "Split under 500 kg",
    "severity": "low",
    "subjects": ["shipment"],
    "condition": {
        "all": [
            {
                "cmp": "ge",
                "left": {"aggregate": "count", "over": "parties_substance", "days": 30},
                "right": {"value": 1},
            },
            {
                "cmp": "gt",
                "left": {
                    "op": "add",
                    "args": [
                        {"aggregate": "sum", "over": "parties_substance", "days": 30},
                        {"fact": "quantity_kg"},
                    ],
                },
                "right": {"value": 500},
            },
        ]
    },
    "explanation": "{agg_parties_substance_30d_sum} kg before this {quantity_kg} kg.",
}


def _stored(api: Api) -> tuple[list[Any], list[Any], list[Any]]:
    """Everything a dry run must not touch."""
    return walk(api.admin, FLAGS), walk(api.admin, AUDIT), walk(api.admin, RULES)


class TestDryRun:
    def test_an_unsaved_rule_finds_exactly_the_shipments_it_would_flag_and_writes_nothing(
        self, api: Api, de_pk: Trade
    ) -> None:
        pen = de_pk.pen("no_objection")
        cash = de_pk.ship(pen, means_of_payment="cash", quantity=1000)
        de_pk.ship(pen, means_of_payment="hawala", quantity=1000)
        de_pk.ship(pen, means_of_payment="letter_of_credit", quantity=1000)
        before = _stored(api)

        response = api.admin.post(DRY_RUN, json={"rule": CASH_ONLY})
        assert response.status_code == 200, response.text
        result = response.json()
        assert result["evaluated"] == 4  # the three, and the importer's earlier shipment
        assert result["hits"] == [
            {
                "subject_type": "shipment",
                "subject_id": cash["id"],
                "explanation": "Paid in cash for 1,080 kg.",
                "evidence": {"means_of_payment": "cash"},
            }
        ]
        assert _stored(api) == before

    def test_history_aggregates_are_taken_as_of_each_stored_shipment(
        self, api: Api, first_time: Trade
    ) -> None:
        lots = [
            first_time.ship(first_time.pen("no_objection", quantity=kg, unit="kg"))
            for kg in (200, 200, 200)
        ]
        before = _stored(api)
        result = api.admin.post(DRY_RUN, json={"rule": SPLIT_AT_500}).json()
        assert result["evaluated"] == 3
        assert [(h["subject_id"], h["explanation"]) for h in result["hits"]] == [
            (lots[2]["id"], "400 kg before this 200 kg.")
        ]
        assert _stored(api) == before

    def test_a_saved_rule_is_dry_run_by_code_on_pens_and_shipments(
        self, api: Api, de_pk: Trade
    ) -> None:
        pen = de_pk.pen("sent", means_of_payment="hawala")
        shipment = de_pk.ship(pen, means_of_payment="third_party")
        result = api.admin.post(DRY_RUN, json={"code": "unusual-payment"}).json()
        assert {(h["subject_type"], h["subject_id"]) for h in result["hits"]} == {
            ("pre_export_notification", pen["id"]),
            ("shipment", shipment["id"]),
        }
        only_pens = api.admin.post(
            DRY_RUN, json={"code": "unusual-payment", "subject_type": "pre_export_notification"}
        ).json()
        assert [h["subject_id"] for h in only_pens["hits"]] == [pen["id"]]
        assert only_pens["evaluated"] == 1

    def test_drafts_stay_out_of_a_dry_run(self, api: Api, de_pk: Trade) -> None:
        draft = de_pk.pen("draft", means_of_payment="hawala")
        sent = de_pk.pen("sent", means_of_payment="hawala")
        result = api.admin.post(
            DRY_RUN, json={"code": "unusual-payment", "subject_type": "pre_export_notification"}
        ).json()
        assert [h["subject_id"] for h in result["hits"]] == [sent["id"]]
        assert draft["id"] != sent["id"]

    def test_limit_takes_the_newest_subjects(self, api: Api, de_pk: Trade) -> None:
        pen = de_pk.pen("no_objection")
        older = de_pk.ship(pen, means_of_payment="cash", quantity=100)
        newer = de_pk.ship(pen, means_of_payment="cash", quantity=100)
        result = api.admin.post(DRY_RUN, json={"rule": CASH_ONLY, "limit": 1}).json()
        assert result["evaluated"] == 1
        assert [h["subject_id"] for h in result["hits"]] == [newer["id"]]
        assert older["id"] != newer["id"]

    @pytest.mark.parametrize(
        ("body", "status", "problem"),
        [
            ({}, 422, "validation-error"),
            ({"code": "unusual-payment", "rule": CASH_ONLY}, 422, "validation-error"),
            ({"rule": {**CASH_ONLY, "condition": {"is_null": "cash"}}}, 422, "validation-error"),
            ({"rule": CASH_ONLY, "limit": 0}, 422, "validation-error"),
            ({"code": "no-such-rule"}, 404, "rule-not-found"),
        ],
        ids=["neither", "both", "unknown-fact", "limit-zero", "unknown-code"],
    )
    def test_a_bad_request_is_a_problem(
        self, api: Api, body: dict[str, Any], status: int, problem: str
    ) -> None:
        response = api.admin.post(DRY_RUN, json=body)
        assert response.status_code == status, response.text
        assert response.json()["type"] == PROBLEM + problem
