"""Operations: planned by law enforcement or regulators (or an admin), read by the
participating countries' authorities and by analysts, measured against their objectives."""

from collections import defaultdict
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from sqlalchemy import exists
from sqlmodel import Session, col, select

from app.audit import service as audit
from app.auth.principal import Principal
from app.auth.roles import OFFICERS, Role
from app.core.ids import new_id
from app.core.pagination import Page, paginate
from app.core.problems import Forbidden, NotFound
from app.core.types import utcnow
from app.dashboard.exports import Table, to_xlsx
from app.incidents import backtracking
from app.incidents import service as incidents
from app.notifications import service as notifications
from app.operations import metrics
from app.operations.exceptions import AlreadyTagged, NotAParticipant, OperationNotFound, UnknownItem
from app.operations.models import Operation, OperationCountry, OperationItem, OperationObjective
from app.operations.schemas import (
    ItemCreate,
    ItemPublic,
    ObjectivePublic,
    OperationCreate,
    OperationDetail,
    OperationPublic,
    Outcome,
    Outcomes,
    Period,
)
from app.reference.service import require_countries, require_substance
from app.shipments import service as shipments

PLANNERS = frozenset({Role.ADMIN, Role.REGULATOR, Role.LAW_ENFORCEMENT})


def create_operation(session: Session, principal: Principal, data: OperationCreate) -> Operation:
    """Plan an operation; a regulator or law-enforcement planner's country takes part."""
    if principal.role not in PLANNERS:
        raise Forbidden("Law enforcement, regulators and admins plan operations.")
    if principal.role != Role.ADMIN and principal.country not in data.countries:
        raise NotAParticipant(f"countries: name your own country ({principal.country}).")
    require_countries(session, data.countries, "countries")
    for cas in data.substances:
        require_substance(session, cas)
    operation = Operation(
        id=new_id(),
        name=data.name,
        starts_on=data.starts_on,
        ends_on=data.ends_on,
        substances=list(dict.fromkeys(data.substances)),
        created_by_user_id=principal.user_id,
        created_by_authority_id=principal.authority_id,
        created_at=utcnow(),
    )
    session.add(operation)
    session.flush()
    session.add_all(OperationCountry(operation_id=operation.id, country=c) for c in data.countries)
    session.add_all(
        OperationObjective(
            id=new_id(),
            operation_id=operation.id,
            position=i,
            metric=o.metric,
            target=o.target,
            days=o.days,
        )
        for i, o in enumerate(data.objectives)
    )
    session.flush()
    audit.record(
        session,
        principal,
        "operation.created",
        "operation",
        operation.id,
        after=data.model_dump(mode="json"),
    )
    return operation


def visible_to(principal: Principal) -> Any:
    if principal.is_global_reader:
        return True
    return exists().where(
        col(OperationCountry.operation_id) == Operation.id,
        col(OperationCountry.country) == principal.country,
    )


def countries_of(session: Session, operation_ids: list[str]) -> dict[str, list[str]]:
    rows = session.exec(
        select(OperationCountry).where(col(OperationCountry.operation_id).in_(operation_ids))
    )
    found: dict[str, list[str]] = defaultdict(list)
    for row in rows:
        found[row.operation_id].append(row.country)
    return {k: sorted(v) for k, v in found.items()}


def get_operation_or_raise(session: Session, principal: Principal, operation_id: str) -> Operation:
    operation = session.get(Operation, operation_id)
    if operation is None:
        raise OperationNotFound(f"No operation with id {operation_id!r}.")
    countries = countries_of(session, [operation.id]).get(operation.id, [])
    if not principal.is_global_reader and principal.country not in countries:
        raise OperationNotFound(f"No operation with id {operation_id!r}.")
    return operation


def list_operations(
    session: Session, principal: Principal, *, limit: int, cursor: str | None
) -> Page[Operation]:
    query = select(Operation).where(visible_to(principal))
    return paginate(session, query, col(Operation.id), limit=limit, cursor=cursor)


# How a tagger's right to read each kind of record is checked (the domain's own 404).
READERS: dict[str, Callable[[Session, Principal, str], Any]] = {
    "shipment": shipments.get_shipment_or_raise,
    "incident": incidents.get_incident_or_raise,
    "pre_export_notification": notifications.get_notification_or_raise,
    "backtracking_request": backtracking.get_request_or_raise,
}


def tag_item(
    session: Session, principal: Principal, operation: Operation, data: ItemCreate
) -> OperationItem:
    """Tag a record the caller may read to the operation (officers of participating countries)."""
    if principal.role not in OFFICERS:
        raise Forbidden("Regulators, customs and law enforcement of the participants tag records.")
    try:
        READERS[data.type](session, principal, data.id)
    except NotFound as exc:
        raise UnknownItem(f"id: no {data.type} {data.id!r} that you may read.") from exc
    key = (operation.id, data.type, data.id)
    if session.get(OperationItem, key) is not None:
        raise AlreadyTagged(f"This {data.type} is tagged to the operation already.")
    item = OperationItem(
        operation_id=operation.id,
        item_type=data.type,
        item_id=data.id,
        tagged_by_user_id=principal.user_id,
        tagged_by_authority_id=principal.authority_id,
        tagged_at=utcnow(),
    )
    session.add(item)
    session.flush()
    audit.record(
        session,
        principal,
        "operation.item_tagged",
        "operation",
        operation.id,
        after={"type": data.type, "id": data.id},
    )
    return item


def objectives_of(session: Session, operation_id: str) -> list[OperationObjective]:
    return list(
        session.exec(
            select(OperationObjective)
            .where(OperationObjective.operation_id == operation_id)
            .order_by(col(OperationObjective.position))
        )
    )


def items_of(session: Session, operation_id: str) -> list[OperationItem]:
    return list(
        session.exec(
            select(OperationItem)
            .where(OperationItem.operation_id == operation_id)
            .order_by(col(OperationItem.tagged_at), col(OperationItem.item_id))
        )
    )


def to_public(session: Session, operation: Operation) -> OperationPublic:
    return OperationPublic(
        **operation.model_dump(),
        countries=countries_of(session, [operation.id]).get(operation.id, []),
        objectives=[
            ObjectivePublic(metric=o.metric, target=o.target, days=o.days)
            for o in objectives_of(session, operation.id)
        ],
    )


def to_detail(session: Session, operation: Operation) -> OperationDetail:
    items = [
        ItemPublic(
            type=i.item_type,
            id=i.item_id,
            tagged_by_authority_id=i.tagged_by_authority_id,
            tagged_at=i.tagged_at,
        )
        for i in items_of(session, operation.id)
    ]
    return OperationDetail(**to_public(session, operation).model_dump(), items=items)


def outcomes(session: Session, operation: Operation) -> Outcomes:
    """Each objective's target, what the tagged records achieved, and the same metric over
    every record of the participating countries in the same-length period just before."""
    countries = tuple(countries_of(session, [operation.id]).get(operation.id, []))
    substances = tuple(operation.substances)
    items = items_of(session, operation.id)
    ids: dict[str, set[str]] = defaultdict(set)
    for item in items:
        ids[item.item_type].add(item.item_id)
    length = (operation.ends_on - operation.starts_on).days + 1
    baseline = Period(
        starts_on=operation.starts_on - timedelta(days=length),
        ends_on=operation.starts_on - timedelta(days=1),
    )
    tagged = metrics.Tagged(dict(ids), substances)
    before = metrics.InScope(countries, baseline.starts_on, baseline.ends_on, substances)
    results = []
    for objective in objectives_of(session, operation.id):
        achieved = metrics.measure(session, objective.metric, tagged, objective.days)
        results.append(
            Outcome(
                metric=objective.metric,
                unit=metrics.METRICS[objective.metric].unit,
                days=objective.days,
                target=objective.target,
                achieved=achieved,
                baseline=metrics.measure(session, objective.metric, before, objective.days),
                met=achieved >= objective.target,
            )
        )
    return Outcomes(
        operation_id=operation.id,
        name=operation.name,
        period=Period(starts_on=operation.starts_on, ends_on=operation.ends_on),
        baseline_period=baseline,
        items=len(items),
        objectives=results,
    )


def outcomes_xlsx(built: Outcomes) -> bytes:
    """The outcomes as a workbook: one sheet, one row per objective."""
    table = Table(
        f"Outcomes of {built.name}"[:80],
        ["Metric", "Unit", "Days", "Target", "Achieved", "Baseline", "Met"],
        [
            [o.metric, o.unit, o.days, float(o.target), float(o.achieved), float(o.baseline), o.met]
            for o in built.objectives
        ],
    )
    preface = [
        [f"Operation {built.period.starts_on} to {built.period.ends_on}"],
        [f"Baseline {built.baseline_period.starts_on} to {built.baseline_period.ends_on}"],
        [f"Tagged records: {built.items}"],
    ]
    return to_xlsx([table], preface=preface)
