"""Entity resolution and links benchmark.

(1) Resolution (app/investigations/resolution.py, pure): N operators of which a share are
planted near-duplicates of others; pairwise precision and recall of the matches, and the time.
(2) With `--db`: such operators stored with a shipment history among 3,600 of them (600
exporters, 3,000 importers by a Zipf-like popularity, with their route rows), `resolve_all`
into the database, then `links?depth=2` (the service call the endpoint makes) for 200 traders'
entities, read as an analyst (a global reader) and as a regulator of the trader's country;
p50 and p95.

    .venv/bin/python bench/entities.py --operators 100000
    .venv/bin/python bench/entities.py --operators 100000 --db postgres --history 1000000

How duplicates are planted: a copy of an original with its name varied (upper or title case,
punctuation dropped or added, another legal form, a one-letter typo in half the copies, two
words swapped in a tenth, diacritics in a tenth); half stay in the original's country (half of
those at its address, half at another), half are registered in another country at the same
address (70 %) or with the same registration number (30 %).
"""

import argparse
import json
import os
import random
import statistics
import string
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, func, text
from sqlalchemy.engine import make_url
from sqlmodel import Session, select

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.auth.principal import Principal  # noqa: E402
from app.auth.roles import Role  # noqa: E402
from app.investigations.entities import (  # noqa: E402
    entity_of_operators,
    get_entity_or_raise,
    resolve_all,
)
from app.investigations.links import entity_links  # noqa: E402
from app.investigations.resolution import PartyRecord, resolve  # noqa: E402
from app.operators.models import Operator  # noqa: E402
from app.rules.builtin import AA  # noqa: E402
from app.shipments.models import Shipment, ShipmentRouteCountry  # noqa: E402
from seed.bulk import BulkWriter, TimeOrderedIds  # noqa: E402

COUNTRIES = ["DE", "NL", "BE", "FR", "GB", "US", "CN", "IN", "KR", "JP", "PK", "AE", "TR", "KE"]
FORMS = ["GmbH", "LLC", "Ltd", "Pvt Ltd", "SA", "FZE", "FZCO", "Co., Ltd.", "Inc.", "B.V.", "AG"]
TRADES = ["Chemicals", "Trading", "Solvents", "Industries", "Pharma", "Import Export", "Labs",
          "Distribution", "Dyes", "Logistics", "Agro", "Plastics", "Textiles"]  # fmt: skip
SYLLABLES = ["ka", "ra", "no", "mi", "tu", "sha", "lo", "ven", "dor", "al", "za", "bek", "ri",
             "qa", "sim", "par", "tel", "ox", "us", "an", "is", "ter", "mon", "gal", "yan",
             "hu", "pe", "dra", "kin", "sol", "vi", "ne", "or", "ba", "lu", "che", "fa", "go"]  # fmt: skip
STREETS = ["Harbour Road", "Main Street", "Industrial Area", "Free Zone", "Port Avenue",
           "Station Road", "Canal Street", "Market Lane"]  # fmt: skip
ACCENTS = str.maketrans({"a": "á", "e": "é", "o": "ö", "u": "ü", "c": "ç"})


def _word(rng: random.Random) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(3, 4))).title()


def original(rng: random.Random, index: int) -> PartyRecord:
    words = [_word(rng) for _ in range(rng.choice([1, 1, 2]))]
    name = " ".join([*words, rng.choice(TRADES), rng.choice(FORMS)])
    country = rng.choice(COUNTRIES)
    address = f"{rng.randint(1, 999)} {_word(rng)} {rng.choice(STREETS)}, {_word(rng)}"
    number = f"{country}{rng.randint(10**6, 10**7 - 1)}" if rng.random() < 0.6 else None
    return PartyRecord(f"o{index:07d}", name, country, address, number)


def _typo(rng: random.Random, text: str) -> str:
    letters = [i for i, ch in enumerate(text) if ch.isalpha()]
    at = rng.choice(letters)
    match rng.randrange(3):
        case 0:
            return text[:at] + text[at + 1 :]
        case 1:
            return text[:at] + rng.choice(string.ascii_lowercase) + text[at + 1 :]
    return text[:at] + text[at] + text[at:]


def vary(rng: random.Random, name: str) -> str:
    words = name.split()
    trade_and_form = [w for w in words if w in " ".join(TRADES + FORMS).split()]
    core = [w for w in words if w not in trade_and_form]
    if rng.random() < 0.5:
        core[0] = _typo(rng, core[0])
    if len(core) > 1 and rng.random() < 0.1:
        core.reverse()
    if rng.random() < 0.1:
        core = [w.translate(ACCENTS) for w in core]
    trade = [w for w in trade_and_form if w not in " ".join(FORMS).split()]
    varied = " ".join([*core, *trade, rng.choice(FORMS)])
    varied = rng.choice([varied, varied.upper(), varied.lower(), varied.replace(".", "")])
    return varied.replace(",", "") if rng.random() < 0.5 else varied


def duplicate(rng: random.Random, of: PartyRecord, index: int) -> PartyRecord:
    name = vary(rng, of.name)
    if rng.random() < 0.5:
        address = of.address if rng.random() < 0.5 else f"{rng.randint(1, 999)} Elsewhere Road"
        return PartyRecord(f"d{index:07d}", name, of.country, address, of.registration_number)
    abroad = rng.choice([c for c in COUNTRIES if c != of.country])
    if of.registration_number and rng.random() < 0.3:
        return PartyRecord(
            f"d{index:07d}", name, abroad, f"PO Box {rng.randint(1, 99999)}", of.registration_number
        )
    address = (of.address or "").upper().replace(",", "")
    return PartyRecord(f"d{index:07d}", name, abroad, address, None)


def dataset(count: int, share: float, seed: int) -> tuple[list[PartyRecord], set[tuple[str, str]]]:
    rng = random.Random(seed)
    planted = int(count * share)
    originals = [original(rng, i) for i in range(count - planted)]
    records = list(originals)
    truth = set()
    for index in range(planted):
        source = rng.choice(originals)
        copy = duplicate(rng, source, index)
        records.append(copy)
        truth.add(tuple(sorted((source.id, copy.id))))
    # Two copies of one original are the same party too.
    by_source: dict[str, list[str]] = {}
    for a, b in truth:
        source, copy = (a, b) if a.startswith("o") else (b, a)
        by_source.setdefault(source, []).append(copy)
    for copies in by_source.values():
        truth |= {tuple(sorted((x, y))) for x in copies for y in copies if x < y}
    rng.shuffle(records)
    return records, truth  # type: ignore[return-value]


def bench_resolution(count: int, share: float, seed: int) -> dict[str, Any]:
    records, truth = dataset(count, share, seed)
    started = time.perf_counter()
    resolution = resolve(records)
    seconds = time.perf_counter() - started
    predicted = {
        (a, b) for cluster in resolution.clusters for a in cluster for b in cluster if a < b
    }
    hits = len(predicted & truth)
    result = {
        "operators": count,
        "planted_duplicates": int(count * share),
        "true_pairs": len(truth),
        "predicted_pairs": len(predicted),
        "precision": hits / len(predicted) if predicted else 1.0,
        "recall": hits / len(truth) if truth else 1.0,
        "seconds": seconds,
    }
    print(json.dumps(result, indent=2))
    return result


def _pentrack(database_url: str, *args: str) -> None:
    subprocess.run(
        [sys.executable, "-m", "app.cli", *args],
        cwd=ROOT,
        env={**os.environ, "PENTRACK_DATABASE_URL": database_url},
        capture_output=True,
        check=True,
        timeout=900,
    )


@contextmanager
def _database(kind: str, server: str) -> Iterator[str]:
    """A fresh, migrated and seeded database, dropped afterwards."""
    if kind == "sqlite":
        path = Path(f"/tmp/pentrack-bench-entities-{os.getpid()}.db")
        url = f"sqlite:///{path}"
    else:
        name = f"pentrack_bench_entities_{uuid.uuid4().hex[:8]}"
        admin = create_engine(server, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        url = make_url(server).set(database=name).render_as_string(hide_password=False)
    try:
        _pentrack(url, "migrate")
        _pentrack(url, "seed")
        yield url
    finally:
        if kind == "sqlite":
            path.unlink(missing_ok=True)
        else:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()


def _history(session: Session, records: list[PartyRecord], rows: int, seed: int) -> None:
    """`rows` shipments of acetic anhydride among the stored operators: 3,600 traders (600
    exporters, 3,000 importers, by a Zipf-like popularity) carry the trade."""
    rng = random.Random(seed)
    ids = TimeOrderedIds(seed)
    traders = [r for r in records if r.id.startswith("o")][:3600]
    exporters, importers = traders[:600], traders[600:]
    popularity = [1 / (rank + 1) ** 0.5 for rank in range(len(importers))]
    now = datetime.now(UTC)
    writer = BulkWriter(session, batch_size=5000, echo=lambda _: None)
    writer.register(Shipment, ShipmentRouteCountry)
    for start in range(0, rows, 50_000):
        chosen = rng.choices(importers, popularity, k=min(50_000, rows - start))
        for number, importer in enumerate(chosen, start):
            exporter = rng.choice(exporters)
            while exporter.country == importer.country:
                exporter = rng.choice(exporters)
            created = now - timedelta(seconds=rng.uniform(60, 730 * 86400))
            shipment_id = ids(created)
            writer.add(Shipment, {
                "id": shipment_id, "customs_reference": f"H{number:09d}",
                "recorded_country": exporter.country, "status": "delivered",
                "exporting_country": exporter.country, "importing_country": importer.country,
                "transit_countries": [], "exporter_id": exporter.id, "importer_id": importer.id,
                "cas_number": AA, "declared_hs_code": "291524", "quantity": 1000, "unit": "kg",
                "quantity_kg": 1000, "mode_of_transport": "sea", "container_ids": [],
                "created_at": created, "updated_at": created,
            })  # fmt: skip
            for country, role in ((exporter.country, "exporting"), (importer.country, "importing")):
                writer.add(ShipmentRouteCountry, {
                    "shipment_id": shipment_id, "country": country, "role": role,
                })  # fmt: skip
        writer.flush()
        session.commit()
        print(f"  history: {start + len(chosen):,} shipments", flush=True)


def bench_database(args: argparse.Namespace) -> dict[str, Any]:
    """Store the operators and a history, resolve into the database, time links?depth=2."""
    records, _ = dataset(args.stored_operators, args.duplicates, seed=3)
    with _database(args.db, args.postgres) as url:
        engine = create_engine(url)
        with Session(engine) as session:
            rows = [
                {"id": r.id, "name": r.name, "country": r.country, "address": r.address or "-",
                 "registration_number": r.registration_number, "created_at": datetime.now(UTC)}
                for r in records
            ]  # fmt: skip
            for start in range(0, len(rows), 10_000):
                session.execute(Operator.__table__.insert(), rows[start : start + 10_000])  # type: ignore[attr-defined]
            session.commit()
            _history(session, records, args.history, seed=2016)
            started = time.perf_counter()
            entities = resolve_all(session)
            session.commit()
            resolved = time.perf_counter() - started
            session.execute(text("ANALYZE"))
            session.commit()
            result = {
                "database": engine.dialect.name,
                "shipments": session.exec(select(func.count()).select_from(Shipment)).one(),
                "operators": len(records),
                "resolve_all_seconds": resolved,
                "entities": entities,
                **_time_links(session, records),
            }
        engine.dispose()
    print(json.dumps(result, indent=2))
    return result


def _time_links(session: Session, records: list[PartyRecord]) -> dict[str, Any]:
    """links?depth=2 for 200 traders' entities, as an analyst and as a regulator of the
    importing country (the service call the endpoint makes), in milliseconds."""
    traders = [r for r in records if r.id.startswith("o")][:3600]
    sample = traders[:100] + traders[600:700]
    found: dict[str, Any] = {}
    for label, principal_of in (
        ("analyst", lambda r: Principal("bench", "bench", Role.ANALYST, None, None)),
        ("regulator", lambda r: Principal("bench", "bench", Role.REGULATOR, "x", r.country)),
    ):
        timings, sizes = [], []
        for record in sample:
            entity_id = entity_of_operators(session, [record.id])[record.id]
            started = time.perf_counter()
            # What GET /entities/{id}/links does: load the entity (resolving new operators
            # first), then walk.
            entity = get_entity_or_raise(session, entity_id)
            graph = entity_links(session, principal_of(record), entity, 2)
            timings.append((time.perf_counter() - started) * 1000)
            sizes.append(len(graph.nodes))
        timings.sort()
        found[f"links_depth2_{label}_ms_p50"] = statistics.median(timings)
        found[f"links_depth2_{label}_ms_p95"] = timings[int(len(timings) * 0.95) - 1]
        found[f"links_depth2_{label}_nodes_median"] = statistics.median(sizes)
    return found


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--operators", type=int, default=100_000)
    parser.add_argument("--duplicates", type=float, default=0.10)
    parser.add_argument("--seed", type=int, default=2016)
    parser.add_argument("--db", choices=["sqlite", "postgres"])
    parser.add_argument(
        "--postgres", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
    )
    parser.add_argument("--history", type=int, default=1_000_000)
    parser.add_argument("--stored-operators", type=int, default=100_000)
    args = parser.parse_args()
    if args.operators:
        bench_resolution(args.operators, args.duplicates, args.seed)
    if args.db:
        bench_database(args)


if __name__ == "__main__":
    main()
