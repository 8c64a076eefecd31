"""Emit domain events: the record of what happened, written in the transaction that made it
happen. Emitting calls no one: the flow that emits an event hands it to the outbox itself
(`app/flows.py`: `event = events.emit(...)`, then `outbox.route(session, event)`)."""

from datetime import datetime
from types import SimpleNamespace
from typing import Any, cast

from sqlalchemy import insert
from sqlmodel import Session

from app.core.bulk import insert_rows
from app.core.ids import new_id
from app.core.types import utcnow
from app.events.models import DomainEvent
from app.events.types import EventType, SubjectType

TABLE = DomainEvent.__table__  # type: ignore[attr-defined]
_INSERT = insert(TABLE)


def emit(
    session: Session,
    type: EventType,
    subject_type: SubjectType,
    subject_id: str,
    *,
    route: dict[str, Any],
    payload: dict[str, Any],
    actor_user_id: str | None = None,
) -> DomainEvent:
    """Write the event in the caller's transaction and return it (a read-only stand-in with
    the table's attributes, as `emit_many`'s)."""
    row = _row(type, subject_type, subject_id, route, payload, actor_user_id, utcnow())
    # Core, not the ORM: written at once, so rows that refer to it need no flush first.
    session.connection().execute(_INSERT, row)
    return cast(DomainEvent, SimpleNamespace(**row))


def emit_many(
    session: Session,
    type: EventType,
    subject_type: SubjectType,
    subjects: list[tuple[str, dict[str, Any], dict[str, Any]]],
    *,
    actor_user_id: str | None = None,
) -> list[DomainEvent]:
    """`emit` for many subjects at once, `(subject_id, route, payload)` each: the same rows in
    one statement (bulk imports). The events returned are read-only stand-ins with the table's
    attributes (building ORM instances cost more than writing the rows)."""
    now = utcnow()
    rows = [
        _row(type, subject_type, subject_id, route, payload, actor_user_id, now)
        for subject_id, route, payload in subjects
    ]
    insert_rows(session, TABLE, rows)
    return [cast(DomainEvent, SimpleNamespace(**row)) for row in rows]


def _row(
    type: EventType,
    subject_type: SubjectType,
    subject_id: str,
    route: dict[str, Any],
    payload: dict[str, Any],
    actor_user_id: str | None,
    occurred_at: datetime,
) -> dict[str, Any]:
    return {
        "id": new_id(),
        "type": type.value,
        "subject_type": subject_type.value,
        "subject_id": subject_id,
        "route": route,
        "payload": payload,
        "actor_user_id": actor_user_id,
        "occurred_at": occurred_at,
    }
