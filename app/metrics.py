"""`GET /metrics` in the Prometheus text format (`prometheus-client`).

Requests: `pentrack_http_requests_total{method,route,status}` and
`pentrack_http_request_duration_seconds{method,route}`, labelled by route template (never the
raw path, so ids do not multiply the series); errors are the `status` label's 4xx/5xx.
The process's garbage collector: `pentrack_gc_pause_seconds{generation}` (every collection's
pause, during which no request moves) and `pentrack_gc_frozen_objects` (app/core/collector.py).
Domain gauges are computed from the database at scrape time (nothing to keep in step): see
`DomainCollector`.

Who may read it: an admin token, or the scraper's own `PENTRACK_METRICS_TOKEN`. The figures
are operational intelligence (how many PENs are overdue, how many critical flags are open),
so anonymous callers get 401; a dedicated token keeps an admin token out of the scraper's
configuration.
"""

import gc
import hmac
import os
from collections.abc import Iterator
from datetime import datetime
from itertools import accumulate
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily, HistogramMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlmodel import col
from starlette.types import Scope

from app.auth.roles import Role
from app.auth.service import authenticate
from app.core.collector import PAUSE_BUCKETS, pauses
from app.core.config import Settings
from app.core.db import SessionDep
from app.core.middleware import route_template
from app.core.problems import Forbidden, Unauthorized, problem_responses
from app.core.types import utcnow
from app.delivery.models import Delivery, WorkerHeartbeat
from app.delivery.service import DUE
from app.notifications.models import PreExportNotification
from app.notifications.service import reply_overdue_clause
from app.rules.models import Flag

DELIVERY_STATUSES = ("pending", "retrying", "delivered", "dead")
SEVERITIES = ("low", "medium", "high", "critical")
# Latency buckets (seconds): a read is a few ms, a write with rules tens of ms.
BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class Metrics:
    """One app's registry: request metrics observed by the middleware, domain gauges read
    from the database when scraped."""

    def __init__(self, engine: Engine, settings: Settings) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        # Several server processes (`pentrack serve --workers N`): prometheus-client's
        # multiprocess mode adds their request counts up when PROMETHEUS_MULTIPROC_DIR is set.
        shared = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
        request_registry = None if shared else self.registry
        self.requests = Counter(
            "pentrack_http_requests",
            "HTTP requests answered, by method, route template and status.",
            ["method", "route", "status"],
            registry=request_registry,
        )
        self.duration = Histogram(
            "pentrack_http_request_duration_seconds",
            "Time to answer a request, by method and route template.",
            ["method", "route"],
            buckets=BUCKETS,
            registry=request_registry,
        )
        if shared:
            multiprocess.MultiProcessCollector(self.registry, path=shared)
        self.registry.register(DomainCollector(engine, settings))
        self.registry.register(CollectorPauses())

    def observe(self, scope: Scope, status: int, duration: float) -> None:
        route = route_template(scope)
        method = scope["method"]
        self.requests.labels(method, route, str(status)).inc()
        self.duration.labels(method, route).observe(duration)


class CollectorPauses(Collector):
    """The answering process's garbage collector (app/core/collector.py): its pauses by
    generation, counted by `pentrack serve` (none elsewhere), and the objects frozen out of its
    full collections at start-up."""

    def describe(self) -> list[Metric]:
        return list(self.collect())

    def collect(self) -> Iterator[Metric]:
        yield _gauge(
            "pentrack_gc_frozen_objects",
            "Objects frozen out of the garbage collector's full collections at start-up.",
            gc.get_freeze_count(),
        )
        family = HistogramMetricFamily(
            "pentrack_gc_pause_seconds",
            "Pauses of the garbage collector (no request moves meanwhile), by generation.",
            labels=["generation"],
        )
        bounds = [*(str(bound) for bound in PAUSE_BUCKETS), "+Inf"]
        for generation, (counts, total) in enumerate(pauses()):
            cumulative = zip(bounds, accumulate(counts), strict=True)
            family.add_metric([str(generation)], list(cumulative), sum_value=total)
        yield family


class DomainCollector(Collector):
    """The outbox, the PENs, the flags and the workers, counted at scrape time."""

    def __init__(self, engine: Engine, settings: Settings) -> None:
        self.engine = engine
        # A worker silent for three heartbeats is not counted as alive.
        self.alive_within = 3 * settings.worker_heartbeat_seconds

    def describe(self) -> list[Metric]:
        return []  # computed at scrape time; nothing to check at registration

    def collect(self) -> Iterator[Metric]:
        up = GaugeMetricFamily(
            "pentrack_database_up", "1 when the database answered the scrape's queries."
        )
        try:
            families = self._read()
        except Exception:  # the scrape still answers: the gauge says why the rest is missing
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        yield from families

    def _read(self) -> list[Metric]:
        now = utcnow()
        with self.engine.connect() as connection:
            deliveries: dict[str, int] = {
                status: count
                for status, count in connection.execute(
                    select(col(Delivery.status), func.count()).group_by(col(Delivery.status))
                )
            }
            oldest_due = connection.execute(
                select(func.min(Delivery.next_attempt_at)).where(
                    col(Delivery.status).in_(DUE), col(Delivery.next_attempt_at) <= now
                )
            ).scalar_one()
            overdue = connection.execute(
                select(func.count())
                .select_from(PreExportNotification)
                .where(reply_overdue_clause(now.date()))
            ).scalar_one()
            flags: dict[str, int] = {
                severity: count
                for severity, count in connection.execute(
                    select(col(Flag.severity), func.count())
                    .where(col(Flag.status) == "open")
                    .group_by(col(Flag.severity))
                )
            }
            beats = [
                (name, seen_at)
                for name, seen_at in connection.execute(
                    select(col(WorkerHeartbeat.name), col(WorkerHeartbeat.seen_at))
                )
            ]
        return [
            _by_label(
                "pentrack_deliveries",
                "Deliveries by status.",
                "status",
                DELIVERY_STATUSES,
                deliveries,
            ),
            _gauge(
                "pentrack_delivery_oldest_due_age_seconds",
                "How long the oldest due delivery has waited (0: none waiting).",
                _age(oldest_due, now),
            ),
            _gauge(
                "pentrack_pens_reply_overdue",
                "PENs awaiting a reply whose reply_by date has passed.",
                overdue,
            ),
            _by_label(
                "pentrack_flags_open", "Open flags by severity.", "severity", SEVERITIES, flags
            ),
            *self._workers(beats, now),
        ]

    def _workers(self, beats: list[tuple[str, datetime]], now: datetime) -> list[Metric]:
        ages = GaugeMetricFamily(
            "pentrack_worker_heartbeat_age_seconds",
            "Seconds since each worker last said it was alive.",
            labels=["worker"],
        )
        alive = 0
        for name, seen_at in beats:
            age = _age(seen_at, now)
            ages.add_metric([name], age)
            alive += age <= self.alive_within
        return [
            ages,
            _gauge("pentrack_workers_alive", "Workers that sent a heartbeat recently.", alive),
        ]


def _age(moment: datetime | None, now: datetime) -> float:
    if moment is None:
        return 0.0
    if moment.tzinfo is None:  # SQLite hands aggregates back without their zone
        moment = moment.replace(tzinfo=now.tzinfo)
    return max((now - moment).total_seconds(), 0.0)


def _gauge(name: str, documentation: str, value: float) -> GaugeMetricFamily:
    return GaugeMetricFamily(name, documentation, value=value)


def _by_label(
    name: str, documentation: str, label: str, values: tuple[str, ...], counts: dict[str, int]
) -> GaugeMetricFamily:
    family = GaugeMetricFamily(name, documentation, labels=[label])
    for value in sorted(set(values) | set(counts)):
        family.add_metric([value], counts.get(value, 0))
    return family


_bearer = HTTPBearer(auto_error=False, description="An admin token, or PENTRACK_METRICS_TOKEN.")


def _may_scrape(
    request: Request,
    session: SessionDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> None:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise Unauthorized(
            "Send `Authorization: Bearer <token>` (admin or PENTRACK_METRICS_TOKEN)."
        )
    settings: Settings = request.app.state.settings
    scraper = settings.metrics_token.get_secret_value() if settings.metrics_token else None
    if scraper and hmac.compare_digest(credentials.credentials.encode(), scraper.encode()):
        return
    principal = authenticate(session, credentials.credentials)
    if principal is None:
        raise Unauthorized("The bearer token is not valid.")
    if principal.role != Role.ADMIN:
        raise Forbidden("Metrics are for admins and the metrics scraper.")


router = APIRouter(tags=["operations"])


@router.get(
    "/metrics",
    summary="Prometheus metrics",
    response_class=Response,
    responses={
        200: {"content": {CONTENT_TYPE_LATEST: {"schema": {"type": "string"}}}},
        **problem_responses(401, 403),
    },
    dependencies=[Depends(_may_scrape)],
)
def metrics(request: Request) -> Response:
    """Request rate, latency and errors per route, and the outbox, PEN, flag and worker gauges
    (Prometheus text format)."""
    return Response(
        generate_latest(request.app.state.metrics.registry), media_type=CONTENT_TYPE_LATEST
    )
