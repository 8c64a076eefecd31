"""Facts about a shipment or a notification, read from the database for the rules engine."""

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, bindparam, exists, func, literal, union_all
from sqlmodel import Session, col, select

from app.core.bulk import among
from app.core.types import UTCDateTime, utcnow
from app.incidents.models import FINDINGS, Incident, IncidentOperator
from app.investigations import facts as investigations
from app.notifications.models import PreExportNotification
from app.operators.models import Operator
from app.reference.models import PenRequirement, Substance
from app.reference.service import (
    country_name,
    find_substance,
    legitimate_requirement_kg,
    reference,
    requirements_for,
)
from app.rules.conditions import Aggregate
from app.shipments.models import Shipment, ShipmentEvent
from app.shipments.service import events_of

DEPARTURE_EVENTS = ("export_cleared", "departed")
DECIDED = ("no_objection", "objection")


def hs6(code: str | None) -> str | None:
    digits = "".join(ch for ch in code or "" if ch.isdigit())
    return digits[:6] or None


def kg(value: Decimal | None) -> float | None:
    return float(value) if value is not None else None


# Where the reference data records no attention threshold for a substance.
DEFAULT_THRESHOLD_KG = 1000.0


def _licence_expired(operator: Operator | None, on: date) -> bool | None:
    if operator is None or operator.licence_valid_until is None:
        return None
    return operator.licence_valid_until < on


def dispatch_date(subject: Any) -> date:
    """When the goods leave, for the licence checks: a PEN's expected dispatch date, a
    shipment's recording date (customs record it as it is declared for export or transit)."""
    expected = getattr(subject, "expected_dispatch_date", None)
    return expected if expected is not None else subject.created_at.date()


def common_facts(
    subject: Any,
    quantity_kg: Decimal,
    substance: Substance,
    requirements: Iterable[PenRequirement],
    importer: Operator | None,
    consignee: Operator | None,
    country_name: Callable[[str | None], str | None],
    legitimate_kg: Decimal | None = None,
    risk_lists: Mapping[str, Sequence[str]] | None = None,
) -> dict[str, Any]:
    """Facts shared by shipments and notifications, from the subject (a row or a model) and the
    reference data and parties it names. No database here: the demo's set-based facts
    (seed/demo_facts.py) build them with the same function."""
    requirements = list(requirements)
    dispatch = dispatch_date(subject)
    no_licit_need = sorted({r.country for r in requirements if r.no_licit_need})
    consignee_country = consignee.country if consignee else None
    destination = next(
        (c for c in (subject.importing_country, consignee_country) if c in no_licit_need), None
    )
    return {
        "subject_id": subject.id,
        "substance": substance.cas_number,
        "substance_name": substance.name,
        "substance_table": substance.convention_table or None,
        "substance_kind": substance.kind,
        "substance_threshold_kg": kg(substance.threshold_kg)
        if substance.threshold_kg is not None
        else DEFAULT_THRESHOLD_KG,
        "substance_hs_code": hs6(substance.hs_code),
        "substance_names": [substance.name.lower(), *(s.lower() for s in substance.synonyms)],
        "quantity_kg": kg(quantity_kg),
        "exporting_country": subject.exporting_country,
        "exporting_country_name": country_name(subject.exporting_country),
        "importing_country": subject.importing_country,
        "importing_country_name": country_name(subject.importing_country),
        "transit_countries": sorted(subject.transit_countries),
        "consignee_country": consignee_country,
        "consignee_country_name": country_name(consignee_country),
        "means_of_payment": subject.means_of_payment,
        "mode_of_transport": subject.mode_of_transport,
        "exporter_id": subject.exporter_id,
        "importer_id": subject.importer_id,
        "importer_name": importer.name if importer else None,
        "consignee_id": subject.consignee_id,
        "consignee_kind": consignee.kind if consignee else None,
        "importer_registration_number": importer.registration_number if importer else None,
        "importer_licence_number": importer.licence_number if importer else None,
        "importer_licence_expired": _licence_expired(importer, dispatch),
        "consignee_registration_number": consignee.registration_number if consignee else None,
        "consignee_licence_expired": _licence_expired(consignee, dispatch),
        "no_licit_need_countries": no_licit_need,
        "no_licit_need_destination_name": country_name(destination),
        "countries_of_concern": list((risk_lists or {}).get("countries-of-concern", ())),
        "free_zones": list((risk_lists or {}).get("free-zones", ())),
        "importing_alr_kg": kg(legitimate_kg / (substance.base_factor or 1))
        if legitimate_kg is not None
        else None,
        "importing_requires_pen": any(
            r.requires_pen for r in requirements if r.country == subject.importing_country
        ),
    }


def places(names: Iterable[str | None]) -> str | None:
    """The places on a route as one lower-case text (for `contains`), or None."""
    named = [name.lower() for name in names if name]
    return " | ".join(named) or None


def _days_since(moment: datetime | None, today: date) -> int | None:
    return (today - moment.date()).days if moment is not None else None


def shipment_history_facts(
    shipment: Any, events: list[Any], pen: Any | None, today: date
) -> dict[str, Any]:
    """A shipment's own facts beyond the common ones: its declaration, its border events (in
    recorded order) and the PEN it cites. No database here either (see common_facts)."""
    observed = [e.quantity_observed_kg for e in events if e.quantity_observed_kg is not None]
    departures = [e.occurred_at for e in events if e.type in DEPARTURE_EVENTS]
    facts = {
        "declared_hs_code": hs6(shipment.declared_hs_code),
        "declared_description": (shipment.declared_description or "").lower() or None,
        "observed_quantity_kg": kg(max(observed)) if observed else None,
        "event_types": sorted({e.type for e in events}),
        "last_event_type": events[-1].type if events else None,
        "days_since_last_event": _days_since(events[-1].occurred_at if events else None, today),
        "route_places": places([e.location for e in events]),
        "first_departure_at": min(departures) if departures else None,
        "has_pen": pen is not None,
        "final_destination_country": pen.final_destination_country if pen is not None else None,
    }
    if pen is not None:
        facts.update(
            pen_reference=pen.reference,
            pen_status=pen.status,
            pen_decision=pen.decision,
            pen_decided_at=pen.decided_at if pen.decision in DECIDED else None,
            pen_reply_by=pen.reply_by.isoformat() if pen.reply_by else None,
            pen_quantity_kg=kg(pen.quantity_kg),
            pen_exporting_country=pen.exporting_country,
            pen_importing_country=pen.importing_country,
            pen_transit_countries=sorted(pen.transit_countries),
            pen_exporter_id=pen.exporter_id,
            pen_importer_id=pen.importer_id,
            pen_consignee_id=pen.consignee_id,
        )
    return facts


def _common(
    session: Session,
    subject: Shipment | PreExportNotification,
    quantity_kg: Decimal,
) -> dict[str, Any]:
    """Facts shared by shipments and notifications: substance, route, parties, reference data."""
    substance = find_substance(session, subject.cas_number)
    assert substance is not None
    return common_facts(
        subject,
        quantity_kg,
        substance,
        requirements_for(session, substance),
        session.get(Operator, subject.importer_id),
        session.get(Operator, subject.consignee_id) if subject.consignee_id else None,
        lambda iso2: country_name(session, iso2),
        legitimate_requirement_kg(session, subject.importing_country, substance),
        reference(session).risk_lists,
    )


def shipment_facts(
    session: Session,
    shipment: Shipment,
    events: list[ShipmentEvent] | None = None,
    incidents: dict[str, Any] | None = None,
    as_of: datetime | None = None,
) -> dict[str, Any]:
    """The facts of a shipment; its border events and link facts (incidents, investigations)
    are read unless given (links as of `as_of`, unset: now)."""
    pen = (
        session.get(PreExportNotification, shipment.notification_id)
        if shipment.notification_id
        else None
    )
    return {
        **_common(session, shipment, shipment.quantity_kg),
        **shipment_history_facts(
            shipment,
            events if events is not None else events_of(session, shipment.id),
            pen,
            utcnow().date(),
        ),
        **(
            incidents
            if incidents is not None
            else link_facts(session, shipment, list(shipment.container_ids or []), as_of)
        ),
    }


def notification_facts(
    session: Session, pen: PreExportNotification, as_of: datetime | None = None
) -> dict[str, Any]:
    return {
        **_common(session, pen, pen.quantity_kg),
        **pen_facts(pen, utcnow().date()),
        **link_facts(session, pen, [], as_of),
    }


def subject_parties(subject: Any) -> list[str]:
    """The operators a PEN or shipment (a model or a row) names: exporter, importer, consignee
    and a PEN's other parties."""
    ids = [subject.exporter_id, subject.importer_id, subject.consignee_id]
    ids += [
        p.get("operator_id") for p in getattr(subject, "parties", None) or [] if isinstance(p, dict)
    ]
    return sorted({i for i in ids if isinstance(i, str) and i})


def incident_link_facts(party_incidents: int, route_seen: bool) -> dict[str, Any]:
    """The incident facts, from how many incidents an officer named a party of the subject in
    and whether one ran its route (both leaving out incidents opened on the subject itself).
    No database here: the demo's set-based facts (seed/demo_facts.py) use it too."""
    return {
        "party_in_incident": party_incidents > 0,
        "party_incident_count": party_incidents,
        "route_in_incident": route_seen,
    }


# Built once, like the other statements on the write path: incidents where an officer named one
# of the parties (recorded it, or traced it by backtracking; not the parties a border event copied
# from the declaration), and an incident from this exporting to this importing country, neither
# opened on the subject itself.
_NOT_OWN = and_(
    func.coalesce(Incident.shipment_id, "") != bindparam("own_shipment"),
    func.coalesce(Incident.notification_id, "") != bindparam("own_pen"),
)
_LINKS = select(
    select(func.count(func.distinct(IncidentOperator.incident_id)))
    .join(Incident, col(Incident.id) == IncidentOperator.incident_id)
    .where(
        col(IncidentOperator.operator_id).in_(bindparam("parties", expanding=True)),
        col(IncidentOperator.source).in_(FINDINGS),
        _NOT_OWN,
    )
    .scalar_subquery()
    .label("party_incidents"),
    exists()
    .where(
        col(Incident.origin_country) == bindparam("exporting"),
        col(Incident.destination_country) == bindparam("importing"),
        _NOT_OWN,
    )
    .label("route_seen"),
    *investigations.link_columns(),
)


def link_facts(
    session: Session,
    subject: Shipment | PreExportNotification,
    containers: list[str],
    as_of: datetime | None = None,
) -> dict[str, Any]:
    """What links the subject to other records: incidents that named its parties or ran its
    route, confirmed flags and seizures naming its parties or their entity mates, watch-list
    entries naming them. One statement (a second only when a party awaits entity resolution,
    and the watch-list read only when the lists hold an entry)."""
    shipment = isinstance(subject, Shipment)
    parties = subject_parties(subject)
    params = {
        "parties": parties,
        "exporting": subject.exporting_country,
        "importing": subject.importing_country,
        "own_shipment": subject.id if shipment else "-",
        "own_pen": "-" if shipment else subject.id,
        "own": subject.id,
        "linked": investigations.buying_side(subject, parties),
        "as_of": as_of or utcnow(),
    }
    row = session.connection().execute(_LINKS, params).one()
    if investigations.needs_resolution(row, parties):
        investigations.resolve_parties(session, parties)
        row = session.connection().execute(_LINKS, params).one()
    return {
        **incident_link_facts(int(row.party_incidents or 0), bool(row.route_seen)),
        **investigations.investigation_facts(session, subject, parties, containers, row),
    }


def new_shipments_link_facts(session: Session, shipments: Sequence[Any]) -> list[dict[str, Any]]:
    """`link_facts` of many new shipments (models or rows) at once, in a few statements
    whatever their number."""
    incidents = new_shipments_incident_facts(session, shipments)
    found = investigations.new_subjects_investigation_facts(
        session,
        shipments,
        [subject_parties(s) for s in shipments],
        [list(getattr(s, "container_ids", None) or []) for s in shipments],
    )
    return [{**i, **f} for i, f in zip(incidents, found, strict=True)]


def new_shipments_incident_facts(
    session: Session, shipments: Sequence[Any]
) -> list[dict[str, Any]]:
    """`incident_facts` of many shipments (models or rows) at once, in two statements whatever
    their number: the incidents that named any of their parties, and those on any of their
    lanes, each then matched to each shipment as `_INCIDENT_LINKS` matches it."""
    parties_of = [subject_parties(s) for s in shipments]
    named: dict[str, set[tuple[str, str | None]]] = {}
    wanted = sorted({p for parties in parties_of for p in parties})
    if wanted:
        query = (
            select(IncidentOperator.operator_id, Incident.id, Incident.shipment_id)
            .join(Incident, col(Incident.id) == IncidentOperator.incident_id)
            .where(
                among(session, col(IncidentOperator.operator_id), wanted),
                col(IncidentOperator.source).in_(FINDINGS),
            )
        )
        for operator_id, incident_id, shipment_id in session.connection().execute(query):
            named.setdefault(operator_id, set()).add((incident_id, shipment_id))
    lanes: dict[tuple[str | None, str | None], list[str | None]] = {}
    pairs = {(s.exporting_country, s.importing_country) for s in shipments}
    on_lanes = select(
        Incident.origin_country, Incident.destination_country, Incident.shipment_id
    ).where(
        col(Incident.origin_country).in_({e for e, _ in pairs}),
        col(Incident.destination_country).in_({i for _, i in pairs}),
    )
    for origin, destination, shipment_id in session.connection().execute(on_lanes):
        lanes.setdefault((origin, destination), []).append(shipment_id)
    facts = []
    for shipment, parties in zip(shipments, parties_of, strict=True):
        # Incidents opened on the shipment itself do not count (`_NOT_OWN`; a shipment is
        # never the PEN an incident was opened on).
        incidents = {i for p in parties for i, own in named.get(p, ()) if own != shipment.id}
        lane = lanes.get((shipment.exporting_country, shipment.importing_country), [])
        facts.append(incident_link_facts(len(incidents), any(own != shipment.id for own in lane)))
    return facts


# A PEN whose goods may still be on the way (not a draft, not refused or withdrawn).
EXPECTING_ARRIVAL = ("sent", "acknowledged", "information_requested", "no_objection")


def pen_facts(pen: Any, today: date) -> dict[str, Any]:
    """A PEN's own facts beyond the common ones: its final destination, whether receipt was
    confirmed and how far the arrived quantity is from the notified, and how late the goods
    are. No database here."""
    arrived = pen.arrival_quantity_kg
    difference = (
        kg((arrived - pen.quantity_kg) * 100 / pen.quantity_kg)
        if arrived is not None and pen.quantity_kg
        else None
    )
    expected = pen.expected_arrival_date
    late = (
        (today - expected).days
        if expected is not None and arrived is None and pen.status in EXPECTING_ARRIVAL
        else None
    )
    stops = [stop.get("place") for stop in pen.itinerary or []]
    return {
        "final_destination_country": pen.final_destination_country,
        "route_places": places([pen.point_of_exit, pen.expected_point_of_entry, *stops]),
        "days_past_expected_arrival": late,
        "arrival_confirmed": arrived is not None,
        "arrival_difference_percent": difference,
    }


Window = tuple[str, int | None]  # (over, days)


def windows_of(aggregates: Iterable[Aggregate]) -> tuple[Window, ...]:
    """The (group, days) windows the aggregates need, in one stable order."""
    return tuple(sorted({(a.over, a.days) for a in aggregates}, key=lambda w: (w[0], w[1] or 0)))


def aggregate_statement(windows: tuple[Window, ...]) -> Any:
    """One statement for all the windows (a UNION ALL, one branch per window), with bound
    parameters (SQLAlchemy caches its compiled form by the statement's shape)."""
    branches = []
    for index, (over, days) in enumerate(windows):
        query = select(
            literal(index).label("window"),
            func.count().label("n"),
            func.sum(Shipment.quantity_kg).label("total"),
            func.max(Shipment.quantity_kg).label("largest"),
        )
        if over in ("importer_substance_pens", "country_substance_pens"):
            branches.append(_earlier_pens(index, over, days))
            continue
        if over == "pen_shipments":
            query = query.where(
                Shipment.notification_id == bindparam("notification_id"),
                Shipment.id != bindparam("subject_id"),
            )
        else:
            query = query.where(
                Shipment.importer_id == bindparam("importer_id"),
                Shipment.cas_number == bindparam("cas_number"),
                Shipment.created_at < bindparam("created_at", type_=UTCDateTime),
            )
            if over == "parties_substance":
                query = query.where(Shipment.exporter_id == bindparam("exporter_id"))
            if days:
                query = query.where(
                    Shipment.created_at >= bindparam(f"since_{days}", type_=UTCDateTime)
                )
        branches.append(query)
    return branches[0] if len(branches) == 1 else union_all(*branches)


def _earlier_pens(index: int, over: str, days: int | None) -> Any:
    """Earlier PENs of the substance that were sent, from any exporter: to the same importer, or
    to any importer in the same importing country."""
    pen = PreExportNotification
    party = (
        pen.importer_id == bindparam("importer_id")
        if over == "importer_substance_pens"
        else pen.importing_country == bindparam("importing_country")
    )
    query = select(
        literal(index).label("window"),
        func.count().label("n"),
        func.sum(pen.quantity_kg).label("total"),
        func.max(pen.quantity_kg).label("largest"),
    ).where(
        party,
        pen.cas_number == bindparam("cas_number"),
        pen.created_at < bindparam("created_at", type_=UTCDateTime),
        col(pen.sent_at).is_not(None),
        pen.id != bindparam("subject_id"),
    )
    if days:
        query = query.where(pen.created_at >= bindparam(f"since_{days}", type_=UTCDateTime))
    return query


def add_aggregates(
    session: Session,
    facts: dict[str, Any],
    subject: Shipment | PreExportNotification,
    aggregates: Iterable[Aggregate],
    statements: Mapping[tuple[Window, ...], Any] | None = None,
) -> None:
    """Compute each (group, window) once — count, sum, avg and max together — from the
    covering indexes on shipment; earlier shipments only, never the subject itself. All the
    windows go to the database as one statement (a UNION ALL, one branch per index)."""
    notification_id = subject.notification_id if isinstance(subject, Shipment) else subject.id
    windows = list(windows_of(aggregates))
    if notification_id is None:
        for over, days in windows:
            if over == "pen_shipments":
                store_aggregate(facts, over, days, 0, None, None)
        windows = [w for w in windows if w[0] != "pen_shipments"]
    if not windows:
        return
    params: dict[str, Any] = {
        "notification_id": notification_id,
        "subject_id": subject.id,
        "importer_id": subject.importer_id,
        "importing_country": subject.importing_country,
        "cas_number": subject.cas_number,
        "created_at": subject.created_at,
        "exporter_id": subject.exporter_id,
    }
    for _, days in windows:
        if days:
            params[f"since_{days}"] = subject.created_at - timedelta(days=days)
    key = tuple(windows)
    # Prebuilt with the rules (rules/service.py) when the caller has them: building the UNION
    # costs more than running it.
    statement = (statements or {}).get(key)
    if statement is None:
        statement = aggregate_statement(key)
    for index, count, total, largest in session.connection().execute(statement, params).all():
        over, days = windows[index]
        store_aggregate(facts, over, days, count, total, largest)


def store_aggregate(
    facts: dict[str, Any],
    over: str,
    days: int | None,
    count: int,
    total: Decimal | None,
    largest: Decimal | None,
) -> None:
    prefix = f"agg_{over}_{f'{days}d' if days else 'all'}_"
    facts[prefix + "count"] = count
    facts[prefix + "sum"] = kg(total) if total is not None else 0.0
    facts[prefix + "avg"] = kg(total / count) if count and total is not None else None
    facts[prefix + "max"] = kg(largest)
