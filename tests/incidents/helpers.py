"""Bodies and calls for the incident tests."""

from datetime import date, timedelta
from typing import Any

from tests.factories import AA, Actor

INCIDENTS = "/api/v1/incidents"
REQUESTS = "/api/v1/backtracking-requests"
ALERTS = "/api/v1/alerts"


def incident_body(country: str, **overrides: Any) -> dict[str, Any]:
    """A seizure of 2,380 l of acetic anhydride hidden in fuel tanks (Bandar Abbas, 2016),
    recorded in `country`, from Germany via the UAE to Afghanistan."""
    body: dict[str, Any] = {
        "kind": "seizure",
        "country": country,
        "occurred_on": (date.today() - timedelta(days=3)).isoformat(),
        "substances": [{"cas_number": AA, "quantity": 2380, "unit": "l"}],
        "method": "concealed in fuel tanks among auto parts",
        "description": "Found at the port during a routine inspection of a truck.",
        "origin_country": "DE",
        "transit_countries": ["AE"],
        "destination_country": "AF",
    }
    body.update(overrides)
    return body


def record_incident(actor: Actor, **overrides: Any) -> dict[str, Any]:
    response = actor.post(INCIDENTS, json=incident_body(actor.country or "IR", **overrides))
    assert response.status_code == 201, response.text
    return dict(response.json())


def ask(actor: Actor, incident: dict[str, Any], to_country: str, **extra: Any) -> dict[str, Any]:
    response = actor.post(
        f"{INCIDENTS}/{incident['id']}/backtracking-requests",
        json={"to_country": to_country, "question": "Who supplied this consignment?", **extra},
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


def inbox(actor: Actor, **params: Any) -> list[dict[str, Any]]:
    response = actor.get(ALERTS, params={"limit": 500, **params})
    assert response.status_code == 200, response.text
    return list(response.json()["items"])
