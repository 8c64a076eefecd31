"""Investigations: entities and their links, watch lists, cases."""

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from app.core.db import SessionDep
from app.core.fields import CountryCode
from app.core.headers import locate
from app.core.pagination import Cursor, Limit, ListResponse
from app.core.problems import problem_responses
from app.investigations import cases, entities, links, watchlists
from app.investigations.deps import (
    CaseDep,
    EntityDep,
    EntityReader,
    InvestigatorUser,
    LockedCaseDep,
    WatchlistWriter,
)
from app.investigations.items import item_view
from app.investigations.models import Entity, WatchlistEntry
from app.investigations.schemas import (
    CaseCreate,
    CaseDetail,
    CaseItemCreate,
    CaseItemPublic,
    CaseMemberCreate,
    CaseMemberPublic,
    CaseNoteCreate,
    CaseNotePublic,
    CasePublic,
    EntityDecisionCreate,
    EntityMemberPublic,
    EntityPublic,
    LinksPublic,
    WatchlistEntryCreate,
    WatchlistEntryPublic,
)

entities_router = APIRouter(
    prefix="/entities", tags=["entities"], responses=problem_responses(401, 403)
)
watchlists_router = APIRouter(
    prefix="/watchlists", tags=["watchlists"], responses=problem_responses(401, 403)
)
cases_router = APIRouter(prefix="/cases", tags=["cases"], responses=problem_responses(401, 403))

Depth = Annotated[int, Query(ge=1, le=3, description="How many steps out (1 to 3)")]


def _entity_public(session: SessionDep, found: list[Entity]) -> list[EntityPublic]:
    members = entities.members_of(session, {e.id for e in found})
    return [
        EntityPublic(
            id=e.id,
            name=e.name,
            countries=e.countries,
            members=[
                EntityMemberPublic(
                    operator_id=o.id, name=o.name, country=o.country, match_reasons=m.match_reasons
                )
                for m, o in members.get(e.id, [])
            ],
        )
        for e in found
    ]


@entities_router.get("", response_model=ListResponse[EntityPublic], summary="List entities")
def list_entities(
    session: SessionDep,
    _: EntityReader,
    q: Annotated[str | None, Query(max_length=200, description="Part of a member's name")] = None,
    country: CountryCode | None = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> dict:
    """Resolved parties: operators that are one real-world party, each with its reasons."""
    page = entities.list_entities(session, q, country, limit, cursor)
    return {"items": _entity_public(session, page.items), "next_cursor": page.next_cursor}


@entities_router.get(
    "/{entity_id}",
    response_model=EntityPublic,
    responses=problem_responses(404),
    summary="Get an entity",
)
def get_entity(entity: EntityDep, session: SessionDep) -> EntityPublic:
    """One resolved party and its members (an id of a merged or split entity follows its
    first operator)."""
    return _entity_public(session, [entity])[0]


@entities_router.get(
    "/{entity_id}/links",
    response_model=LinksPublic,
    responses=problem_responses(404, 422),
    summary="Get an entity's links",
)
def get_entity_links(
    entity: EntityDep, session: SessionDep, principal: EntityReader, depth: Depth = 1
) -> LinksPublic:
    """The graph of the records the caller may read around the entity, `depth` steps out."""
    return links.entity_links(session, principal, entity, depth)


@entities_router.post(
    "/{entity_id}/decisions",
    response_model=EntityPublic,
    responses=problem_responses(404, 422),
    summary="Confirm or split an entity's member",
)
def decide_entity(
    data: EntityDecisionCreate, entity: EntityDep, session: SessionDep, actor: InvestigatorUser
) -> EntityPublic:
    """Say that a member and another operator are the same party or not; the decision holds
    through every later resolution. Answers the member's entity as it now stands."""
    decided = entities.decide(
        session, actor, entity, data.operator_id, data.other_operator_id, data.decision.value
    )
    return _entity_public(session, [decided])[0]


@watchlists_router.post(
    "/entries",
    response_model=WatchlistEntryPublic,
    status_code=201,
    responses=problem_responses(422),
    summary="Add a watch-list entry",
)
def create_watchlist_entry(
    data: WatchlistEntryCreate,
    session: SessionDep,
    actor: WatchlistWriter,
    request: Request,
    response: Response,
) -> WatchlistEntry:
    """A party to watch for, by name or identifier, with a reason and a country scope."""
    entry = watchlists.create_entry(session, actor, data)
    locate(response, request, "get_watchlist_entry", entry_id=entry.id)
    return entry


@watchlists_router.get(
    "/entries", response_model=ListResponse[WatchlistEntryPublic], summary="List watch-list entries"
)
def list_watchlist_entries(
    session: SessionDep, principal: EntityReader, limit: Limit = 50, cursor: Cursor = None
) -> dict:
    """The entries the caller reads: its country's, those whose scope names its country, those
    without a scope (all, for admins and analysts)."""
    page = watchlists.list_entries(session, principal, limit, cursor)
    return {"items": page.items, "next_cursor": page.next_cursor}


@watchlists_router.get(
    "/entries/{entry_id}",
    response_model=WatchlistEntryPublic,
    responses=problem_responses(404),
    summary="Get a watch-list entry",
)
def get_watchlist_entry(
    entry_id: str, session: SessionDep, principal: EntityReader
) -> WatchlistEntry:
    """One watch-list entry the caller reads."""
    return watchlists.get_entry_or_raise(session, principal, entry_id)


@cases_router.post(
    "",
    response_model=CasePublic,
    status_code=201,
    responses=problem_responses(422),
    summary="Open a case",
)
def create_case(
    data: CaseCreate,
    session: SessionDep,
    actor: InvestigatorUser,
    request: Request,
    response: Response,
) -> CasePublic:
    """Open a case for the caller's authority (regulators and law enforcement)."""
    case = cases.create_case(session, actor, data)
    locate(response, request, "get_case", case_id=case.id)
    return CasePublic.model_validate(case, from_attributes=True)


@cases_router.get("", response_model=ListResponse[CasePublic], summary="List cases")
def list_cases(
    session: SessionDep, principal: InvestigatorUser, limit: Limit = 50, cursor: Cursor = None
) -> dict:
    """The cases the caller's authority opened or was invited into."""
    page = cases.list_cases(session, principal, limit, cursor)
    items = [CasePublic.model_validate(c, from_attributes=True) for c in page.items]
    return {"items": items, "next_cursor": page.next_cursor}


@cases_router.get(
    "/{case_id}", response_model=CaseDetail, responses=problem_responses(404), summary="Get a case"
)
def get_case(case: CaseDep, session: SessionDep, principal: InvestigatorUser) -> CaseDetail:
    """The case's members, the items the caller reads (cut to the case's scope) and its notes;
    the read is audited."""
    return cases.read_case(session, principal, case)


@cases_router.post(
    "/{case_id}/items",
    response_model=CaseItemPublic,
    status_code=201,
    responses=problem_responses(404, 409, 422),
    summary="Add an item to a case",
)
def add_case_item(
    data: CaseItemCreate,
    case: LockedCaseDep,
    session: SessionDep,
    actor: InvestigatorUser,
    request: Request,
    response: Response,
) -> CaseItemPublic:
    """Add a flag, incident, shipment, PEN (once sent) or entity the caller may read."""
    item = cases.add_item(session, actor, case, data)
    locate(response, request, "get_case", case_id=case.id)
    view = item_view(session, actor, case, item, {actor.country or ""})
    assert view is not None  # the caller reads what it just added
    return view


@cases_router.post(
    "/{case_id}/members",
    response_model=CaseMemberPublic,
    status_code=201,
    responses=problem_responses(404, 409, 422),
    summary="Invite an authority into a case",
)
def invite_case_member(
    data: CaseMemberCreate,
    case: LockedCaseDep,
    session: SessionDep,
    actor: InvestigatorUser,
    request: Request,
    response: Response,
) -> CaseMemberPublic:
    """The owner invites a regulator or law-enforcement authority (of another country, most
    often); its officers then read the case."""
    member = cases.invite(session, actor, case, data.authority_id)
    locate(response, request, "get_case", case_id=case.id)
    return CaseMemberPublic(authority_id=member.authority_id, country=member.country, owner=False)


@cases_router.post(
    "/{case_id}/notes",
    response_model=CaseNotePublic,
    status_code=201,
    responses=problem_responses(404, 422),
    summary="Write a note in a case",
)
def add_case_note(
    data: CaseNoteCreate,
    case: LockedCaseDep,
    session: SessionDep,
    actor: InvestigatorUser,
    request: Request,
    response: Response,
) -> CaseNotePublic:
    """A member's note."""
    note = cases.add_note(session, actor, case, data)
    locate(response, request, "get_case", case_id=case.id)
    return CaseNotePublic.model_validate(note)
