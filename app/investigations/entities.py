"""Entities: operators resolved into real-world parties (resolution.py decides; this module
reads the operators and stores the clusters), and the investigators' decisions on them.

New operators are resolved against the operators that share a blocking key with them (their
neighbourhood), lazily: before entities are read and before the rules judge a subject whose
party is not resolved yet. `pentrack entities resolve` redoes everything from scratch.
"""

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import delete, func, text
from sqlmodel import Session, col, select

from app.audit import service as audit
from app.auth.service import Principal
from app.core.bulk import insert_rows
from app.core.pagination import Page, paginate
from app.core.types import utcnow
from app.investigations.exceptions import EntityNotFound, NotAMember, SameOperator
from app.investigations.models import Entity, EntityDecision, EntityKey, EntityMember
from app.investigations.resolution import (
    MAX_BLOCK,
    Pair,
    PartyRecord,
    Resolution,
    blocking_keys,
    name_words,
    normalise_name,
    pair,
    prepare,
    resolve,
)
from app.operators.models import Operator
from app.operators.service import require_operators

ENTITY_PREFIX = "ent_"
# Beyond this many unresolved operators (a bulk import), resolve everything at once.
FULL_RESOLUTION_AT = 5000


def record_of(operator: Operator) -> PartyRecord:
    return PartyRecord(
        id=operator.id,
        name=operator.name,
        country=operator.country,
        address=operator.address,
        registration_number=operator.registration_number,
        licence_number=operator.licence_number,
    )


def stored_keys(operator: Operator) -> list[str]:
    """Every key an operator is filed under in the database (all its words: a later operator
    may share any of them)."""
    item = prepare(record_of(operator))
    return [k[:220] for k in dict.fromkeys(blocking_keys(item, name_words(item)))]


def _decisions(session: Session, ids: set[str] | None = None) -> tuple[list[Pair], list[Pair]]:
    query = select(EntityDecision)
    if ids is not None:
        query = query.where(col(EntityDecision.operator_id).in_(ids))
    same: list[Pair] = []
    different: list[Pair] = []
    for d in session.exec(query).all():
        target = same if d.decision == "same" else different
        target.append((d.operator_id, d.other_operator_id))
    return same, different


def _store(session: Session, operators: Sequence[Operator], resolution: Resolution) -> None:
    """Write the clusters (entities and their members) of `operators`."""
    by_id = {o.id: o for o in operators}
    now = utcnow()
    entities, members = [], []
    for cluster in resolution.clusters:
        first = by_id[cluster[0]]
        entity_id = ENTITY_PREFIX + first.id
        countries = sorted({by_id[i].country for i in cluster})
        entities.append(
            {
                "id": entity_id,
                "name": first.name,
                "countries": countries,
                "member_count": len(cluster),
                "resolved_at": now,
            }
        )
        members += [
            {
                "operator_id": i,
                "entity_id": entity_id,
                "name_key": normalise_name(by_id[i].name)[:200],
                "match_reasons": resolution.reasons.get(i, []),
            }
            for i in cluster
        ]
    insert_rows(session, Entity.__table__, entities)  # type: ignore[attr-defined]
    insert_rows(session, EntityMember.__table__, members)  # type: ignore[attr-defined]


def resolve_all(session: Session) -> int:
    """Resolve every operator again from scratch (decisions kept); the number of entities."""
    _resolve_alone(session)
    for table in (EntityMember, Entity, EntityKey):
        session.exec(delete(table))
    operators = list(session.exec(select(Operator).order_by(col(Operator.id))).all())
    same, different = _decisions(session)
    resolution = resolve([record_of(o) for o in operators], same, different)
    _store(session, operators, resolution)
    insert_rows(
        session,
        EntityKey.__table__,  # type: ignore[attr-defined]
        [{"operator_id": o.id, "key": k} for o in operators for k in stored_keys(o)],
    )
    return len(resolution.clusters)


def _pending(session: Session) -> list[Operator]:
    query = (
        select(Operator)
        .outerjoin(EntityMember, col(EntityMember.operator_id) == Operator.id)
        .where(col(EntityMember.operator_id).is_(None))
    )
    return list(session.exec(query).all())


def _neighbours(session: Session, keys: set[str]) -> set[str]:
    """The operators filed under one of `keys` (keys shared too widely say nothing)."""
    if not keys:
        return set()
    narrow = (
        select(EntityKey.key)
        .where(col(EntityKey.key).in_(keys))
        .group_by(col(EntityKey.key))
        .having(func.count() <= MAX_BLOCK)
    )
    return set(
        session.exec(select(EntityKey.operator_id).where(col(EntityKey.key).in_(narrow))).all()
    )


def resolve_new(session: Session) -> int:
    """Resolve what was registered since the last resolution (two index lookups when nothing
    was: the latest operator against the latest entity). Operators written with a creation
    time older than that (a backdated bulk load) wait for `pentrack entities resolve`, or for
    the rules, which resolve any party they find unresolved."""
    newest_operator = session.exec(select(func.max(Operator.created_at))).one()
    newest_entity = session.exec(select(func.max(Entity.resolved_at))).one()
    if newest_operator is None or (newest_entity is not None and newest_operator < newest_entity):
        return 0
    return resolve_pending(session)


# Any constant: the key of the advisory lock that lets one transaction at a time resolve.
RESOLUTION_LOCK = 0x70_65_6E_65  # "pene"


def _resolve_alone(session: Session) -> None:
    """On PostgreSQL, wait for any other transaction resolving entities to commit (and then see
    what it stored): two writers judging PENs to the same new operator would otherwise both
    resolve it and collide on the entity's key. SQLite has one writer anyway."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": RESOLUTION_LOCK})


def resolve_pending(session: Session) -> int:
    """Resolve the operators no entity holds yet, with their neighbourhood; how many."""
    _resolve_alone(session)
    pending = _pending(session)
    if len(pending) > FULL_RESOLUTION_AT:
        resolve_all(session)
        return len(pending)
    if not pending:
        return 0
    keys = {o.id: stored_keys(o) for o in pending}
    nearby = _neighbours(session, {k for ks in keys.values() for k in ks})
    entity_ids = set(
        session.exec(
            select(EntityMember.entity_id).where(col(EntityMember.operator_id).in_(nearby))
        ).all()
    )
    member_ids = set(
        session.exec(
            select(EntityMember.operator_id).where(col(EntityMember.entity_id).in_(entity_ids))
        ).all()
    )
    others = session.exec(select(Operator).where(col(Operator.id).in_(member_ids))).all()
    operators = sorted([*pending, *others], key=lambda o: o.id)
    same, different = _decisions(session, {o.id for o in operators})
    resolution = resolve([record_of(o) for o in operators], same, different)
    session.exec(delete(EntityMember).where(col(EntityMember.entity_id).in_(entity_ids)))
    session.exec(delete(Entity).where(col(Entity.id).in_(entity_ids)))
    _store(session, operators, resolution)
    keyed = set(
        session.exec(
            select(EntityKey.operator_id).where(col(EntityKey.operator_id).in_(set(keys)))
        ).all()
    )
    insert_rows(
        session,
        EntityKey.__table__,  # type: ignore[attr-defined]
        [{"operator_id": o, "key": k} for o, ks in keys.items() if o not in keyed for k in ks],
    )
    return len(pending)


def entity_of_operators(session: Session, operator_ids: Iterable[str]) -> dict[str, str]:
    """Operator → the id of its entity (unresolved operators resolved first)."""
    wanted = set(operator_ids)
    query = select(EntityMember.operator_id, EntityMember.entity_id).where(
        col(EntityMember.operator_id).in_(wanted)
    )
    found = dict(session.exec(query).all())
    if len(found) < len(wanted) and resolve_pending(session):
        found = dict(session.exec(query).all())
    return found


def get_entity_or_raise(session: Session, entity_id: str) -> Entity:
    """The entity; an id of an entity merged or split since names the one that now holds its
    first operator."""
    resolve_new(session)
    entity = session.get(Entity, entity_id)
    if entity is None and entity_id.startswith(ENTITY_PREFIX):
        moved = entity_of_operators(session, [entity_id.removeprefix(ENTITY_PREFIX)])
        entity = session.get(Entity, next(iter(moved.values()))) if moved else None
    if entity is None:
        raise EntityNotFound(f"No entity with id {entity_id!r}.")
    return entity


def list_entities(
    session: Session, q: str | None, country: str | None, limit: int, cursor: str | None
) -> Page[Entity]:
    resolve_new(session)
    query = select(Entity)
    if q:
        key = normalise_name(q)
        named = select(EntityMember.entity_id).where(col(EntityMember.name_key).contains(key))
        query = query.where(col(Entity.id).in_(named))
    if country:
        located = (
            select(EntityMember.entity_id)
            .join(Operator, col(Operator.id) == EntityMember.operator_id)
            .where(Operator.country == country)
        )
        query = query.where(col(Entity.id).in_(located))
    return paginate(session, query, col(Entity.id), limit=limit, cursor=cursor)


def members_of(session: Session, entity_ids: set[str]) -> dict[str, list[tuple[Any, Any]]]:
    """Entity → its (member, operator) pairs, by operator name."""
    rows = session.exec(
        select(EntityMember, Operator)
        .join(Operator, col(Operator.id) == EntityMember.operator_id)
        .where(col(EntityMember.entity_id).in_(entity_ids))
        .order_by(col(Operator.name), col(Operator.id))
    ).all()
    found: dict[str, list[tuple[Any, Any]]] = {}
    for member, operator in rows:
        found.setdefault(member.entity_id, []).append((member, operator))
    return found


def decide(
    session: Session,
    actor: Principal,
    entity: Entity,
    operator_id: str,
    other_operator_id: str,
    decision: str,
) -> Entity:
    """An investigator says two operators are the same party (`same`) or not (`different`);
    the word sticks, and both operators' entities are resolved again at once."""
    if operator_id == other_operator_id:
        raise SameOperator("operator_id and other_operator_id name the same operator.")
    require_operators(session, operator_id=operator_id, other_operator_id=other_operator_id)
    entities = entity_of_operators(session, [operator_id, other_operator_id])
    if entities.get(operator_id) != entity.id:
        raise NotAMember(f"operator_id: {operator_id!r} is not a member of entity {entity.id!r}.")
    a, b = pair(operator_id, other_operator_id)
    stored = session.get(EntityDecision, (a, b))
    before = {"decision": stored.decision} if stored else None
    if stored is None:
        stored = EntityDecision(operator_id=a, other_operator_id=b, decision=decision)
    stored.decision = decision
    stored.decided_by_user_id = actor.user_id
    stored.decided_by_authority_id = actor.authority_id
    stored.decided_at = utcnow()
    session.add(stored)
    affected = set(entities.values())
    session.exec(delete(EntityMember).where(col(EntityMember.entity_id).in_(affected)))
    session.exec(delete(Entity).where(col(Entity.id).in_(affected)))
    session.flush()
    resolve_pending(session)
    audit.record(
        session,
        actor,
        "entity.decided",
        "entity",
        entity.id,
        before=before,
        after={"operator_id": a, "other_operator_id": b, "decision": decision},
    )
    return get_entity_or_raise(session, ENTITY_PREFIX + operator_id)
