"""The links of an entity: a graph over the operators, PENs, shipments, incidents and flags the
caller may read, to a chosen depth.

Each step of the walk reads only what the caller may read (each domain's `visible_to`, and for
the operators an incident names, a reading scope of `full`), and only what it reached is walked
further: a record the caller may not read is never a node, never a bridge to another, and never
counted.
"""

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session, col, select

from app.auth.service import Principal
from app.incidents import service as incidents
from app.incidents.models import NAMED_IN_INCIDENT, Incident, IncidentOperator
from app.incidents.reading import reading_scopes
from app.incidents.scopes import IncidentScope
from app.investigations.models import Entity, EntityMember
from app.investigations.schemas import LinkEdge, LinkNode, LinksPublic
from app.notifications import service as notifications
from app.notifications.models import PreExportNotification
from app.operators.models import Operator
from app.rules import flags
from app.rules.models import Flag
from app.shipments import service as shipments
from app.shipments.models import Shipment

ENTITY, OPERATOR, PEN, SHIPMENT, INCIDENT, FLAG = (
    "entity",
    "operator",
    "pre_export_notification",
    "shipment",
    "incident",
    "flag",
)
# The graph stops growing here (a forwarder named on thousands of shipments): `truncated`.
MAX_NODES = 500
PARTY_ROLES = ("exporter", "importer", "consignee")

# (type, id, label, edge source, edge target, edge kind)
Step = tuple[str, str, str, str, str, str]


@dataclass
class Graph:
    nodes: dict[str, LinkNode] = field(default_factory=dict)
    edges: dict[tuple[str, str, str], LinkEdge] = field(default_factory=dict)
    truncated: bool = False

    def add(self, type_: str, id_: str, label: str) -> bool:
        """Add a node; True when it is new."""
        if id_ in self.nodes:
            return False
        if len(self.nodes) >= MAX_NODES:
            self.truncated = True
            return False
        self.nodes[id_] = LinkNode(id=id_, type=type_, label=label)
        return True

    def link(self, source: str, target: str, kind: str) -> None:
        if source in self.nodes and target in self.nodes:
            self.edges[(source, target, kind)] = LinkEdge(source=source, target=target, kind=kind)


def _operator_label(operator: Operator) -> str:
    return f"{operator.name} ({operator.country})"


def _from_entities(session: Session, _: Principal, ids: set[str]) -> Iterator[Step]:
    rows = session.exec(
        select(EntityMember.entity_id, Operator)
        .join(Operator, col(Operator.id) == EntityMember.operator_id)
        .where(col(EntityMember.entity_id).in_(ids))
        .limit(MAX_NODES + 1)
    ).all()
    for entity_id, operator in rows:
        yield OPERATOR, operator.id, _operator_label(operator), entity_id, operator.id, "member"


def _records_naming(
    session: Session, principal: Principal, ids: set[str], model: Any, type_: str
) -> Iterator[Step]:
    """The PENs or shipments the caller may read that name one of the operators (their id and
    label only: a trader may be named on thousands)."""
    visible = (notifications if model is PreExportNotification else shipments).visible_to
    label = model.reference if model is PreExportNotification else model.customs_reference
    for role in PARTY_ROLES:
        column = getattr(model, f"{role}_id")
        rows = session.exec(
            select(model.id, label, column)
            .where(col(column).in_(ids), visible(principal))
            .limit(MAX_NODES + 1)
        ).all()
        for record_id, text, operator_id in rows:
            yield type_, record_id, text, operator_id, record_id, role


def _full_incidents(
    session: Session, principal: Principal, found: Iterable[Incident]
) -> list[Incident]:
    """The incidents whose operators the caller may see (read at the `full` scope)."""
    found = list(found)
    scopes = reading_scopes(session, principal, found)
    return [i for i in found if scopes[i.id] == IncidentScope.FULL.value]


def _from_operators(session: Session, principal: Principal, ids: set[str]) -> Iterator[Step]:
    rows = session.exec(
        select(EntityMember.operator_id, Entity)
        .join(Entity, col(Entity.id) == EntityMember.entity_id)
        .where(col(EntityMember.operator_id).in_(ids))
    ).all()
    for operator_id, entity in rows:
        yield ENTITY, entity.id, entity.name, entity.id, operator_id, "member"
    yield from _records_naming(session, principal, ids, Shipment, SHIPMENT)
    yield from _records_naming(session, principal, ids, PreExportNotification, PEN)
    named = session.exec(
        select(IncidentOperator.operator_id, Incident)
        .join(Incident, col(Incident.id) == IncidentOperator.incident_id)
        .where(
            col(IncidentOperator.operator_id).in_(ids),
            col(IncidentOperator.source).in_(NAMED_IN_INCIDENT),
            incidents.visible_to(principal),
        )
        .limit(MAX_NODES + 1)
    ).all()
    full = {i.id for i in _full_incidents(session, principal, [i for _, i in named])}
    for operator_id, incident in named:
        if incident.id in full:
            yield INCIDENT, incident.id, incident.reference, operator_id, incident.id, "named_in"


def _parties(session: Session, records: Iterable[Any]) -> Iterator[Step]:
    records = list(records)
    wanted = {getattr(r, f"{role}_id") for r in records for role in PARTY_ROLES} - {None}
    found = {o.id: o for o in session.exec(select(Operator).where(col(Operator.id).in_(wanted)))}
    for record in records:
        for role in PARTY_ROLES:
            operator = found.get(getattr(record, f"{role}_id"))
            if operator is not None:
                yield OPERATOR, operator.id, _operator_label(operator), operator.id, record.id, role


def _flags_on(session: Session, principal: Principal, type_: str, ids: set[str]) -> Iterator[Step]:
    rows = session.exec(
        select(Flag)
        .where(
            Flag.subject_type == type_, col(Flag.subject_id).in_(ids), flags.visible_to(principal)
        )
        .limit(MAX_NODES + 1)
    ).all()
    for flag in rows:
        label = f"{flag.rule} ({flag.severity}, {flag.status})"
        yield FLAG, flag.id, label, flag.id, flag.subject_id, "flags"


def _incidents_on(
    session: Session, principal: Principal, column: Any, ids: set[str]
) -> Iterator[Step]:
    rows = session.exec(
        select(Incident).where(col(column).in_(ids), incidents.visible_to(principal))
    ).all()
    for incident in rows:
        subject = (
            incident.shipment_id if column is Incident.shipment_id else incident.notification_id
        )
        yield INCIDENT, incident.id, incident.reference, incident.id, str(subject), "about"


def _from_shipments(session: Session, principal: Principal, ids: set[str]) -> Iterator[Step]:
    found = session.exec(select(Shipment).where(col(Shipment.id).in_(ids))).all()
    yield from _parties(session, found)
    yield from _flags_on(session, principal, SHIPMENT, ids)
    yield from _incidents_on(session, principal, Incident.shipment_id, ids)
    cited = {s.notification_id: s.id for s in found if s.notification_id}
    pens = session.exec(
        select(PreExportNotification).where(
            col(PreExportNotification.id).in_(set(cited)), notifications.visible_to(principal)
        )
    ).all()
    for pen in pens:
        yield PEN, pen.id, pen.reference, cited[pen.id], pen.id, "cites"


def _from_pens(session: Session, principal: Principal, ids: set[str]) -> Iterator[Step]:
    found = session.exec(
        select(PreExportNotification).where(col(PreExportNotification.id).in_(ids))
    ).all()
    yield from _parties(session, found)
    yield from _flags_on(session, principal, PEN, ids)
    yield from _incidents_on(session, principal, Incident.notification_id, ids)
    citing = session.exec(
        select(Shipment)
        .where(col(Shipment.notification_id).in_(ids), shipments.visible_to(principal))
        .limit(MAX_NODES + 1)
    ).all()
    for shipment in citing:
        yield (
            SHIPMENT,
            shipment.id,
            shipment.customs_reference,
            shipment.id,
            str(shipment.notification_id),
            "cites",
        )


def _from_incidents(session: Session, principal: Principal, ids: set[str]) -> Iterator[Step]:
    found = session.exec(select(Incident).where(col(Incident.id).in_(ids))).all()
    full = {i.id for i in _full_incidents(session, principal, found)}
    named = session.exec(
        select(IncidentOperator.incident_id, Operator)
        .join(Operator, col(Operator.id) == IncidentOperator.operator_id)
        .where(
            col(IncidentOperator.incident_id).in_(full),
            col(IncidentOperator.source).in_(NAMED_IN_INCIDENT),
        )
    ).all()
    for incident_id, operator in named:
        yield OPERATOR, operator.id, _operator_label(operator), operator.id, incident_id, "named_in"
    for incident in found:
        shipment = session.get(Shipment, incident.shipment_id) if incident.shipment_id else None
        if shipment is not None and shipments.principal_may_read(principal, shipment):
            yield (
                SHIPMENT,
                shipment.id,
                shipment.customs_reference,
                incident.id,
                shipment.id,
                "about",
            )
        pen = (
            session.get(PreExportNotification, incident.notification_id)
            if incident.notification_id
            else None
        )
        if pen is not None and notifications.principal_may_read(principal, pen):
            yield PEN, pen.id, pen.reference, incident.id, pen.id, "about"


def _from_flags(session: Session, principal: Principal, ids: set[str]) -> Iterator[Step]:
    return iter(())  # a flag's subject is the record it was reached from


EXPAND: dict[str, Callable[[Session, Principal, set[str]], Iterator[Step]]] = {
    ENTITY: _from_entities,
    OPERATOR: _from_operators,
    SHIPMENT: _from_shipments,
    PEN: _from_pens,
    INCIDENT: _from_incidents,
    FLAG: _from_flags,
}


def walk(
    session: Session, principal: Principal, start: tuple[str, str, str], depth: int
) -> LinksPublic:
    """The graph around `start` (type, id, label), `depth` steps out."""
    graph = Graph()
    graph.add(*start)
    frontier: dict[str, set[str]] = {start[0]: {start[1]}}
    for _ in range(depth):
        reached: dict[str, set[str]] = {}
        for type_, ids in frontier.items():
            for node_type, node_id, label, source, target, kind in EXPAND[type_](
                session, principal, ids
            ):
                if graph.add(node_type, node_id, label):
                    reached.setdefault(node_type, set()).add(node_id)
                graph.link(source, target, kind)
        frontier = reached
    return LinksPublic(
        nodes=list(graph.nodes.values()),
        edges=list(graph.edges.values()),
        truncated=graph.truncated,
    )


def entity_links(session: Session, principal: Principal, entity: Entity, depth: int) -> LinksPublic:
    return walk(session, principal, (ENTITY, entity.id, entity.name), depth)
