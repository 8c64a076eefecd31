"""An incident's world: Iran records seizures of acetic anhydride from Germany via the UAE
bound for Afghanistan; France is named nowhere; an INCB-like body takes copies. Every country
has a regulator, customs and law enforcement; the default routing rules are loaded."""

from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy.engine import Engine

from app.alerts.defaults import seed_default_routing
from app.auth.roles import Role
from app.core.db import open_session
from tests.factories import Actor, Api
from tests.incidents.helpers import ALERTS

COUNTRIES = ("IR", "DE", "AE", "AF", "FR")
KINDS = ("regulator", "customs", "law_enforcement")
ROLE_OF_KIND = {
    "regulator": Role.REGULATOR,
    "customs": Role.CUSTOMS,
    "law_enforcement": Role.LAW_ENFORCEMENT,
}


@dataclass
class World:
    api: Api
    labels: dict[str, str]  # authority id → "DE/regulator"

    def officer(self, country: str, kind: str) -> Actor:
        return self.api.actor(ROLE_OF_KIND[kind], country)

    def alerts(self, event_type: str, subject_id: str | None = None) -> dict[str, dict[str, Any]]:
        """Every alert of `event_type` (about `subject_id`), by recipient label."""
        params: dict[str, Any] = {"event_type": event_type, "limit": 500}
        if subject_id:
            params["subject_id"] = subject_id
        response = self.api.admin.get(ALERTS, params=params)
        assert response.status_code == 200, response.text
        found: dict[str, dict[str, Any]] = {}
        for alert in response.json()["items"]:
            label = self.labels[alert["authority_id"]]
            assert label not in found, f"{label} got two {event_type} alerts"
            found[label] = alert
        return found


@pytest.fixture(autouse=True)
def default_routing(engine: Engine) -> None:
    with open_session(engine, write=True) as session:
        seed_default_routing(session)
        session.commit()


@pytest.fixture
def world(api: Api) -> World:
    labels = {api.authority("AT", "international"): "AT/international"}
    for country in COUNTRIES:
        for kind in KINDS:
            labels[api.authority(country, kind)] = f"{country}/{kind}"
    return World(api, labels)
