"""Calls for the investigation tests."""

from typing import Any

from tests.factories import Actor, Api

ENTITIES = "/api/v1/entities"
WATCHLIST = "/api/v1/watchlists/entries"
CASES = "/api/v1/cases"
FLAGS = "/api/v1/flags"
JEBEL_ALI = "Plot 12, Jebel Ali Free Zone, Dubai"


def twins(api: Api) -> tuple[dict[str, Any], dict[str, Any]]:
    """One trading house registered twice: in the UAE, and in Afghanistan under a variant
    spelling at the same Dubai address."""
    first = api.operator("AE", "Al-Noor Chemicals FZE", address=JEBEL_ALI)
    second = api.operator(
        "AF", "AL NOOR CHEMICAL CO. L.L.C.", address="Plot 12 Jebel Ali Free Zone - DUBAI"
    )
    return first, second


def entity_of(actor: Actor, operator: dict[str, Any]) -> dict[str, Any]:
    """The entity holding `operator` (searched by its name)."""
    response = actor.get(ENTITIES, params={"q": operator["name"], "limit": 500})
    assert response.status_code == 200, response.text
    for entity in response.json()["items"]:
        if any(m["operator_id"] == operator["id"] for m in entity["members"]):
            return dict(entity)
    raise AssertionError(f"no entity holds {operator['name']}")


def rules_hit(api: Api, subject_id: str, reader: Actor | None = None) -> set[str]:
    response = (reader or api.admin).get(FLAGS, params={"subject_id": subject_id, "limit": 500})
    assert response.status_code == 200, response.text
    return {f["rule"] for f in response.json()["items"]}
