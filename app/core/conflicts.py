"""Uniqueness under concurrency: a check-then-insert can lose a race to a twin request that
committed in between; the database's unique index catches it, and the loser answers 409."""

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from app.core.problems import Conflict


@contextmanager
def unique_or_conflict(session: Session, conflict: Conflict) -> Iterator[None]:
    """Flush what the block adds; a unique violation becomes `conflict`. No savepoint (two more
    round trips on every insert): the conflict ends the request, and its transaction is rolled
    back whole by the session's owner (`core/db.get_session`, the CLI's `open_session` block)."""
    try:
        yield
        session.flush()
    except IntegrityError as exc:
        raise conflict from exc
