"""What investigations tell the rules about a PEN's or shipment's parties (rules/gather.py):
`linked_to_confirmed` (a party, or an operator resolved into the same entity, was a party to a
record whose flag an officer confirmed, or was named in a seizure) and `watchlist_hit`."""

from collections.abc import Iterable
from typing import Any

from sqlalchemy import and_, func, or_
from sqlmodel import Session, col, select

from app.incidents.models import Incident, IncidentOperator
from app.investigations.entities import entity_of_operators
from app.investigations.models import EntityMember
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


def _confirmed_flags(session: Session, mates: set[str], own: str) -> int:
    def count(model: Any, subject_type: str) -> int:
        named = or_(
            col(model.exporter_id).in_(mates),
            col(model.importer_id).in_(mates),
            col(model.consignee_id).in_(mates),
        )
        query = (
            select(func.count())
            .select_from(Flag)
            .join(
                model,
                and_(col(Flag.subject_type) == subject_type, col(model.id) == Flag.subject_id),
            )
            .where(Flag.status == CONFIRMED, named, model.id != own)
        )
        return int(session.exec(query).one())

    return count(Shipment, "shipment") + count(PreExportNotification, "pre_export_notification")


def _seizures(session: Session, mates: set[str], own: str) -> int:
    query = (
        select(func.count(func.distinct(IncidentOperator.incident_id)))
        .join(Incident, col(Incident.id) == IncidentOperator.incident_id)
        .where(
            col(IncidentOperator.operator_id).in_(mates),
            Incident.kind == SEIZURE,
            func.coalesce(Incident.shipment_id, "") != own,
            func.coalesce(Incident.notification_id, "") != own,
        )
    )
    return int(session.exec(query).one() or 0)


def investigation_facts(
    session: Session, subject: Any, parties: list[str], containers: list[str]
) -> dict[str, Any]:
    """The facts, for a subject (a PEN or shipment) naming `parties`."""
    countries = {subject.exporting_country, subject.importing_country}
    countries |= set(subject.transit_countries or [])
    if not parties:
        linked, watched = 0, 0
    else:
        mates = mates_of(session, parties)
        linked = _confirmed_flags(session, mates, subject.id) + _seizures(
            session, mates, subject.id
        )
        entries = entries_for(session, countries)
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
