"""Rules as data: admins write them (checked when written), edit them as versions, switch them
on and off; every change is audited, and flags keep naming the version that raised them."""

from typing import Any

import pytest
from sqlalchemy.engine import Engine

from app.core.db import open_session
from app.rules.builtin import BUILTIN_RULES
from app.rules.service import seed_builtin_rules
from tests.factories import AUDIT, Actor, Api, walk
from tests.rules.trade import FLAGS, PROBLEM, RULES, Trade, by_rule, flags_on, patch

UNUSUAL_PAYMENT = next(r for r in BUILTIN_RULES if r["code"] == "unusual-payment")


def _definition(**changes: Any) -> dict[str, Any]:
    """The built-in unusual-payment rule's definition, changed."""
    body = {k: v for k, v in UNUSUAL_PAYMENT.items() if k != "code"}
    return {**body, **changes}


OPEN_ACCOUNT_TOO = _definition(
    condition={
        "in": {"fact": "means_of_payment"},
        "list": ["cash", "third_party", "hawala", "other", "open_account"],
    },
    explanation="Paid by {means_of_payment}: no bank vouches for the buyer.",
)
CONSIGNED_TO_A_FORWARDER = {
    "code": "consignee-forwarder",
    "title": "Consignee is a forwarder or broker",
    "severity": "medium",
    "weight": 2,
    "subjects": ["shipment", "pre_export_notification"],
    "condition": {"in": {"fact": "consignee_kind"}, "list": ["forwarder", "broker"]},
    "explanation": "Consigned to a {consignee_kind}, not to the user of the substance.",
}


def _audit(api: Api, subject_id: str) -> list[dict[str, Any]]:
    return walk(api.admin, AUDIT, subject_id=subject_id)


class TestCreate:
    def test_an_admin_adds_a_rule_that_judges_the_next_shipment(
        self, api: Api, de_pk: Trade
    ) -> None:
        response = api.admin.post(RULES, json=CONSIGNED_TO_A_FORWARDER)
        assert response.status_code == 201, response.text
        rule = response.json()
        assert (rule["version"], rule["is_current"], rule["builtin"]) == (1, True, False)
        [audit] = _audit(api, rule["id"])
        assert (audit["action"], audit["actor_role"]) == ("rule.created", "admin")
        assert audit["after"]["condition"] == CONSIGNED_TO_A_FORWARDER["condition"]

        forwarder = api.operator("PK", "Karachi Freight", kind="forwarder")
        pen = de_pk.pen("no_objection", consignee_id=forwarder["id"])
        shipment = de_pk.ship(pen, consignee_id=forwarder["id"])
        flag = by_rule(api.admin, shipment["id"])["consignee-forwarder"]
        assert flag["explanation"] == "Consigned to a forwarder, not to the user of the substance."
        assert flag["rule_version"] == 1

    @pytest.mark.parametrize(
        ("condition", "explanation", "subjects"),
        [
            ({"cmp": "gt", "left": {"fact": "pen_quantity"}, "right": {"value": 0}}, "x", None),
            ({"is_null": "importer_licence"}, "x", None),
            (
                {"cmp": "gt", "left": {"fact": "agg_bogus_365d_avg"}, "right": {"value": 0}},
                "x",
                None,
            ),
            ({"is_null": "quantity_kg"}, "{importer_name} bought {quantity_tonnes} t", None),
            ({"cmp": "eq", "left": {"fact": "has_pen"}, "right": {"value": False}}, "x", "both"),
            ({"cmp": "between", "left": {"fact": "quantity_kg"}, "right": {"value": 1}}, "x", None),
            ({"is_null": "quantity_kg"}, "{quantity_kg", None),
        ],
        ids=[
            "unknown-fact",
            "unknown-null-check",
            "aggregate-not-computed",
            "unknown-in-explanation",
            "shipment-fact-on-pens",
            "malformed",
            "bad-template",
        ],
    )
    def test_a_rule_naming_what_does_not_exist_is_refused_and_writes_nothing(
        self,
        api: Api,
        condition: dict[str, Any],
        explanation: str,
        subjects: str | None,
    ) -> None:
        body = {**CONSIGNED_TO_A_FORWARDER, "condition": condition, "explanation": explanation}
        if subjects:
            body["subjects"] = ["shipment", "pre_export_notification"]
        else:
            body["subjects"] = ["shipment"]
        audit_before = walk(api.admin, AUDIT)
        response = api.admin.post(RULES, json=body)
        assert response.status_code == 422, response.text
        problem = response.json()
        assert problem["type"] == PROBLEM + "validation-error"
        assert problem["errors"] and all(
            {"loc", "msg", "type"} <= set(e) for e in problem["errors"]
        )
        assert api.admin.get(f"{RULES}/consignee-forwarder").status_code == 404
        assert walk(api.admin, AUDIT) == audit_before

    def test_the_refusal_names_the_unknown_fact(self, api: Api) -> None:
        condition = {"cmp": "gt", "left": {"fact": "pen_quantity"}, "right": {"value": 0}}
        body = {**CONSIGNED_TO_A_FORWARDER, "condition": condition}
        [error] = api.admin.post(RULES, json=body).json()["errors"]
        assert "pen_quantity" in error["msg"]

    def test_a_code_in_use_is_a_conflict(self, api: Api) -> None:
        response = api.admin.post(RULES, json={**CONSIGNED_TO_A_FORWARDER, "code": "pen-missing"})
        assert response.status_code == 409
        assert response.json()["type"] == PROBLEM + "duplicate-rule-code"

    def test_every_reader_lists_the_rules_and_the_facts_they_may_name(self, api: Api) -> None:
        customs = api.customs("PK")
        codes = {r["code"] for r in walk(customs, RULES)}
        assert codes == {r["code"] for r in BUILTIN_RULES}
        facts = {f["name"]: f for f in walk(customs, f"{RULES}/facts")}
        assert facts["has_pen"]["subjects"] == ["shipment"]
        assert set(facts["quantity_kg"]["subjects"]) == {"shipment", "pre_export_notification"}


@pytest.fixture
def cash(api: Api, de_pk: Trade) -> dict[str, Any]:
    """A shipment paid in cash, flagged by version 1 of unusual-payment."""
    shipment = de_pk.ship(de_pk.pen("no_objection"), means_of_payment="cash")
    assert by_rule(api.admin, shipment["id"])["unusual-payment"]["rule_version"] == 1
    return shipment


class TestVersions:
    def test_an_edit_is_version_2_and_version_1_stays(self, api: Api) -> None:
        response = api.admin.post(f"{RULES}/unusual-payment/versions", json=OPEN_ACCOUNT_TOO)
        assert response.status_code == 201, response.text
        v2 = response.json()
        assert (v2["code"], v2["version"], v2["is_current"]) == ("unusual-payment", 2, True)
        rule = api.admin.get(f"{RULES}/unusual-payment").json()
        assert (rule["id"], rule["version"]) == (v2["id"], 2)
        assert [(v["version"], v["is_current"]) for v in rule["versions"]] == [
            (2, True),
            (1, False),
        ]
        assert rule["versions"][1]["condition"] == UNUSUAL_PAYMENT["condition"]
        assert [r["version"] for r in walk(api.admin, RULES) if r["code"] == "unusual-payment"] == [
            2
        ]

    def test_new_flags_name_version_2_and_earlier_flags_still_name_version_1(
        self, api: Api, de_pk: Trade, cash: dict[str, Any]
    ) -> None:
        [v1_flag] = flags_on(api.admin, cash["id"])
        api.admin.post(f"{RULES}/unusual-payment/versions", json=OPEN_ACCOUNT_TOO)
        shipment = de_pk.ship(de_pk.pen("no_objection"), means_of_payment="open_account")
        flag = by_rule(api.admin, shipment["id"])["unusual-payment"]
        assert flag["rule_version"] == 2
        assert flag["explanation"] == "Paid by open_account: no bank vouches for the buyer."
        assert api.admin.get(f"{FLAGS}/{v1_flag['id']}").json()["rule_version"] == 1

    def test_re_evaluation_after_an_edit_raises_the_new_version_on_the_same_subject(
        self, api: Api, de_pk: Trade, cash: dict[str, Any]
    ) -> None:
        api.admin.post(f"{RULES}/unusual-payment/versions", json=OPEN_ACCOUNT_TOO)
        de_pk.event(cash, "export_cleared")
        flags = flags_on(api.admin, cash["id"])
        assert sorted((f["rule"], f["rule_version"]) for f in flags) == [
            ("unusual-payment", 1),
            ("unusual-payment", 2),
        ]
        de_pk.event(cash, "departed")
        assert len(flags_on(api.admin, cash["id"])) == 2

    def test_an_edit_is_audited_with_both_definitions(self, api: Api) -> None:
        v1 = api.admin.get(f"{RULES}/unusual-payment").json()
        v2 = api.admin.post(f"{RULES}/unusual-payment/versions", json=OPEN_ACCOUNT_TOO).json()
        [audit] = _audit(api, v2["id"])
        assert (audit["action"], audit["actor_role"]) == ("rule.versioned", "admin")
        assert (audit["before"]["version"], audit["after"]["version"]) == (1, 2)
        assert audit["before"]["condition"] == v1["condition"]
        assert audit["after"]["condition"] == OPEN_ACCOUNT_TOO["condition"]

    def test_a_version_naming_an_unknown_fact_is_refused_and_version_1_stays_current(
        self, api: Api
    ) -> None:
        body = _definition(condition={"is_null": "payment_method"})
        response = api.admin.post(f"{RULES}/unusual-payment/versions", json=body)
        assert response.status_code == 422
        rule = api.admin.get(f"{RULES}/unusual-payment").json()
        assert [v["version"] for v in rule["versions"]] == [1]

    def test_versions_of_an_unknown_rule_are_404(self, api: Api) -> None:
        response = api.admin.post(f"{RULES}/no-such-rule/versions", json=OPEN_ACCOUNT_TOO)
        assert response.status_code == 404
        assert response.json()["type"] == PROBLEM + "rule-not-found"


class TestEnable:
    def test_a_disabled_rule_stops_firing_and_fires_again_when_enabled(
        self, api: Api, de_pk: Trade
    ) -> None:
        response = patch(api.admin, f"{RULES}/unusual-payment", {"enabled": False})
        assert response.status_code == 200, response.text
        assert response.json()["enabled"] is False
        assert api.admin.get(f"{RULES}/unusual-payment").json()["enabled"] is False
        shipment = de_pk.ship(de_pk.pen("no_objection"), means_of_payment="cash")
        assert by_rule(api.admin, shipment["id"]) == {}

        assert patch(api.admin, f"{RULES}/unusual-payment", {"enabled": True}).status_code == 200
        de_pk.event(shipment, "export_cleared")
        assert set(by_rule(api.admin, shipment["id"])) == {"unusual-payment"}

    def test_switching_is_audited(self, api: Api) -> None:
        rule_id = api.admin.get(f"{RULES}/unusual-payment").json()["id"]
        patch(api.admin, f"{RULES}/unusual-payment", {"enabled": False})
        patch(api.admin, f"{RULES}/unusual-payment", {"enabled": True})
        audit = _audit(api, rule_id)
        assert [a["action"] for a in audit] == ["rule.enabled", "rule.disabled"]
        assert (audit[1]["before"]["enabled"], audit[1]["after"]["enabled"]) == (True, False)

    @pytest.mark.parametrize("body", [{}, {"enabled": "maybe"}, {"enabled": True, "weight": 3}])
    def test_only_enabled_may_be_patched(self, api: Api, body: dict[str, Any]) -> None:
        assert patch(api.admin, f"{RULES}/unusual-payment", body).status_code == 422


def _writes(actor: Actor) -> list[Any]:
    return [
        actor.post(RULES, json=CONSIGNED_TO_A_FORWARDER),
        actor.post(f"{RULES}/unusual-payment/versions", json=OPEN_ACCOUNT_TOO),
        patch(actor, f"{RULES}/unusual-payment", {"enabled": False}),
        actor.post(f"{RULES}/dry-run", json={"code": "unusual-payment"}),
    ]


class TestOnlyAdminsWriteRules:
    @pytest.mark.parametrize("role", ["regulator", "customs", "analyst"])
    def test_others_are_refused_and_nothing_changes(self, api: Api, role: str) -> None:
        actor = {
            "regulator": lambda: api.regulator("DE"),
            "customs": lambda: api.customs("PK"),
            "analyst": api.analyst,
        }[role]()
        assert [r.status_code for r in _writes(actor)] == [403, 403, 403, 403]
        rule = actor.get(f"{RULES}/unusual-payment").json()
        assert ([v["version"] for v in rule["versions"]], rule["enabled"]) == ([1], True)
        assert actor.get(f"{RULES}/consignee-forwarder").status_code == 404

    def test_without_a_token_it_is_401(self, api: Api) -> None:
        assert api.client.post(RULES, json=CONSIGNED_TO_A_FORWARDER).status_code == 401
        assert api.client.get(RULES).status_code == 401


class TestSeed:
    def test_seeding_again_changes_no_rule(self, api: Api, engine: Engine) -> None:
        with open_session(engine, write=True) as session:
            counts = seed_builtin_rules(session)
            session.commit()
        assert counts == {"rules created": 0, "rules versioned": 0}
        assert all(r["version"] == 1 for r in walk(api.admin, RULES))
