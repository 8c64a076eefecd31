"""Facts for the rules engine, gathered for every demo subject at once (set-based).

app/rules/gather.py reads a subject's facts with a handful of queries; for a million shipments
that is hours. For `seed --demo --scale N` the same facts, under the same names and with the
same values, come from three ordered scans instead: the subjects with their history aggregates
(window functions over the earlier shipments of the same importer and substance, of the same
parties, under the same PEN: `RANGE … EXCLUDE GROUP` leaves out the subject's own instant, as
gather's `created_at <` does), the border events in shipment order, and the cited PENs. The
reference data (substances, countries, operators, requirements) is read once.
tests/dashboard/test_demo_flags.py checks these facts against gather's on the default demo.
"""

from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Integer, Numeric, String, select, text
from sqlmodel import Session, col

from app.incidents.models import FINDINGS, Incident, IncidentOperator
from app.notifications.models import PreExportNotification
from app.operators.models import Operator
from app.reference.models import Country, LegitimateRequirement, RiskList, Substance
from app.reference.service import requirements_for
from app.rules.gather import (
    Window,
    common_facts,
    incident_link_facts,
    pen_facts,
    shipment_history_facts,
    store_aggregate,
    subject_parties,
)
from app.shipments.models import Shipment, ShipmentEvent

SHIPMENT = "shipment"
PEN = "pre_export_notification"
PEN_TABLE = PreExportNotification.__table__  # type: ignore[attr-defined]
SHIPMENT_TABLE = Shipment.__table__  # type: ignore[attr-defined]
EVENT_TABLE = ShipmentEvent.__table__  # type: ignore[attr-defined]
# Partitions of the history aggregates (app/rules/conditions.py AGGREGATE_GROUPS).
PARTITIONS = {
    "importer_substance": "importer_id, cas_number",
    "importer_substance_pens": "importer_id, cas_number",
    "country_substance_pens": "importing_country, cas_number",
    "parties_substance": "importer_id, exporter_id, cas_number",
}


class Lookups:
    """Reference data and operators, read once."""

    def __init__(self, session: Session, today: date) -> None:
        self.today = today
        self.countries: dict[str, str] = {
            row[0]: row[1] for row in session.execute(select(col(Country.iso2), col(Country.name)))
        }
        self.substances = {s.cas_number: s for s in session.scalars(select(Substance)).all()}
        self.requirements = {
            cas: requirements_for(session, substance) for cas, substance in self.substances.items()
        }
        self.operators = {o.id: o for o in session.scalars(select(Operator)).all()}
        self.legitimate_kg = {
            (r.country, r.cas_number): r.quantity_kg
            for r in session.scalars(select(LegitimateRequirement)).all()
        }
        self.risk_lists = {r.code: r.entries for r in session.scalars(select(RiskList)).all()}
        # A salt's ALR is its base's.
        self.alr_cas = {cas: s.base_cas_number or cas for cas, s in self.substances.items()}
        # Incidents: who they name, their route, and the subject each was opened on.
        self.incidents_of: dict[str, set[str]] = {}
        links = select(IncidentOperator).where(col(IncidentOperator.source).in_(FINDINGS))
        for link in session.scalars(links).all():
            self.incidents_of.setdefault(link.operator_id, set()).add(link.incident_id)
        # Subject id → the incidents opened on it (looked up per subject: a scan of every
        # incident per subject made the 10⁶-shipment demo quadratic).
        self.incidents_opened_on: dict[str, set[str]] = {}
        self.incidents_on_route: dict[tuple[str | None, str | None], set[str]] = {}
        for incident in session.scalars(select(Incident)).all():
            for subject_id in (incident.shipment_id, incident.notification_id):
                if subject_id:
                    self.incidents_opened_on.setdefault(subject_id, set()).add(incident.id)
            route = (incident.origin_country, incident.destination_country)
            self.incidents_on_route.setdefault(route, set()).add(incident.id)

    def country(self, iso2: str | None) -> str | None:
        return self.countries.get(iso2, iso2) if iso2 else None

    def incidents(self, row: Any) -> dict[str, Any]:
        """gather.incident_facts, from the incidents read once."""
        own = self.incidents_opened_on.get(row.id, set())
        named = set().union(*(self.incidents_of.get(p, set()) for p in subject_parties(row)))
        route = self.incidents_on_route.get((row.exporting_country, row.importing_country), set())
        # Intersections iterate the smaller set: `own` is empty or one incident, while a busy
        # route has thousands (a difference would copy them for every subject).
        return incident_link_facts(len(named) - len(named & own), len(route) > len(route & own))

    def common(self, row: Any, quantity_kg: Decimal) -> dict[str, Any]:
        """gather.common_facts, from a subject row."""
        return common_facts(
            row,
            quantity_kg,
            self.substances[row.cas_number],
            self.requirements[row.cas_number],
            self.operators.get(row.importer_id),
            self.operators.get(row.consignee_id) if row.consignee_id else None,
            self.country,
            self.legitimate_kg.get((row.importing_country, self.alr_cas[row.cas_number])),
            self.risk_lists,
        )


def _window_sql(
    dialect: str, windows: list[Window], maxed: set[Window], kind: str
) -> tuple[str, dict[str, Any]]:
    """Per subject of `kind` (s or p), count, sum and (for the windows in `maxed`) max of the
    quantities of the shipments in each window: the subject's earlier shipments of its group,
    within `days` when given.

    Count and sum take the frame up to the current row and subtract the row's peers (same
    instant): PostgreSQL recomputes a frame with an EXCLUDE clause from scratch for every row,
    which over a million rows takes hours, while this keeps the running aggregate. Max cannot
    be subtracted, so it keeps EXCLUDE GROUP, and is computed only for windows a rule reads
    it from (the built-in rules: over the 30 days of one pair of parties, a few rows)."""
    postgres = dialect == "postgresql"
    # SQLite has no interval frames: whole seconds since the epoch (the demo stamps whole seconds).
    order = "created_at" if postgres else "t"
    columns = []
    for index, window in enumerate(windows):
        over, days = window
        if over == "pen_shipments":
            if kind != "s":
                continue
            frame = "PARTITION BY notification_id"
            others = (
                f"{frame} ORDER BY id ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING "
                "EXCLUDE CURRENT ROW"
            )
            columns += [
                f"count(q) OVER ({frame}) - 1 AS w{index}_n",
                f"sum(q) OVER ({frame}) - q AS w{index}_sum",
                f"max(q) OVER ({others}) AS w{index}_max"
                if window in maxed
                else f"CAST(NULL AS NUMERIC) AS w{index}_max",
            ]
            continue
        if days:
            start = f"INTERVAL '{days} days'" if postgres else str(days * 86_400)
            start += " PRECEDING"
        else:
            start = "UNBOUNDED PRECEDING"
        group = PARTITIONS[over]
        running = f"PARTITION BY {group} ORDER BY {order} RANGE BETWEEN {start} AND CURRENT ROW"
        peers = f"PARTITION BY {group}, {order}"
        # Shipments' quantities (q), or the sent PENs' (pq) for the PEN history.
        q = "pq" if over in ("importer_substance_pens", "country_substance_pens") else "q"
        columns += [
            f"count({q}) OVER ({running}) - count({q}) OVER ({peers}) AS w{index}_n",
            f"sum({q}) OVER ({running}) - coalesce(sum({q}) OVER ({peers}), 0) AS w{index}_sum",
            f"max({q}) OVER ({running} EXCLUDE GROUP) AS w{index}_max"
            if window in maxed
            else f"CAST(NULL AS NUMERIC) AS w{index}_max",
        ]
    seconds = "" if postgres else ", CAST(strftime('%s', created_at) AS INTEGER) AS t"
    union = (
        "SELECT 's' AS kind, id, importer_id, exporter_id, importing_country, cas_number, "
        "created_at, notification_id, quantity_kg AS q, CAST(NULL AS NUMERIC) AS pq"
        f"{seconds} FROM shipment UNION ALL SELECT 'p', id, importer_id, exporter_id, "
        "importing_country, cas_number, created_at, NULL, NULL, "
        f"CASE WHEN sent_at IS NOT NULL THEN quantity_kg END{seconds} FROM pre_export_notification"
    )
    listed = ", ".join(["kind", "id", *columns])
    return f"SELECT * FROM (SELECT {listed} FROM ({union}) u) w WHERE kind = :kind", {"kind": kind}


def _windowed(session: Session, windows: list[Window], maxed: set[Window], kind: str) -> Any:
    dialect = session.get_bind().dialect.name
    sql, params = _window_sql(dialect, windows, maxed, kind)
    types: dict[str, Any] = {"kind": String(), "id": String()}
    for index, (over, _) in enumerate(windows):
        if over == "pen_shipments" and kind != "s":
            continue
        types[f"w{index}_n"] = Integer()
        types[f"w{index}_sum"] = Numeric(24, 3)
        types[f"w{index}_max"] = Numeric(24, 3)
    return text(sql).bindparams(**params).columns(**types).subquery("w")


def _aggregates(w: Any) -> list[Any]:
    return [c for c in w.c if c.name not in ("kind", "id")]


def _add_windows(facts: dict[str, Any], row: Any, windows: list[Window], pen_id: Any) -> None:
    for index, window in enumerate(windows):
        if window[0] == "pen_shipments" and pen_id is None:
            store_aggregate(facts, *window, 0, None, None)
            continue
        n = int(getattr(row, f"w{index}_n") or 0)
        total = getattr(row, f"w{index}_sum")
        store_aggregate(facts, *window, n, total if n else None, getattr(row, f"w{index}_max"))


def notification_facts(
    session: Session,
    lookups: Lookups,
    windows: list[Window],
    maxed: set[Window],
    chunk: int = 5000,
) -> Iterator[tuple[Any, dict[str, Any]]]:
    """(notification row, facts) for every notification, drafts included."""
    usable = [w for w in windows if w[0] != "pen_shipments"]
    w = _windowed(session, usable, maxed, "p")
    query = (
        select(PEN_TABLE, *_aggregates(w))
        .join(w, w.c.id == PEN_TABLE.c.id)
        .order_by(PEN_TABLE.c.id)
    ).execution_options(yield_per=chunk)
    for row in session.execute(query):
        facts = lookups.common(row, row.quantity_kg)
        facts.update(pen_facts(row, lookups.today))
        facts.update(lookups.incidents(row))
        _add_windows(facts, row, usable, None)
        yield row, facts


def _events(session: Session, chunk: int) -> Iterator[tuple[str, list[Any]]]:
    """(shipment id, its events in recorded order), in shipment id order."""
    e = EVENT_TABLE.c
    query = (
        select(e.shipment_id, e.type, e.occurred_at, e.quantity_observed_kg, e.location)
        .order_by(e.shipment_id, e.created_at, e.id)
        .execution_options(yield_per=chunk)
    )
    current: str | None = None
    events: list[Any] = []
    for row in session.execute(query):
        if row.shipment_id != current:
            if current is not None:
                yield current, events
            current, events = row.shipment_id, []
        events.append(row)
    if current is not None:
        yield current, events


def shipment_facts(
    session: Session,
    lookups: Lookups,
    windows: list[Window],
    maxed: set[Window],
    chunk: int = 5000,
) -> Iterator[tuple[Any, dict[str, Any]]]:
    """(shipment row, facts) for every shipment."""
    p = PEN_TABLE.c
    # The cited PENs' rows, with the attributes shipment_history_facts reads.
    pens = {
        row.id: row
        for row in session.execute(
            select(
                p.id,
                p.reference,
                p.status,
                p.decision,
                p.decided_at,
                p.reply_by,
                p.quantity_kg,
                p.exporting_country,
                p.importing_country,
                p.transit_countries,
                p.exporter_id,
                p.importer_id,
                p.consignee_id,
                p.final_destination_country,
            ).where(p.id.in_(select(SHIPMENT_TABLE.c.notification_id)))
        )
    }
    w = _windowed(session, windows, maxed, "s")
    query = (
        select(SHIPMENT_TABLE, *_aggregates(w))
        .join(w, w.c.id == SHIPMENT_TABLE.c.id)
        .order_by(SHIPMENT_TABLE.c.id)
        .execution_options(yield_per=chunk)
    )
    # Both scans run in the session's transaction (the demo has not committed yet), in the
    # database's id order: the event scan's shipment ids are a subsequence of the shipments'.
    events = _events(session, chunk)
    pending: tuple[str, list[Any]] | None = next(events, None)
    for row in session.execute(query):
        own: list[Any] = []
        if pending is not None and pending[0] == row.id:
            own = pending[1]
            pending = next(events, None)
        pen = pens.get(row.notification_id) if row.notification_id else None
        facts = lookups.common(row, row.quantity_kg)
        facts.update(shipment_history_facts(row, own, pen, lookups.today))
        facts.update(lookups.incidents(row))
        _add_windows(facts, row, windows, row.notification_id)
        yield row, facts
