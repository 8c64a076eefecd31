"""Risk lists: the countries of concern and the free-zone words the rules read, kept by admins;
a change reaches the rules at once."""

import pytest

from tests.factories import Actor, Api
from tests.rules.trade import by_rule, trade

LISTS = "/api/v1/risk-lists"
PROBLEM = "https://pentrack.org/problems/"


@pytest.fixture
def customs(api: Api) -> Actor:
    return api.customs("AE")


class TestRiskLists:
    def test_the_seeded_lists_are_readable_by_anyone(self, customs: Actor) -> None:
        items = {r["code"]: r for r in customs.get(LISTS).json()["items"]}
        assert set(items) == {"countries-of-concern", "free-zones"}
        concern = items["countries-of-concern"]
        assert set(concern["entries"]) == {"AF", "IR", "PK", "TJ", "TM", "UZ"}
        assert "CN" not in concern["entries"]
        assert concern["source"]
        assert "free zone" in customs.get(f"{LISTS}/free-zones").json()["entries"]

    def test_an_admin_replaces_the_entries_and_the_rules_follow(self, api: Api) -> None:
        ae_tm = trade(api, "AE", "TM", transit=("OM",))
        before = ae_tm.ship(ae_tm.pen("no_objection", quantity=2380, unit="kg"))
        assert by_rule(api.admin, before["id"]) == {}
        body = {"entries": ["af", "IR", "PK", "TJ", "TM", "UZ", "OM"], "source": "test bulletin"}
        response = api.admin.put(f"{LISTS}/countries-of-concern", json=body)
        assert response.status_code == 200, response.text
        assert response.json()["entries"][0] == "AF"
        after = ae_tm.ship(ae_tm.pen("no_objection", quantity=2380, unit="kg"))
        assert set(by_rule(api.admin, after["id"])) == {"high-risk-route"}
        audit = api.admin.get("/api/v1/audit-events", params={"subject_id": "countries-of-concern"})
        [event] = audit.json()["items"]
        assert event["action"] == "risk_list.updated"
        assert "OM" not in event["before"]["entries"] and "OM" in event["after"]["entries"]

    def test_an_unknown_country_is_refused(self, api: Api, customs: Actor) -> None:
        body = {"entries": ["AF", "XX"], "source": "test"}
        response = api.admin.put(f"{LISTS}/countries-of-concern", json=body)
        assert response.status_code in (400, 422)
        assert response.headers["content-type"] == "application/problem+json"
        assert "XX" not in customs.get(f"{LISTS}/countries-of-concern").json()["entries"]

    def test_an_unknown_list_is_404(self, api: Api) -> None:
        response = api.admin.put(f"{LISTS}/nope", json={"entries": [], "source": "test"})
        assert response.status_code == 404
        assert response.json()["type"] == PROBLEM + "risk-list-not-found"

    def test_only_admins_edit(self, api: Api) -> None:
        body = {"entries": ["AF"], "source": "test"}
        assert (
            api.regulator("DE").put(f"{LISTS}/countries-of-concern", json=body).status_code == 403
        )
