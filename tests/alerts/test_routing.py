"""Who receives what: each default routing rule, driven through the API, on one trade lane
(DE → PK via AE, consignee in UZ) with authorities on and off the route."""

from dataclasses import dataclass
from typing import Any

import pytest

from app.alerts.routing import AuthorityRef, EventFacts, RuleSpec, decide
from app.alerts.sharing import shape
from app.auth.roles import Role
from tests.factories import Actor, Api, manual_flag, pen_body, shipment_body

PENS = "/api/v1/pre-export-notifications"
ROUTE = ("DE", "PK", "AE", "UZ")
COMPETENT = ("regulator", "customs")
EVERY_COMPETENT = {f"{c}/{k}" for c in ROUTE for k in COMPETENT} | {"PK/law_enforcement"}


@dataclass
class World:
    api: Api
    labels: dict[str, str]  # authority id → "DE/regulator"
    de: Actor
    pk: Actor
    ae_customs: Actor
    pen: dict[str, Any]

    def alerts(self, event_type: str, subject_id: str | None = None) -> dict[str, dict[str, Any]]:
        """Every alert of `event_type` (for `subject_id`), by recipient label."""
        params: dict[str, Any] = {"event_type": event_type, "limit": 500}
        if subject_id:
            params["subject_id"] = subject_id
        response = self.api.admin.get("/api/v1/alerts", params=params)
        assert response.status_code == 200, response.text
        return {self.labels[a["authority_id"]]: a for a in response.json()["items"]}


@pytest.fixture
def world(api: Api) -> World:
    labels = {}
    for country, kind in [
        *((c, k) for c in ROUTE for k in COMPETENT),
        ("PK", "law_enforcement"),
        ("FR", "regulator"),  # not on the route
        ("FR", "customs"),
        ("AT", "international"),  # an INCB-like body
    ]:
        labels[api.authority(country, kind)] = f"{country}/{kind}"
    de, pk = api.regulator("DE"), api.regulator("PK")
    exporter = api.operator("DE", "Rheinchemie GmbH")
    importer = api.operator("PK", "Indus Textiles Ltd")
    consignee = api.operator("UZ", "Tashkent Trading LLC")
    response = de.post(
        PENS,
        json=pen_body(exporter, importer, transit_countries=["AE"], consignee_id=consignee["id"]),
    )
    assert response.status_code == 201, response.text
    return World(api, labels, de, pk, api.customs("AE"), response.json())


def _act(actor: Actor, pen: dict[str, Any], action: str, body: Any = None) -> dict[str, Any]:
    response = actor.post(f"{PENS}/{pen['id']}/{action}", json=body)
    assert response.status_code == 200, response.text
    return dict(response.json())


def _means_of_payment(alert: dict[str, Any]) -> Any:
    payload = alert["payload"]
    return payload.get("subject", payload).get("means_of_payment")


class TestDefaultRules:
    def test_pen_events_go_to_the_counterpart_regulator_only(self, world: World) -> None:
        pen = world.pen
        steps = [
            ("pen.sent", world.de, "send", None, {"PK/regulator"}),
            ("pen.acknowledged", world.pk, "acknowledge", None, {"DE/regulator"}),
            (
                "pen.responded",
                world.pk,
                "respond",
                {"decision": "information_requested", "reason": "Name the end user"},
                {"DE/regulator", "AT/international"},
            ),
            (
                "pen.answered",
                world.de,
                "answer",
                {"message": "Cellulose acetate"},
                {"PK/regulator"},
            ),
            ("pen.withdrawn", world.de, "withdraw", {"reason": "Cancelled"}, {"PK/regulator"}),
        ]
        for event_type, actor, action, body, expected in steps:
            _act(actor, pen, action, body)
            alerts = world.alerts(event_type, pen["id"])
            assert set(alerts) == expected, event_type
            for label, alert in alerts.items():
                assert alert["status"] == "new"
                assert alert["payload"]["reference"] == pen["reference"]
                if label == "AT/international":
                    assert alert["scope"] == "confidential"
                    assert "means_of_payment" not in alert["payload"]
                    assert "intended_use" not in alert["payload"]
                else:
                    # Article 12(9)(c): the Parties concerned get the means of payment.
                    assert alert["scope"] == "full"
                    assert alert["payload"]["means_of_payment"] == "letter_of_credit"

    @pytest.mark.parametrize("event", ["stopped", "seized"])
    def test_incidents_reach_every_competent_authority_on_the_route(
        self, world: World, event: str
    ) -> None:
        _act(world.de, world.pen, "send")
        shipment = world.ae_customs.post(
            "/api/v1/shipments",
            json=shipment_body(world.pen, consignee_id=world.pen["consignee_id"]),
        )
        assert shipment.status_code == 201, shipment.text
        response = world.ae_customs.post(
            f"/api/v1/shipments/{shipment.json()['id']}/events",
            json={"type": event, "country": "AE", "occurred_at": "2026-01-05T10:00:00+04:00"},
        )
        assert response.status_code == 201, response.text

        alerts = world.alerts(f"shipment.{event}", shipment.json()["id"])
        # Everyone on the route but the customs office that reported it, plus the copy.
        assert set(alerts) == (EVERY_COMPETENT - {"AE/customs"}) | {"AT/international"}
        assert not {label for label in alerts if label.startswith("FR/")}
        assert alerts["PK/customs"]["payload"]["event"]["type"] == event
        assert _means_of_payment(alerts["UZ/customs"]) == "letter_of_credit"
        assert _means_of_payment(alerts["AT/international"]) is None

    def test_critical_flag_reaches_the_route_and_a_high_one_nobody(self, world: World) -> None:
        _act(world.de, world.pen, "send")
        flags = {}
        for severity in ("critical", "high"):
            response = world.ae_customs.post(
                "/api/v1/flags",
                json={
                    "subject_type": "pre_export_notification",
                    "subject_id": world.pen["id"],
                    "severity": severity,
                    "explanation": "Consignee is a freight forwarder paid in cash",
                },
            )
            assert response.status_code == 201, response.text
            flags[severity] = response.json()["id"]

        critical = world.alerts("flag.raised", flags["critical"])
        assert set(critical) == (EVERY_COMPETENT - {"AE/customs"}) | {"AT/international"}
        flag_payload = critical["PK/regulator"]["payload"]
        assert flag_payload["flag"]["severity"] == "critical"
        assert flag_payload["subject"]["means_of_payment"] == "letter_of_credit"
        assert critical["PK/regulator"]["severity"] == "critical"
        assert "means_of_payment" not in critical["AT/international"]["payload"]["subject"]
        assert world.alerts("flag.raised", flags["high"]) == {}

    def test_the_international_copy_never_tells_the_means_of_payment(self, world: World) -> None:
        exporter = world.api.operator("DE", "Rheinchemie GmbH")
        importer = world.api.operator("PK", "Indus Textiles Ltd")
        created = world.de.post(
            PENS,
            json=pen_body(exporter, importer, transit_countries=["AE"], means_of_payment="hawala"),
        )
        assert created.status_code == 201, created.text
        pen = _act(world.de, created.json(), "send")
        flagged = manual_flag(world.ae_customs, pen, "critical", "Paid by hawala.")
        alerts = world.alerts("flag.raised", flagged["id"])
        assert alerts["PK/regulator"]["payload"]["flag"]["explanation"] == "Paid by hawala."
        copy = alerts["AT/international"]
        assert copy["scope"] == "confidential"
        assert "hawala" not in str(copy).lower()
        assert "means of payment" in copy["payload"]["flag"]["explanation"]

    def test_confirmed_flag_reaches_the_route(self, world: World) -> None:
        _act(world.de, world.pen, "send")
        response = world.ae_customs.post(
            "/api/v1/flags",
            json={
                "subject_type": "pre_export_notification",
                "subject_id": world.pen["id"],
                "severity": "medium",
                "explanation": "Unusual routing",
            },
        )
        flag_id = response.json()["id"]
        for status in ("under_review", "confirmed"):
            triaged = world.ae_customs.post(
                f"/api/v1/flags/{flag_id}/triage", json={"status": status, "note": "Checked"}
            )
            assert triaged.status_code == 200, triaged.text

        assert world.alerts("flag.raised", flag_id) == {}
        confirmed = world.alerts("flag.confirmed", flag_id)
        assert set(confirmed) == (EVERY_COMPETENT - {"AE/customs"}) | {"AT/international"}

    def test_every_decision_is_stored_with_reasons(self, world: World) -> None:
        _act(world.de, world.pen, "send")
        response = world.api.admin.get(
            "/api/v1/routing-decisions",
            params={"subject_id": world.pen["id"], "event_type": "pen.sent"},
        )
        assert response.status_code == 200, response.text
        [decision] = response.json()["items"]
        assert "pen-to-importing-regulator" in decision["matched_rules"]
        [recipient] = decision["recipients"]
        assert world.labels[recipient["authority_id"]] == "PK/regulator"
        assert recipient["rule"] == "pen-to-importing-regulator"
        assert "importing on the route" in recipient["reason"]
        assert recipient["alert_id"]
        reasons = {s["rule"]: s["reason"] for s in decision["skipped"] if "authority_id" not in s}
        assert "not in" in reasons["critical-flag-route"]
        assert world.api.regulator("DE").get("/api/v1/routing-decisions").status_code == 403


class TestDraftsStayHome:
    """A draft is the exporting country's alone until it is sent; then its flags go with it."""

    def _everything_outside_de(self, world: World) -> list[dict[str, Any]]:
        response = world.api.admin.get("/api/v1/alerts", params={"limit": 500})
        return [
            a
            for a in response.json()["items"]
            if not world.labels[a["authority_id"]].startswith("DE/")
        ]

    def test_a_draft_to_a_no_licit_need_country_is_announced_in_the_exporting_country_only(
        self, world: World
    ) -> None:
        exporter = world.api.operator("DE", "Rheinchemie GmbH")
        importer = world.api.operator("AF", "Kabul Trading Co")
        labels = {**world.labels, world.api.authority("AF", "regulator"): "AF/regulator"}
        world.labels.update(labels)
        draft = world.de.post(PENS, json=pen_body(exporter, importer, means_of_payment="hawala"))
        assert draft.status_code == 201, draft.text
        raised = world.alerts("flag.raised")
        assert raised, "the critical flag is announced at home"
        assert {label.split("/")[0] for label in raised} == {"DE"}
        assert self._everything_outside_de(world) == []
        decisions = world.api.admin.get(
            "/api/v1/routing-decisions", params={"event_type": "flag.raised"}
        ).json()["items"]
        assert any(
            "exporting country's alone" in s["reason"] for d in decisions for s in d["skipped"]
        )

    def test_withdrawing_a_draft_tells_no_partner(self, world: World) -> None:
        _act(world.de, world.pen, "withdraw", {"reason": "Customer cancelled"})
        assert world.alerts("pen.withdrawn", world.pen["id"]) == {}
        assert self._everything_outside_de(world) == []

    def test_a_manual_critical_flag_on_a_draft_goes_with_it_when_it_is_sent(
        self, world: World
    ) -> None:
        de_customs = world.api.customs("DE")
        flag_id = manual_flag(
            de_customs, world.pen, "critical", "Paid by hawala through a free-zone broker"
        )["id"]
        while_draft = world.alerts("flag.raised", flag_id)
        assert set(while_draft) == {"DE/regulator"}  # DE customs raised it
        assert self._everything_outside_de(world) == []

        _act(world.de, world.pen, "send")
        after_send = world.alerts("flag.raised", flag_id)
        assert set(after_send) == (EVERY_COMPETENT - {"DE/customs"}) | {"AT/international"}
        # The exporting regulator heard of it once, while it was a draft.
        assert after_send["DE/regulator"]["id"] == while_draft["DE/regulator"]["id"]
        everything = world.api.admin.get(
            "/api/v1/alerts", params={"subject_id": flag_id, "limit": 500}
        ).json()["items"]
        assert len(everything) == len(after_send)
        assert after_send["PK/regulator"]["payload"]["flag"]["id"] == flag_id
        assert "means_of_payment" not in after_send["AT/international"]["payload"]["subject"]


class TestCustomRules:
    def test_summary_scope_and_redaction_limit_the_payload(self, world: World) -> None:
        transit = next(i for i, label in world.labels.items() if label == "AE/regulator")
        created = world.api.admin.post(
            "/api/v1/routing-rules",
            json={
                "code": "transit-summary",
                "event_types": ["pen.sent"],
                "route_roles": ["transit"],
                "authority_kinds": ["regulator"],
                "scope": "summary",
                "redact": ["quantity_kg"],
            },
        )
        assert created.status_code == 201, created.text
        _act(world.de, world.pen, "send")

        alerts = world.alerts("pen.sent", world.pen["id"])
        assert set(alerts) == {"PK/regulator", "AE/regulator"}
        payload = alerts["AE/regulator"]["payload"]
        assert alerts["AE/regulator"]["authority_id"] == transit
        assert payload["reference"] == world.pen["reference"]
        assert "quantity_kg" not in payload
        assert not {"means_of_payment", "exporter_id", "importer_id", "intended_use"} & set(payload)

    def test_rule_filters_on_substance_and_country(self, world: World) -> None:
        for code, extra in (
            ("other-substance", {"substances": ["7722-64-7"]}),
            ("other-country", {"countries": ["FR"]}),
            ("this-lane", {"substances": ["108-24-7"], "countries": ["UZ"]}),
        ):
            response = world.api.admin.post(
                "/api/v1/routing-rules",
                json={
                    "code": code,
                    "event_types": ["pen.sent"],
                    "route_roles": ["consignee_country"],
                    **extra,
                },
            )
            assert response.status_code == 201, response.text
        _act(world.de, world.pen, "send")
        alerts = world.alerts("pen.sent", world.pen["id"])
        assert set(alerts) == {"PK/regulator", "UZ/regulator", "UZ/customs"}
        assert alerts["UZ/customs"]["rule"] == "this-lane"

    def test_disabled_rule_routes_nothing(self, world: World) -> None:
        response = world.api.client.patch(
            "/api/v1/routing-rules/pen-to-importing-regulator",
            json={"enabled": False},
            headers=world.api.admin.headers(),
        )
        assert response.status_code == 200, response.text
        _act(world.de, world.pen, "send")
        assert world.alerts("pen.sent", world.pen["id"]) == {}


class TestDecide:
    """The pure router: plain values in and out."""

    AUTHORITIES = [
        AuthorityRef("de-reg", "DE", "regulator"),
        AuthorityRef("pk-reg", "PK", "regulator"),
        AuthorityRef("pk-cus", "PK", "customs"),
        AuthorityRef("fr-reg", "FR", "regulator"),
        AuthorityRef("incb", "AT", "international"),
    ]
    ROUTE = {"exporting": "DE", "importing": "PK", "transit": [], "consignee_country": None}

    def test_first_rule_by_priority_wins_an_authority(self) -> None:
        facts = EventFacts.of("shipment.seized", self.ROUTE, {"substance": "108-24-7"})
        rules = [
            RuleSpec("wide", priority=50, route_roles=("importing",), scope="full"),
            RuleSpec("narrow", priority=5, route_roles=("importing",), scope="summary"),
        ]
        decision = decide(facts, rules, self.AUTHORITIES)
        assert {(r.authority_id, r.rule, r.scope) for r in decision.recipients} == {
            ("pk-reg", "narrow", "summary"),
            ("pk-cus", "narrow", "summary"),
        }
        assert decision.matched == ["narrow", "wide"]

    def test_country_hosted_on_a_peer_goes_through_the_node(self) -> None:
        facts = EventFacts.of("shipment.seized", self.ROUTE, {})
        rule = RuleSpec("route", route_roles=("exporting", "importing"))
        decision = decide(facts, [rule], self.AUTHORITIES, hosted_by={"PK": "pk-node"})
        assert {r.authority_id for r in decision.recipients} == {"de-reg"}
        [remote] = decision.remote
        assert (remote.node_id, remote.countries) == ("pk-node", ("PK",))
        assert any("hosted on node pk-node" in s["reason"] for s in decision.skipped)

    def test_nothing_goes_back_to_the_node_an_event_came_from(self) -> None:
        facts = EventFacts.of("shipment.seized", self.ROUTE, {})
        rule = RuleSpec("route", route_roles=("importing",))
        decision = decide(
            facts, [rule], self.AUTHORITIES, hosted_by={"PK": "pk-node"}, origin_node="pk-node"
        )
        assert decision.remote == [] and decision.recipients == []

    def test_severity_below_the_minimum_does_not_match(self) -> None:
        payload = {"flag": {"severity": "high", "rule": "x"}, "subject": {}}
        facts = EventFacts.of("flag.raised", self.ROUTE, payload)
        rule = RuleSpec("crit", min_severity="critical", route_roles=("importing",))
        decision = decide(facts, [rule], self.AUTHORITIES)
        assert decision.recipients == []
        assert decision.skipped == [{"rule": "crit", "reason": "severity high below critical"}]


class TestShape:
    PAYLOAD = {
        "reference": "DE-2026-000001",
        "means_of_payment": "cash",
        "intended_use": "Dyes",
        "quantity_kg": "5400",
        "exporter_id": "x",
        "flag": {"severity": "critical", "evidence": {"means_of_payment": "cash", "price": 9}},
    }

    def test_full_keeps_everything(self) -> None:
        assert shape(self.PAYLOAD, "full") == self.PAYLOAD

    def test_confidential_drops_commercial_terms_at_any_depth(self) -> None:
        shaped = shape(self.PAYLOAD, "confidential")
        assert "means_of_payment" not in shaped and "intended_use" not in shaped
        assert shaped["flag"]["evidence"] == {}
        assert self.PAYLOAD["means_of_payment"] == "cash"  # the input is untouched

    @pytest.mark.parametrize(
        ("explanation", "evidence"),
        [
            ("Paid by hawala.", {}),  # a manual flag repeating the means of payment
            ("Unusual payment terms for this customer", {"means_of_payment": "hawala"}),
        ],
    )
    def test_confidential_replaces_an_explanation_that_tells_a_dropped_term(
        self, explanation: str, evidence: dict[str, Any]
    ) -> None:
        payload = {
            "flag": {"explanation": explanation, "evidence": evidence, "severity": "high"},
            "subject": {"reference": "DE-2026-000001", "means_of_payment": "hawala"},
        }
        shaped = shape(payload, "confidential")
        assert "hawala" not in str(shaped).lower()
        assert shaped["flag"]["explanation"] == (
            "Flag raised on an unusual means of payment (withheld under this sharing scope)."
        )
        assert shape(payload, "full")["flag"]["explanation"] == explanation

    @pytest.mark.parametrize("scope", ["confidential", "summary"])
    def test_the_invoice_does_not_leave_under_confidential_or_summary(self, scope: str) -> None:
        payload = {"reference": "DE-2026-000001", "invoice": {"value": 41250.5, "currency": "EUR"}}
        assert "invoice" not in shape(payload, scope)
        assert shape(payload, "full")["invoice"]["value"] == 41250.5

    def test_confidential_keeps_an_explanation_that_tells_no_dropped_term(self) -> None:
        payload = {
            "flag": {"explanation": "Consignee is a free-zone forwarder", "evidence": {}},
            "subject": {"means_of_payment": "letter_of_credit"},
        }
        assert shape(payload, "confidential")["flag"]["explanation"] == (
            "Consignee is a free-zone forwarder"
        )

    def test_summary_keeps_identifying_fields_only(self) -> None:
        shaped = shape(self.PAYLOAD, "summary", redact=["quantity_kg"])
        assert shaped == {"reference": "DE-2026-000001", "flag": {"severity": "critical"}}


def test_routing_rules_are_admin_writes(api: Api) -> None:
    regulator = api.actor(Role.REGULATOR, "DE")
    body = {"code": "x", "event_types": ["pen.sent"], "route_roles": ["importing"]}
    assert regulator.post("/api/v1/routing-rules", json=body).status_code == 403
    listed = regulator.get("/api/v1/routing-rules")
    assert listed.status_code == 200
    assert "pen-to-importing-regulator" in {r["code"] for r in listed.json()["items"]}
    duplicate = api.admin.post(
        "/api/v1/routing-rules", json={**body, "code": "pen-to-importing-regulator"}
    )
    assert duplicate.status_code == 409
    assert duplicate.json()["type"].endswith("/routing-rule-exists")
    no_recipients = api.admin.post("/api/v1/routing-rules", json={"code": "y"})
    assert no_recipients.status_code == 422
