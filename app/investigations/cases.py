"""Cases: an investigator's authority opens one, adds flags, incidents, shipments, PENs and
entities, writes notes and invites investigating authorities of other countries.

Only the member authorities read a case (not analysts, not admins, not the members' country
colleagues). A member reads an item when it may read the record in its own right or when the
record is a member country's own (a PEN its exporting country's, a shipment its recording
country's, an incident its recording country's, a flag its subject's): a record of a country
that was not invited never shows, not even as a count. Members of another country than the
record's read it cut to the case's scope. Every read and change of a case is audited.
"""

from sqlmodel import Session, col, select

from app.audit import service as audit
from app.auth.service import Principal
from app.authorities.models import Authority
from app.core.ids import new_id
from app.core.pagination import Page, paginate
from app.core.types import utcnow
from app.investigations.exceptions import (
    AlreadyMember,
    CaseNotFound,
    DuplicateCaseItem,
    OwnerOnly,
    UnknownAuthority,
    UnknownCaseItem,
)
from app.investigations.items import item_view, loader_for
from app.investigations.models import Case, CaseItem, CaseMember, CaseNote
from app.investigations.schemas import (
    CaseCreate,
    CaseDetail,
    CaseItemCreate,
    CaseItemPublic,
    CaseMemberPublic,
    CaseNoteCreate,
    CaseNotePublic,
    CasePublic,
)

INVESTIGATING_KINDS = ("regulator", "law_enforcement")


def create_case(session: Session, actor: Principal, data: CaseCreate) -> Case:
    """Open a case for the caller's authority."""
    assert actor.authority_id is not None and actor.country is not None
    now = utcnow()
    case = Case(
        id=new_id(),
        title=data.title,
        summary=data.summary,
        scope=data.scope.value,
        owner_authority_id=actor.authority_id,
        owner_country=actor.country,
        created_by_user_id=actor.user_id,
        created_at=now,
        updated_at=now,
    )
    session.add(case)
    session.flush()
    session.add(CaseMember(case_id=case.id, authority_id=actor.authority_id, country=actor.country))
    audit.record(
        session,
        actor,
        "case.opened",
        "case",
        case.id,
        after={"title": case.title, "scope": case.scope},
    )
    return case


def get_case_or_raise(
    session: Session, principal: Principal, case_id: str, *, for_update: bool = False
) -> Case:
    """The case, or 404 unless the caller's authority is a member."""
    case = session.get(Case, case_id, with_for_update=True if for_update else None)
    member = (
        session.get(CaseMember, (case_id, principal.authority_id))
        if principal.authority_id
        else None
    )
    if case is None or member is None:
        raise CaseNotFound(f"No case with id {case_id!r}.")
    return case


def list_cases(
    session: Session, principal: Principal, limit: int, cursor: str | None
) -> Page[Case]:
    mine = select(CaseMember.case_id).where(CaseMember.authority_id == principal.authority_id)
    query = select(Case).where(col(Case.id).in_(mine))
    return paginate(session, query, col(Case.id), limit=limit, cursor=cursor)


def _touch(session: Session, case: Case) -> None:
    case.updated_at = utcnow()
    session.add(case)


def add_item(session: Session, actor: Principal, case: Case, data: CaseItemCreate) -> CaseItem:
    """Add a record the caller may read (never a draft PEN) to the case."""
    record = loader_for(data.type)(session, actor, data.id)
    if record is None:
        raise UnknownCaseItem(f"No {data.type.value.replace('_', ' ')} {data.id!r} visible to you.")
    if session.get(CaseItem, (case.id, data.type.value, data.id)) is not None:
        raise DuplicateCaseItem(f"The case holds {data.type.value} {data.id!r} already.")
    item = CaseItem(
        case_id=case.id,
        item_type=data.type.value,
        item_id=data.id,
        added_by_authority_id=actor.authority_id,
        added_at=utcnow(),
    )
    session.add(item)
    _touch(session, case)
    session.flush()
    audit.record(
        session,
        actor,
        "case.item_added",
        "case",
        case.id,
        after={"type": item.item_type, "id": item.item_id},
    )
    return item


def invite(session: Session, actor: Principal, case: Case, authority_id: str) -> CaseMember:
    """The owner invites an investigating authority (regulator or law enforcement)."""
    if actor.authority_id != case.owner_authority_id:
        raise OwnerOnly("Only the authority that opened the case invites others.")
    authority = session.get(Authority, authority_id)
    if authority is None or authority.kind not in INVESTIGATING_KINDS or not authority.enabled:
        raise UnknownAuthority(
            f"authority_id: no investigating authority (regulator or law enforcement) "
            f"{authority_id!r}."
        )
    if session.get(CaseMember, (case.id, authority_id)) is not None:
        raise AlreadyMember(f"Authority {authority_id!r} is a member of the case already.")
    member = CaseMember(
        case_id=case.id,
        authority_id=authority_id,
        country=authority.country,
        invited_by_authority_id=actor.authority_id,
        invited_at=utcnow(),
    )
    session.add(member)
    _touch(session, case)
    session.flush()
    audit.record(
        session,
        actor,
        "case.member_invited",
        "case",
        case.id,
        after={"authority_id": authority_id, "country": authority.country},
    )
    return member


def add_note(session: Session, actor: Principal, case: Case, data: CaseNoteCreate) -> CaseNote:
    note = CaseNote(
        id=new_id(),
        case_id=case.id,
        text=data.text,
        author_user_id=actor.user_id,
        author_authority_id=actor.authority_id,
        created_at=utcnow(),
    )
    session.add(note)
    _touch(session, case)
    session.flush()
    audit.record(session, actor, "case.note_added", "case", case.id, after={"note_id": note.id})
    return note


def members_of(session: Session, case_id: str) -> list[CaseMember]:
    return list(
        session.exec(
            select(CaseMember)
            .where(CaseMember.case_id == case_id)
            .order_by(col(CaseMember.invited_at), col(CaseMember.authority_id))
        ).all()
    )


def read_case(session: Session, reader: Principal, case: Case) -> CaseDetail:
    """The case as `reader` reads it (audited: who read which case, and when)."""
    members = members_of(session, case.id)
    countries = {m.country for m in members}
    items = session.exec(
        select(CaseItem)
        .where(CaseItem.case_id == case.id)
        .order_by(col(CaseItem.added_at), col(CaseItem.item_id))
    ).all()
    shown: list[CaseItemPublic] = []
    for item in items:
        view = item_view(session, reader, case, item, countries)
        if view is not None:
            shown.append(view)
    notes = session.exec(
        select(CaseNote).where(CaseNote.case_id == case.id).order_by(col(CaseNote.created_at))
    ).all()
    audit.record(session, reader, "case.read", "case", case.id, after={"items": len(shown)})
    return CaseDetail(
        **CasePublic.model_validate(case, from_attributes=True).model_dump(),
        members=[
            CaseMemberPublic(
                authority_id=m.authority_id,
                country=m.country,
                owner=m.authority_id == case.owner_authority_id,
            )
            for m in members
        ],
        items=shown,
        notes=[CaseNotePublic.model_validate(n) for n in notes],
    )
