"""Small typed helpers that build test data through the public API."""

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

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


@dataclass
class Api:
    client: TestClient
    engine: Engine
    _authorities: dict[tuple[str, str], str] = field(default_factory=dict)
    _admin: Actor | None = None

    def token(self, role: Role, authority_id: str | None = None) -> str:
        with open_session(self.engine, write=True) as session:
            _, token = create_user(session, role=role, authority_id=authority_id, name=None)
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
        """A user of `role` in `country` (its authority is created on first use)."""
        authority_id = None
        if country is not None:
            kind = "customs" if role == Role.CUSTOMS else "regulator"
            authority_id = self.authority(country, kind)
        return Actor(self.client, self.token(role, authority_id), role, country, authority_id)

    def regulator(self, country: str) -> Actor:
        return self.actor(Role.REGULATOR, country)

    def customs(self, country: str) -> Actor:
        return self.actor(Role.CUSTOMS, country)

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
