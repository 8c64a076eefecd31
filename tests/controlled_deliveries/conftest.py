"""A controlled delivery's world: acetic anhydride from Germany via the UAE to Pakistan, a
regulator, customs and law enforcement in each country, an INCB-like international authority,
the default routing rules. German and Pakistani law enforcement run the controlled delivery;
every other authority is a non-participant."""

from dataclasses import dataclass, field
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine

from app.alerts.defaults import seed_default_routing
from app.core.db import open_session
from app.delivery.models import Delivery
from tests.factories import SHIPMENTS, Actor, Api, Lane, lane, record_shipment
from tests.incidents.conftest import KINDS, ROLE_OF_KIND
from tests.incidents.helpers import ALERTS

COUNTRIES = ("DE", "AE", "PK")
NOTE = "Operation Nightjar: CD-77 tracked by BKA, ANF waits at Karachi"
CONTACT = "BKA duty desk +49 611 55 0"
CD = "controlled-delivery"


@dataclass
class World:
    api: Api
    engine: Engine
    lane: Lane
    labels: dict[str, str]  # authority id → "DE/regulator"
    ids: dict[str, str] = field(default_factory=dict)  # "DE/regulator" → authority id

    def officer(self, label: str) -> Actor:
        country, kind = label.split("/")
        return self.api.actor(ROLE_OF_KIND[kind], country)

    def shipment(self, **overrides: Any) -> dict[str, Any]:
        body = self.lane.shipment_body(**overrides)
        return record_shipment(self.api.customs("DE"), None, **body)

    def start(self, shipment: dict[str, Any], by: str = "DE/law_enforcement", **body: Any) -> Any:
        return self.officer(by).post(f"{SHIPMENTS}/{shipment['id']}/{CD}", json=body)

    def end(self, shipment: dict[str, Any], by: str = "DE/law_enforcement") -> Any:
        return self.officer(by).post(f"{SHIPMENTS}/{shipment['id']}/{CD}/end", json={})

    def alerts(self, event_type: str, subject_id: str | None = None) -> set[str]:
        """Who got an alert of `event_type` (about `subject_id`), by label."""
        params: dict[str, Any] = {"event_type": event_type, "limit": 500}
        if subject_id:
            params["subject_id"] = subject_id
        response = self.api.admin.get(ALERTS, params=params)
        assert response.status_code == 200, response.text
        return {self.labels[a["authority_id"]] for a in response.json()["items"]}

    def webhook_bodies(self) -> list[tuple[str | None, str]]:
        """(authority id, body) of every queued delivery."""
        with open_session(self.engine) as session:
            rows = session.exec(select(Delivery.authority_id, Delivery.body)).all()  # type: ignore[call-overload]
        return [(a, b) for a, b in rows]


@pytest.fixture(autouse=True)
def default_routing(engine: Engine) -> None:
    with open_session(engine, write=True) as session:
        seed_default_routing(session)
        session.commit()


@pytest.fixture
def world(api: Api, engine: Engine) -> World:
    labels = {api.authority("AT", "international"): "AT/international"}
    for country in COUNTRIES:
        for kind in KINDS:
            labels[api.authority(country, kind)] = f"{country}/{kind}"
    # Every authority has a webhook, so that webhook payloads can be checked too.
    for authority_id in labels:
        response = api.admin.patch(
            f"/api/v1/authorities/{authority_id}",
            json={"webhook_url": f"https://hooks.example.org/{authority_id}"},
        )
        assert response.status_code == 200, response.text
    world = World(api, engine, lane(api, "DE", "PK", ("AE",)), labels)
    world.ids = {label: i for i, label in labels.items()}
    return world
