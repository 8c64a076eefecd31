"""Pre-export notifications: drafting, the exchange between authorities, and reading them."""

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import exists
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine
from sqlmodel import Session, and_, col, or_, select

from app.audit import service as audit
from app.auth.roles import Role
from app.auth.service import Principal
from app.core.config import Settings
from app.core.ids import new_id
from app.core.pagination import Page, paginate
from app.core.problems import UnknownReference
from app.core.types import utcnow
from app.notifications.exceptions import (
    ArrivalNotAllowed,
    NotExportingRegulator,
    NotificationNotFound,
    NotImportingRegulator,
    PartyCountryMismatch,
    ReplyByInPast,
    TransitionNotAllowed,
)
from app.notifications.models import (
    PenMessage,
    PenRouteCountry,
    PreExportNotification,
    ReferenceCounter,
)
from app.notifications.schemas import (
    Arrival,
    CompletePen,
    ConfirmArrivalRequest,
    NotificationCreate,
    NotificationDetail,
    NotificationPublic,
    PenForm,
    PenMessagePublic,
)
from app.notifications.states import (
    AWAITING_REPLY,
    TRANSITIONS,
    Action,
    Decision,
    PenStatus,
    Side,
    TransitionRefused,
    country_may_read,
    next_status,
)
from app.operators.models import Operator
from app.operators.service import require_operators
from app.reference.service import (
    quantity_in_kg,
    reference,
    require_countries,
    require_substance,
)


def reply_overdue_clause(as_of: date) -> Any:
    """A PEN whose reply is overdue: still awaiting a decision with `reply_by` passed (the list
    filter and the `/metrics` gauge share this one definition)."""
    return and_(
        col(PreExportNotification.status).in_([s.value for s in AWAITING_REPLY]),
        col(PreExportNotification.reply_by) < as_of,
    )


def today() -> date:
    return utcnow().date()


def next_reference(session: Session, country: str, year: int) -> str:
    """The next free readable reference for `country` and `year` (`DE-2026-000123`), race-free.

    Numbers already taken (a PEN mirrored from a peer node under its own reference) are skipped,
    so no record can block this country's series."""
    while True:
        candidate = _take_number(session, country, year)
        taken = session.exec(
            select(PreExportNotification.id).where(PreExportNotification.reference == candidate)
        ).first()
        if taken is None:
            return candidate


def _take_number(session: Session, country: str, year: int) -> str:
    prefix = f"{country}-{year}"
    return f"{prefix}-{take_number(session, prefix):06d}"


def take_number(session: Session, prefix: str) -> int:
    """The next number of the readable series `prefix` (PEN and incident references)."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    counter = ReferenceCounter.__table__  # type: ignore[attr-defined]
    statement = (
        insert(ReferenceCounter)
        .values(prefix=prefix, last=1)
        .on_conflict_do_update(index_elements=["prefix"], set_={"last": counter.c.last + 1})
        .returning(counter.c.last)
    )
    if dialect == "postgresql":
        # Taken in a short transaction of its own, so that concurrent drafts from one country
        # do not queue on the counter row until each request commits. A request that fails
        # afterwards leaves a gap: references are unique and increasing, not gapless.
        engine = session.get_bind()
        assert isinstance(engine, Engine)
        with engine.connect() as connection:
            number = connection.execute(statement).scalar_one()
            connection.commit()
    else:
        # SQLite writers are serialised already; stay inside the request's transaction.
        number = session.execute(statement).scalar_one()
    return int(number)


def _route_rows(
    notification_id: str, exporting: str, importing: str, transit: list[str]
) -> list[PenRouteCountry]:
    rows = [
        PenRouteCountry(notification_id=notification_id, country=exporting, role="exporting"),
        PenRouteCountry(notification_id=notification_id, country=importing, role="importing"),
    ]
    rows += [
        PenRouteCountry(notification_id=notification_id, country=c, role="transit") for c in transit
    ]
    return rows


def _require_parties_at_both_ends(session: Session, data: NotificationCreate) -> None:
    """The parties exist; the exporter is in the exporting country, the importer in the
    importing one."""
    parties = require_operators(
        session,
        exporter_id=data.exporter_id,
        importer_id=data.importer_id,
        consignee_id=data.consignee_id,
    )
    for field, country in (
        ("exporter_id", data.exporting_country),
        ("importer_id", data.importing_country),
    ):
        if parties[field].country != country:
            raise PartyCountryMismatch(
                f"{field}: {parties[field].name} is in {parties[field].country}, not {country}."
            )


COMPLETE_PEN_FIELDS = set(CompletePen.model_fields)
# The complete PEN's structured parts, stored as JSON documents.
JSON_FIELDS = {
    "import_authorisation",
    "export_authorisation",
    "packages",
    "itinerary",
    "parties",
    "invoice",
    "other_information",
}


def _complete_pen_columns(data: NotificationCreate) -> dict[str, Any]:
    """The complete PEN's fields as column values: JSON documents in JSON form, the rest as
    Python values (dates, decimals)."""
    values = data.model_dump(include=COMPLETE_PEN_FIELDS, exclude_none=True)
    documents = data.model_dump(mode="json", include=JSON_FIELDS, exclude_none=True)
    return values | documents


VOLUNTARY_KINDS = frozenset({"special_surveillance", "national"})


def base_quantity_kg(
    quantity_kg: Decimal,
    form: PenForm | None,
    concentration_percent: Decimal | None,
    base_factor: Decimal | None = None,
) -> Decimal:
    """The substance's own content: the notified kilograms times the concentration of a
    mixture or solution, times the base factor of a salt the reference data lists (37 %
    hydrochloric acid counts as 0.37 of its mass; pseudoephedrine hydrochloride as 0.8192)."""
    content = quantity_kg
    if form not in (None, PenForm.SUBSTANCE) and concentration_percent is not None:
        content = content * concentration_percent / 100
    if base_factor is not None:
        content = content * base_factor
    return content.quantize(Decimal("0.001"))


def _require_complete_pen_references(session: Session, data: NotificationCreate) -> None:
    """The countries and operators the complete PEN names exist."""
    countries = [stop.country for stop in data.itinerary or []]
    if data.final_destination_country:
        countries.append(data.final_destination_country)
    if countries:
        require_countries(session, countries)
    for party in data.parties or []:
        if session.get(Operator, party.operator_id) is None:
            raise UnknownReference(f"parties: no operator with id {party.operator_id!r}.")


def create_notification(
    session: Session, actor: Principal, data: NotificationCreate
) -> PreExportNotification:
    """Draft a notification; only a regulator of the exporting country may."""
    if actor.country != data.exporting_country:
        raise NotExportingRegulator(
            f"Your authority is in {actor.country}; "
            f"a PEN from {data.exporting_country} is drafted there."
        )
    require_countries(
        session, [data.exporting_country, data.importing_country, *data.transit_countries]
    )
    substance = require_substance(session, data.substance)
    _require_parties_at_both_ends(session, data)
    if data.reply_by and data.reply_by < today():
        raise ReplyByInPast(f"reply_by: {data.reply_by} is already past.")
    _require_complete_pen_references(session, data)
    quantity_kg = quantity_in_kg(substance, data.quantity, data.unit)
    now = utcnow()
    # Last, once every check has passed: a refused draft must not consume a reference.
    reference = next_reference(session, data.exporting_country, now.year)
    pen = PreExportNotification(
        id=new_id(),
        reference=reference,
        status=PenStatus.DRAFT.value,
        exporting_country=data.exporting_country,
        importing_country=data.importing_country,
        transit_countries=list(data.transit_countries),
        exporter_id=data.exporter_id,
        importer_id=data.importer_id,
        consignee_id=data.consignee_id,
        cas_number=substance.cas_number,
        quantity=data.quantity,
        unit=data.unit.value,
        quantity_kg=quantity_kg,
        expected_dispatch_date=data.expected_dispatch_date,
        expected_point_of_entry=data.expected_point_of_entry,
        mode_of_transport=data.mode_of_transport.value,
        means_of_payment=data.means_of_payment.value,
        intended_use=data.intended_use,
        reply_by=data.reply_by,
        created_by_user_id=actor.user_id,
        created_at=now,
        updated_at=now,
        **_complete_pen_columns(data),
        quantity_base_kg=base_quantity_kg(
            quantity_kg, data.form, data.concentration_percent, substance.base_factor
        ),
        # No treaty obliges a PEN for a chemical outside the tables: it is a voluntary one.
        voluntary=substance.kind in VOLUNTARY_KINDS,
    )
    session.add(pen)
    session.flush()
    session.add_all(
        _route_rows(pen.id, pen.exporting_country, pen.importing_country, pen.transit_countries)
    )
    audit.record(
        session, actor, "pen.created", "pre_export_notification", pen.id, after=_snapshot(pen)
    )
    return pen


def _snapshot(pen: PreExportNotification) -> dict[str, Any]:
    return {
        "reference": pen.reference,
        "status": pen.status,
        "decision": pen.decision,
        "reply_by": pen.reply_by.isoformat() if pen.reply_by else None,
        "quantity_kg": str(pen.quantity_kg),
    }


def visible_to(principal: Principal) -> Any:
    """A WHERE clause selecting the notifications `principal` may read."""
    if principal.is_global_reader:
        # Every country's notifications, but drafts stay with the exporting country (contract).
        return PreExportNotification.status != PenStatus.DRAFT.value
    country = principal.country
    on_route = exists().where(
        col(PenRouteCountry.notification_id) == PreExportNotification.id,
        col(PenRouteCountry.country) == country,
    )
    return or_(
        PreExportNotification.exporting_country == country,
        and_(PreExportNotification.status != PenStatus.DRAFT.value, on_route),
    )


def principal_may_read(principal: Principal, pen: PreExportNotification) -> bool:
    if principal.is_global_reader:
        return pen.status != PenStatus.DRAFT.value
    return country_may_read(
        principal.country,
        PenStatus(pen.status),
        pen.exporting_country,
        pen.importing_country,
        pen.transit_countries,
    )


def get_notification_or_raise(
    session: Session, principal: Principal, notification_id: str, *, for_update: bool = False
) -> PreExportNotification:
    """The notification, or 404 when it does not exist or the caller may not see it."""
    pen = session.get(
        PreExportNotification, notification_id, with_for_update=True if for_update else None
    )
    if pen is None or not principal_may_read(principal, pen):
        raise NotificationNotFound(f"No pre-export notification with id {notification_id!r}.")
    return pen


def get_notification_by_reference(
    session: Session, principal: Principal, reference: str
) -> PreExportNotification | None:
    pen = session.exec(
        select(PreExportNotification).where(PreExportNotification.reference == reference)
    ).first()
    if pen is None or not principal_may_read(principal, pen):
        return None
    return pen


def list_notifications(
    session: Session,
    principal: Principal,
    *,
    status: PenStatus | None = None,
    exporting_country: str | None = None,
    importing_country: str | None = None,
    substance: str | None = None,
    reference: str | None = None,
    reply_overdue: bool | None = None,
    limit: int,
    cursor: str | None,
) -> Page[PreExportNotification]:
    """The notifications the caller may read, newest first, filtered."""
    query = select(PreExportNotification).where(visible_to(principal))
    if status:
        query = query.where(PreExportNotification.status == status.value)
    if exporting_country:
        query = query.where(PreExportNotification.exporting_country == exporting_country)
    if importing_country:
        query = query.where(PreExportNotification.importing_country == importing_country)
    if substance:
        query = query.where(PreExportNotification.cas_number == substance)
    if reference:
        query = query.where(PreExportNotification.reference == reference.strip().upper())
    if reply_overdue is not None:
        overdue = reply_overdue_clause(today())
        query = query.where(overdue if reply_overdue else ~overdue)
    return paginate(session, query, col(PreExportNotification.id), limit=limit, cursor=cursor)


def _check_side(principal: Principal, pen: PreExportNotification, side: Side) -> None:
    if principal.role != Role.REGULATOR:
        cls = NotExportingRegulator if side == Side.EXPORTING else NotImportingRegulator
        raise cls(f"Only a regulator of the {side.value} country may do this.")
    country = pen.exporting_country if side == Side.EXPORTING else pen.importing_country
    if principal.country != country:
        cls = NotExportingRegulator if side == Side.EXPORTING else NotImportingRegulator
        raise cls(f"Only a regulator of {country} ({side.value} country) may do this.")


def transition(
    session: Session,
    settings: Settings,
    principal: Principal,
    pen: PreExportNotification,
    action: Action,
    *,
    decision: Decision | None = None,
    text: str | None = None,
) -> PreExportNotification:
    """Apply `action` to a (row-locked) notification, keep the message, audit the change."""
    _check_side(principal, pen, TRANSITIONS[action].side)
    before = _snapshot(pen)
    try:
        status = next_status(PenStatus(pen.status), action, decision)
    except TransitionRefused as exc:
        raise TransitionNotAllowed(str(exc), current_status=pen.status) from exc
    now = utcnow()
    if action == Action.SEND:
        if pen.reply_by is None:
            pen.reply_by = now.date() + timedelta(days=settings.reply_window_days)
        elif pen.reply_by < now.date():
            raise ReplyByInPast(f"reply_by {pen.reply_by} has passed; draft a new notification.")
        pen.sent_at = now
    elif action == Action.ACKNOWLEDGE:
        pen.acknowledged_at = now
    elif action == Action.RESPOND:
        assert decision is not None
        pen.decision = decision.value
        pen.decided_at = now
        if pen.acknowledged_at is None:
            pen.acknowledged_at = now  # a reply is an acknowledgement too
    elif action == Action.WITHDRAW:
        pen.withdrawn_at = now
    pen.status = status.value
    pen.updated_at = now
    session.add(pen)
    session.add(
        PenMessage(
            id=new_id(),
            notification_id=pen.id,
            kind=action.value,
            decision=decision.value if decision else None,
            text=text,
            country=principal.country or "",
            author_user_id=principal.user_id,
            author_authority_id=principal.authority_id,
            created_at=now,
        )
    )
    audit.record(
        session,
        principal,
        f"pen.{action.value}",
        "pre_export_notification",
        pen.id,
        before=before,
        after=_snapshot(pen),
    )
    session.flush()
    return pen


def to_public(pen: PreExportNotification, substance_name: str) -> NotificationPublic:
    awaiting = PenStatus(pen.status) in AWAITING_REPLY
    arrival = (
        Arrival(
            received_on=pen.arrival_received_on,
            quantity_kg=pen.arrival_quantity_kg,
            note=pen.arrival_note,
        )
        if pen.arrival_received_on is not None and pen.arrival_quantity_kg is not None
        else None
    )
    return NotificationPublic(
        **pen.model_dump(exclude={"cas_number", "created_by_user_id"}),
        substance=pen.cas_number,
        substance_name=substance_name,
        reply_overdue=bool(awaiting and pen.reply_by and pen.reply_by < today()),
        arrival=arrival,
    )


def substance_names(session: Session, cas_numbers: set[str]) -> dict[str, str]:
    substances = reference(session).substances
    return {cas: substances[cas].name for cas in cas_numbers if cas in substances}


def to_public_page(session: Session, page: Page[PreExportNotification]) -> dict[str, Any]:
    names = substance_names(session, {pen.cas_number for pen in page.items})
    return {
        "items": [to_public(pen, names[pen.cas_number]) for pen in page.items],
        "next_cursor": page.next_cursor,
    }


def to_detail(session: Session, pen: PreExportNotification) -> NotificationDetail:
    # A draft has no history: every message is written by a transition, and none leads to draft.
    history = (
        []
        if pen.status == PenStatus.DRAFT.value
        else session.exec(
            select(PenMessage)
            .where(PenMessage.notification_id == pen.id)
            .order_by(col(PenMessage.created_at), col(PenMessage.id))
        ).all()
    )
    public = to_public(pen, substance_names(session, {pen.cas_number})[pen.cas_number])
    return NotificationDetail(
        **public.model_dump(),
        history=[PenMessagePublic.model_validate(m) for m in history],
    )


def confirm_arrival(
    session: Session,
    principal: Principal,
    pen: PreExportNotification,
    data: ConfirmArrivalRequest,
) -> PreExportNotification:
    """Record receipt as the importing country's regulator (once; the notification must have
    been sent and not withdrawn): closes the loop the PEN opened."""
    _check_side(principal, pen, Side.IMPORTING)
    if pen.sent_at is None or pen.status == PenStatus.WITHDRAWN.value:
        raise ArrivalNotAllowed(f"A {pen.status} notification has no arrival to confirm.")
    if pen.arrival_received_on is not None:
        raise ArrivalNotAllowed(f"Arrival was confirmed on {pen.arrival_received_on}.")
    if data.received_on > today():
        raise ArrivalNotAllowed(f"received_on: {data.received_on} is in the future.")
    substance = require_substance(session, pen.cas_number)
    before = _snapshot(pen)
    pen.arrival_received_on = data.received_on
    pen.arrival_quantity_kg = quantity_in_kg(substance, data.quantity, data.unit)
    pen.arrival_note = data.note
    pen.updated_at = utcnow()
    session.add(pen)
    audit.record(
        session,
        principal,
        "pen.arrival_confirmed",
        "pre_export_notification",
        pen.id,
        before=before,
        after={**_snapshot(pen), "arrival_quantity_kg": str(pen.arrival_quantity_kg)},
    )
    session.flush()
    return pen
