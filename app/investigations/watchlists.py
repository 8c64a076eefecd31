"""Watch lists: parties to watch for, by name or identifier, with a reason and a country scope.

Entries are read by admins and analysts, by the country that wrote them and by the countries
in their scope (an entry with no scope concerns, and is read by, every country)."""

from typing import Any

from sqlmodel import Session, col, select

from app.audit import service as audit
from app.auth.service import Principal
from app.core.ids import new_id
from app.core.pagination import Page, paginate
from app.core.types import utcnow
from app.investigations.exceptions import EmptyWatchlistEntry, WatchlistEntryNotFound
from app.investigations.models import WatchlistEntry
from app.investigations.resolution import (
    NAME_ALONE,
    PartyRecord,
    name_similarity,
    normalise_address,
    normalise_identifier,
    normalise_name,
    prepare,
)
from app.investigations.schemas import WatchlistEntryCreate
from app.reference.service import require_countries


def create_entry(session: Session, actor: Principal, data: WatchlistEntryCreate) -> WatchlistEntry:
    """Add an entry to the watch list."""
    identifiers = data.identifiers.model_dump(exclude_none=True)
    if data.name is None and not identifiers:
        raise EmptyWatchlistEntry("Give a name or at least one identifier.")
    require_countries(session, data.country_scope)
    entry = WatchlistEntry(
        id=new_id(),
        name=data.name,
        name_key=normalise_name(data.name) if data.name else None,
        identifiers=identifiers,
        reason=data.reason,
        country_scope=sorted(set(data.country_scope)),
        created_by_user_id=actor.user_id,
        created_by_authority_id=actor.authority_id,
        created_country=actor.country,
        created_at=utcnow(),
    )
    session.add(entry)
    session.flush()
    audit.record(
        session,
        actor,
        "watchlist.entry_created",
        "watchlist_entry",
        entry.id,
        after={"name": entry.name, "country_scope": entry.country_scope},
    )
    return entry


def list_entries(
    session: Session, principal: Principal, limit: int, cursor: str | None
) -> Page[WatchlistEntry]:
    query = select(WatchlistEntry)
    if not principal.is_global_reader:
        readable = readable_ids(session, principal)
        query = query.where(col(WatchlistEntry.id).in_(readable))
    return paginate(session, query, col(WatchlistEntry.id), limit=limit, cursor=cursor)


def readable_ids(session: Session, principal: Principal) -> list[str]:
    """The entries a country's officer reads (scopes are short JSON lists: read in Python)."""
    rows = session.exec(
        select(WatchlistEntry.id, WatchlistEntry.country_scope, WatchlistEntry.created_country)
    ).all()
    return [
        entry_id
        for entry_id, scope, created in rows
        if not scope or principal.country in scope or created == principal.country
    ]


def get_entry_or_raise(session: Session, principal: Principal, entry_id: str) -> WatchlistEntry:
    entry = session.get(WatchlistEntry, entry_id)
    if entry is None or not (
        principal.is_global_reader or entry.id in readable_ids(session, principal)
    ):
        raise WatchlistEntryNotFound(f"No watch-list entry with id {entry_id!r}.")
    return entry


def entries_for(session: Session, countries: set[str]) -> list[WatchlistEntry]:
    """The entries that concern a subject whose route runs through `countries`."""
    return [
        e
        for e in session.exec(select(WatchlistEntry)).all()
        if not e.country_scope or countries & set(e.country_scope)
    ]


def hits(entry: WatchlistEntry, parties: list[Any], containers: list[str]) -> bool:
    """Whether the entry names one of the parties (operators) or one of the containers."""
    ids = entry.identifiers
    for party in parties:
        if entry.name_key:
            them = prepare(PartyRecord(party.id, party.name, party.country))
            us = prepare(PartyRecord(entry.id, entry.name or "", ""))
            if name_similarity(them, us) >= NAME_ALONE:
                return True
        for code in ("registration_number", "licence_number"):
            if ids.get(code) and normalise_identifier(ids[code]) == normalise_identifier(
                getattr(party, code)
            ):
                return True
        if ids.get("address") and normalise_address(ids["address"]) == normalise_address(
            party.address
        ):
            return True
    wanted = normalise_identifier(ids.get("container_id"))
    return bool(wanted) and any(normalise_identifier(c) == wanted for c in containers)
