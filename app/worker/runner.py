"""`pentrack worker`: claim due deliveries, sign and send them, record every attempt.

At least once: a delivery is marked delivered only after a 2xx came back, so a worker killed
mid-send leaves its claimed deliveries to be taken again when the lease expires. Receivers
drop duplicates by `webhook-id`, which stays the same on every attempt.
"""

import contextlib
import logging
import os
import random
import socket
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import datetime
from typing import Any

import httpx
from sqlalchemy.engine import Engine

from app.core import destinations
from app.core.config import Settings
from app.core.types import utcnow
from app.delivery import heartbeats, signing
from app.delivery import service as delivery
from app.delivery.service import NOTIFY_CHANNEL, AttemptResult, Claimed
from app.worker import tasks

log = logging.getLogger("pentrack.worker")

NODE_HEADER = "pentrack-node"


def _reason(response: httpx.Response) -> str | None:
    """The response's reason phrase, printable ASCII only, at most 64 characters."""
    text = "".join(c for c in response.reason_phrase if " " <= c <= "~").strip()
    return text[:64] or None


def _worker_name() -> str:
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{random.randrange(16**4):04x}"


class Worker:
    """Sends the outbox. Build one per process; `run` until `stop` is set, or `run_once`."""

    def __init__(
        self,
        engine: Engine,
        settings: Settings,
        client: httpx.Client,
        *,
        name: str | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self.engine = engine
        self.settings = settings
        self.client = client
        self.name = name or _worker_name()
        self.rng = rng or random.Random()
        self._next_overdue_check = 0.0
        self._next_beat = 0.0
        self.started_at = utcnow()
        self._pool = ThreadPoolExecutor(
            max_workers=settings.worker_concurrency, thread_name_prefix="pentrack-send"
        )

    def close(self) -> None:
        self._pool.shutdown(wait=True)

    def send(self, claimed: Claimed) -> AttemptResult:
        """One attempt, outside any transaction; never raises."""
        started = utcnow()
        clock = time.perf_counter()
        if not claimed.url:
            return self._result(claimed, started, clock, error="no URL to send to")
        if not claimed.secret:
            return self._result(claimed, started, clock, error="no secret to sign with")
        signing_key = self.settings.node_signing_key if claimed.target == "node" else None
        headers = signing.sign(
            claimed.id,
            claimed.body,
            secret=claimed.secret,
            signing_key=signing_key,
            previous_secret=claimed.previous_secret,
        )
        headers["content-type"] = "application/json"
        if claimed.target == "node":
            headers[NODE_HEADER] = self.settings.node_id
        try:
            # Resolved and checked now, whatever the name pointed at when it was stored.
            target = destinations.pin(
                claimed.url, allow_private=self.settings.allow_private_destinations
            )
        except destinations.DestinationRefused as exc:
            return self._result(claimed, started, clock, error=f"destination refused: {exc}")
        extensions: dict[str, Any] = {}
        if target.host is not None:
            headers["host"] = (
                target.host if target.port in (80, 443) else f"{target.host}:{target.port}"
            )
            extensions["sni_hostname"] = target.host
        try:
            response = self.client.post(
                target.url, content=claimed.body.encode(), headers=headers, extensions=extensions
            )
        except httpx.HTTPError as exc:
            return self._result(claimed, started, clock, error=f"{type(exc).__name__}: {exc}")
        return self._result(
            claimed,
            started,
            clock,
            status_code=response.status_code,
            # What came back is the destination's business: only its status and reason are kept.
            excerpt=_reason(response),
            retry_after=delivery.retry_after_seconds(response.headers.get("retry-after"), started),
        )

    @staticmethod
    def _result(
        claimed: Claimed,
        started: datetime,
        clock: float,
        *,
        status_code: int | None = None,
        error: str | None = None,
        excerpt: str | None = None,
        retry_after: float | None = None,
    ) -> AttemptResult:
        return AttemptResult(
            delivery_id=claimed.id,
            started_at=started,
            duration_ms=int((time.perf_counter() - clock) * 1000),
            status_code=status_code,
            error=error[:1000] if error else None,
            response_excerpt=excerpt,
            retry_after=retry_after,
        )

    def process_batch(self) -> int:
        """Claim, send in parallel, record; how many deliveries were attempted."""
        claimed = self._claim()
        if claimed:
            self._record(claimed, [self._pool.submit(self.send, c) for c in claimed])
        return len(claimed)

    def drain(self, stop: threading.Event | None = None) -> int:
        """Send until nothing is due, as a pipeline: the next batch is claimed while this one
        is on the wire, and this one is recorded while the next is on the wire."""
        total = 0
        in_flight: tuple[list[Claimed], list[Future[AttemptResult]]] | None = None
        while True:
            claimed = [] if stop is not None and stop.is_set() else self._claim()
            futures = [self._pool.submit(self.send, c) for c in claimed]
            if in_flight is not None:
                self._record(*in_flight)
            if not claimed:
                return total
            in_flight = (claimed, futures)
            total += len(claimed)

    def _claim(self) -> list[Claimed]:
        return delivery.claim_due(
            self.engine, self.settings, self.name, self.settings.worker_batch_size
        )

    def _record(self, claimed: list[Claimed], futures: list[Future[AttemptResult]]) -> None:
        results = [f.result() for f in futures]
        outcomes = delivery.record_results(
            self.engine, self.settings, self.name, claimed, results, self.rng
        )
        for outcome in ("retrying", "dead"):
            failed = [i for i, o in outcomes.items() if o == outcome]
            if failed:
                log.warning("%d deliveries %s: %s", len(failed), outcome, ", ".join(failed[:5]))

    def check_overdue(self) -> None:
        """The periodic tasks: overdue PEN replies and backtracking requests, subjects waiting to
        be judged again (at most every `worker_overdue_check_seconds`)."""
        now = time.monotonic()
        if now < self._next_overdue_check:
            return
        self._next_overdue_check = now + self.settings.worker_overdue_check_seconds
        for task, what in (
            (tasks.announce_overdue_replies, "announced %d overdue PEN replies"),
            (tasks.announce_overdue_backtracking, "announced %d overdue backtracking requests"),
            (tasks.judge_waiting, "judged %d waiting shipments and PENs again"),
        ):
            try:
                count = task(self.engine)
            except Exception:  # never let the announcement stop deliveries
                log.exception("periodic task %s failed", task.__name__)
                continue
            if count:
                log.info(what, count)

    def heartbeat(self) -> None:
        """Tell `/metrics` this worker is alive (at most every `worker_heartbeat_seconds`)."""
        now = time.monotonic()
        if now < self._next_beat:
            return
        self._next_beat = now + self.settings.worker_heartbeat_seconds
        try:
            heartbeats.beat(self.engine, self.name, self.started_at)
        except Exception:  # a missed heartbeat must not stop deliveries
            log.warning("heartbeat failed", exc_info=True)

    def run_once(self) -> int:
        """Send everything due now (and what falls due while sending); how many attempts."""
        self.heartbeat()
        try:
            self.check_overdue()
            return self.drain()
        finally:
            self.forget()

    def forget(self) -> None:
        """Leave no heartbeat behind when stopping cleanly (a killed worker's grows old)."""
        with contextlib.suppress(Exception):
            heartbeats.forget_worker(self.engine, self.name)

    def run(self, stop: threading.Event) -> int:
        """Send until `stop` is set; a batch in flight is finished first."""
        total = 0
        wakeups = Wakeups(self.engine)
        try:
            while not stop.is_set():
                self.heartbeat()
                self.check_overdue()
                try:
                    total += self.drain(stop)
                except Exception:  # the database may be briefly away: wait and try again
                    log.exception("worker batch failed; retrying")
                wakeups.wait(stop, self.settings.worker_poll_seconds)
        finally:
            wakeups.close()
            self.forget()
        return total


class Wakeups:
    """An idle worker's wait: on PostgreSQL, woken as soon as the outbox commits a delivery
    (LISTEN/NOTIFY, sent by the emitting transaction at commit); elsewhere, a plain poll."""

    def __init__(self, engine: Engine) -> None:
        self.connection: Any = None
        if engine.dialect.name != "postgresql":
            return
        try:
            import psycopg

            url = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
            self.connection = psycopg.connect(url, autocommit=True)
            self.connection.execute(f"LISTEN {NOTIFY_CHANNEL}")
        except Exception:  # wake-ups are an optimisation: polling still delivers
            log.warning("LISTEN unavailable; polling only", exc_info=True)
            self.connection = None

    def wait(self, stop: threading.Event, timeout: float) -> None:
        if self.connection is None:
            stop.wait(timeout)
            return
        try:
            for _ in self.connection.notifies(timeout=timeout, stop_after=1):
                pass
        except Exception:
            log.warning("LISTEN connection lost; polling only", exc_info=True)
            self.close()
            stop.wait(timeout)

    def close(self) -> None:
        if self.connection is not None:
            try:
                self.connection.close()
            finally:
                self.connection = None
