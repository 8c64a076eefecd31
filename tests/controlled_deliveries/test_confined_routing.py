"""The routing decision under a controlled delivery (pure: no database)."""

from app.alerts.routing import AuthorityRef, EventFacts, RuleSpec, decide, shipments_concerned

ROUTE = {"exporting": "DE", "importing": "PK", "transit": ["AE"]}
EVERYONE = RuleSpec(
    code="all", route_roles=("exporting", "importing", "transit"), include_international=True
)
AUTHORITIES = [
    AuthorityRef("de-le", "DE", "law_enforcement"),
    AuthorityRef("pk-le", "PK", "law_enforcement"),
    AuthorityRef("ae-customs", "AE", "customs"),
    AuthorityRef("incb", "AT", "international"),
]


def _facts(**extra: object) -> EventFacts:
    return EventFacts(type="shipment.seized", route=ROUTE, **extra)  # type: ignore[arg-type]


def test_without_confinement_the_rules_choose_the_route() -> None:
    decision = decide(_facts(), [EVERYONE], AUTHORITIES, hosted_by={"AE": "node-ae"})
    assert {r.authority_id for r in decision.recipients} == {"de-le", "pk-le", "incb"}
    assert [r.node_id for r in decision.remote] == ["node-ae"]


def test_confined_events_reach_the_participants_alone_and_no_peer_node() -> None:
    facts = _facts(confined_to=("de-le", "pk-le"), actor_authority_id="pk-le")
    decision = decide(facts, [EVERYONE], AUTHORITIES, hosted_by={"AE": "node-ae", "PK": "node-pk"})
    assert [r.authority_id for r in decision.recipients] == ["de-le"]
    assert decision.remote == []
    assert decision.matched == ["controlled-delivery"]
    assert decision.recipients[0].scope == "full"


def test_participants_hear_even_when_no_rule_would_choose_them() -> None:
    decision = decide(_facts(confined_to=("de-le",)), [], AUTHORITIES)
    assert [r.authority_id for r in decision.recipients] == ["de-le"]


def test_the_shipments_an_event_concerns() -> None:
    assert shipments_concerned("shipment", "s1", {}) == ("s1",)
    flag = {"flag": {"subject_type": "shipment", "subject_id": "s2"}, "subject": {}}
    assert shipments_concerned("flag", "f1", flag) == ("s2",)
    assert shipments_concerned("incident", "i1", {"shipment_id": "s3"}) == ("s3",)
    request = {"incident": {"shipment_id": "s4"}}
    assert shipments_concerned("backtracking_request", "b1", request) == ("s4",)
    pen_flag = {"flag": {"subject_type": "pre_export_notification", "subject_id": "p1"}}
    assert shipments_concerned("flag", "f2", pen_flag) == ()
