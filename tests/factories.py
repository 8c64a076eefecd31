"""Small typed helpers that build test data through the public API."""

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from app.auth.roles import Role
from app.auth.service import create_user
from app.core.db import open_session

AA = "108-24-7"  # acetic anhydride, Table I, liquid (1.08 kg/l)
KMNO4 = "7722-64-7"  # potassium permanganate, Table I, solid


@dataclass
class Actor:
    """A user with a token; its methods call the API as that user."""

    client: TestClient
    token: str
    role: Role
    country: str | None
    authority_id: str | None
    operator_id: str | None = None  # an industry user's company

    def headers(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}", **(extra or {})}

    def get(self, path: str, **kwargs: Any) -> Any:
        return self.client.get(path, headers=self.headers(kwargs.pop("headers", None)), **kwargs)

    def post(self, path: str, json: Any = None, **kwargs: Any) -> Any:
        return self.client.post(
            path, json=json, headers=self.headers(kwargs.pop("headers", None)), **kwargs
        )

    def delete(self, path: str, **kwargs: Any) -> Any:
        return self.client.delete(path, headers=self.headers(kwargs.pop("headers", None)), **kwargs)

    def patch(self, path: str, json: Any = None, **kwargs: Any) -> Any:
        return self.client.patch(
            path, json=json, headers=self.headers(kwargs.pop("headers", None)), **kwargs
        )

    def put(self, path: str, json: Any = None, **kwargs: Any) -> Any:
        return self.client.put(
            path, json=json, headers=self.headers(kwargs.pop("headers", None)), **kwargs
        )


@dataclass
class Api:
    client: TestClient
    engine: Engine
    _authorities: dict[tuple[str, str], str] = field(default_factory=dict)
    _admin: Actor | None = None
    _companies: dict[str, str] = field(default_factory=dict)

    def token(
        self, role: Role, authority_id: str | None = None, operator_id: str | None = None
    ) -> str:
        with open_session(self.engine, write=True) as session:
            _, token = create_user(
                session, role=role, authority_id=authority_id, name=None, operator_id=operator_id
            )
            session.commit()
        return token

    @property
    def admin(self) -> Actor:
        if self._admin is None:
            self._admin = Actor(self.client, self.token(Role.ADMIN), Role.ADMIN, None, None)
        return self._admin

    def authority(self, country: str, kind: str = "regulator") -> str:
        key = (country, kind)
        if key not in self._authorities:
            response = self.admin.post(
                "/api/v1/authorities",
                json={"country": country, "name": f"{country} {kind} authority", "kind": kind},
            )
            assert response.status_code == 201, response.text
            self._authorities[key] = response.json()["id"]
        return self._authorities[key]

    def actor(self, role: Role, country: str | None = None) -> Actor:
        """A user of `role` in `country` (its authority is created on first use; an industry
        user's company, one per country, likewise)."""
        if role == Role.INDUSTRY:
            return self.industry(country or "DE")
        authority_id = None
        if country is not None:
            kind = {Role.CUSTOMS: "customs", Role.LAW_ENFORCEMENT: "law_enforcement"}.get(
                role, "regulator"
            )
            authority_id = self.authority(country, kind)
        return Actor(self.client, self.token(role, authority_id), role, country, authority_id)

    def regulator(self, country: str) -> Actor:
        return self.actor(Role.REGULATOR, country)

    def customs(self, country: str) -> Actor:
        return self.actor(Role.CUSTOMS, country)

    def law_enforcement(self, country: str) -> Actor:
        return self.actor(Role.LAW_ENFORCEMENT, country)

    def company(self, country: str) -> str:
        """The id of the country's reporting chemical company (a distributor)."""
        if country not in self._companies:
            made = self.operator(country, f"{country} Reporting Chemicals", kind="distributor")
            self._companies[country] = made["id"]
        return self._companies[country]

    def industry(self, country: str, operator_id: str | None = None) -> Actor:
        """An industry user of `operator_id`, by default the country's reporting company."""
        operator_id = operator_id or self.company(country)
        token = self.token(Role.INDUSTRY, operator_id=operator_id)
        return Actor(self.client, token, Role.INDUSTRY, country, None, operator_id)

    def analyst(self) -> Actor:
        return self.actor(Role.ANALYST)

    def operator(self, country: str, name: str | None = None, **extra: Any) -> dict[str, Any]:
        body = {
            "name": name or f"{country} Chemicals",
            "country": country,
            "address": f"1 Harbour Road, {country}",
            **extra,
        }
        response = self.admin.post("/api/v1/operators", json=body)
        assert response.status_code == 201, response.text
        return response.json()


def pen_body(
    exporter: dict[str, Any], importer: dict[str, Any], **overrides: Any
) -> dict[str, Any]:
    """A valid PEN body: 5,000 l of acetic anhydride, exporter's to importer's country."""
    body: dict[str, Any] = {
        "exporting_country": exporter["country"],
        "importing_country": importer["country"],
        "transit_countries": [],
        "exporter_id": exporter["id"],
        "importer_id": importer["id"],
        "substance": AA,
        "quantity": 5000,
        "unit": "l",
        "expected_dispatch_date": (date.today() + timedelta(days=30)).isoformat(),
        "expected_point_of_entry": "Karachi Port",
        "mode_of_transport": "sea",
        "means_of_payment": "letter_of_credit",
        "intended_use": "Manufacture of cellulose acetate",
    }
    body.update(overrides)
    return body


def shipment_body(pen: dict[str, Any] | None, **overrides: Any) -> dict[str, Any]:
    """A shipment body matching `pen` (or, without one, the overrides alone)."""
    body: dict[str, Any] = {
        "customs_reference": "CUS-0001",
        "declared_hs_code": "2915.24",
        "declared_description": "Acetic anhydride",
        "unit": "l",
        "quantity": 5000,
        "mode_of_transport": "sea",
        "means_of_payment": "letter_of_credit",
        "container_ids": ["MSKU1234565"],
    }
    if pen is not None:
        body.update(
            pen_reference=pen["reference"],
            exporting_country=pen["exporting_country"],
            importing_country=pen["importing_country"],
            transit_countries=pen["transit_countries"],
            exporter_id=pen["exporter_id"],
            importer_id=pen["importer_id"],
            substance=pen["substance"],
            quantity=pen["quantity"],
            unit=pen["unit"],
        )
    body.update(overrides)
    return body


PENS = "/api/v1/pre-export-notifications"
SHIPMENTS = "/api/v1/shipments"
AUDIT = "/api/v1/audit-events"

# The requests that drive a draft into each status, as (action, body) steps.
_ROUTE_TO_STATUS: dict[str, list[tuple[str, dict[str, Any] | None]]] = {
    "draft": [],
    "sent": [("send", None)],
    "acknowledged": [("send", None), ("acknowledge", None)],
    "no_objection": [("send", None), ("respond", {"decision": "no_objection"})],
    "objection": [
        ("send", None),
        ("respond", {"decision": "objection", "reason": "Importer not licensed"}),
    ],
    "information_requested": [
        ("send", None),
        ("respond", {"decision": "information_requested", "reason": "Name the end user"}),
    ],
    "withdrawn": [("send", None), ("withdraw", {"reason": "Order cancelled"})],
}
EXPORTING_ACTIONS = frozenset({"send", "answer", "withdraw"})


def event_body(
    type_: str, country: str, occurred_at: datetime | None = None, **extra: Any
) -> dict[str, Any]:
    """A border event body; by default it happened an hour ago."""
    when = occurred_at or datetime.now(UTC) - timedelta(hours=1)
    return {"type": type_, "country": country, "occurred_at": when.isoformat(), **extra}


def walk(actor: Actor, path: str, **params: Any) -> list[dict[str, Any]]:
    """Every item of a paginated list, following `next_cursor`."""
    items: list[dict[str, Any]] = []
    cursor = None
    while True:
        query = {**params, "limit": params.get("limit", 500)}
        if cursor:
            query["cursor"] = cursor
        response = actor.get(path, params=query)
        assert response.status_code == 200, response.text
        page = response.json()
        items += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            return items


@dataclass
class Lane:
    """A trade lane (exporting → importing via transit) with its regulators and operators."""

    api: Api
    exporting: Actor  # the exporting country's regulator
    importing: Actor  # the importing country's regulator
    exporter: dict[str, Any]
    importer: dict[str, Any]
    transit_countries: list[str]

    def draft_body(self, **overrides: Any) -> dict[str, Any]:
        """A valid PEN body for this lane."""
        return pen_body(
            self.exporter,
            self.importer,
            **{"transit_countries": self.transit_countries, **overrides},
        )

    def shipment_body(self, **overrides: Any) -> dict[str, Any]:
        """A valid shipment body on this lane that cites no PEN."""
        route = {
            "exporting_country": self.exporter["country"],
            "importing_country": self.importer["country"],
            "transit_countries": self.transit_countries,
            "exporter_id": self.exporter["id"],
            "importer_id": self.importer["id"],
            "substance": AA,
        }
        return shipment_body(None, **{**route, **overrides})

    def draft(self, **overrides: Any) -> dict[str, Any]:
        """A draft PEN on this lane, created through the API."""
        response = self.exporting.post(PENS, json=self.draft_body(**overrides))
        assert response.status_code == 201, response.text
        return dict(response.json())

    def act(self, pen: dict[str, Any], action: str, json: dict[str, Any] | None = None) -> Any:
        """`action` on `pen` by the regulator whose side performs it."""
        actor = self.exporting if action in EXPORTING_ACTIONS else self.importing
        return actor.post(f"{PENS}/{pen['id']}/{action}", json=json)

    def pen_in(self, status: str, **overrides: Any) -> dict[str, Any]:
        """A PEN driven through the API into `status`."""
        pen = self.draft(**overrides)
        for action, json in _ROUTE_TO_STATUS[status]:
            response = self.act(pen, action, json)
            assert response.status_code == 200, response.text
            pen = response.json()
        assert pen["status"] == status
        return pen


def lane(
    api: Api, exporting: str = "DE", importing: str = "PK", transit: tuple[str, ...] = ("AE",)
) -> Lane:
    """The lane of issue 2's story by default: Germany to Pakistan via the UAE."""
    return Lane(
        api=api,
        exporting=api.regulator(exporting),
        importing=api.regulator(importing),
        exporter=api.operator(exporting, f"{exporting} Exporter GmbH"),
        importer=api.operator(importing, f"{importing} Importer Ltd"),
        transit_countries=list(transit),
    )


def record_shipment(customs: Actor, pen: dict[str, Any] | None, **overrides: Any) -> dict[str, Any]:
    """A shipment recorded through the API by `customs`."""
    response = customs.post(SHIPMENTS, json=shipment_body(pen, **overrides))
    assert response.status_code == 201, response.text
    return dict(response.json())


def at_once(app: FastAPI, actor: Actor, calls: list[Callable[[Actor], Any]]) -> list[Any]:
    """Run each call as `actor` in its own thread and TestClient, released together.

    TestClient is not thread-safe, so every thread gets its own on the same app and engine.
    """
    barrier = threading.Barrier(len(calls))

    def run(call: Callable[[Actor], Any]) -> Any:
        with TestClient(app, raise_server_exceptions=False) as client:
            own = Actor(client, actor.token, actor.role, actor.country, actor.authority_id)
            barrier.wait(timeout=30)
            return call(own)

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls))


def manual_flag(
    actor: Actor, pen_or_shipment: dict[str, Any], severity: str, explanation: str
) -> dict[str, Any]:
    """A flag raised by hand through the API on a PEN (it has a `reference`) or a shipment."""
    subject_type = "pre_export_notification" if "reference" in pen_or_shipment else "shipment"
    response = actor.post(
        "/api/v1/flags",
        json={
            "subject_type": subject_type,
            "subject_id": pen_or_shipment["id"],
            "severity": severity,
            "explanation": explanation,
        },
    )
    assert response.status_code == 201, response.text
    return dict(response.json())
