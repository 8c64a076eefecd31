"""What investigations tell the rules about a PEN's or shipment's parties (rules/gather.py):
`linked_to_confirmed` (a party, or an operator resolved into the same entity, was a party to a
record whose flag an officer confirmed, or was named in a seizure) and `watchlist_hit`."""

from collections.abc import Iterable
from typing import Any

from sqlalchemy import bindparam, exists, func, or_
from sqlalchemy import select as sql_select
from sqlmodel import Session, col, select

from app.incidents.models import Incident, IncidentOperator
from app.investigations.entities import entity_of_operators, resolve_pending
from app.investigations.models import EntityMember, WatchlistEntry
from app.investigations.watchlists import entries_for, hits
from app.notifications.models import PreExportNotification
from app.operators.models import Operator
from app.rules.models import Flag
from app.shipments.models import Shipment

CONFIRMED = "confirmed"
SEIZURE = "seizure"
# An entity larger than this is searched by its first operators only (a forwarder's hub).
MAX_MATES = 500


def mates_of(session: Session, parties: Iterable[str]) -> set[str]:
    """The parties and every operator resolved into the same entity as one of them."""
    parties = set(parties)
    entities = set(entity_of_operators(session, parties).values())
    mates = session.exec(
        select(EntityMember.operator_id)
        .where(col(EntityMember.entity_id).in_(entities))
        .limit(MAX_MATES)
    ).all()
    return parties | set(mates)


_PARTIES: Any = bindparam("parties", expanding=True)
_OWN: Any = bindparam("own")
_MATES = select(EntityMember.operator_id).where(
    col(EntityMember.entity_id).in_(
        select(EntityMember.entity_id).where(col(EntityMember.operator_id).in_(_PARTIES))
    )
)


def _named(column: Any) -> Any:
    """The column names a party or an operator of a party's entity."""
    return or_(col(column).in_(_PARTIES), col(column).in_(_MATES))


def _confirmed_on(model: Any, subject_type: str) -> Any:
    return (
        select(func.count())
        .select_from(Flag)
        .join(model, col(model.id) == Flag.subject_id)
        .where(
            Flag.status == CONFIRMED,
            Flag.subject_type == subject_type,
            or_(_named(model.exporter_id), _named(model.importer_id), _named(model.consignee_id)),
            model.id != _OWN,
        )
        .scalar_subquery()
    )


# Built once, like gather's statements on the write path: confirmed flags on other shipments
# and PENs naming a party or an entity mate, seizures naming one (the subject's own excluded),
# how many parties are resolved, and whether any watch-list entry exists.
_LINKS = sql_select(
    _confirmed_on(Shipment, "shipment"),
    _confirmed_on(PreExportNotification, "pre_export_notification"),
    select(func.count(func.distinct(IncidentOperator.incident_id)))
    .join(Incident, col(Incident.id) == IncidentOperator.incident_id)
    .where(
        _named(IncidentOperator.operator_id),
        Incident.kind == SEIZURE,
        func.coalesce(Incident.shipment_id, "") != _OWN,
        func.coalesce(Incident.notification_id, "") != _OWN,
    )
    .scalar_subquery(),
    select(func.count())
    .select_from(EntityMember)
    .where(col(EntityMember.operator_id).in_(_PARTIES))
    .scalar_subquery(),
    exists().where(col(WatchlistEntry.id).is_not(None)),
)


def _links(session: Session, subject_id: str, parties: list[str]) -> tuple[int, bool]:
    """(confirmed flags and seizures linked, whether the watch list has entries); parties not
    resolved yet are resolved first."""
    params = {"parties": parties, "own": subject_id}
    shipments, pens, seizures, resolved, watching = (
        session.connection().execute(_LINKS, params).one()
    )
    if resolved < len(set(parties)) and resolve_pending(session):
        shipments, pens, seizures, _, watching = session.connection().execute(_LINKS, params).one()
    return int(shipments) + int(pens) + int(seizures or 0), bool(watching)


def investigation_facts(
    session: Session, subject: Any, parties: list[str], containers: list[str]
) -> dict[str, Any]:
    """The facts, for a subject (a PEN or shipment) naming `parties`."""
    countries = {subject.exporting_country, subject.importing_country}
    countries |= set(subject.transit_countries or [])
    if not parties:
        linked, watched = 0, 0
    else:
        linked, watching = _links(session, subject.id, parties)
        entries = entries_for(session, countries) if watching else []
        mates = mates_of(session, parties) if entries else set()
        operators = (
            list(session.exec(select(Operator).where(col(Operator.id).in_(mates))).all())
            if entries
            else []
        )
        watched = sum(1 for e in entries if hits(e, operators, containers))
    return {
        "linked_to_confirmed": linked > 0,
        "linked_confirmed_count": linked,
        "watchlist_hit": watched > 0,
        "watchlist_hit_count": watched,
    }
