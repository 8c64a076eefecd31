"""The metrics an operation's objectives are stated in: one definition per figure.

Each metric is one query over the raw tables, written once and run over a *selection* of
records: the records tagged to the operation (what it achieved), or every record of the
operation's countries in a period (the baseline: the same metric over a period of the same
length just before the operation). Both selections keep to the operation's target substances
when it names any. Documented in README.md ("Operations").
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, func, or_, true
from sqlmodel import Session, col, select

from app.events.types import SubjectType
from app.incidents.models import BacktrackingRequest, Incident, IncidentCountry, IncidentSubstance
from app.notifications.models import PenRouteCountry, PreExportNotification
from app.shipments.models import Shipment, ShipmentEvent, ShipmentRouteCountry

# What may be tagged to an operation.
ITEM_TYPES = (
    SubjectType.SHIPMENT.value,
    SubjectType.INCIDENT.value,
    SubjectType.PEN.value,
    SubjectType.BACKTRACKING.value,
)


@dataclass(frozen=True)
class MetricInfo:
    code: str
    unit: str
    description: str
    needs_days: bool = False


METRICS: dict[str, MetricInfo] = {
    m.code: m
    for m in (
        MetricInfo(
            "kg_seized",
            "kg",
            "Kilograms of the target substances seized (incidents of kind seizure)",
        ),
        MetricInfo("seizures", "count", "Seizures recorded (incidents of kind seizure)"),
        MetricInfo("incidents_recorded", "count", "Incidents of any kind recorded"),
        MetricInfo("shipments_stopped", "count", "Shipments stopped or seized at a border"),
        MetricInfo("backtracking_requested", "count", "Backtracking requests sent"),
        MetricInfo("backtracking_answered", "count", "Backtracking requests answered"),
        MetricInfo("pens_notified", "count", "Pre-export notifications sent"),
        MetricInfo(
            "pens_reviewed_within_days",
            "count",
            "PENs the importing country acknowledged or answered within `days` days of sending",
            needs_days=True,
        ),
    )
}


def _start(day: date) -> datetime:
    return datetime.combine(day, time.min, UTC)


@dataclass(frozen=True)
class Tagged:
    """The records tagged to an operation, by item type."""

    ids: dict[str, set[str]]
    substances: tuple[str, ...] = ()

    def _of(self, kind: str) -> set[str]:
        return self.ids.get(kind, set())

    def incidents(self) -> ColumnElement[bool]:
        return col(Incident.id).in_(self._of(SubjectType.INCIDENT.value))

    def shipments(self) -> ColumnElement[bool]:
        return col(Shipment.id).in_(self._of(SubjectType.SHIPMENT.value))

    def shipment_events(self) -> ColumnElement[bool]:
        return true()

    def pens(self) -> ColumnElement[bool]:
        return col(PreExportNotification.id).in_(self._of(SubjectType.PEN.value))

    def backtracking(self) -> ColumnElement[bool]:
        return col(BacktrackingRequest.id).in_(self._of(SubjectType.BACKTRACKING.value))


@dataclass(frozen=True)
class InScope:
    """Every record of the countries in the period `starts_on`..`ends_on` (inclusive)."""

    countries: tuple[str, ...]
    starts_on: date
    ends_on: date
    substances: tuple[str, ...] = field(default=())

    def _between(self, column: Any) -> ColumnElement[bool]:
        return and_(
            column >= _start(self.starts_on), column < _start(self.ends_on + timedelta(days=1))
        )

    def incidents(self) -> ColumnElement[bool]:
        named = exists().where(
            col(IncidentCountry.incident_id) == Incident.id,
            col(IncidentCountry.country).in_(self.countries),
        )
        return and_(
            col(Incident.occurred_on) >= self.starts_on,
            col(Incident.occurred_on) <= self.ends_on,
            named,
        )

    def shipments(self) -> ColumnElement[bool]:
        return exists().where(
            col(ShipmentRouteCountry.shipment_id) == Shipment.id,
            col(ShipmentRouteCountry.country).in_(self.countries),
        )

    def shipment_events(self) -> ColumnElement[bool]:
        return self._between(ShipmentEvent.occurred_at)

    def pens(self) -> ColumnElement[bool]:
        on_route = exists().where(
            col(PenRouteCountry.notification_id) == PreExportNotification.id,
            col(PenRouteCountry.country).in_(self.countries),
        )
        return and_(self._between(PreExportNotification.sent_at), on_route)

    def backtracking(self) -> ColumnElement[bool]:
        return and_(
            self._between(BacktrackingRequest.created_at),
            or_(
                col(BacktrackingRequest.from_country).in_(self.countries),
                col(BacktrackingRequest.to_country).in_(self.countries),
            ),
        )


Selection = Tagged | InScope


def _incident_has_substance(selection: Selection, incident_id: Any) -> ColumnElement[bool]:
    if not selection.substances:
        return true()
    return exists().where(
        col(IncidentSubstance.incident_id) == incident_id,
        col(IncidentSubstance.cas_number).in_(selection.substances),
    )


def _count(session: Session, statement: Any) -> Decimal:
    return Decimal(session.exec(statement).one() or 0)


def kg_seized(session: Session, selection: Selection, days: int | None = None) -> Decimal:
    query = (
        select(func.coalesce(func.sum(IncidentSubstance.quantity_kg), 0))
        .join(Incident, col(Incident.id) == IncidentSubstance.incident_id)
        .where(Incident.kind == "seizure", selection.incidents())
    )
    if selection.substances:
        query = query.where(col(IncidentSubstance.cas_number).in_(selection.substances))
    return Decimal(session.exec(query).one() or 0)


def _incidents(session: Session, selection: Selection, *kinds: str) -> Decimal:
    query = (
        select(func.count())
        .select_from(Incident)
        .where(selection.incidents(), _incident_has_substance(selection, Incident.id))
    )
    if kinds:
        query = query.where(col(Incident.kind).in_(kinds))
    return _count(session, query)


def seizures(session: Session, selection: Selection, days: int | None = None) -> Decimal:
    return _incidents(session, selection, "seizure")


def incidents_recorded(session: Session, selection: Selection, days: int | None = None) -> Decimal:
    return _incidents(session, selection)


def shipments_stopped(session: Session, selection: Selection, days: int | None = None) -> Decimal:
    held = exists().where(
        col(ShipmentEvent.shipment_id) == Shipment.id,
        col(ShipmentEvent.type).in_(("stopped", "seized")),
        selection.shipment_events(),
    )
    query = select(func.count()).select_from(Shipment).where(selection.shipments(), held)
    if selection.substances:
        query = query.where(col(Shipment.cas_number).in_(selection.substances))
    return _count(session, query)


def _backtracking(session: Session, selection: Selection, answered: bool) -> Decimal:
    query = (
        select(func.count())
        .select_from(BacktrackingRequest)
        .where(
            selection.backtracking(),
            _incident_has_substance(selection, BacktrackingRequest.incident_id),
        )
    )
    if answered:
        query = query.where(BacktrackingRequest.status == "answered")
    return _count(session, query)


def backtracking_requested(
    session: Session, selection: Selection, days: int | None = None
) -> Decimal:
    return _backtracking(session, selection, answered=False)


def backtracking_answered(
    session: Session, selection: Selection, days: int | None = None
) -> Decimal:
    return _backtracking(session, selection, answered=True)


def _sent_pens(selection: Selection) -> Any:
    query = select(PreExportNotification).where(
        col(PreExportNotification.sent_at).is_not(None), selection.pens()
    )
    if selection.substances:
        query = query.where(col(PreExportNotification.cas_number).in_(selection.substances))
    return query


def pens_notified(session: Session, selection: Selection, days: int | None = None) -> Decimal:
    return Decimal(len(session.exec(_sent_pens(selection)).all()))


def pens_reviewed_within_days(
    session: Session, selection: Selection, days: int | None = None
) -> Decimal:
    """PENs whose first answer from the importing side (an acknowledgement or a decision) came
    within `days` days of sending (computed per PEN: portable across databases)."""
    limit = timedelta(days=days or 0)
    reviewed = 0
    for pen in session.exec(_sent_pens(selection)):
        answers = [t for t in (pen.acknowledged_at, pen.decided_at) if t is not None]
        if pen.sent_at is not None and answers and min(answers) - pen.sent_at <= limit:
            reviewed += 1
    return Decimal(reviewed)


COMPUTE: dict[str, Callable[[Session, Selection, int | None], Decimal]] = {
    "kg_seized": kg_seized,
    "seizures": seizures,
    "incidents_recorded": incidents_recorded,
    "shipments_stopped": shipments_stopped,
    "backtracking_requested": backtracking_requested,
    "backtracking_answered": backtracking_answered,
    "pens_notified": pens_notified,
    "pens_reviewed_within_days": pens_reviewed_within_days,
}
assert set(COMPUTE) == set(METRICS)


def measure(
    session: Session, metric: str, selection: Selection, days: int | None = None
) -> Decimal:
    """The value of `metric` over `selection`."""
    return COMPUTE[metric](session, selection, days)
