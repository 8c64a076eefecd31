"""A trade lane whose parties are registered, licensed and known, so that every built-in rule is
quiet until a scenario breaks one thing; and helpers to read the flags it raises."""

import itertools
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from tests.factories import (
    AA,
    SHIPMENTS,
    Actor,
    Api,
    Lane,
    event_body,
    record_shipment,
    walk,
)

FLAGS = "/api/v1/flags"
RULES = "/api/v1/rules"
PROBLEM = "https://pentrack.org/problems/"

_references = itertools.count(1)


def registered(api: Api, country: str, name: str, **extra: Any) -> dict[str, Any]:
    """An operator with a registration number and a licence valid for another year (unless
    `extra` says otherwise)."""
    fields = {
        "registration_number": f"{country}-REG-{next(_references):05d}",
        "licence_number": f"{country}-LIC-{next(_references):05d}",
        "licence_valid_until": (date.today() + timedelta(days=365)).isoformat(),
        **extra,
    }
    return api.operator(country, name, **fields)


def patch(actor: Actor, path: str, json: Any) -> Any:
    return actor.client.patch(path, json=json, headers=actor.headers())


def flags_on(actor: Actor, subject_id: str) -> list[dict[str, Any]]:
    return walk(actor, FLAGS, subject_id=subject_id)


def by_rule(actor: Actor, subject_id: str) -> dict[str, dict[str, Any]]:
    """The subject's flags by rule code (each code at most once: one rule version)."""
    flags = flags_on(actor, subject_id)
    codes = [f["rule"] for f in flags]
    assert len(codes) == len(set(codes)), codes
    return {f["rule"]: f for f in flags}


@dataclass
class Trade:
    """Exporter → importer on a lane; customs of every country on it; `history` earlier
    shipments to the importer (so it is no new counterparty)."""

    api: Api
    lane: Lane
    customs: dict[str, Actor] = field(default_factory=dict)

    @property
    def exporting(self) -> str:
        return str(self.lane.exporter["country"])

    @property
    def importing(self) -> str:
        return str(self.lane.importer["country"])

    def customs_of(self, country: str) -> Actor:
        if country not in self.customs:
            self.customs[country] = self.api.customs(country)
        return self.customs[country]

    def pen(self, status: str = "no_objection", **overrides: Any) -> dict[str, Any]:
        """A PEN on the lane driven into `status` through the API."""
        return self.lane.pen_in(status, **overrides)

    def route(self, **overrides: Any) -> dict[str, Any]:
        """The fields of a shipment on the lane that cites no PEN."""
        return {
            "exporting_country": self.exporting,
            "importing_country": self.importing,
            "transit_countries": self.lane.transit_countries,
            "exporter_id": self.lane.exporter["id"],
            "importer_id": self.lane.importer["id"],
            "substance": AA,
            **overrides,
        }

    def ship(
        self, pen: dict[str, Any] | None = None, by: str | None = None, **overrides: Any
    ) -> dict[str, Any]:
        """A shipment recorded by customs of `by` (default: the exporting country)."""
        fields = {} if pen is not None else self.route()
        fields.update(customs_reference=f"CUS-{next(_references):05d}", **overrides)
        return record_shipment(self.customs_of(by or self.exporting), pen, **fields)

    def history(self, count: int = 1, quantity: float = 5000, unit: str = "l") -> None:
        """`count` earlier shipments of acetic anhydride to the importer (they cite no PEN)."""
        for _ in range(count):
            self.ship(None, quantity=quantity, unit=unit)

    def event(
        self,
        shipment: dict[str, Any],
        type_: str,
        country: str | None = None,
        occurred_at: datetime | None = None,
        **extra: Any,
    ) -> dict[str, Any]:
        """A border event recorded by customs of `country`; by default it happens now."""
        country = country or self.exporting
        body = event_body(type_, country, occurred_at or datetime.now(UTC), **extra)
        response = self.customs_of(country).post(f"{SHIPMENTS}/{shipment['id']}/events", json=body)
        assert response.status_code == 201, response.text
        return dict(response.json())

    def depart(self, shipment: dict[str, Any], occurred_at: datetime | None = None) -> None:
        """Export clearance and departure in the exporting country."""
        self.event(shipment, "export_cleared", occurred_at=occurred_at)
        self.event(shipment, "departed", occurred_at=occurred_at)


def trade(
    api: Api,
    exporting: str = "DE",
    importing: str = "PK",
    transit: tuple[str, ...] = ("AE",),
    history: int = 1,
    history_quantity: float = 5000,
    history_unit: str = "l",
    **importer: Any,
) -> Trade:
    """A lane between registered, licensed parties with `history` earlier shipments
    (`importer` overrides the importer's registration fields)."""
    exporter = registered(api, exporting, f"{exporting} Exporter GmbH")
    lane = Lane(
        api=api,
        exporting=api.regulator(exporting),
        importing=api.regulator(importing),
        exporter=exporter,
        importer=registered(api, importing, f"{importing} Importer Ltd", **importer),
        transit_countries=list(transit),
    )
    result = Trade(api, lane)
    result.history(history, history_quantity, history_unit)
    return result
