"""Uniqueness under concurrency: a check-then-insert can lose a race to a twin request that
committed in between; the database's unique index catches it, and the loser answers 409."""

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from app.core.problems import Conflict


@contextmanager
def unique_or_conflict(session: Session, conflict: Conflict) -> Iterator[None]:
    """Flush what the block adds in a savepoint; a unique violation becomes `conflict`."""
    try:
        with session.begin_nested():
            yield
            session.flush()
    except IntegrityError as exc:
        raise conflict from exc
