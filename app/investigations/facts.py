"""What investigations tell the rules about a PEN's or shipment's parties (rules/gather.py):
`linked_to_confirmed` and `watchlist_hit`.

`linked_to_confirmed`: a party on the buying side of the subject (its importer, consignee and,
on a PEN, its other parties), or an operator resolved into the same entity, was the importer or
consignee of a record whose flag an officer confirmed, or was named in a seizure other than as
the seized shipment's exporter. Exporters are left out on both sides: a manufacturer sells to
hundreds of customers, and one customer's diversion says nothing of the others (a suspect
exporter goes on a watch list, which matches every party)."""

from collections.abc import Sequence
from typing import Any

from sqlalchemy import bindparam, func, or_, union
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from app.core.bulk import among
from app.core.types import UTCDateTime
from app.incidents.models import Incident, IncidentOperator
from app.investigations.entities import entity_of_operators
from app.investigations.models import EntityMember, WatchlistEntry
from app.investigations.watchlists import entries_for, hits
from app.operators.models import Operator
from app.rules.models import Flag
from app.shipments.models import Shipment

CONFIRMED = "confirmed"
SEIZURE = "seizure"

# The subject's parties (bound as `parties`, expanding), or its buying side (`linked`: every
# party but the exporter), with every operator resolved into the same entity as one of them: the
# "mates" the watch lists (all parties) and the links (the buying side) look for.
_PARTIES: Any = bindparam("parties", expanding=True)
_LINKED: Any = bindparam("linked", expanding=True)
# The moment the subject is judged as of: records confirmed or seized after it do not count
# (the API judges now; the demo replays each subject as of its last write).
_AS_OF: Any = bindparam("as_of", type_=UTCDateTime)


def _mates(parties: Any, name: str) -> Any:
    same = aliased(EntityMember)
    return union(
        select(EntityMember.operator_id)
        .join(same, col(same.entity_id) == EntityMember.entity_id)
        .where(col(same.operator_id).in_(parties)),
        select(Operator.id).where(col(Operator.id).in_(parties)),
    ).cte(name)


MATES = _mates(_PARTIES, "mates")
LINKED_MATES = _mates(_LINKED, "linked_mates")


def buying_side(subject: Any, parties: list[str]) -> list[str]:
    """The parties the links look at: all but the subject's exporter."""
    return [p for p in parties if p != subject.exporter_id]


# The operator named in a seizure is the exporter of the seized shipment.
_SEIZED_EXPORTER = (
    select(Shipment.id)
    .where(
        col(Shipment.id) == Incident.shipment_id,
        col(Shipment.exporter_id) == IncidentOperator.operator_id,
    )
    .correlate(Incident, IncidentOperator)  # from the enclosing queries, however deep
    .exists()
)


def _among_mates(column: Any) -> Any:
    return col(column).in_(select(LINKED_MATES.c.operator_id))


def _confirmed_flags() -> Any:
    """Confirmed flags on other records (PENs and shipments) whose importer or consignee is a
    mate.

    Per mate, its confirmed flags as importer, then as consignee (when the importer is not a
    mate too: each record once), each read from an index of confirmed flags by the buyer the
    flag copied from its subject (flag.importer_id, flag.consignee_id): correlated subqueries,
    so that both databases walk from the few mates to the few confirmed flags naming them —
    never the mates' whole trade, nor every confirmed flag in the database."""
    mate = LINKED_MATES.alias("flag_mate")

    def confirmed_as(party: Any, *also: Any) -> Any:
        return (
            select(func.count())
            .select_from(Flag)
            .where(
                col(Flag.status) == CONFIRMED,
                party == mate.c.operator_id,
                col(Flag.subject_id) != bindparam("own"),
                func.coalesce(Flag.triaged_at, Flag.updated_at) <= _AS_OF,
                *also,
            )
            .scalar_subquery()
        )

    as_importer = confirmed_as(col(Flag.importer_id))
    as_consignee = confirmed_as(col(Flag.consignee_id), ~_among_mates(Flag.importer_id))
    return (
        select(func.coalesce(func.sum(as_importer + as_consignee), 0))
        .select_from(mate)
        .scalar_subquery()
    )


def link_columns() -> list[Any]:
    """The columns rules/gather.py adds to its one link statement (binds `parties`, `linked`,
    `own`, `as_of`): flags confirmed by `as_of` on shipments and PENs bought by a mate,
    seizures recorded by then naming a mate (not as the seized shipment's exporter), how many of
    the parties an entity holds (fewer: resolve first), how many watch-list entries exist."""
    # From the mates to the incidents naming them, each then checked (an EXISTS, so that a
    # planner without statistics does not start from every seizure instead).
    seizure = (
        select(Incident.id)
        .where(
            col(Incident.id) == IncidentOperator.incident_id,
            Incident.kind == SEIZURE,
            Incident.created_at <= _AS_OF,
            ~_SEIZED_EXPORTER,
            func.coalesce(Incident.shipment_id, "") != bindparam("own"),
            func.coalesce(Incident.notification_id, "") != bindparam("own"),
        )
        .exists()
    )
    # Per mate, the seizures naming it, each counted once: for the first of its mates (by id).
    mate = LINKED_MATES.alias("seizure_mate")
    other = aliased(IncidentOperator)
    named_by_an_earlier_mate = (
        select(other.operator_id)
        .where(
            col(other.incident_id) == IncidentOperator.incident_id,
            _among_mates(other.operator_id),
            col(other.operator_id) < mate.c.operator_id,
        )
        .correlate(IncidentOperator, mate)
        .exists()
    )
    per_mate = (
        select(func.count())
        .select_from(IncidentOperator)
        .where(
            col(IncidentOperator.operator_id) == mate.c.operator_id,
            seizure,
            ~named_by_an_earlier_mate,
        )
        .scalar_subquery()
    )
    seizures = select(func.coalesce(func.sum(per_mate), 0)).select_from(mate).scalar_subquery()
    resolved = (
        select(func.count())
        .select_from(EntityMember)
        .where(col(EntityMember.operator_id).in_(_PARTIES))
        .scalar_subquery()
    )
    watched = select(func.count()).select_from(WatchlistEntry).scalar_subquery()
    return [
        _confirmed_flags().label("confirmed_flags"),
        seizures.label("seizures"),
        resolved.label("resolved"),
        watched.label("watchlist_entries"),
    ]


def needs_resolution(row: Any, parties: list[str]) -> bool:
    """Whether some of the parties are in no entity yet (then: resolve, and read again)."""
    return bool(parties) and int(row.resolved or 0) < len(set(parties))


def resolve_parties(session: Session, parties: list[str]) -> None:
    entity_of_operators(session, parties)


def investigation_facts(
    session: Session, subject: Any, parties: list[str], containers: list[str], row: Any
) -> dict[str, Any]:
    """The facts, for a subject (a PEN or shipment) naming `parties`, from the link statement's
    `row` (link_columns); the watch lists are read only when they hold an entry."""
    if not parties:
        linked, watched = 0, 0
    else:
        linked = int(row.confirmed_flags or 0) + int(row.seizures or 0)
        watched = (
            _watchlist_hits(session, subject, parties, containers) if row.watchlist_entries else 0
        )
    return _facts(linked, watched)


def _facts(linked: int, watched: int) -> dict[str, Any]:
    return {
        "linked_to_confirmed": linked > 0,
        "linked_confirmed_count": linked,
        "watchlist_hit": watched > 0,
        "watchlist_hit_count": watched,
    }


def _watchlist_hits(
    session: Session, subject: Any, parties: list[str], containers: list[str]
) -> int:
    countries = {subject.exporting_country, subject.importing_country}
    countries |= set(subject.transit_countries or [])
    entries = entries_for(session, countries)
    if not entries:
        return 0
    mates = select(MATES.c.operator_id)
    operators = list(
        session.exec(
            select(Operator).where(col(Operator.id).in_(mates)), params={"parties": parties}
        ).all()
    )
    return sum(1 for e in entries if hits(e, operators, containers))


def new_subjects_investigation_facts(
    session: Session,
    subjects: Sequence[Any],
    parties_of: list[list[str]],
    containers_of: list[list[str]],
) -> list[dict[str, Any]]:
    """`investigation_facts` of many new subjects (a bulk import's shipments, not yet written,
    so none has flags or incidents of its own) in a few statements whatever their number: the
    parties' entity mates, the confirmed flags and the seizures naming any of them."""
    wanted = sorted({p for parties in parties_of for p in parties})
    if not wanted:
        return [_facts(0, 0) for _ in subjects]
    entity_of_operators(session, wanted)  # resolves the parties no entity holds yet
    same = aliased(EntityMember)
    mates: dict[str, set[str]] = {p: {p} for p in wanted}
    pairs = select(same.operator_id, EntityMember.operator_id).join(
        EntityMember, col(EntityMember.entity_id) == same.entity_id
    )
    for party, mate in session.connection().execute(
        pairs.where(among(session, col(same.operator_id), wanted))
    ):
        mates[party].add(mate)
    linked_of = [
        set().union(*(mates[p] for p in buying_side(subject, parties)))
        for subject, parties in zip(subjects, parties_of, strict=True)
    ]
    named_by = _confirmed_and_seized(session, sorted(set().union(*linked_of)))
    watching = bool(session.exec(select(func.count()).select_from(WatchlistEntry)).one())
    facts = []
    for subject, parties, containers, theirs in zip(
        subjects, parties_of, containers_of, linked_of, strict=True
    ):
        records = len({record for m in theirs for record in named_by.get(m, ())})
        watched = (
            _watchlist_hits(session, subject, parties, containers) if watching and parties else 0
        )
        facts.append(_facts(records, watched))
    return facts


def _confirmed_and_seized(
    session: Session, operators: list[str]
) -> dict[str, set[tuple[str, str]]]:
    """Operator → the confirmed flags (("flag", id)) on records it bought (importer or
    consignee) and the seizures (("seizure", id)) naming it other than as the seized shipment's
    exporter, among `operators`."""
    named_by: dict[str, set[tuple[str, str]]] = {}
    # The buyers each flag copied from its subject, read from the indexes of confirmed flags.
    confirmed = select(Flag.id, Flag.importer_id, Flag.consignee_id).where(
        Flag.status == CONFIRMED,
        or_(
            among(session, col(Flag.importer_id), operators),
            among(session, col(Flag.consignee_id), operators),
        ),
    )
    for flag_id, *parties in session.connection().execute(confirmed):
        for party in parties:
            if party:
                named_by.setdefault(party, set()).add(("flag", flag_id))
    seizures = (
        select(IncidentOperator.operator_id, IncidentOperator.incident_id)
        .join(Incident, col(Incident.id) == IncidentOperator.incident_id)
        .where(
            among(session, col(IncidentOperator.operator_id), operators),
            Incident.kind == SEIZURE,
            ~_SEIZED_EXPORTER,
        )
    )
    for operator_id, incident_id in session.connection().execute(seizures):
        named_by.setdefault(operator_id, set()).add(("seizure", incident_id))
    return named_by
