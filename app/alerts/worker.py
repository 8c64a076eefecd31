"""`pentrack worker`: claim due deliveries, sign and send them, record every attempt.

At least once: a delivery is marked delivered only after a 2xx came back, so a worker killed
mid-send leaves its claimed deliveries to be taken again when the lease expires. Receivers
drop duplicates by `webhook-id`, which stays the same on every attempt.
"""

import logging
import os
import random
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

import httpx
from sqlalchemy.engine import Engine

from app.alerts import delivery, signing
from app.alerts.delivery import AttemptResult, Claimed
from app.core.config import Settings
from app.core.types import utcnow

log = logging.getLogger("pentrack.worker")

NODE_HEADER = "pentrack-node"


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
            claimed.id, claimed.body, secret=claimed.secret, signing_key=signing_key
        )
        headers["content-type"] = "application/json"
        if claimed.target == "node":
            headers[NODE_HEADER] = self.settings.node_id
        try:
            response = self.client.post(claimed.url, content=claimed.body.encode(), headers=headers)
        except httpx.HTTPError as exc:
            return self._result(claimed, started, clock, error=f"{type(exc).__name__}: {exc}")
        return self._result(
            claimed,
            started,
            clock,
            status_code=response.status_code,
            excerpt=response.text[:500],
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
        claimed = delivery.claim_due(
            self.engine, self.settings, self.name, self.settings.worker_batch_size
        )
        if not claimed:
            return 0
        results = list(self._pool.map(self.send, claimed))
        outcomes = delivery.record_results(
            self.engine, self.settings, self.name, claimed, results, self.rng
        )
        for outcome in ("retrying", "dead"):
            failed = [i for i, o in outcomes.items() if o == outcome]
            if failed:
                log.warning("%d deliveries %s: %s", len(failed), outcome, ", ".join(failed[:5]))
        return len(claimed)

    def run_once(self) -> int:
        """Send everything due now (and what falls due while sending); how many attempts."""
        total = 0
        while (count := self.process_batch()) > 0:
            total += count
        return total

    def run(self, stop: threading.Event) -> int:
        """Send until `stop` is set; a batch in flight is finished first."""
        total = 0
        while not stop.is_set():
            try:
                count = self.process_batch()
            except Exception:  # the database may be briefly away: wait and try again
                log.exception("worker batch failed; retrying")
                count = 0
            total += count
            if count == 0:
                stop.wait(self.settings.worker_poll_seconds)
        return total
