"""Who may do what, generated from one table: role × country relation × action → status.

The lane is Germany (exporting) → Pakistan (importing) via the UAE (transit); France is
unrelated. A record the caller may not see answers 404; one it sees but may not touch, 403.

Incidents take the same places: recorded by Pakistan's law enforcement (the `importing`
column is the recording country), Germany its origin, the UAE its transit, France unnamed;
the backtracking request goes from Pakistan to Germany.

Industry callers (users of a company in each country relation) have theirs, `INDUSTRY`.

Workspace pages and forms (rows named "page …") are reached as a browser would, with the
session cookie of a sign-in by the caller's token and the session's form token.

Law-enforcement callers have their own table, `LAW_ENFORCEMENT`, with a column per country
relation, keyed by the same actions (so rows added to `MATRIX` elsewhere merge cleanly, and a
new action cannot forget them).
"""

import json
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import pytest

from app.auth.roles import Role
from tests.factories import (
    AUDIT,
    PENS,
    SHIPMENTS,
    Actor,
    Api,
    Lane,
    event_body,
    lane,
    manual_flag,
    record_shipment,
)
from tests.incidents.helpers import INCIDENTS, REQUESTS, ask, incident_body, record_incident
from tests.industry.helpers import REPORTS as INDUSTRY_REPORTS
from tests.industry.helpers import file as file_report
from tests.industry.helpers import report_body
from tests.workspace.helpers import page_get, page_post

COUNTRY = {"exporting": "DE", "importing": "PK", "transit": "AE", "unrelated": "FR"}
REQUIREMENTS = "/api/v1/pen-requirements"
IMPORTS = "/api/v1/imports"

# Columns: who is calling, as (role, country relation); admin and analyst have no country.
CALLERS: list[tuple[str, str | None]] = [
    ("admin", None),
    ("analyst", None),
    *[("regulator", r) for r in COUNTRY],
    *[("customs", r) for r in COUNTRY],
]
# fmt: off
MATRIX: dict[str, tuple[int, ...]] = {
    #                         admin analyst | regulator: exp imp  tra  unr | customs: exp imp  tra  unr
    "create PEN":              (403, 403,               201, 403, 403, 403,          403, 403, 403, 403),
    "read draft":              (404, 404,               200, 404, 404, 404,          200, 404, 404, 404),
    "read sent":               (200, 200,               200, 200, 200, 404,          200, 200, 200, 404),
    "send":                    (404, 404,               200, 404, 404, 404,          403, 404, 404, 404),
    "acknowledge":             (403, 403,               403, 200, 403, 404,          403, 403, 403, 404),
    "respond":                 (403, 403,               403, 200, 403, 404,          403, 403, 403, 404),
    "answer":                  (403, 403,               200, 403, 403, 404,          403, 403, 403, 404),
    "withdraw":                (403, 403,               200, 403, 403, 404,          403, 403, 403, 404),
    "create shipment":         (403, 403,               403, 403, 403, 403,          201, 201, 201, 403),
    "read shipment":           (200, 200,               200, 200, 200, 404,          200, 200, 200, 404),
    "record event":            (403, 403,               403, 403, 403, 404,          201, 201, 201, 404),
    "list audit":              (200, 200,               403, 403, 403, 403,          403, 403, 403, 403),
    "create authority":        (201, 403,               403, 403, 403, 403,          403, 403, 403, 403),
    "create operator":         (201, 403,               201, 201, 201, 201,          201, 201, 201, 201),
    "create pen-requirement":  (201, 403,               403, 403, 403, 403,          403, 403, 403, 403),
    "delete pen-requirement":  (204, 403,               403, 403, 403, 403,          403, 403, 403, 403),
    "confirm arrival":         (403, 403,               403, 200, 403, 404,          403, 403, 403, 404),
    "list tokens":             (200, 403,               403, 403, 403, 403,          403, 403, 403, 403),
    "revoke token":            (204, 403,               403, 403, 403, 403,          403, 403, 403, 403),
    "raise flag":              (403, 403,               201, 201, 201, 404,          201, 201, 201, 404),
    "triage flag":             (403, 403,               200, 200, 200, 404,          200, 200, 200, 404),
    "record incident":         (403, 403,               201, 201, 201, 201,          201, 201, 201, 201),
    "read incident":           (200, 200,               200, 200, 200, 404,          200, 200, 200, 404),
    "list incidents":          (200, 200,               200, 200, 200, 200,          200, 200, 200, 200),
    "request backtracking":    (403, 403,               403, 201, 403, 404,          403, 201, 403, 404),
    "answer backtracking":     (403, 403,               200, 403, 404, 404,          403, 403, 404, 404),
    "list backtracking":       (200, 200,               200, 200, 200, 200,          200, 200, 200, 200),
    "add sample":              (403, 403,               403, 201, 403, 404,          403, 201, 403, 404),
    "create substance":        (201, 403,               403, 403, 403, 403,          403, 403, 403, 403),
    "create legitimate-req":   (201, 403,               403, 403, 403, 403,          403, 403, 403, 403),
    "delete legitimate-req":   (204, 403,               403, 403, 403, 403,          403, 403, 403, 403),
    "list legitimate-reqs":    (200, 200,               200, 200, 200, 200,          200, 200, 200, 200),
    "update risk-list":        (200, 403,               403, 403, 403, 403,          403, 403, 403, 403),
    "read risk-lists":         (200, 200,               200, 200, 200, 200,          200, 200, 200, 200),
    "update authority":        (200, 403,               403, 403, 403, 403,          403, 403, 403, 403),
    "rotate webhook secret":   (200, 403,               403, 403, 403, 403,          403, 403, 403, 403),
    # Bulk import: a row the caller may not record (off its route, or a shipment it may not see)
    # makes the all-or-nothing import 422, with the row's error in the report.
    "import shipments":        (403, 403,               403, 403, 403, 403,          200, 200, 200, 422),
    "import events":           (403, 403,               403, 403, 403, 403,          200, 200, 200, 422),
    "import operators":        (200, 403,               200, 200, 200, 200,          200, 200, 200, 200),
    # Investigations: entities and links are read by investigators (regulator, law enforcement)
    # and analysts and admins; cases only by their member authorities (a case opened by
    # Pakistan's regulator, Germany's regulator invited); watch lists written by investigators
    # and admins.
    "list entities":           (200, 200,               200, 200, 200, 200,          403, 403, 403, 403),
    "read entity":             (200, 200,               200, 200, 200, 200,          403, 403, 403, 403),
    "read entity links":       (200, 200,               200, 200, 200, 200,          403, 403, 403, 403),
    "decide entity":           (403, 403,               200, 200, 200, 200,          403, 403, 403, 403),
    "create watchlist entry":  (201, 403,               201, 201, 201, 201,          403, 403, 403, 403),
    "list watchlist entries":  (200, 200,               200, 200, 200, 200,          403, 403, 403, 403),
    "read watchlist entry":    (200, 200,               200, 404, 404, 404,          403, 403, 403, 403),
    "create case":             (403, 403,               201, 201, 201, 201,          403, 403, 403, 403),
    "list cases":              (403, 403,               200, 200, 200, 200,          403, 403, 403, 403),
    "read case":               (403, 403,               200, 200, 404, 404,          403, 403, 403, 403),
    "add case item":           (403, 403,               201, 201, 404, 404,          403, 403, 403, 403),
    "invite case member":      (403, 403,               403, 201, 404, 404,          403, 403, 403, 403),
    "add case note":           (403, 403,               201, 201, 404, 404,          403, 403, 403, 403),
    "start controlled delivery": (403, 403,             403, 403, 403, 404,          403, 403, 403, 404),
    "end controlled delivery": (403, 403,               403, 403, 403, 404,          403, 403, 403, 404),
    "read controlled delivery": (404, 404,              404, 404, 404, 404,          404, 404, 404, 404),
    # Industry reports: filed by a German company, triaged by Germany's regulator.
    "file industry report":    (403, 403,               403, 403, 403, 403,          403, 403, 403, 403),
    "list industry reports":   (403, 403,               200, 200, 200, 200,          403, 403, 403, 403),
    "read industry report":    (404, 404,               200, 404, 404, 404,          404, 404, 404, 404),
    "triage industry report":  (404, 404,               200, 404, 404, 404,          404, 404, 404, 404),
    "industry report summary": (200, 200,               200, 200, 200, 200,          403, 403, 403, 403),
    # Operations: Pakistan (importing) and the UAE (transit) take part; Germany and France do not.
    "create operation":        (201, 403,               403, 201, 201, 403,          403, 403, 403, 403),
    "list operations":         (200, 200,               200, 200, 200, 200,          200, 200, 200, 200),
    "read operation":          (200, 200,               404, 200, 200, 404,          404, 200, 200, 404),
    "tag operation item":      (403, 403,               404, 201, 201, 404,          404, 201, 201, 404),
    "read outcomes":           (200, 200,               404, 200, 200, 404,          404, 200, 200, 404),
    # Workspace pages and forms (a browser's session): a page answers 200, a form that worked
    # 303 to the record's page; a role the page is not for, 403; a record the reader may not
    # see, 404 (pages, never problem+json). The records are those of the API's rows above.
    "page cases":              (403, 403,               200, 200, 200, 200,          403, 403, 403, 403),
    "page case":               (403, 403,               200, 200, 404, 404,          403, 403, 403, 403),
    "page open case":          (403, 403,               303, 303, 303, 303,          403, 403, 403, 403),
    "page add case note":      (403, 403,               303, 303, 404, 404,          403, 403, 403, 403),
    "page add case item":      (403, 403,               303, 303, 404, 404,          403, 403, 403, 403),
    "page invite case member": (403, 403,               403, 303, 404, 404,          403, 403, 403, 403),
    "page backtracking":       (403, 403,               200, 200, 200, 200,          200, 200, 200, 200),
    "page ask backtracking":   (403, 403,               403, 303, 403, 404,          403, 303, 403, 404),
    "page answer backtracking": (403, 403,              303, 403, 404, 404,          403, 403, 404, 404),
    "page industry reports":   (403, 403,               200, 200, 200, 200,          403, 403, 403, 403),
    "page new industry report": (403, 403,              403, 403, 403, 403,          403, 403, 403, 403),
    "page file industry report": (403, 403,             403, 403, 403, 403,          403, 403, 403, 403),
    "page industry report":    (403, 403,               200, 404, 404, 404,          403, 403, 403, 403),
    "page triage industry report": (403, 403,           303, 404, 404, 404,          403, 403, 403, 403),
}
# Law-enforcement officers of each country relation.
LAW_ENFORCEMENT: dict[str, tuple[int, int, int, int]] = {
    #                          exp  imp  tra  unr
    "create PEN":              (403, 403, 403, 403),
    "read draft":              (200, 404, 404, 404),
    "read sent":               (200, 200, 200, 404),
    "send":                    (403, 404, 404, 404),
    "acknowledge":             (403, 403, 403, 404),
    "respond":                 (403, 403, 403, 404),
    "answer":                  (403, 403, 403, 404),
    "withdraw":                (403, 403, 403, 404),
    "create shipment":         (403, 403, 403, 403),
    "read shipment":           (200, 200, 200, 404),
    "record event":            (403, 403, 403, 404),
    "list audit":              (403, 403, 403, 403),
    "create authority":        (403, 403, 403, 403),
    "create operator":         (201, 201, 201, 201),
    "create pen-requirement":  (403, 403, 403, 403),
    "delete pen-requirement":  (403, 403, 403, 403),
    "confirm arrival":         (403, 403, 403, 404),
    "list tokens":             (403, 403, 403, 403),
    "revoke token":            (403, 403, 403, 403),
    "raise flag":              (201, 201, 201, 404),
    "triage flag":             (200, 200, 200, 404),
    "record incident":         (201, 201, 201, 201),
    "read incident":           (200, 200, 200, 404),
    "list incidents":          (200, 200, 200, 200),
    "request backtracking":    (403, 201, 403, 404),
    "answer backtracking":     (200, 403, 404, 404),
    "list backtracking":       (200, 200, 200, 200),
    "add sample":              (403, 201, 403, 404),
    "create substance":        (403, 403, 403, 403),
    "create legitimate-req":   (403, 403, 403, 403),
    "delete legitimate-req":   (403, 403, 403, 403),
    "list legitimate-reqs":    (200, 200, 200, 200),
    "update risk-list":        (403, 403, 403, 403),
    "read risk-lists":         (200, 200, 200, 200),
    "update authority":        (403, 403, 403, 403),
    "rotate webhook secret":   (403, 403, 403, 403),
    "import shipments":        (403, 403, 403, 403),
    "import events":           (403, 403, 403, 403),
    "import operators":        (403, 403, 403, 403),
    # Law enforcement investigates: but a case is its member authorities' alone (Pakistan's and
    # Germany's regulators here, not their police).
    "list entities":           (200, 200, 200, 200),
    "read entity":             (200, 200, 200, 200),
    "read entity links":       (200, 200, 200, 200),
    "decide entity":           (200, 200, 200, 200),
    "create watchlist entry":  (201, 201, 201, 201),
    "list watchlist entries":  (200, 200, 200, 200),
    "read watchlist entry":    (200, 404, 404, 404),
    "create case":             (201, 201, 201, 201),
    "list cases":              (200, 200, 200, 200),
    "read case":               (404, 404, 404, 404),
    "add case item":           (404, 404, 404, 404),
    "invite case member":      (404, 404, 404, 404),
    "add case note":           (404, 404, 404, 404),
    # Only participants read or end it (the German officers' authority started it).
    "start controlled delivery": (201, 201, 201, 404),
    "end controlled delivery": (200, 404, 404, 404),
    "read controlled delivery": (200, 404, 404, 404),
    "file industry report":    (403, 403, 403, 403),
    "list industry reports":   (403, 403, 403, 403),
    "read industry report":    (404, 404, 404, 404),
    "triage industry report":  (404, 404, 404, 404),
    "industry report summary": (403, 403, 403, 403),
    "create operation":        (403, 201, 201, 403),
    "list operations":         (200, 200, 200, 200),
    "read operation":          (404, 200, 200, 404),
    "tag operation item":      (404, 201, 201, 404),
    "read outcomes":           (404, 200, 200, 404),
    "page cases":              (200, 200, 200, 200),
    "page case":               (404, 404, 404, 404),
    "page open case":          (303, 303, 303, 303),
    "page add case note":      (404, 404, 404, 404),
    "page add case item":      (404, 404, 404, 404),
    "page invite case member": (404, 404, 404, 404),
    "page backtracking":       (200, 200, 200, 200),
    "page ask backtracking":   (403, 303, 403, 404),
    "page answer backtracking": (303, 403, 404, 404),
    "page industry reports":   (403, 403, 403, 403),
    "page new industry report": (403, 403, 403, 403),
    "page file industry report": (403, 403, 403, 403),
    "page industry report":    (403, 403, 403, 403),
    "page triage industry report": (403, 403, 403, 403),
}
# Industry users of a company in each country relation: their own reports and reference data,
# nothing else (the German company filed the report read and triaged here).
INDUSTRY: dict[str, tuple[int, int, int, int]] = {
    #                          exp  imp  tra  unr
    "create PEN":              (403, 403, 403, 403),
    "read draft":              (403, 403, 403, 403),
    "read sent":               (403, 403, 403, 403),
    "send":                    (403, 403, 403, 403),
    "acknowledge":             (403, 403, 403, 403),
    "respond":                 (403, 403, 403, 403),
    "answer":                  (403, 403, 403, 403),
    "withdraw":                (403, 403, 403, 403),
    "create shipment":         (403, 403, 403, 403),
    "read shipment":           (403, 403, 403, 403),
    "record event":            (403, 403, 403, 403),
    "list audit":              (403, 403, 403, 403),
    "create authority":        (403, 403, 403, 403),
    "create operator":         (403, 403, 403, 403),
    "create pen-requirement":  (403, 403, 403, 403),
    "delete pen-requirement":  (403, 403, 403, 403),
    "confirm arrival":         (403, 403, 403, 403),
    "list tokens":             (403, 403, 403, 403),
    "revoke token":            (403, 403, 403, 403),
    "raise flag":              (403, 403, 403, 403),
    "triage flag":             (403, 403, 403, 403),
    "record incident":         (403, 403, 403, 403),
    "read incident":           (403, 403, 403, 403),
    "list incidents":          (403, 403, 403, 403),
    "request backtracking":    (403, 403, 403, 403),
    "answer backtracking":     (403, 403, 403, 403),
    "list backtracking":       (403, 403, 403, 403),
    "add sample":              (403, 403, 403, 403),
    "create substance":        (403, 403, 403, 403),
    "create legitimate-req":   (403, 403, 403, 403),
    "delete legitimate-req":   (403, 403, 403, 403),
    "list legitimate-reqs":    (200, 200, 200, 200),
    "update risk-list":        (403, 403, 403, 403),
    "read risk-lists":         (200, 200, 200, 200),
    "update authority":        (403, 403, 403, 403),
    "rotate webhook secret":   (403, 403, 403, 403),
    "import shipments":        (403, 403, 403, 403),
    "import events":           (403, 403, 403, 403),
    "import operators":        (403, 403, 403, 403),
    "start controlled delivery": (403, 403, 403, 403),
    "end controlled delivery": (403, 403, 403, 403),
    "read controlled delivery": (403, 403, 403, 403),
    "file industry report":    (201, 201, 201, 201),
    "list industry reports":   (200, 200, 200, 200),
    "read industry report":    (200, 404, 404, 404),
    "triage industry report":  (403, 404, 404, 404),
    "industry report summary": (403, 403, 403, 403),
    "create operation":        (403, 403, 403, 403),
    "list operations":         (403, 403, 403, 403),
    "read operation":          (403, 403, 403, 403),
    "tag operation item":      (403, 403, 403, 403),
    "read outcomes":           (403, 403, 403, 403),
    "create watchlist entry":  (403, 403, 403, 403),
    "list watchlist entries":  (403, 403, 403, 403),
    "read watchlist entry":    (403, 403, 403, 403),
    "list entities":           (403, 403, 403, 403),
    "read entity":             (403, 403, 403, 403),
    "read entity links":       (403, 403, 403, 403),
    "decide entity":           (403, 403, 403, 403),
    "create case":             (403, 403, 403, 403),
    "list cases":              (403, 403, 403, 403),
    "read case":               (403, 403, 403, 403),
    "add case item":           (403, 403, 403, 403),
    "add case note":           (403, 403, 403, 403),
    "invite case member":      (403, 403, 403, 403),
    # In the workspace a company's users reach their industry reports and nothing else.
    "page cases":              (403, 403, 403, 403),
    "page case":               (403, 403, 403, 403),
    "page open case":          (403, 403, 403, 403),
    "page add case note":      (403, 403, 403, 403),
    "page add case item":      (403, 403, 403, 403),
    "page invite case member": (403, 403, 403, 403),
    "page backtracking":       (403, 403, 403, 403),
    "page ask backtracking":   (403, 403, 403, 403),
    "page answer backtracking": (403, 403, 403, 403),
    "page industry reports":   (200, 200, 200, 200),
    "page new industry report": (200, 200, 200, 200),
    "page file industry report": (303, 303, 303, 303),
    "page industry report":    (200, 404, 404, 404),
    "page triage industry report": (403, 404, 404, 404),
}
# fmt: on


@dataclass
class World:
    api: Api
    caller: Actor

    @cached_property
    def lane(self) -> Lane:
        """Built on first use: actions that need no PEN skip its cost."""
        return lane(self.api)


def _entry(world: World) -> str:
    """A watch-list entry of the exporting country (Germany), scoped to it alone."""
    body = {"name": "Acme", "reason": "Seizure in 2016", "country_scope": ["DE"]}
    response = world.api.regulator("DE").post("/api/v1/watchlists/entries", json=body)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def _pen(world: World, status: str) -> dict[str, Any]:
    return world.lane.pen_in(status)


def _shipment(world: World) -> dict[str, Any]:
    body = world.lane.shipment_body(customs_reference="AE-1")
    return record_shipment(world.api.customs("AE"), None, **body)


def _transition(status: str, action: str, body: dict[str, Any] | None = None) -> Callable:
    def act(world: World) -> Any:
        return world.caller.post(f"{PENS}/{_pen(world, status)['id']}/{action}", json=body)

    return act


def _requirement(world: World) -> dict[str, Any]:
    response = world.api.admin.post(
        REQUIREMENTS, json={"country": "TV", "table": "I", "source": "test"}
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


LEGITIMATE = "/api/v1/legitimate-requirements"
ALR_BODY = {"country": "TV", "cas_number": "90-82-4", "quantity_kg": 100, "source": "test"}


def _legitimate_requirement(world: World) -> dict[str, Any]:
    response = world.api.admin.post(LEGITIMATE, json=ALR_BODY)
    assert response.status_code == 201, response.text
    return dict(response.json())


def _someone_elses_token(world: World) -> str:
    """The id of an Italian customs officer's token (never the caller's)."""
    officer = world.api.customs("IT")
    tokens = world.api.admin.get("/api/v1/tokens", params={"limit": 500}).json()["items"]
    return str(next(t["id"] for t in tokens if t["authority_id"] == officer.authority_id))


def _hooked_authority(world: World) -> str:
    """An Italian authority with a webhook (never the caller's own)."""
    response = world.api.admin.post(
        "/api/v1/authorities",
        json={
            "country": "IT",
            "name": "Ministero (hooks)",
            "kind": "regulator",
            "webhook_url": "https://hooks.example.org/pentrack",
        },
    )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def _import(world: World, kind: str, rows: list[dict[str, Any]]) -> Any:
    content = b"".join(json.dumps(row).encode() + b"\n" for row in rows)
    return world.caller.post(
        IMPORTS,
        params={"kind": kind},
        content=content,
        headers={"Content-Type": "application/x-ndjson"},
    )


def _import_event(world: World) -> Any:
    row = {
        "shipment_id": _shipment(world)["id"],
        **event_body("stopped", world.caller.country or "AE"),
    }
    return _import(world, "events", [row])


def _incident(world: World) -> dict[str, Any]:
    """Recorded by Pakistan's law enforcement: origin Germany, transit the UAE."""
    return record_incident(
        world.api.law_enforcement("PK"),
        origin_country="DE",
        transit_countries=["AE"],
        destination_country="PK",
    )


def _backtracking(world: World) -> dict[str, Any]:
    return ask(world.api.law_enforcement("PK"), _incident(world), "DE")


def _flag(world: World) -> dict[str, Any]:
    return manual_flag(world.api.customs("AE"), _shipment(world), "high", "Seal tampered")


ENTITIES = "/api/v1/entities"
CASE_PATH = "/api/v1/cases"


def _entity(world: World) -> str:
    """The entity of an Emirati trading house registered twice (AE and AF)."""
    first = world.api.operator("AE", "Al-Noor Chemicals FZE", address="Plot 12, Jebel Ali")
    world.api.operator("AF", "AL NOOR CHEMICAL LLC", address="Plot 12 Jebel Ali")
    found = world.api.admin.get(ENTITIES, params={"q": "noor"}).json()["items"]
    return str(next(e["id"] for e in found if first["id"] in str(e)))


def _decide(world: World) -> Any:
    entity_id = _entity(world)
    members = world.api.admin.get(f"{ENTITIES}/{entity_id}").json()["members"]
    return world.caller.post(
        f"{ENTITIES}/{entity_id}/decisions",
        json={
            "operator_id": members[0]["operator_id"],
            "other_operator_id": members[1]["operator_id"],
            "decision": "different",
        },
    )


def _case(world: World) -> str:
    """Opened by Pakistan's regulator, Germany's regulator invited."""
    owner = world.api.regulator("PK")
    case = owner.post(CASE_PATH, json={"title": "Port Qasim consignee"}).json()
    invited = owner.post(
        f"{CASE_PATH}/{case['id']}/members", json={"authority_id": world.api.authority("DE")}
    )
    assert invited.status_code == 201, invited.text
    return str(case["id"])


CD = "controlled-delivery"


def _controlled(world: World) -> dict[str, Any]:
    """A shipment under a controlled delivery run by Germany's law enforcement alone."""
    shipment = _shipment(world)
    response = world.api.law_enforcement("DE").post(
        f"{SHIPMENTS}/{shipment['id']}/{CD}", json={"participants": [], "note": "CD-1"}
    )
    assert response.status_code == 201, response.text
    return shipment


def _industry_report(world: World) -> dict[str, Any]:
    """Filed by the German reporting company (the `exporting` industry caller's own)."""
    return file_report(world.api.industry("DE"))


OPERATIONS = "/api/v1/operations"
OPERATION_BODY = {
    "name": "TARCET IV",
    "starts_on": "2026-11-01",
    "ends_on": "2026-12-31",
    "countries": ["PK", "AE"],
    "substances": ["108-24-7"],
    "objectives": [{"metric": "kg_seized", "target": 1000}],
}


def _operation(world: World) -> dict[str, Any]:
    """Planned by Pakistan's law enforcement, with the UAE."""
    response = world.api.law_enforcement("PK").post(OPERATIONS, json=OPERATION_BODY)
    assert response.status_code == 201, response.text
    return dict(response.json())


def _page(path: str | Callable[[World], str]) -> Callable[[World], Any]:
    """A workspace page, read in a browser signed in as the caller."""

    def read(world: World) -> Any:
        where = path(world) if callable(path) else path
        return page_get(world.caller.client, world.caller.token, where)

    return read


def _form(path: str | Callable[[World], str], form: dict[str, Any]) -> Callable[[World], Any]:
    """A workspace form, sent from a browser signed in as the caller."""

    def send(world: World) -> Any:
        where = path(world) if callable(path) else path
        return page_post(world.caller.client, world.caller.token, where, form)

    return send


REPORT_FORM = {
    "kind": "order",
    "substance": "108-24-7",
    "customer_name": "Falcon Trading FZE",
    "customer_country": "AE",
    "indicator-unknown_customer": "yes",
    "narrative": "New customer asks for 20 t by next week, pays cash.",
}
WORKSPACE_ACTIONS: dict[str, Callable[[World], Any]] = {
    "page cases": _page("/workspace/cases"),
    "page case": _page(lambda w: f"/workspace/cases/{_case(w)}"),
    "page open case": _form("/workspace/cases", {"title": "Acme network"}),
    "page add case note": _form(
        lambda w: f"/workspace/cases/{_case(w)}/notes", {"text": "Same address as in 2016"}
    ),
    "page add case item": lambda w: page_post(
        w.caller.client,
        w.caller.token,
        f"/workspace/cases/{_case(w)}/items",
        {"type": "entity", "id": _entity(w)},
    ),
    "page invite case member": lambda w: page_post(
        w.caller.client,
        w.caller.token,
        f"/workspace/cases/{_case(w)}/members",
        {"authority_id": w.api.authority("FR")},
    ),
    "page backtracking": _page("/workspace/backtracking"),
    "page ask backtracking": _form(
        lambda w: f"/workspace/incidents/{_incident(w)['id']}/backtracking",
        {"to_country": "DE", "question": "Who sold this acetic anhydride?"},
    ),
    "page answer backtracking": _form(
        lambda w: f"/workspace/backtracking/{_backtracking(w)['id']}/answer",
        {"findings": "Sold to a broker"},
    ),
    "page industry reports": _page("/workspace/reports"),
    "page new industry report": _page("/workspace/reports/new"),
    "page file industry report": _form("/workspace/reports", REPORT_FORM),
    "page industry report": _page(lambda w: f"/workspace/reports/{_industry_report(w)['id']}"),
    "page triage industry report": _form(
        lambda w: f"/workspace/reports/{_industry_report(w)['id']}/triage",
        {"status": "acknowledged", "feedback": "Received"},
    ),
}

ACTIONS: dict[str, Callable[[World], Any]] = {
    "create PEN": lambda w: w.caller.post(PENS, json=w.lane.draft_body()),
    "read draft": lambda w: w.caller.get(f"{PENS}/{_pen(w, 'draft')['id']}"),
    "read sent": lambda w: w.caller.get(f"{PENS}/{_pen(w, 'sent')['id']}"),
    "send": _transition("draft", "send"),
    "acknowledge": _transition("sent", "acknowledge"),
    "respond": _transition("sent", "respond", {"decision": "no_objection"}),
    "answer": _transition("information_requested", "answer", {"message": "Details attached"}),
    "withdraw": _transition("sent", "withdraw", {"reason": "Order cancelled"}),
    "create shipment": lambda w: w.caller.post(SHIPMENTS, json=w.lane.shipment_body()),
    "read shipment": lambda w: w.caller.get(f"{SHIPMENTS}/{_shipment(w)['id']}"),
    "record event": lambda w: w.caller.post(
        f"{SHIPMENTS}/{_shipment(w)['id']}/events",
        json=event_body("stopped", w.caller.country or "AE"),
    ),
    "list audit": lambda w: w.caller.get(AUDIT),
    "create authority": lambda w: w.caller.post(
        "/api/v1/authorities", json={"country": "IT", "name": "Ministero", "kind": "regulator"}
    ),
    "create operator": lambda w: w.caller.post(
        "/api/v1/operators", json={"name": "Acme", "country": "DE", "address": "1 Main St"}
    ),
    "create pen-requirement": lambda w: w.caller.post(
        REQUIREMENTS, json={"country": "TV", "table": "I", "source": "test"}
    ),
    "delete pen-requirement": lambda w: w.caller.delete(f"{REQUIREMENTS}/{_requirement(w)['id']}"),
    "confirm arrival": _transition(
        "no_objection",
        "confirm-arrival",
        {"received_on": "2026-12-01", "quantity": 5000, "unit": "l"},
    ),
    "list tokens": lambda w: w.caller.get("/api/v1/tokens"),
    "revoke token": lambda w: w.caller.delete(f"/api/v1/tokens/{_someone_elses_token(w)}"),
    "raise flag": lambda w: w.caller.post(
        "/api/v1/flags",
        json={
            "subject_type": "shipment",
            "subject_id": _shipment(w)["id"],
            "severity": "medium",
            "explanation": "Driver's papers do not match",
        },
    ),
    "triage flag": lambda w: w.caller.post(
        f"/api/v1/flags/{_flag(w)['id']}/triage", json={"status": "under_review", "note": "Seen"}
    ),
    "record incident": lambda w: w.caller.post(
        INCIDENTS, json=incident_body(w.caller.country or "PK")
    ),
    "read incident": lambda w: w.caller.get(f"{INCIDENTS}/{_incident(w)['id']}"),
    "list incidents": lambda w: w.caller.get(INCIDENTS),
    "request backtracking": lambda w: w.caller.post(
        f"{INCIDENTS}/{_incident(w)['id']}/backtracking-requests",
        json={"to_country": "DE", "question": "Who sold this acetic anhydride?"},
    ),
    "answer backtracking": lambda w: w.caller.post(
        f"{REQUESTS}/{_backtracking(w)['id']}/answer", json={"findings": "Sold to a broker"}
    ),
    "list backtracking": lambda w: w.caller.get(REQUESTS),
    "add sample": lambda w: w.caller.post(
        f"{INCIDENTS}/{_incident(w)['id']}/samples",
        json={"laboratory": "ANF Laboratory", "sample_reference": "S-1", "purity_percent": 98},
    ),
    "create substance": lambda w: w.caller.post(
        "/api/v1/substances",
        json={
            "cas_number": "108-29-2",
            "name": "gamma-Valerolactone",
            "kind": "special_surveillance",
            "hs_code": "2932.20",
            "source": "test",
        },
    ),
    "create legitimate-req": lambda w: w.caller.post(LEGITIMATE, json=ALR_BODY),
    "delete legitimate-req": lambda w: w.caller.delete(
        f"{LEGITIMATE}/{_legitimate_requirement(w)['id']}"
    ),
    "list legitimate-reqs": lambda w: w.caller.get(LEGITIMATE),
    "update risk-list": lambda w: w.caller.put(
        "/api/v1/risk-lists/free-zones", json={"entries": ["free zone"], "source": "test"}
    ),
    "read risk-lists": lambda w: w.caller.get("/api/v1/risk-lists"),
    "update authority": lambda w: w.caller.patch(
        f"/api/v1/authorities/{_hooked_authority(w)}", json={"name": "Ministero della Salute"}
    ),
    "rotate webhook secret": lambda w: w.caller.post(
        f"/api/v1/authorities/{_hooked_authority(w)}/rotate-secret"
    ),
    "import shipments": lambda w: _import(w, "shipments", [w.lane.shipment_body()]),
    "import events": _import_event,
    "import operators": lambda w: _import(
        w, "operators", [{"name": "Acme", "country": "DE", "address": "1 Main St"}]
    ),
    "list entities": lambda w: w.caller.get(ENTITIES, params={"q": "acme"}),
    "read entity": lambda w: w.caller.get(f"{ENTITIES}/{_entity(w)}"),
    "read entity links": lambda w: w.caller.get(f"{ENTITIES}/{_entity(w)}/links?depth=2"),
    "decide entity": _decide,
    "create watchlist entry": lambda w: w.caller.post(
        "/api/v1/watchlists/entries", json={"name": "Acme", "reason": "Seizure in 2016"}
    ),
    "list watchlist entries": lambda w: w.caller.get("/api/v1/watchlists/entries"),
    "read watchlist entry": lambda w: w.caller.get(f"/api/v1/watchlists/entries/{_entry(w)}"),
    "create case": lambda w: w.caller.post(CASE_PATH, json={"title": "Acme network"}),
    "list cases": lambda w: w.caller.get(CASE_PATH),
    "read case": lambda w: w.caller.get(f"{CASE_PATH}/{_case(w)}"),
    "add case item": lambda w: w.caller.post(
        f"{CASE_PATH}/{_case(w)}/items", json={"type": "entity", "id": _entity(w)}
    ),
    "invite case member": lambda w: w.caller.post(
        f"{CASE_PATH}/{_case(w)}/members", json={"authority_id": w.api.authority("FR")}
    ),
    "add case note": lambda w: w.caller.post(
        f"{CASE_PATH}/{_case(w)}/notes", json={"text": "Same address as the 2016 consignee"}
    ),
    "start controlled delivery": lambda w: w.caller.post(
        f"{SHIPMENTS}/{_shipment(w)['id']}/{CD}", json={"participants": []}
    ),
    "end controlled delivery": lambda w: w.caller.post(
        f"{SHIPMENTS}/{_controlled(w)['id']}/{CD}/end", json={}
    ),
    "read controlled delivery": lambda w: w.caller.get(f"{SHIPMENTS}/{_controlled(w)['id']}/{CD}"),
    "file industry report": lambda w: w.caller.post(INDUSTRY_REPORTS, json=report_body()),
    "list industry reports": lambda w: w.caller.get(INDUSTRY_REPORTS),
    "read industry report": lambda w: w.caller.get(
        f"{INDUSTRY_REPORTS}/{_industry_report(w)['id']}"
    ),
    "triage industry report": lambda w: w.caller.post(
        f"{INDUSTRY_REPORTS}/{_industry_report(w)['id']}/triage",
        json={"status": "acknowledged", "feedback": "Received"},
    ),
    "industry report summary": lambda w: w.caller.get(f"{INDUSTRY_REPORTS}/summary"),
    "create operation": lambda w: w.caller.post(OPERATIONS, json=OPERATION_BODY),
    "list operations": lambda w: w.caller.get(OPERATIONS),
    "read operation": lambda w: w.caller.get(f"{OPERATIONS}/{_operation(w)['id']}"),
    "tag operation item": lambda w: w.caller.post(
        f"{OPERATIONS}/{_operation(w)['id']}/items",
        json={"type": "incident", "id": _incident(w)["id"]},
    ),
    "read outcomes": lambda w: w.caller.get(f"{OPERATIONS}/{_operation(w)['id']}/outcomes"),
    **WORKSPACE_ACTIONS,
}

CASES = (
    [
        pytest.param(action, role, relation, expected, id=f"{action}-{role}-{relation or 'global'}")
        for action, row in MATRIX.items()
        for (role, relation), expected in zip(CALLERS, row, strict=True)
    ]
    + [
        pytest.param(action, "law_enforcement", relation, expected, id=f"{action}-le-{relation}")
        for action, row in LAW_ENFORCEMENT.items()
        for relation, expected in zip(COUNTRY, row, strict=True)
    ]
    + [
        pytest.param(action, "industry", relation, expected, id=f"{action}-industry-{relation}")
        for action, row in INDUSTRY.items()
        for relation, expected in zip(COUNTRY, row, strict=True)
    ]
)


def test_every_action_has_a_row_and_every_row_an_action() -> None:
    assert set(MATRIX) == set(ACTIONS)


def test_every_action_has_a_law_enforcement_row() -> None:
    assert set(LAW_ENFORCEMENT) == set(MATRIX)


def test_every_action_has_an_industry_row() -> None:
    assert set(INDUSTRY) == set(MATRIX)


@pytest.mark.parametrize(("action", "role", "relation", "expected"), CASES)
def test_authorization(
    api: Api, action: str, role: str, relation: str | None, expected: int
) -> None:
    caller = api.actor(Role(role), COUNTRY[relation] if relation else None)
    response = ACTIONS[action](World(api, caller))
    assert response.status_code == expected, response.text
    if action in WORKSPACE_ACTIONS:
        assert expected == 303 or response.headers["content-type"].startswith("text/html")
    elif expected >= 400:
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["status"] == expected
