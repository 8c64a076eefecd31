"""The delivery outbox seen from the worker and from admins: claiming due deliveries under a
lease, recording what each attempt gave, the retry schedule, listing and redelivering.

Claiming is one short transaction: PostgreSQL takes the due rows with
`SELECT … FOR UPDATE SKIP LOCKED` (so concurrent workers never take the same row) and marks
them claimed until the lease runs out; SQLite serialises the claim with BEGIN IMMEDIATE. The
HTTP call happens outside any transaction; its result is written in a second one.
"""

import math
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any

from sqlalchemy import Table, bindparam, insert, text, update
from sqlalchemy.engine import Connection, Engine
from sqlmodel import Session, col, or_, select

from app.audit import service as audit
from app.auth.service import Principal
from app.authorities.models import Authority
from app.authorities.service import signing_secrets
from app.core.bulk import insert_rows
from app.core.config import Settings
from app.core.db import open_session
from app.core.ids import new_id
from app.core.pagination import Page, paginate
from app.core.types import utcnow
from app.delivery.exceptions import DeliveryInFlight, DeliveryNotFound
from app.delivery.models import Delivery, DeliveryAttempt
from app.delivery.schemas import DeliveryAttemptPublic, DeliveryDetail, DeliveryPublic, RedeliverAll
from app.federation.models import Peer

DUE = ("pending", "retrying")
# PostgreSQL: idle workers LISTEN here; NOTIFY is delivered when the queuing transaction commits.
NOTIFY_CHANNEL = "pentrack_delivery"


def queue(session: Session, rows: list[dict[str, Any]], bulk: bool = False) -> None:
    """Add pending deliveries (`bodies.pending_row`) in the caller's transaction, and wake an
    idle worker when it commits; `bulk` (an import's many rows): by `insert_rows`."""
    if not rows:
        return
    if bulk:
        insert_rows(session, _table(), rows)
    else:
        session.connection().execute(insert(_table()), rows)
    if session.get_bind().dialect.name == "postgresql":
        session.connection().execute(text(f"NOTIFY {NOTIFY_CHANNEL}"))


@dataclass(frozen=True)
class Claimed:
    """A delivery a worker holds, with where to send it and the keys to sign it."""

    id: str
    target: str
    url: str | None
    secret: str | None
    body: str
    attempts: int
    schedule_step: int
    # A rotated-out secret still in its overlap: the message is signed with it too.
    previous_secret: str | None = None


@dataclass(frozen=True)
class AttemptResult:
    delivery_id: str
    started_at: datetime
    duration_ms: int
    status_code: int | None = None
    error: str | None = None
    response_excerpt: str | None = None
    retry_after: float | None = None


def retry_after_seconds(value: str | None, now: datetime) -> float | None:
    """A Retry-After header (seconds or an HTTP date) as seconds from `now`."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max((when - now).total_seconds(), 0.0) if when.tzinfo else None


def next_step(
    result: AttemptResult, step: int, settings: Settings, rng: random.Random
) -> tuple[str, float | None]:
    """(outcome, seconds until the next attempt): delivered, retrying, or dead.

    Any 2xx delivers. 410 Gone means the receiver wants no more: dead at once. Everything
    else (timeouts, refused connections, other 4xx, 5xx) retries along the schedule, with
    jitter, never sooner than a Retry-After asks, and dies once the schedule is spent.
    """
    code = result.status_code
    if code is not None and 200 <= code < 300:
        return "delivered", None
    if code == 410:
        return "dead", None
    schedule = settings.delivery_schedule_seconds
    if step >= len(schedule):
        return "dead", None
    jitter = settings.delivery_jitter
    delay = schedule[step] * rng.uniform(1 - jitter, 1 + jitter)
    if result.retry_after is not None:
        delay = max(delay, min(result.retry_after, settings.delivery_max_retry_after_seconds))
    return "retrying", delay


def lease_seconds(settings: Settings) -> float:
    """The configured lease, raised if needed to cover two batches sent against timeouts.

    The worker claims its next batch while the current one is on the wire, so a claim must
    outlive both even when every attempt times out; otherwise a second worker could take a
    delivery that is still being sent.
    """
    rounds = math.ceil(settings.worker_batch_size / settings.worker_concurrency)
    return max(settings.delivery_lease_seconds, 2 * rounds * settings.delivery_timeout_seconds + 2)


# One short transaction, read top to bottom: the claim's steps stay together (64 lines).
def claim_due(engine: Engine, settings: Settings, worker: str, limit: int) -> list[Claimed]:
    """Take up to `limit` due deliveries for `worker` until its lease expires."""
    now = utcnow()
    table = _table()
    # A disabled authority's webhooks wait, due, until it is enabled again.
    paused = select(Authority.id).where(col(Authority.enabled) == False)  # noqa: E712
    due = (
        select(table.c.id)
        .where(
            table.c.status.in_(DUE),
            table.c.next_attempt_at <= now,
            or_(table.c.claimed_until.is_(None), table.c.claimed_until < now),
            or_(table.c.authority_id.is_(None), table.c.authority_id.not_in(paused)),
        )
        .order_by(table.c.next_attempt_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    claim = (
        update(table)
        .where(table.c.id.in_(due.scalar_subquery()))
        .values(
            claimed_by=worker,
            claimed_until=now + timedelta(seconds=lease_seconds(settings)),
        )
        .returning(
            table.c.id,
            table.c.target,
            table.c.body,
            table.c.attempts,
            table.c.schedule_step,
            table.c.authority_id,
            table.c.peer_id,
        )
    )
    with open_session(engine, write=True) as session:
        connection = session.connection()
        relax_commit(connection)
        rows = connection.execute(claim).all()
        if not rows:
            session.rollback()
            return []
        # The current URL and secret: a fixed endpoint or a rotated secret applies to retries
        # and redeliveries too.
        authority_ids = {r.authority_id for r in rows if r.target == "webhook"}
        peer_ids = {r.peer_id for r in rows if r.target == "node"}
        endpoints: dict[str | None, tuple[str | None, str | None, str | None]] = {}
        if authority_ids:
            for a in session.exec(select(Authority).where(col(Authority.id).in_(authority_ids))):
                previous = signing_secrets(a)[1:]
                endpoints[a.id] = (
                    a.webhook_url,
                    a.webhook_secret,
                    previous[0] if previous else None,
                )
        if peer_ids:
            for p in session.exec(select(Peer).where(col(Peer.id).in_(peer_ids))):
                endpoints[p.id] = (p.inbox_url() if p.enabled else None, p.shared_secret, None)
        session.commit()
    claimed = []
    for r in rows:
        url, secret, overlapping = endpoints.get(
            r.peer_id if r.target == "node" else r.authority_id, (None, None, None)
        )
        claimed.append(
            Claimed(
                r.id,
                r.target,
                url,
                secret,
                body=r.body,
                attempts=r.attempts,
                schedule_step=r.schedule_step,
                previous_secret=overlapping,
            )
        )
    claimed.sort(key=lambda c: c.id)
    return claimed


def relax_commit(connection: Connection) -> None:
    """PostgreSQL: do not wait for the WAL flush when committing a claim or a result.

    A server crash may then forget the last fraction of a second: a lost claim is simply due
    again, a lost "delivered" is sent again (receivers drop duplicates by webhook-id). Delivery
    stays at least once; the outbox rows themselves are written with the normal guarantees.
    """
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql("SET LOCAL synchronous_commit = off")


def _table() -> Table:
    table: Table = Delivery.__table__  # type: ignore[attr-defined]
    return table


def record_results(
    engine: Engine,
    settings: Settings,
    worker: str,
    claimed: list[Claimed],
    results: list[AttemptResult],
    rng: random.Random,
) -> dict[str, str]:
    """Write each attempt and move each delivery on; release the lease. Outcome by id."""
    now = utcnow()
    by_id = {c.id: c for c in claimed}
    updates: list[dict[str, Any]] = []
    attempts: list[dict[str, Any]] = []
    outcomes: dict[str, str] = {}
    for result in results:
        held = by_id[result.delivery_id]
        outcome, delay = next_step(result, held.schedule_step, settings, rng)
        next_at = now + timedelta(seconds=delay) if delay is not None else None
        outcomes[held.id] = outcome
        updates.append(_moved_on(held, result, worker, outcome, next_at or now, now))
        attempts.append(_attempt_row(held, result, worker, outcome, next_at))
    with open_session(engine, write=True) as session:
        relax_commit(session.connection())
        if updates:
            session.connection().execute(_move_on_statement(now), updates)
            session.execute(insert(DeliveryAttempt), attempts)
        for delivery_id, outcome in outcomes.items():
            if outcome == "dead":
                audit.record(
                    session,
                    None,
                    "delivery.dead",
                    "delivery",
                    delivery_id,
                    after={"worker": worker},
                )
        session.commit()
    return outcomes


def _moved_on(
    held: Claimed,
    result: AttemptResult,
    worker: str,
    outcome: str,
    next_at: datetime,
    now: datetime,
) -> dict[str, Any]:
    return {
        "b_id": held.id,
        "b_worker": worker,
        "status": outcome,
        "attempts": held.attempts + 1,
        "schedule_step": held.schedule_step + (1 if outcome == "retrying" else 0),
        "next_attempt_at": next_at,
        "last_status_code": result.status_code,
        "last_error": result.error,
        "delivered_at": now if outcome == "delivered" else None,
    }


def _attempt_row(
    held: Claimed, result: AttemptResult, worker: str, outcome: str, next_at: datetime | None
) -> dict[str, Any]:
    return {
        "id": new_id(),
        "delivery_id": held.id,
        "number": held.attempts + 1,
        "worker": worker,
        "started_at": result.started_at,
        "duration_ms": result.duration_ms,
        "status_code": result.status_code,
        "error": result.error,
        "response_excerpt": result.response_excerpt,
        "outcome": outcome,
        "next_attempt_at": next_at,
    }


def _move_on_statement(now: datetime) -> Any:
    table = _table()
    return (
        update(table)
        # Only while the lease is ours: a worker that lost it must not overwrite the new owner.
        .where(table.c.id == bindparam("b_id"), table.c.claimed_by == bindparam("b_worker"))
        .values(
            status=bindparam("status"),
            attempts=bindparam("attempts"),
            schedule_step=bindparam("schedule_step"),
            next_attempt_at=bindparam("next_attempt_at"),
            last_status_code=bindparam("last_status_code"),
            last_error=bindparam("last_error"),
            delivered_at=bindparam("delivered_at"),
            claimed_by=None,
            claimed_until=None,
            updated_at=now,
        )
    )


def release(engine: Engine, worker: str, ids: list[str]) -> None:
    """Give back deliveries a stopping worker did not send (they are due again at once)."""
    if not ids:
        return
    with open_session(engine, write=True) as session:
        session.execute(
            update(Delivery)
            .where(col(Delivery.id).in_(ids), col(Delivery.claimed_by) == worker)
            .values(claimed_by=None, claimed_until=None)
        )
        session.commit()


def list_deliveries(
    session: Session,
    *,
    status: list[str] | None,
    authority_id: str | None,
    peer_id: str | None,
    alert_id: str | None,
    limit: int,
    cursor: str | None,
) -> Page[Delivery]:
    """Deliveries, newest first; `status` takes several values (`dead`, `retrying`)."""
    query = select(Delivery)
    if status:
        query = query.where(col(Delivery.status).in_(status))
    if authority_id:
        query = query.where(Delivery.authority_id == authority_id)
    if peer_id:
        query = query.where(Delivery.peer_id == peer_id)
    if alert_id:
        query = query.where(Delivery.alert_id == alert_id)
    return paginate(session, query, col(Delivery.id), limit=limit, cursor=cursor)


def get_delivery_or_raise(session: Session, delivery_id: str) -> Delivery:
    delivery = session.get(Delivery, delivery_id)
    if delivery is None:
        raise DeliveryNotFound(f"No delivery with id {delivery_id!r}.")
    return delivery


def to_detail(session: Session, delivery: Delivery) -> DeliveryDetail:
    attempts = session.exec(
        select(DeliveryAttempt)
        .where(DeliveryAttempt.delivery_id == delivery.id)
        .order_by(col(DeliveryAttempt.number))
    ).all()
    return DeliveryDetail(
        **DeliveryPublic.model_validate(delivery).model_dump(),
        attempts_log=[DeliveryAttemptPublic.model_validate(a) for a in attempts],
    )


def _snapshot(delivery: Delivery) -> dict[str, Any]:
    return {"status": delivery.status, "attempts": delivery.attempts}


def redeliver(session: Session, actor: Principal, delivery: Delivery) -> Delivery:
    """Send again now, with a fresh retry schedule and the same webhook-id."""
    now = utcnow()
    if delivery.claimed_until is not None and delivery.claimed_until > now:
        raise DeliveryInFlight("A worker holds this delivery; try again when it is done.")
    before = _snapshot(delivery)
    delivery.status = "pending"
    delivery.schedule_step = 0
    delivery.next_attempt_at = now
    delivery.claimed_by = delivery.claimed_until = None
    delivery.updated_at = now
    session.add(delivery)
    audit.record(
        session,
        actor,
        "delivery.redelivered",
        "delivery",
        delivery.id,
        before=before,
        after=_snapshot(delivery),
    )
    session.flush()
    return delivery


def redeliver_all(session: Session, actor: Principal, data: RedeliverAll) -> int:
    """Redeliver every failed delivery matching the filter; how many."""
    now = utcnow()
    query = select(Delivery).where(
        col(Delivery.status).in_([s.value for s in data.status]),
        or_(col(Delivery.claimed_until).is_(None), col(Delivery.claimed_until) < now),
    )
    if data.authority_id:
        query = query.where(Delivery.authority_id == data.authority_id)
    if data.peer_id:
        query = query.where(Delivery.peer_id == data.peer_id)
    count = 0
    for delivery in session.exec(query.with_for_update()).all():
        redeliver(session, actor, delivery)
        count += 1
    return count
