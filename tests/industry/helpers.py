"""Bodies and calls for the industry-report tests."""

from typing import Any

from tests.factories import AA, Actor

REPORTS = "/api/v1/industry-reports"


def report_body(**overrides: Any) -> dict[str, Any]:
    """A new customer paying cash for 20 t of acetic anhydride, to go to a free zone."""
    body: dict[str, Any] = {
        "kind": "order",
        "customer": {"name": "Falcon Trading FZE", "country": "AE", "address": "Jebel Ali"},
        "substance": AA,
        "quantity": 20,
        "unit": "t",
        "requested_route": ["AE", "AF"],
        "means_of_payment": "cash",
        "indicators": ["unknown_customer", "unusual_payment", "free_zone_destination"],
        "narrative": "New customer asks for 20 t by next week, pays cash, ships to Jebel Ali.",
    }
    body.update(overrides)
    return body


def file(actor: Actor, **overrides: Any) -> dict[str, Any]:
    response = actor.post(REPORTS, json=report_body(**overrides))
    assert response.status_code == 201, response.text
    return dict(response.json())


def triage(actor: Actor, report: dict[str, Any], **body: Any) -> Any:
    return actor.post(f"{REPORTS}/{report['id']}/triage", json=body)
