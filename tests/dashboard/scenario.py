"""A small world built through the API, then moved in time, and the expected figures computed
from what the test created, in plain Python."""

import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import update

from app.auth.roles import Role
from app.notifications.models import PreExportNotification
from app.shipments.models import Shipment
from tests.factories import AA, KMNO4, Actor, Api, pen_body, shipment_body

DENSITY = {AA: Decimal("1.08"), KMNO4: None}
YEAR = 2025


def at(month: int, day: int, hour: int = 10) -> datetime:
    return datetime(YEAR, month, day, hour, tzinfo=UTC)


@dataclass
class Pen:
    id: str
    reference: str
    exporting: str
    importing: str
    transit: list[str]
    cas: str
    kg: Decimal
    sent_at: datetime | None = None
    decision: str | None = None
    decided_at: datetime | None = None
    reply_by: date | None = None
    withdrawn: bool = False


@dataclass
class Ship:
    id: str
    exporting: str
    importing: str
    transit: list[str]
    cas: str
    kg: Decimal
    created_at: datetime
    status: str = "declared"
    pen: Pen | None = None
    events: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class World:
    api: Api
    pens: list[Pen] = field(default_factory=list)
    ships: list[Ship] = field(default_factory=list)
    operators: dict[str, dict[str, Any]] = field(default_factory=dict)
    regulators: dict[str, Actor] = field(default_factory=dict)
    customs: dict[str, Actor] = field(default_factory=dict)

    def operator(self, country: str) -> dict[str, Any]:
        if country not in self.operators:
            self.operators[country] = self.api.operator(country, f"{country} Chemicals")
        return self.operators[country]

    def regulator(self, country: str) -> Actor:
        if country not in self.regulators:
            self.regulators[country] = self.api.regulator(country)
        return self.regulators[country]

    def customs_of(self, country: str) -> Actor:
        if country not in self.customs:
            self.customs[country] = self.api.customs(country)
        return self.customs[country]

    def move(self, model: Any, row_id: str, **values: Any) -> None:
        """Set columns of a row the API wrote (typed, so timestamps are stored as the app does)."""
        with self.api.engine.begin() as connection:
            connection.execute(update(model).where(model.id == row_id).values(**values))

    # Notifications.

    def pen(
        self,
        exporting: str,
        importing: str,
        *,
        cas: str = AA,
        quantity: float = 5000,
        unit: str = "l",
        transit: list[str] | None = None,
        sent: datetime | None = None,
        decision: str | None = None,
        reply_after_days: float = 3,
        reply_window_days: int = 15,
        withdraw: bool = False,
    ) -> Pen:
        regulator = self.regulator(exporting)
        body = pen_body(
            self.operator(exporting),
            self.operator(importing),
            substance=cas,
            quantity=quantity,
            unit=unit,
            transit_countries=transit or [],
        )
        created = regulator.post("/api/v1/pre-export-notifications", json=body)
        assert created.status_code == 201, created.text
        data = created.json()
        pen = Pen(
            data["id"],
            data["reference"],
            exporting,
            importing,
            transit or [],
            cas,
            Decimal(str(data["quantity_kg"])),
        )
        self.pens.append(pen)
        if sent is None:
            return pen
        path = f"/api/v1/pre-export-notifications/{pen.id}"
        assert regulator.post(f"{path}/send").status_code == 200
        if decision:
            reason = None if decision == "no_objection" else "Importer unknown to us"
            answer = self.regulator(importing).post(
                f"{path}/respond", json={"decision": decision, "reason": reason}
            )
            assert answer.status_code == 200, answer.text
        if withdraw:
            assert (
                regulator.post(f"{path}/withdraw", json={"reason": "Cancelled"}).status_code == 200
            )
        # Move the notification to the time the scenario says it happened.
        pen.sent_at = sent
        pen.reply_by = sent.date() + timedelta(days=reply_window_days)
        pen.decision = decision
        pen.decided_at = sent + timedelta(days=reply_after_days) if decision else None
        pen.withdrawn = withdraw
        self.move(
            PreExportNotification,
            pen.id,
            sent_at=sent,
            reply_by=pen.reply_by,
            decided_at=pen.decided_at,
        )
        return pen

    # Shipments.

    def shipment(
        self,
        pen: Pen | None,
        *,
        recorded_by: str,
        created: datetime,
        exporting: str | None = None,
        importing: str | None = None,
        cas: str = AA,
        quantity: float = 5000,
        unit: str = "l",
        transit: list[str] | None = None,
    ) -> Ship:
        customs = self.customs_of(recorded_by)
        reference = f"CUS-{len(self.ships) + 1:04d}"
        if pen is None:
            assert exporting and importing
            body = shipment_body(
                None,
                customs_reference=reference,
                exporting_country=exporting,
                importing_country=importing,
                transit_countries=transit or [],
                exporter_id=self.operator(exporting)["id"],
                importer_id=self.operator(importing)["id"],
                substance=cas,
                quantity=quantity,
                unit=unit,
                declared_hs_code="2915.24" if cas == AA else "2841.61",
            )
        else:
            pen_data = self.regulator(pen.exporting).get(
                f"/api/v1/pre-export-notifications/{pen.id}"
            )
            assert pen_data.status_code == 200, pen_data.text
            body = shipment_body(
                pen_data.json(), customs_reference=reference, quantity=quantity, unit=unit
            )
        response = customs.post("/api/v1/shipments", json=body)
        assert response.status_code == 201, response.text
        data = response.json()
        ship = Ship(
            data["id"],
            data["exporting_country"],
            data["importing_country"],
            data["transit_countries"],
            data["substance"],
            Decimal(str(data["quantity_kg"])),
            created,
            pen=pen,
        )
        self.move(Shipment, ship.id, created_at=created)
        self.ships.append(ship)
        return ship

    def event(
        self,
        ship: Ship,
        kind: str,
        country: str,
        occurred: datetime,
        observed: float | None = None,
        unit: str = "l",
    ) -> None:
        body: dict[str, Any] = {
            "type": kind,
            "country": country,
            "occurred_at": occurred.isoformat(),
        }
        if observed is not None:
            body.update(quantity_observed=observed, unit=unit)
        response = self.customs_of(country).post(f"/api/v1/shipments/{ship.id}/events", json=body)
        assert response.status_code == 201, response.text
        ship.status = response.json()["status"]
        observed_kg = None
        if observed is not None:
            factor = DENSITY[ship.cas] if unit == "l" else Decimal(1)
            observed_kg = (Decimal(str(observed)) * (factor or Decimal(1))).quantize(
                Decimal("0.001")
            )
        ship.events.append(
            {"type": kind, "country": country, "occurred": occurred, "observed_kg": observed_kg}
        )


def build(api: Api) -> World:
    """Notifications and shipments across 2025, in whole and partial months."""
    w = World(api)
    w.pen("DE", "PK", sent=at(1, 10), decision="no_objection", reply_after_days=2.5)
    w.pen("DE", "PK", sent=at(1, 20), decision="objection", reply_after_days=20)  # late
    w.pen("DE", "AF", transit=["IR"], sent=at(2, 3), decision="objection", reply_after_days=1)
    w.pen("NL", "PK", transit=["AE"], sent=at(3, 15))  # never answered: unanswered
    w.pen(
        "NL",
        "IN",
        cas=KMNO4,
        quantity=2000,
        unit="kg",
        sent=at(3, 31, 23),
        decision="no_objection",
        reply_after_days=7,
    )
    w.pen("DE", "IN", sent=at(4, 1, 0), decision="information_requested", reply_after_days=4)
    w.pen("BE", "TJ", transit=["UZ"], quantity=1200, sent=at(4, 18), withdraw=True)
    w.pen(
        "NL", "PK", quantity=800, sent=at(6, 30, 23), decision="no_objection", reply_after_days=0.2
    )
    w.pen("DE", "PK")  # a draft: never counted
    p_de_pk = w.pens[0]
    p_nl_pk = w.pens[3]
    s1 = w.shipment(p_de_pk, recorded_by="DE", created=at(1, 25), quantity=5000)
    w.event(s1, "stopped", "DE", at(1, 26), observed=5600)
    w.event(s1, "seized", "DE", at(1, 28), observed=5500)
    s2 = w.shipment(p_nl_pk, recorded_by="AE", created=at(3, 20), quantity=5000)
    w.event(s2, "stopped", "AE", at(3, 22), observed=4000)
    w.event(s2, "released", "AE", at(3, 24))
    w.shipment(
        None, recorded_by="CN", created=at(5, 5), exporting="CN", importing="AF", quantity=2000
    )
    s4 = w.shipment(
        None,
        recorded_by="TZ",
        created=at(6, 1),
        exporting="TZ",
        importing="PK",
        transit=["AE"],
        quantity=21700,
        unit="kg",
    )
    w.event(s4, "seized", "AE", at(6, 3), observed=21700, unit="kg")
    w.shipment(
        None,
        recorded_by="NL",
        created=at(2, 14),
        exporting="NL",
        importing="IN",
        cas=KMNO4,
        quantity=900,
        unit="kg",
    )
    return w


# Expected figures, from the scenario alone.


def in_period(moment: datetime | None, start: date, end: date) -> bool:
    return moment is not None and start <= moment.date() <= end


def pen_visible(p: Pen, country: str | None) -> bool:
    return country is None or country in (p.exporting, p.importing, *p.transit)


def expected_pens(w: World, start: date, end: date, **f: Any) -> list[Pen]:
    return [p for p in w.pens if in_period(p.sent_at, start, end) and matches(p, **f)]


def matches(
    row: Pen | Ship,
    substance: str | None = None,
    exporting_country: str | None = None,
    importing_country: str | None = None,
    transit_country: str | None = None,
    region: set[str] | None = None,
    party: str | None = None,
) -> bool:
    return (
        (substance is None or row.cas == substance)
        and (exporting_country is None or row.exporting == exporting_country)
        and (importing_country is None or row.importing == importing_country)
        and (transit_country is None or transit_country in row.transit)
        and (region is None or row.exporting in region or row.importing in region)
        and (party is None or party in (row.exporting, row.importing, *row.transit))
    )


def litres(rows: list[Pen] | list[Ship]) -> float | None:
    liquid = [r.kg / DENSITY[r.cas] for r in rows if DENSITY[r.cas]]  # type: ignore[operator]
    return float(sum(liquid)) if liquid else None


def by_key(rows: list[Any], key: Any) -> dict[Any, list[Any]]:
    groups: dict[Any, list[Any]] = defaultdict(list)
    for row in rows:
        groups[key(row)].append(row)
    return groups


def quantile(values: list[float], fraction: float) -> float | None:
    if not values:
        return None
    if len(values) == 1:
        return values[0]
    if fraction == 0.5:
        return statistics.median(values)
    return statistics.quantiles(values, n=10, method="inclusive")[8]


def reply_days(p: Pen) -> int:
    assert p.decided_at and p.sent_at
    return (p.decided_at - p.sent_at) // timedelta(days=1)


def reply_figures(pens: list[Pen], today: date) -> dict[str, Any]:
    decided = [p for p in pens if p.decision]
    unanswered = [
        p for p in pens if not p.decision and not p.withdrawn and p.reply_by and p.reply_by < today
    ]
    objections = sum(1 for p in pens if p.decision == "objection")
    days = sorted(float(reply_days(p)) for p in decided)
    return {
        "pens": len(pens),
        "no_objection": sum(1 for p in pens if p.decision == "no_objection"),
        "objection": objections,
        "information_requested": sum(1 for p in pens if p.decision == "information_requested"),
        "unanswered": len(unanswered),
        "withdrawn": sum(1 for p in pens if p.withdrawn and not p.decision),
        "replied_late": sum(
            1 for p in decided if p.decided_at and p.reply_by and p.decided_at.date() > p.reply_by
        ),
        "objection_rate": round(objections / len(pens), 6) if pens else None,
        "share_unanswered": round(len(unanswered) / len(pens), 6) if pens else None,
        "median_reply_days": quantile(days, 0.5),
        "p90_reply_days": quantile(days, 0.9),
    }


def role_actor(w: World, role: Role, country: str | None = None) -> Actor:
    return w.api.actor(role, country)
