"""Where a write's CPU goes: the write chains in-process under cProfile, no server, no threads.

    .venv/bin/python bench/cpu_profile.py --chains 100                 # SQLite in /tmp
    .venv/bin/python bench/cpu_profile.py --chains 100 --no-profile    # CPU per request only

Runs the write chains of `write_path.py` (draft, send, respond, shipment, three transit events)
through the app with httpx's ASGI transport on one event loop, every thread-pool call run inline
(`variants.inline_calls`), so that one profiler sees all of a request's work. Prints the CPU time per
request and the functions with the most cumulative time; the raw profile goes to
bench/results/cpu-….prof (`python -m pstats` reads it). The figures include httpx's client side
(~10%). `write_path.py` is the benchmark; this says where to look.
"""

import argparse
import asyncio
import cProfile
import logging
import pstats
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import httpx
import variants
from load import PEN_PATH, SHIPMENT_PATH, TRANSIT_EVENTS, pen_body, shipment_body
from statements import prepared_database, token

from app.auth.roles import Role
from app.main import create_app

RESULTS = Path(__file__).resolve().parent / "results"


async def drive(
    app: Any, admin: str, engine: Any, warmup: int, chains: int, profiler: Any
) -> float:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:

        async def post(path: str, body: dict[str, Any] | None, bearer: str) -> dict[str, Any]:
            response = await client.post(
                path, json=body, headers={"Authorization": f"Bearer {bearer}"}
            )
            assert response.status_code in (200, 201), response.text
            return dict(response.json())

        authority = {}
        for country, kind in (("DE", "regulator"), ("PK", "regulator"), ("AE", "customs")):
            body = {"country": country, "name": f"{country} {kind}", "kind": kind}
            authority[country] = (await post("/api/v1/authorities", body, admin))["id"]
        exporter, importer = [
            (await post("/api/v1/operators", body, admin))["id"]
            for body in (
                {"name": "Rheinchemie GmbH", "country": "DE", "address": "Hamburg"},
                {"name": "Indus Textiles Ltd", "country": "PK", "address": "Karachi"},
            )
        ]
        de = token(engine, Role.REGULATOR, authority["DE"])
        pk = token(engine, Role.REGULATOR, authority["PK"])
        ae = token(engine, Role.CUSTOMS, authority["AE"])

        async def chain(index: int) -> None:
            pen = await post(PEN_PATH, pen_body(exporter, importer), de)
            await post(f"{PEN_PATH}/{pen['id']}/send", None, de)
            await post(f"{PEN_PATH}/{pen['id']}/respond", {"decision": "no_objection"}, pk)
            shipment = await post(SHIPMENT_PATH, shipment_body(pen, f"AE-CPU-{index:06d}"), ae)
            for event_type in TRANSIT_EVENTS:
                body = {
                    "type": event_type,
                    "country": "AE",
                    "location": "Jebel Ali",
                    "occurred_at": "2026-01-01T00:00:00Z",
                }
                await post(f"{SHIPMENT_PATH}/{shipment['id']}/events", body, ae)

        for index in range(warmup):
            await chain(index)
        started = time.process_time()
        if profiler:
            profiler.enable()
        for index in range(warmup, warmup + chains):
            await chain(index)
        if profiler:
            profiler.disable()
        return (time.process_time() - started) / (chains * 7)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="an empty database (default: SQLite in /tmp)")
    parser.add_argument("--chains", type=int, default=100)
    parser.add_argument("--warmup", type=int, default=30)
    parser.add_argument("--top", type=int, default=60, help="functions to print")
    parser.add_argument("--no-profile", action="store_true", help="only time, no cProfile")
    args = parser.parse_args()
    logging.disable(logging.CRITICAL)
    variants.inline_calls()
    with tempfile.TemporaryDirectory(prefix="pentrack-cpu-") as folder:
        url = args.database_url or f"sqlite:///{Path(folder) / 'cpu.db'}"
        settings, engine = prepared_database(url)
        admin = token(engine, Role.ADMIN, None)
        profiler = None if args.no_profile else cProfile.Profile()
        seconds = asyncio.run(
            drive(create_app(settings, engine), admin, engine, args.warmup, args.chains, profiler)
        )
        engine.dispose()
    label = "under cProfile" if profiler else "no profiler"
    print(
        f"{args.chains} chains, {engine.dialect.name}: {seconds * 1000:.2f} ms CPU per request ({label})"
    )
    if profiler:
        RESULTS.mkdir(exist_ok=True)
        path = RESULTS / f"cpu-{datetime.now(UTC):%Y%m%dT%H%M%SZ}-{engine.dialect.name}.prof"
        profiler.dump_stats(path)
        pstats.Stats(str(path)).sort_stats("cumulative").print_stats(args.top)
        print(f"profile: {path}")


if __name__ == "__main__":
    main()
