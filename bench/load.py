"""The load generator: N workers over keep-alive connections (bench/http1.py), each request timed."""

import asyncio
import contextlib
import math
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from http1 import Pool, pool

try:
    import uvloop
except ImportError:  # uvicorn[standard] brings it; without it, plain asyncio
    uvloop = None

PEN_PATH = "/api/v1/pre-export-notifications"
SHIPMENT_PATH = "/api/v1/shipments"
AA = "108-24-7"
# The events customs of a transit country may record (app/shipments/states.py EVENT_ROLES).
TRANSIT_EVENTS = ("transit_entered", "transit_exited", "departed")
REQUESTS_PER_CHAIN = 4 + len(TRANSIT_EVENTS)


class RequestFailed(Exception):
    pass


@dataclass
class Recorder:
    """Latencies by request kind, and the failures."""

    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    failures: list[str] = field(default_factory=list)

    async def post(
        self,
        client: Pool,
        kind: str,
        path: str,
        body: Any,
        token: str | None,
        expect: int,
    ) -> Any:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        started = time.perf_counter()
        response = await client.post(path, body, headers)
        self.latencies[kind].append(time.perf_counter() - started)
        if response.status_code != expect:
            self.failures.append(f"{kind}: {response.status_code} {response.text[:300]}")
            raise RequestFailed(self.failures[-1])
        return response.json()


@dataclass(frozen=True)
class Actors:
    """Tokens and operators of the write path: DE exports to PK through AE."""

    de_regulator: str
    pk_regulator: str
    ae_customs: str
    exporter_id: str
    importer_id: str


def pen_body(exporter_id: str, importer_id: str) -> dict[str, Any]:
    """5,000 l of acetic anhydride from Germany to Pakistan through the UAE."""
    return {
        "exporting_country": "DE",
        "importing_country": "PK",
        "transit_countries": ["AE"],
        "exporter_id": exporter_id,
        "importer_id": importer_id,
        "substance": AA,
        "quantity": 5000,
        "unit": "l",
        "expected_dispatch_date": (date.today() + timedelta(days=30)).isoformat(),
        "expected_point_of_entry": "Karachi Port",
        "mode_of_transport": "sea",
        "means_of_payment": "letter_of_credit",
        "intended_use": "Manufacture of cellulose acetate",
    }


def shipment_body(pen: dict[str, Any], customs_reference: str) -> dict[str, Any]:
    return {
        "customs_reference": customs_reference,
        "pen_reference": pen["reference"],
        "exporting_country": pen["exporting_country"],
        "importing_country": pen["importing_country"],
        "transit_countries": pen["transit_countries"],
        "exporter_id": pen["exporter_id"],
        "importer_id": pen["importer_id"],
        "substance": pen["substance"],
        "declared_hs_code": "2915.24",
        "declared_description": "Acetic anhydride",
        "quantity": pen["quantity"],
        "unit": pen["unit"],
        "mode_of_transport": "sea",
        "means_of_payment": "letter_of_credit",
        "container_ids": ["MSKU1234565"],
    }


async def write_chain(
    client: Pool, recorder: Recorder, actors: Actors, customs_reference: str
) -> None:
    """Draft, send, clear a PEN; record the shipment citing it and three transit events."""
    pen = await recorder.post(
        client,
        "create_pen",
        PEN_PATH,
        pen_body(actors.exporter_id, actors.importer_id),
        actors.de_regulator,
        201,
    )
    await recorder.post(
        client, "send", f"{PEN_PATH}/{pen['id']}/send", None, actors.de_regulator, 200
    )
    await recorder.post(
        client,
        "respond",
        f"{PEN_PATH}/{pen['id']}/respond",
        {"decision": "no_objection"},
        actors.pk_regulator,
        200,
    )
    shipment = await recorder.post(
        client,
        "create_shipment",
        SHIPMENT_PATH,
        shipment_body(pen, customs_reference),
        actors.ae_customs,
        201,
    )
    for event_type in TRANSIT_EVENTS:
        event = {
            "type": event_type,
            "country": "AE",
            "occurred_at": (datetime.now(UTC) - timedelta(minutes=1)).isoformat(),
            "location": "Jebel Ali",
        }
        path = f"{SHIPMENT_PATH}/{shipment['id']}/events"
        await recorder.post(client, "event", path, event, actors.ae_customs, 201)


async def run_workers(
    base_url: str,
    concurrency: int,
    jobs: int,
    job: Callable[[Pool, int], Awaitable[None]],
) -> float:
    """Run `jobs` jobs on `concurrency` workers sharing one keep-alive pool; the wall time."""
    async with pool(base_url, concurrency) as client:
        next_job = iter(range(jobs))

        async def worker() -> None:
            for index in next_job:
                await job(client, index)

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        return time.perf_counter() - started


def run(work: Awaitable[float]) -> float:
    with asyncio.Runner(loop_factory=uvloop.new_event_loop if uvloop else None) as runner:
        return runner.run(work)  # type: ignore[arg-type]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


def summarise(recorder: Recorder, seconds: float) -> dict[str, Any]:
    everything = [x for values in recorder.latencies.values() for x in values]
    kinds = {"all": everything, **recorder.latencies}
    return {
        "requests": len(everything),
        "seconds": seconds,
        "rps": len(everything) / seconds,
        "failures": len(recorder.failures),
        "first_failures": recorder.failures[:5],
        "latency_ms": {
            kind: {
                "count": len(values),
                "p50": 1000 * percentile(values, 0.50),
                "p99": 1000 * percentile(values, 0.99),
            }
            for kind, values in kinds.items()
        },
    }


def full_path(
    base_url: str, actors: Actors, chains: int, concurrency: int, tag: str
) -> dict[str, Any]:
    """`chains` write chains (7 requests each) at `concurrency`."""
    recorder = Recorder()

    async def job(client: Pool, index: int) -> None:
        # A failure is counted in recorder.failures; its chain stops there.
        with contextlib.suppress(RequestFailed):
            await write_chain(client, recorder, actors, f"BENCH-{tag}-{index:06d}")

    seconds = run(run_workers(base_url, concurrency, chains, job))
    return summarise(recorder, seconds)


def minimal_path(base_url: str, requests: int, concurrency: int) -> dict[str, Any]:
    """`requests` single-row inserts at `concurrency`."""
    recorder = Recorder()
    # The same body as a PEN draft; the operator ids are not checked (no lookups here).
    body = pen_body("01jexporter000000000000000", "01jimporter000000000000000")

    async def job(client: Pool, _index: int) -> None:
        with contextlib.suppress(RequestFailed):
            await recorder.post(client, "insert", "/pens", body, None, 201)

    seconds = run(run_workers(base_url, concurrency, requests, job))
    return summarise(recorder, seconds)
