"""Alert delivery benchmark: the outbox and `pentrack worker` against posting directly.

    .venv/bin/python bench/alerts.py --db sqlite --count 10000
    .venv/bin/python bench/alerts.py --db postgres --count 10000 --workers 1 2

For each database: N alerts are written through the outbox (domain events routed to one
authority with a webhook), the same signed payloads are first posted directly with httpx
(the same client, the same number of parallel senders), then `pentrack worker` processes
deliver them to the same local receiver (uvicorn, its own process). Reported: deliveries/s,
the ratio to direct posting, and, with the worker(s) running, p50/p99 from commit to arrival
for a steady trickle of alerts.
"""

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import Server, free_port, fresh_database, temp_workdir

# --- the receiver (served by uvicorn in its own process) -----------------------------------

_arrivals: list[tuple[str, float, int | None]] = []


async def receiver_app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """POST: record (webhook-id, arrival time, payload seq); GET /stats: hand them over."""
    if scope["type"] != "http":
        return
    if scope["method"] == "GET":
        body = json.dumps(_arrivals).encode()
        if scope["path"] == "/stats/count":
            body = str(len({a[0] for a in _arrivals})).encode()
        if scope["path"] == "/stats/reset":
            _arrivals.clear()
            body = b"[]"
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": body})
        return
    chunks = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            break
    headers = dict(scope["headers"])
    seq = json.loads(b"".join(chunks))["data"]["payload"].get("seq")
    _arrivals.append((headers.get(b"webhook-id", b"").decode(), time.time(), seq))
    await send({"type": "http.response.start", "status": 204, "headers": []})
    await send({"type": "http.response.body", "body": b""})


def start_receiver(workdir: Path) -> Server:
    port = free_port()
    command = [sys.executable, "-m", "uvicorn", "alerts:receiver_app", "--app-dir"]
    command += [str(Path(__file__).resolve().parent), "--host", "127.0.0.1", "--port", str(port)]
    command += ["--log-level", "warning", "--no-access-log", "--lifespan", "off"]
    server = Server(command, dict(os.environ), workdir / "receiver.log", port)
    server.wait_ready("/stats/reset")
    return server


def arrivals(receiver: Server, reset: bool = False) -> list[tuple[str, float, int | None]]:
    path = "/stats/reset" if reset else "/stats"
    return [tuple(a) for a in httpx.get(receiver.base_url + path, timeout=30).json()]  # type: ignore[misc]


# --- the pentrack side ---------------------------------------------------------------------


def prepare(database_url: str, receiver_url: str) -> tuple[Any, str]:
    """Schema, reference data, one authority with a webhook and a rule routing to it."""
    from app.alerts.schemas import RoutingRuleCreate
    from app.alerts.service import create_routing_rule
    from app.authorities.models import Authority
    from app.authorities.service import generate_webhook_secret
    from app.core.config import Settings
    from app.core.db import build_engine, open_session
    from app.core.ids import new_id
    from app.core.migrations import upgrade
    from seed.loader import seed_reference

    upgrade(database_url)
    engine = build_engine(Settings(database_url=database_url))
    seed_reference(engine)
    secret = generate_webhook_secret()
    with open_session(engine, write=True) as session:
        authority = Authority(
            id=new_id(),
            country="PK",
            name="Bench customs",
            kind="customs",
            webhook_url=receiver_url,
            webhook_secret=secret,
        )
        session.add(authority)
        session.flush()
        create_routing_rule(
            session,
            None,
            RoutingRuleCreate(
                code="bench", event_types=["shipment.seized"], route_roles=["importing"]
            ),
        )
        session.commit()
    return engine, secret


def emit_alerts(engine: Any, count: int, start: int, per_transaction: int) -> dict[int, float]:
    """`count` seizure events through the outbox; commit time by payload seq."""
    from app.alerts import outbox
    from app.core.db import open_session
    from app.core.ids import new_id
    from app.events import service as events
    from app.events.types import EventType, SubjectType

    committed: dict[int, float] = {}
    seq = start
    while seq < start + count:
        batch = range(seq, min(seq + per_transaction, start + count))
        with open_session(engine, write=True) as session:
            for i in batch:
                outbox.route(
                    session,
                    events.emit(
                        session,
                        EventType.SHIPMENT_SEIZED,
                        SubjectType.SHIPMENT,
                        new_id(),
                        route={"exporting": "DE", "importing": "PK", "transit": []},
                        payload={
                            "seq": i,
                            "customs_reference": f"BENCH-{i}",
                            "substance": "108-24-7",
                            "quantity_kg": "21700",
                            "means_of_payment": "cash",
                        },
                    ),
                )
            session.commit()
        now = time.time()
        committed.update(dict.fromkeys(batch, now))
        seq = batch.stop
    return committed


def pending_bodies(engine: Any) -> list[tuple[str, str]]:
    from sqlalchemy import text

    with engine.connect() as connection:
        rows = connection.execute(
            text("SELECT id, body FROM delivery WHERE status = 'pending' ORDER BY id")
        ).all()
    return [(r[0], r[1]) for r in rows]


def post_directly(bodies: list[tuple[str, str]], url: str, secret: str, concurrency: int) -> float:
    """The same signed payloads, posted straight with httpx; seconds taken."""
    from app.core.config import Settings
    from app.core.http import build_http_client
    from app.delivery.signing import sign

    settings = Settings(worker_concurrency=concurrency)

    def post(item: tuple[str, str]) -> int:
        msg_id, body = item
        headers = sign(msg_id, body, secret=secret)
        headers["content-type"] = "application/json"
        return client.post(url, content=body.encode(), headers=headers).status_code

    with (
        build_http_client(settings, concurrency=concurrency) as client,
        ThreadPoolExecutor(concurrency) as pool,
    ):
        started = time.perf_counter()
        codes = list(pool.map(post, bodies))
        elapsed = time.perf_counter() - started
    assert all(200 <= c < 300 for c in codes), "the receiver refused a direct post"
    return elapsed


def start_workers(
    database_url: str, workdir: Path, n: int, poll: float, batch: int
) -> list[subprocess.Popen[bytes]]:
    env = {
        **os.environ,
        "PENTRACK_DATABASE_URL": database_url,
        "PENTRACK_WORKER_POLL_SECONDS": str(poll),
        "PENTRACK_WORKER_BATCH_SIZE": str(batch),
        "PENTRACK_LOG_LEVEL": "warning",
        # The receiver listens on 127.0.0.1.
        "PENTRACK_ALLOW_PRIVATE_DESTINATIONS": "true",
    }
    processes = []
    for i in range(n):
        with (workdir / f"worker-{i}.log").open("ab") as log:
            processes.append(
                subprocess.Popen(
                    [sys.executable, "-c", "from app.cli import main; main()", "worker"],
                    cwd=workdir,
                    env=env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
            )
    return processes


def stop_workers(processes: list[subprocess.Popen[bytes]]) -> None:
    for process in processes:
        os.kill(process.pid, signal.SIGTERM)
    for process in processes:
        process.wait(timeout=30)


def wait_for(receiver: Server, count: int, timeout: float) -> list[tuple[str, float, int | None]]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        # Only the count while waiting: fetching every arrival would load the receiver.
        if int(httpx.get(receiver.base_url + "/stats/count", timeout=30).text) >= count:
            return arrivals(receiver)
        time.sleep(0.25)
    raise RuntimeError(f"only {len(arrivals(receiver))} of {count} arrived")


def percentile(values: list[float], q: float) -> float:
    return (
        statistics.quantiles(values, n=100, method="inclusive")[q - 1]
        if len(values) > 1
        else values[0]
    )  # type: ignore[index]


def run(
    kind: str, count: int, worker_counts: list[int], trickle: int, poll: float, batch: int
) -> list[dict[str, Any]]:
    results = []
    with temp_workdir() as folder:
        workdir = Path(folder)
        receiver = start_receiver(workdir)
        try:
            with fresh_database(kind, workdir) as url:
                engine, secret = prepare(url, receiver.base_url + "/hooks")
                from app.core.config import Settings

                concurrency = Settings().worker_concurrency
                next_seq = 0
                for workers in worker_counts:
                    # Throughput: the backlog first, then direct posting, then the worker(s).
                    started = time.perf_counter()
                    emit_alerts(engine, count, next_seq, per_transaction=500)
                    outbox_write_s = time.perf_counter() - started
                    next_seq += count
                    bodies = pending_bodies(engine)
                    arrivals(receiver, reset=True)
                    direct_s = post_directly(
                        bodies, receiver.base_url + "/hooks", secret, concurrency
                    )
                    arrivals(receiver, reset=True)
                    processes = start_workers(url, workdir, workers, poll, batch)
                    try:
                        got = wait_for(receiver, len(bodies), timeout=600)
                        times = sorted(a[1] for a in got)
                        worker_s = times[-1] - times[0]
                        duplicates = len(got) - len({a[0] for a in got})
                        # Latency: a steady trickle of alerts while the worker(s) idle-poll.
                        arrivals(receiver, reset=True)
                        committed = emit_trickle(engine, trickle, next_seq)
                        next_seq += trickle
                        got = wait_for(receiver, trickle, timeout=120)
                    finally:
                        stop_workers(processes)
                    latencies = [
                        (t - committed[seq]) * 1000 for _, t, seq in got if seq in committed
                    ]
                    results.append(
                        {
                            "db": kind,
                            "workers": workers,
                            "alerts": len(bodies),
                            "outbox_write_per_s": round(count / outbox_write_s),
                            "direct_per_s": round(len(bodies) / direct_s),
                            "worker_per_s": round(len(bodies) / worker_s),
                            "ratio": round(direct_s / worker_s, 2),
                            "duplicates": duplicates,
                            "latency_p50_ms": round(percentile(latencies, 50), 1),
                            "latency_p99_ms": round(percentile(latencies, 99), 1),
                            "poll_s": poll,
                            "batch": batch,
                            "concurrency": concurrency,
                        }
                    )
                    print(json.dumps(results[-1]), flush=True)
                engine.dispose()
        finally:
            receiver.stop()
    return results


def emit_trickle(engine: Any, count: int, start: int) -> dict[int, float]:
    """About 200 alerts a second, 10 per transaction, in a background thread."""
    committed: dict[int, float] = {}

    def produce() -> None:
        for offset in range(0, count, 10):
            committed.update(emit_alerts(engine, min(10, count - offset), start + offset, 10))
            time.sleep(0.05)

    thread = threading.Thread(target=produce)
    thread.start()
    thread.join()
    return committed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--workers", type=int, nargs="+", default=None)
    parser.add_argument("--trickle", type=int, default=1000)
    parser.add_argument("--poll", type=float, default=0.25, help="PENTRACK_WORKER_POLL_SECONDS")
    parser.add_argument("--batch", type=int, default=200, help="PENTRACK_WORKER_BATCH_SIZE")
    args = parser.parse_args()
    kinds = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    rows = []
    for kind in kinds:
        counts = args.workers or ([1] if kind == "sqlite" else [1, 2])
        rows += run(kind, args.count, counts, args.trickle, args.poll, args.batch)
    print()
    print(
        "| db | workers | alerts | outbox writes/s | direct/s | worker/s | ratio | dup | p50 ms | p99 ms |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for r in rows:
        print(
            f"| {r['db']} | {r['workers']} | {r['alerts']} | {r['outbox_write_per_s']} | "
            f"{r['direct_per_s']} | {r['worker_per_s']} | {r['ratio']:.0%} | {r['duplicates']} | "
            f"{r['latency_p50_ms']} | {r['latency_p99_ms']} |"
        )


if __name__ == "__main__":
    main()
