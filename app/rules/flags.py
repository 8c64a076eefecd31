"""Flags: who sees them, manual flags, triage, and the subject's score."""

from decimal import Decimal
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, and_, col, or_, select

from app.audit import service as audit
from app.auth.roles import OFFICERS
from app.auth.service import Principal
from app.core.ids import new_id
from app.core.pagination import Page, paginate
from app.core.types import utcnow
from app.notifications import service as notifications
from app.notifications.models import PreExportNotification
from app.rules.exceptions import FlagNotFound, NotOnSubjectRoute, SubjectNotFound, TriageNotAllowed
from app.rules.models import Flag, FlagTriage
from app.rules.schemas import FlagCreate, FlagDetail, FlagPublic, TriagePublic, TriageRequest
from app.rules.states import LIVE, FlagStatus, may_move
from app.shipments import service as shipments
from app.shipments.models import Shipment

SHIPMENT = "shipment"
PEN = "pre_export_notification"


def visible_to(principal: Principal) -> Any:
    """Flags on subjects the caller may read (the subject's own visibility rules: admins, like
    everyone outside the exporting country, do not see drafts)."""
    return or_(
        and_(
            Flag.subject_type == SHIPMENT,
            col(Flag.subject_id).in_(select(Shipment.id).where(shipments.visible_to(principal))),
        ),
        and_(
            Flag.subject_type == PEN,
            col(Flag.subject_id).in_(
                select(PreExportNotification.id).where(notifications.visible_to(principal))
            ),
        ),
    )


def load_subject(
    session: Session, principal: Principal, subject_type: str, subject_id: str
) -> Shipment | PreExportNotification:
    """The subject if the caller may see it; 404 otherwise."""
    if subject_type == SHIPMENT:
        query = select(Shipment).where(Shipment.id == subject_id, shipments.visible_to(principal))
        subject: Shipment | PreExportNotification | None = session.exec(query).first()
    else:
        pen = session.get(PreExportNotification, subject_id)
        subject = pen if pen and notifications.principal_may_read(principal, pen) else None
    if subject is None:
        raise SubjectNotFound(f"No {subject_type.replace('_', ' ')} with id {subject_id!r}.")
    return subject


def get_flag_or_raise(
    session: Session, principal: Principal, flag_id: str, *, for_update: bool = False
) -> Flag:
    query = select(Flag).where(Flag.id == flag_id, visible_to(principal))
    if for_update:
        query = query.with_for_update()
    flag = session.exec(query).first()
    if flag is None:
        raise FlagNotFound(f"No flag with id {flag_id!r}.")
    return flag


def list_flags(
    session: Session,
    principal: Principal,
    *,
    status: FlagStatus | None,
    severity: str | None,
    rule: str | None,
    subject_id: str | None,
    subject_type: str | None,
    limit: int,
    cursor: str | None,
) -> Page[Flag]:
    query = select(Flag).where(visible_to(principal))
    for column, value in (
        (Flag.status, status.value if status else None),
        (Flag.severity, severity),
        (Flag.rule, rule),
        (Flag.subject_id, subject_id),
        (Flag.subject_type, subject_type),
    ):
        if value is not None:
            query = query.where(column == value)
    return paginate(session, query, col(Flag.id), limit=limit, cursor=cursor)


def flags_of(session: Session, subject_type: str, subject_id: str) -> list[Flag]:
    """Every flag on one subject, oldest first."""
    return list(
        session.exec(
            select(Flag)
            .where(Flag.subject_type == subject_type, Flag.subject_id == subject_id)
            .order_by(col(Flag.created_at), col(Flag.id))
        )
    )


def _require_officer_on_route(principal: Principal) -> None:
    if principal.role not in OFFICERS:
        raise NotOnSubjectRoute(
            "Only regulators, customs and law-enforcement officers raise and triage flags."
        )


def raise_manual_flag(session: Session, principal: Principal, data: FlagCreate) -> Flag:
    """An officer's own suspicion about a shipment or PEN their country is party to."""
    _require_officer_on_route(principal)
    subject = load_subject(session, principal, data.subject_type, data.subject_id)
    now = utcnow()
    flag = Flag(
        id=new_id(),
        rule="manual",
        severity=data.severity.value,
        status=FlagStatus.OPEN.value,
        subject_type=data.subject_type,
        subject_id=data.subject_id,
        explanation=data.explanation,
        evidence=data.evidence,
        weight=data.weight,
        raised_by_user_id=principal.user_id,
        created_at=now,
        updated_at=now,
        importer_id=subject.importer_id,
        consignee_id=subject.consignee_id,
    )
    session.add(flag)
    session.flush()
    audit.record(
        session,
        principal,
        "flag.raised",
        "flag",
        flag.id,
        after={"rule": "manual", "severity": flag.severity, "subject_id": flag.subject_id},
    )
    return flag


def triage(session: Session, principal: Principal, flag: Flag, data: TriageRequest) -> Flag:
    """Move a flag along open → under_review → confirmed | dismissed, with a note."""
    _require_officer_on_route(principal)
    current = FlagStatus(flag.status)
    if not may_move(current, data.status):
        raise TriageNotAllowed(
            f"A flag that is {current.value} cannot become {data.status.value}.",
            current_status=current.value,
        )
    now = utcnow()
    session.add(
        FlagTriage(
            id=new_id(),
            flag_id=flag.id,
            from_status=current.value,
            to_status=data.status.value,
            note=data.note,
            user_id=principal.user_id,
            authority_id=principal.authority_id,
            created_at=now,
        )
    )
    flag.status = data.status.value
    flag.updated_at = now
    flag.triaged_at = now
    session.add(flag)
    session.flush()
    audit.record(
        session,
        principal,
        f"flag.{data.status.value}",
        "flag",
        flag.id,
        before={"status": current.value},
        after={"status": flag.status, "note": data.note},
    )
    return flag


def scores(session: Session, subjects: set[tuple[str, str]]) -> dict[tuple[str, str], Decimal]:
    """Sum of weights of the live flags of each subject."""
    if not subjects:
        return {}
    rows = session.exec(
        select(Flag.subject_type, Flag.subject_id, func.sum(Flag.weight))
        .where(
            col(Flag.subject_id).in_({subject_id for _, subject_id in subjects}),
            col(Flag.status).in_([s.value for s in LIVE]),
        )
        .group_by(Flag.subject_type, Flag.subject_id)
    ).all()
    return {(t, i): Decimal(total or 0) for t, i, total in rows}


def to_public(flag: Flag, score: Decimal) -> FlagPublic:
    return FlagPublic(**flag.model_dump(exclude={"rule_id", "raised_by_user_id"}), score=score)


def to_public_page(session: Session, page: Page[Flag]) -> dict[str, Any]:
    totals = scores(session, {(f.subject_type, f.subject_id) for f in page.items})
    return {
        "items": [
            to_public(f, totals.get((f.subject_type, f.subject_id), Decimal(0))) for f in page.items
        ],
        "next_cursor": page.next_cursor,
    }


def to_detail(session: Session, flag: Flag) -> FlagDetail:
    score = scores(session, {(flag.subject_type, flag.subject_id)}).get(
        (flag.subject_type, flag.subject_id), Decimal(0)
    )
    steps = session.exec(
        select(FlagTriage).where(FlagTriage.flag_id == flag.id).order_by(col(FlagTriage.created_at))
    ).all()
    return FlagDetail(
        **to_public(flag, score).model_dump(),
        triage=[TriagePublic.model_validate(s) for s in steps],
    )
