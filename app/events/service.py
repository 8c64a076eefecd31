"""Emit domain events in the current transaction and hand them to in-process subscribers.

Subscribers run synchronously in the same transaction (so an alert and its deliveries commit
or roll back with the change that caused them: the transactional outbox). They register once
at import time with `subscribe`.
"""

from collections.abc import Callable
from typing import Any

from sqlalchemy import insert
from sqlmodel import Session

from app.core.ids import new_id
from app.events.models import DomainEvent

_INSERT = insert(DomainEvent.__table__)  # type: ignore[attr-defined]
Subscriber = Callable[[Session, DomainEvent], None]
_subscribers: list[Subscriber] = []


def subscribe(subscriber: Subscriber) -> Subscriber:
    """Register `subscriber` for every event (idempotent; usable as a decorator)."""
    if subscriber not in _subscribers:
        _subscribers.append(subscriber)
    return subscriber


def emit(
    session: Session,
    type: str,
    subject_type: str,
    subject_id: str,
    *,
    route: dict[str, Any],
    payload: dict[str, Any],
    actor_user_id: str | None = None,
) -> DomainEvent:
    """Write the event and let every subscriber act on it, in the caller's transaction."""
    event = DomainEvent(
        id=new_id(),
        type=type,
        subject_type=subject_type,
        subject_id=subject_id,
        route=route,
        payload=payload,
        actor_user_id=actor_user_id,
    )
    # Core, not the ORM: written at once, so rows that refer to it need no flush first.
    session.connection().execute(_INSERT, event.model_dump())
    for subscriber in _subscribers:
        subscriber(session, event)
    return event
