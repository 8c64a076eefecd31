"""Controlled deliveries (Article 11 of the 1988 Convention; Vienna Declaration III.2, I.9(b)):
law enforcement of a route country lets a suspect shipment run under the supervision of named
participating authorities. Secrecy is the point: only the participants read its details;
everyone else reads the shipment without them (and, if the participants choose, a "do not stop
— contact X" marker). Every read and every alert handed over under it is audited under the
controlled delivery's id, and those audit rows are the participants' alone (app/audit/service.py).

The alerts themselves are confined in one place, the outbox's routing decision
(`confinements` here feeds app/alerts/outbox.py, which hands it to app/alerts/routing.py).
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from sqlmodel import Session, col, select

from app.audit import service as audit
from app.audit.models import AuditEvent
from app.auth.principal import Principal
from app.auth.roles import Role
from app.authorities.models import Authority
from app.core import cache
from app.core.db import WRITES, open_session
from app.core.ids import new_id
from app.core.types import utcnow
from app.shipments.checks import route_roles
from app.shipments.exceptions import (
    ControlledDeliveryActive,
    ControlledDeliveryNotAllowed,
    NoControlledDelivery,
    UnknownParticipant,
)
from app.shipments.models import ControlledDelivery, Shipment
from app.shipments.schemas import (
    ControlledDeliveryDetail,
    ControlledDeliveryEnd,
    ControlledDeliveryPublic,
    ControlledDeliveryStart,
    TrailEntry,
)

ACTIVE = "active"
ENDED = "ended"
# The audit subject of every row about a controlled delivery (hidden from audit readers).
SUBJECT = audit.CONTROLLED_DELIVERY
READ = "controlled_delivery.read"
HANDOVER = "controlled_delivery.handover"


@dataclass(frozen=True)
class Confinement:
    """An active controlled delivery as routing needs it."""

    id: str
    shipment_id: str
    participants: tuple[str, ...]


def active_of(session: Session, shipment_id: str) -> ControlledDelivery | None:
    return session.exec(
        select(ControlledDelivery).where(
            ControlledDelivery.shipment_id == shipment_id, ControlledDelivery.status == ACTIVE
        )
    ).first()


def latest_of(session: Session, shipment_id: str) -> ControlledDelivery | None:
    return session.exec(
        select(ControlledDelivery)
        .where(ControlledDelivery.shipment_id == shipment_id)
        .order_by(col(ControlledDelivery.started_at).desc(), col(ControlledDelivery.id).desc())
    ).first()


@dataclass(frozen=True)
class Register:
    """The shipments that have had a controlled delivery, and the active ones' confinements:
    few rows, read on every routed event and shipment read, so kept in the routing cache
    (app/core/cache.py; the table's triggers say when it changed)."""

    ever: frozenset[str]
    active: Mapping[str, Confinement]


_DELIVERIES = ControlledDelivery.__table__  # type: ignore[attr-defined]
_REGISTER = select(
    _DELIVERIES.c.id, _DELIVERIES.c.shipment_id, _DELIVERIES.c.status, _DELIVERIES.c.participants
)


def _load_register(session: Session) -> Register:
    rows = session.connection().execute(_REGISTER).all()
    active = {
        r.shipment_id: Confinement(r.id, r.shipment_id, tuple(r.participants))
        for r in rows
        if r.status == ACTIVE
    }
    return Register(frozenset(r.shipment_id for r in rows), MappingProxyType(active))


def register(session: Session) -> Register:
    return cache.cached(session, cache.ROUTING, "controlled_deliveries", _load_register)


def confinements(session: Session, shipment_ids: Iterable[str]) -> dict[str, Confinement]:
    """Shipment id → its active controlled delivery, for the shipments that have one."""
    active = register(session).active
    return {s: active[s] for s in shipment_ids if s in active}


def is_participant(principal: Principal, delivery: ControlledDelivery) -> bool:
    return principal.authority_id is not None and principal.authority_id in delivery.participants


def _require_route_law_enforcement(principal: Principal, shipment: Shipment) -> None:
    roles = route_roles(
        shipment.exporting_country, shipment.importing_country, shipment.transit_countries
    )
    if principal.role != Role.LAW_ENFORCEMENT or principal.country not in roles:
        raise ControlledDeliveryNotAllowed(
            "Law enforcement of a country on the shipment's route puts it under controlled "
            "delivery."
        )


def _participants(session: Session, principal: Principal, named: list[str]) -> list[str]:
    """The named authorities, each once, the caller's own first; 400 for an unknown one."""
    ids = list(dict.fromkeys([str(principal.authority_id), *named]))
    known = set(session.exec(select(Authority.id).where(col(Authority.id).in_(ids))))
    missing = [i for i in ids if i not in known]
    if missing:
        raise UnknownParticipant(f"participants: no authority with id {missing[0]!r}.")
    return ids


def start(
    session: Session, principal: Principal, shipment: Shipment, data: ControlledDeliveryStart
) -> ControlledDelivery:
    """Put a shipment under controlled delivery (the caller's shipment row is locked)."""
    _require_route_law_enforcement(principal, shipment)
    if active_of(session, shipment.id) is not None:
        raise ControlledDeliveryActive("End the active controlled delivery first.")
    delivery = ControlledDelivery(
        id=new_id(),
        shipment_id=shipment.id,
        status=ACTIVE,
        participants=_participants(session, principal, data.participants),
        note=data.note,
        do_not_stop_contact=data.do_not_stop_contact,
        started_by_user_id=principal.user_id,
        started_by_authority_id=str(principal.authority_id),
        started_at=utcnow(),
    )
    session.add(delivery)
    session.flush()
    audit.record(
        session,
        principal,
        "controlled_delivery.started",
        SUBJECT,
        delivery.id,
        after={"shipment_id": shipment.id, "participants": delivery.participants},
    )
    return delivery


def end(
    session: Session, principal: Principal, shipment: Shipment, data: ControlledDeliveryEnd
) -> ControlledDelivery:
    """End the active controlled delivery: normal routing applies to what follows. Law
    enforcement among the participants ends it."""
    delivery = active_of(session, shipment.id)
    if delivery is None or not is_participant(principal, delivery):
        raise NoControlledDelivery("This shipment is under no controlled delivery of yours.")
    if principal.role != Role.LAW_ENFORCEMENT:
        raise ControlledDeliveryNotAllowed("Law enforcement among the participants ends it.")
    delivery.status = ENDED
    delivery.ended_at = utcnow()
    delivery.ended_by_authority_id = principal.authority_id
    delivery.end_note = data.note
    session.add(delivery)
    session.flush()
    audit.record(
        session,
        principal,
        "controlled_delivery.ended",
        SUBJECT,
        delivery.id,
        after={"shipment_id": shipment.id},
    )
    return delivery


def reading(
    session: Session, principal: Principal, shipment: Shipment
) -> tuple[ControlledDeliveryPublic | None, str | None]:
    """What a reader of the shipment learns of its controlled delivery: participants the
    whole of it; others only the "do not stop" contact while it is active. The read is
    audited whenever the shipment has one."""
    if shipment.id not in register(session).ever:
        return None, None
    delivery = latest_of(session, shipment.id)
    if delivery is None:
        return None, None
    participant = is_participant(principal, delivery)
    _audit_read(session, principal, delivery, participant)
    if participant:
        return ControlledDeliveryPublic.model_validate(delivery), None
    marker = delivery.do_not_stop_contact if delivery.status == ACTIVE else None
    return None, marker


def _audit_read(
    session: Session, principal: Principal, delivery: ControlledDelivery, participant: bool
) -> None:
    """Audit a read. A GET's SQLite transaction is a reader's, which cannot become a writer
    once another request has written (SQLITE_BUSY_SNAPSHOT): there the row is written in a
    short write transaction of its own, queued behind other writers like any write."""
    after = {"authority_id": principal.authority_id, "participant": participant}
    bind = session.get_bind()
    if session.info.get(WRITES) or bind.dialect.name != "sqlite":
        audit.record(session, principal, READ, SUBJECT, delivery.id, after=after)
        return
    with open_session(bind.engine, write=True) as own:
        audit.record(own, principal, READ, SUBJECT, delivery.id, after=after)
        own.commit()


def get_for_participant_or_raise(
    session: Session, principal: Principal, shipment: Shipment
) -> ControlledDelivery:
    delivery = latest_of(session, shipment.id)
    if delivery is None or not is_participant(principal, delivery):
        raise NoControlledDelivery("This shipment is under no controlled delivery of yours.")
    return delivery


def detail(session: Session, delivery: ControlledDelivery) -> ControlledDeliveryDetail:
    """The controlled delivery with its audit trail, oldest first (participants only)."""
    audit.write_pending(session)
    rows = session.exec(
        select(AuditEvent)
        .where(AuditEvent.subject_type == SUBJECT, AuditEvent.subject_id == delivery.id)
        .order_by(col(AuditEvent.id))
    )
    trail = [
        TrailEntry(
            action=r.action,
            occurred_at=r.occurred_at,
            actor_authority_id=r.actor_authority_id,
            after=_plain(r.after),
        )
        for r in rows
    ]
    return ControlledDeliveryDetail(
        **ControlledDeliveryPublic.model_validate(delivery).model_dump(), trail=trail
    )


def _plain(value: Any) -> dict[str, Any] | None:
    return dict(value) if isinstance(value, dict) else None
