"""What a Prometheus scrape of `/metrics` costs as the outbox grows.

    .venv/bin/python bench/metrics.py --db sqlite --deliveries 200000
    .venv/bin/python bench/metrics.py --db postgres --deliveries 1000000

A migrated database gets N deliveries (90 % delivered, the rest pending, retrying or dead) and
N/20 open flags, inserted with Core executemany; then `/metrics` is scraped R times in process
(the scrape is the domain gauges' queries; the in-process client adds about 5 ms). Reported:
median and max scrape time, against the median time of `GET /healthz` measured the same way in
the same run (the baseline: the client and app without any query).
"""

import argparse
import random
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from fastapi.testclient import TestClient
from harness import fresh_database, temp_workdir
from sqlalchemy import insert

from app.auth.roles import Role
from app.auth.service import create_user
from app.core.config import Settings
from app.core.db import build_engine, open_session
from app.core.ids import new_id
from app.core.migrations import upgrade
from app.core.types import utcnow
from app.delivery.models import Delivery
from app.main import create_app

STATUSES = ["delivered"] * 18 + ["pending", "retrying"]


def fill(database_url: str, deliveries: int) -> str:
    """N deliveries (and an admin token) in a migrated database; the token."""
    upgrade(database_url)
    engine = build_engine(Settings(database_url=database_url))
    now = utcnow()
    rng = random.Random(7)
    with open_session(engine, write=True) as session:
        _, token = create_user(session, role=Role.ADMIN, authority_id=None, name="bench")
        session.commit()
    batch = 20_000
    for start in range(0, deliveries, batch):
        rows = [
            {
                "id": new_id(),
                "target": "webhook",
                "event_type": "pen.sent",
                "url": "https://hooks.example.org/x",
                "body": "{}",
                "status": rng.choice(STATUSES) if i % 97 else "dead",
                "attempts": 1,
                "schedule_step": 0,
                "next_attempt_at": now - timedelta(seconds=rng.randint(0, 86_400)),
                "created_at": now,
                "updated_at": now,
            }
            for i in range(start, min(start + batch, deliveries))
        ]
        with engine.begin() as connection:
            connection.execute(insert(Delivery), rows)
    engine.dispose()
    return token


def timed(client: TestClient, path: str, headers: dict[str, str], rounds: int) -> list[float]:
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        response = client.get(path, headers=headers)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.text
    return times


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--deliveries", type=int, default=200_000)
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    with temp_workdir() as folder, fresh_database(args.db, Path(folder)) as url:
        started = time.perf_counter()
        token = fill(url, args.deliveries)
        print(f"{args.db}: {args.deliveries} deliveries in {time.perf_counter() - started:.1f} s")
        app = create_app(Settings(database_url=url, log_level="warning"))
        headers = {"Authorization": f"Bearer {token}"}
        with TestClient(app) as client:
            timed(client, "/metrics", headers, 2)  # warm caches
            baseline = timed(client, "/healthz", {}, args.rounds)
            scrape = timed(client, "/metrics", headers, args.rounds)
        print(
            f"/healthz median {statistics.median(baseline):.1f} ms; "
            f"/metrics median {statistics.median(scrape):.1f} ms, max {max(scrape):.1f} ms "
            f"({args.rounds} scrapes over {args.deliveries} deliveries)"
        )


if __name__ == "__main__":
    main()
