"""The rules' link statement on a demo database: what each write pays for its links.

    .venv/bin/python bench/links.py --database-url sqlite:////tmp/demo.db
    .venv/bin/python bench/links.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/demo

The database must hold `pentrack seed --demo` (any scale: `--scale 100` is 10^5 shipments with
their flags, confirmed and not, and 12,000 incidents). For `--n` shipments and `--n` PENs drawn
at random (a fixed seed), times `rules.gather.link_facts` — the one statement every write runs
for the incidents, confirmed flags, seizures and watch lists naming the subject's parties — and
prints the median and 90th percentile per kind, after a warm-up. To compare two versions of the
code, run it from a worktree of each on the same database (bench/README.md).
"""

import argparse
import logging
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlmodel import select

from app.core.config import Settings
from app.core.db import build_engine, open_session
from app.notifications.models import PreExportNotification
from app.rules.gather import link_facts
from app.shipments.models import Shipment


def main() -> None:
    logging.disable(logging.INFO)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True, help="a database with the demo")
    parser.add_argument("--n", type=int, default=300, help="subjects of each kind")
    parser.add_argument("--warmup", type=int, default=20)
    args = parser.parse_args()
    engine = build_engine(Settings(database_url=args.database_url))
    rng = random.Random(2026)
    print(f"{engine.dialect.name}: link_facts per subject, {args.n} of each kind")
    with open_session(engine) as session:
        models: tuple[tuple[str, type[Shipment | PreExportNotification]], ...] = (
            ("shipment", Shipment),
            ("PEN", PreExportNotification),
        )
        for kind, model in models:
            ids = list(session.exec(select(model.id).order_by(model.id)).all())
            chosen = rng.sample(ids, min(args.n, len(ids)))
            found = (session.get(model, i) for i in chosen)
            subjects = [s for s in found if isinstance(s, Shipment | PreExportNotification)]
            for subject in subjects[: args.warmup]:
                link_facts(session, subject, [])
            samples = []
            for subject in subjects:
                started = time.perf_counter()
                link_facts(session, subject, [])
                samples.append((time.perf_counter() - started) * 1000)
            samples.sort()
            p90 = samples[int(len(samples) * 0.9)]
            print(f"  {kind:<9} median {statistics.median(samples):7.2f} ms   p90 {p90:7.2f} ms")
    engine.dispose()


if __name__ == "__main__":
    main()
