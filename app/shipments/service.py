"""Shipments and border events, recorded by customs of the countries on the route."""

from datetime import timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import String, cast, exists, or_
from sqlmodel import Session, col, select

from app.audit import service as audit
from app.auth.roles import Role
from app.auth.service import Principal
from app.core.conflicts import unique_or_conflict
from app.core.ids import new_id
from app.core.pagination import Page, paginate
from app.core.types import utcnow
from app.notifications import service as notifications
from app.notifications.models import PreExportNotification
from app.reference.service import quantity_in_kg, require_substance
from app.shipments import controlled
from app.shipments.checks import creation_audit, load_known, new_shipment, route_roles
from app.shipments.exceptions import (
    DuplicateCustomsReference,
    EventCountryNotOnRoute,
    EventInFuture,
    EventNotAllowed,
    NotOnRoute,
    ShipmentNotFound,
)
from app.shipments.models import Shipment, ShipmentEvent, ShipmentRouteCountry
from app.shipments.schemas import (
    EventCreate,
    EventPublic,
    NotifiedQuantity,
    ShipmentCreate,
    ShipmentDetail,
    ShipmentPublic,
)
from app.shipments.states import (
    EVENT_ROLES,
    EventRefused,
    EventType,
    ShipmentStatus,
    next_status,
    replay,
)

# Clocks at borders drift; an event a few minutes "ahead" is not an error.
CLOCK_SKEW = timedelta(minutes=10)


def _require_new_customs_reference(session: Session, actor: Principal, reference: str) -> None:
    duplicate = session.exec(
        select(Shipment.id).where(
            Shipment.recorded_country == actor.country,
            Shipment.customs_reference == reference,
        )
    ).first()
    if duplicate:
        raise DuplicateCustomsReference(
            f"customs_reference: {reference!r} is already recorded in {actor.country}.",
            shipment_id=duplicate,
        )


def create_shipment(session: Session, actor: Principal, data: ShipmentCreate) -> Shipment:
    """Record a customs declaration; the caller's country must be on the route."""
    row, roles = new_shipment(session, actor, data, load_known(session, actor, [data]), utcnow())
    _require_new_customs_reference(session, actor, data.customs_reference)
    shipment = Shipment(**row)
    taken = DuplicateCustomsReference(
        f"customs_reference: {data.customs_reference!r} is already recorded in {actor.country}."
    )
    with unique_or_conflict(session, taken):
        session.add(shipment)
    session.add_all(
        ShipmentRouteCountry(shipment_id=shipment.id, country=country, role=role)
        for country, country_roles in roles.items()
        for role in country_roles
    )
    audit.record(
        session,
        actor,
        "shipment.created",
        "shipment",
        shipment.id,
        after=creation_audit(row),
    )
    return shipment


def visible_to(principal: Principal) -> Any:
    if principal.is_global_reader:
        return True
    return exists().where(
        col(ShipmentRouteCountry.shipment_id) == Shipment.id,
        col(ShipmentRouteCountry.country) == principal.country,
    )


def principal_may_read(principal: Principal, shipment: Shipment) -> bool:
    """`visible_to` for a loaded shipment: its route rows are its route's countries."""
    if principal.is_global_reader:
        return True
    return principal.country in route_roles(
        shipment.exporting_country, shipment.importing_country, shipment.transit_countries
    )


def get_shipment_or_raise(
    session: Session, principal: Principal, shipment_id: str, *, for_update: bool = False
) -> Shipment:
    """The shipment, or 404 when it does not exist or the caller may not see it. A primary-key
    get: its statement is built once, not per request."""
    shipment = session.get(Shipment, shipment_id, with_for_update=True if for_update else None)
    if shipment is None or not principal_may_read(principal, shipment):
        raise ShipmentNotFound(f"No shipment with id {shipment_id!r}.")
    return shipment


def list_shipments(
    session: Session,
    principal: Principal,
    *,
    status: ShipmentStatus | None,
    exporting_country: str | None,
    importing_country: str | None,
    substance: str | None,
    pen_reference: str | None,
    customs_reference: str | None,
    limit: int,
    cursor: str | None,
) -> Page[Shipment]:
    query = select(Shipment).where(visible_to(principal))
    filters = {
        Shipment.status: status.value if status else None,
        Shipment.exporting_country: exporting_country,
        Shipment.importing_country: importing_country,
        Shipment.cas_number: substance,
        Shipment.pen_reference: pen_reference.upper() if pen_reference else None,
        Shipment.customs_reference: customs_reference,
    }
    for column, value in filters.items():
        if value is not None:
            query = query.where(column == value)
    return paginate(session, query, col(Shipment.id), limit=limit, cursor=cursor)


def look_up_shipments(
    session: Session, principal: Principal, text: str, *, limit: int = 50
) -> list[Shipment]:
    """Shipments the caller may read whose customs reference or PEN reference is `text`, or
    that carry a container of that number (the workspace's look-up box)."""
    wanted = text.strip()
    if not wanted:
        return []
    container = cast(Shipment.container_ids, String).like(
        f'%"{wanted.upper().replace("%", "").replace("_", "")}"%'
    )
    query = (
        select(Shipment)
        .where(visible_to(principal))
        .where(
            or_(
                col(Shipment.customs_reference) == wanted,
                col(Shipment.pen_reference) == wanted.upper(),
                container,
            )
        )
        .order_by(col(Shipment.created_at).desc())
        .limit(limit)
    )
    return list(session.exec(query).all())


def events_of(session: Session, shipment_id: str) -> list[ShipmentEvent]:
    """A shipment's events in the order they were recorded."""
    return list(
        session.exec(
            select(ShipmentEvent)
            .where(ShipmentEvent.shipment_id == shipment_id)
            .order_by(col(ShipmentEvent.created_at), col(ShipmentEvent.id))
        ).all()
    )


def status_before_last_stop(events: list[ShipmentEvent]) -> ShipmentStatus | None:
    """Where a released shipment returns to: its status when it was stopped."""
    return replay([EventType(e.type) for e in events])[1]


def record_event(
    session: Session, actor: Principal, shipment: Shipment, data: EventCreate
) -> list[ShipmentEvent]:
    """Record what customs saw at the caller's border; moves the shipment's status. Returns the
    shipment's events in the order they were recorded, the new one last."""
    if actor.role != Role.CUSTOMS:
        raise NotOnRoute("Only customs record border events.")
    roles = route_roles(
        shipment.exporting_country, shipment.importing_country, shipment.transit_countries
    )
    if actor.country not in roles:
        raise NotOnRoute(f"Your authority is in {actor.country}, which is not on this route.")
    if data.country != actor.country:
        raise NotOnRoute(f"country: you record events in {actor.country}, not in {data.country}.")
    allowed = EVENT_ROLES[data.type]
    if not roles[data.country] & allowed:
        raise EventCountryNotOnRoute(
            f"country: {data.type.value} happens in the {' or '.join(sorted(allowed))} country; "
            f"{data.country} is {' and '.join(sorted(roles[data.country]))} on this route."
        )
    now = utcnow()
    if data.occurred_at > now + CLOCK_SKEW:
        raise EventInFuture(f"occurred_at: {data.occurred_at.isoformat()} is in the future.")
    before = ShipmentStatus(shipment.status)
    events = events_of(session, shipment.id)
    try:
        status = next_status(before, data.type, status_before_last_stop(events))
    except EventRefused as exc:
        raise EventNotAllowed(str(exc), current_status=shipment.status) from exc
    observed_kg = None
    if data.quantity_observed is not None and data.unit is not None:
        substance = require_substance(session, shipment.cas_number)
        observed_kg = quantity_in_kg(substance, data.quantity_observed, data.unit)
    event = ShipmentEvent(
        id=new_id(),
        shipment_id=shipment.id,
        **data.model_dump(exclude={"type", "unit"}),
        type=data.type.value,
        unit=data.unit.value if data.unit else None,
        quantity_observed_kg=observed_kg,
        recorded_by_user_id=actor.user_id,
        created_at=now,
        **ShipmentEvent.route_of(shipment),
    )
    shipment.status = status.value
    shipment.updated_at = now
    session.add(event)
    session.add(shipment)
    session.flush()
    audit.record(
        session,
        actor,
        f"shipment.{data.type.value}",
        "shipment",
        shipment.id,
        before={"status": before.value},
        after={
            "status": status.value,
            "event_id": event.id,
            "quantity_observed_kg": str(observed_kg) if observed_kg is not None else None,
        },
    )
    return [*events, event]


def to_public(shipment: Shipment) -> ShipmentPublic:
    return ShipmentPublic(
        **shipment.model_dump(exclude={"cas_number", "recorded_by_user_id"}),
        substance=shipment.cas_number,
    )


def to_detail(
    session: Session,
    principal: Principal,
    shipment: Shipment,
    events: list[ShipmentEvent] | None = None,
) -> ShipmentDetail:
    """The shipment with its events (read unless the caller has them in recorded order);
    observed and declared quantities beside the notified."""
    if events is None:
        events = events_of(session, shipment.id)
    pen = (
        session.get(PreExportNotification, shipment.notification_id)
        if shipment.notification_id
        else None
    )
    if pen is not None and not notifications.principal_may_read(principal, pen):
        # The PEN it cites is not the reader's to see (a draft, or another route's): nothing of
        # it shows, not even its id.
        pen = None
    notified = None
    if pen is not None:
        notified = NotifiedQuantity(
            id=pen.id,
            reference=pen.reference,
            status=pen.status,
            quantity=pen.quantity,
            unit=pen.unit,
            quantity_kg=pen.quantity_kg,
        )
    observed = next(
        (e.quantity_observed_kg for e in reversed(events) if e.quantity_observed_kg is not None),
        None,
    )

    def gap(value: Decimal | None) -> Decimal | None:
        return value - pen.quantity_kg if pen is not None and value is not None else None

    public = to_public(shipment).model_dump()
    if pen is None:
        public["notification_id"] = None
    controlled_delivery, do_not_stop_contact = controlled.reading(session, principal, shipment)
    return ShipmentDetail(
        **public,
        controlled_delivery=controlled_delivery,
        do_not_stop_contact=do_not_stop_contact,
        events=[EventPublic.model_validate(e) for e in events],
        notified=notified,
        observed_quantity_kg=observed,
        observed_minus_notified_kg=gap(observed),
        declared_minus_notified_kg=gap(shipment.quantity_kg),
    )
