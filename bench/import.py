"""Bulk import benchmark: `pentrack import` of shipments judged by every built-in rule over a
history of shipments, against a bare SQLAlchemy Core executemany of the same rows (no
validation, no rules, no audit, no events) measured in the same run; and the peak memory (RSS)
of the `pentrack import` command on a large file.

    .venv/bin/python bench/import.py --db both --rows 100000 --history 1000000
    .venv/bin/python bench/import.py --db sqlite --rows 10000 --history 100000 --memory-rows 0
    .venv/bin/python bench/import.py --db postgres --rows 20000 --memory-rows 0 --statements

The history is generated as bench/rules.py generates it (600 exporters, 3,000 importers, a
Zipf-like popularity, COPY on PostgreSQL). The imported rows are German exports (the importing
customs is Germany's) to the same importers, mostly from their regular suppliers; Table II
substances but for 3 % Table I; a row bound for a country that requires a PEN for its substance
cites the PEN its exporter sent (recorded before the clock starts, answered "no objection"), but
for one in a hundred; 1 % paid in cash; so the rules raise flags at a plausible rate (the count by
rule is printed). Until 2026-12-07 no row cited a PEN, and every row bound for Pakistan (the most
popular destination, which requires PENs for Table I and II) was flagged.
"""

import argparse
import cProfile
import csv
import json
import os
import pstats
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import nullcontext
from datetime import UTC, date, datetime, timedelta
from itertools import accumulate
from pathlib import Path
from typing import Any

from sqlalchemy import event, func, insert, text
from sqlalchemy.engine import Engine
from sqlmodel import select

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.auth.service import authority_principal  # noqa: E402
from app.authorities.models import Authority  # noqa: E402
from app.core import bulk as core_bulk  # noqa: E402
from app.core.config import Settings  # noqa: E402
from app.core.db import build_engine, open_session  # noqa: E402
from app.core.ids import new_id  # noqa: E402
from app.imports.readers import ImportFormat, read_rows  # noqa: E402
from app.imports.runner import run_import  # noqa: E402
from app.imports.schemas import ImportKind  # noqa: E402
from app.notifications.models import PreExportNotification  # noqa: E402
from app.reference.models import Substance  # noqa: E402
from app.reference.service import requirements_for  # noqa: E402
from app.rules.models import Flag  # noqa: E402
from app.shipments.models import Shipment  # noqa: E402
from bench.rules import (  # noqa: E402
    HISTORY_SUBSTANCES,
    PAYMENTS,
    World,
    build_world,
    fresh_postgres,
    load_history,
    pentrack,
)

POSTGRES_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
RESULTS = Path(__file__).resolve().parent / "results"
COLUMNS = [
    "customs_reference", "pen_reference", "exporting_country", "importing_country",
    "transit_countries", "exporter_id", "importer_id", "substance", "declared_hs_code",
    "declared_description", "quantity", "unit", "mode_of_transport", "means_of_payment",
    "departure_date",
]  # fmt: skip


def pen_required(session: Any, substances: dict[str, Any], countries: set[str]) -> set[Any]:
    """(importing country, CAS number) pairs for which the importing country requires a PEN."""
    return {
        (country, cas)
        for cas, substance in substances.items()
        for country in countries
        if any(r.requires_pen for r in requirements_for(session, substance, country))
    }


def pen_row(
    index: int, prefix: str, exporter: str, importer: dict[str, Any], substance: Any, kg: float
) -> dict[str, Any]:
    """The PEN a legitimate exporter sent for the row, answered `no_objection` a week ago."""
    now = datetime.now(UTC)
    sent = now - timedelta(days=10)
    return {
        "id": new_id(), "reference": f"{prefix}PEN{index:08d}", "status": "no_objection",
        "decision": "no_objection", "exporting_country": "DE",
        "importing_country": importer["country"], "transit_countries": [],
        "exporter_id": exporter, "importer_id": importer["id"], "consignee_id": None,
        "cas_number": substance.cas_number, "quantity": kg, "unit": "kg", "quantity_kg": kg,
        "quantity_base_kg": kg, "expected_dispatch_date": date.today(),
        "expected_point_of_entry": "Port of entry", "mode_of_transport": "sea",
        "means_of_payment": "letter_of_credit", "intended_use": "Industrial use",
        "reply_by": (sent + timedelta(days=15)).date(), "sent_at": sent,
        "decided_at": now - timedelta(days=7), "voluntary": False,
        "created_at": sent, "updated_at": now - timedelta(days=7),
    }  # fmt: skip


def write_file(
    path: Path,
    world: World,
    substances: dict[str, Any],
    rows: int,
    prefix: str,
    required: set[Any] | None = None,
) -> list[dict[str, Any]]:
    """`rows` German export declarations as CSV; a row bound for a country that requires a PEN
    for its substance (`required`) cites the PEN its exporter sent, returned to be recorded
    before the import (as a legitimate exporter's authority would have)."""
    rng = random.Random(prefix)
    german = [e for e in world.exporters if e["country"] == "DE"]
    importers = [i for i in world.importers if i["country"] != "DE"]
    # Cumulative weights, computed once: `choices` would add up 3,000 weights for every row.
    popularity = list(accumulate(1 / (rank + 1) ** 0.5 for rank in range(len(importers))))
    cas_numbers = list(substances)
    # Table II trade mostly, 3 % Table I. Where the importing country requires a PEN for the
    # substance (Pakistan, the most popular destination, for Table I and II), the row cites one;
    # one such row in a hundred cites none (and is flagged).
    table_i = sum(
        HISTORY_SUBSTANCES.get(c, 0.5) for c in cas_numbers if substances[c].convention_table == "I"
    )
    table_ii = sum(
        HISTORY_SUBSTANCES.get(c, 0.5) for c in cas_numbers if substances[c].convention_table != "I"
    )
    weights = list(
        accumulate(
            HISTORY_SUBSTANCES.get(c, 0.5)
            * (0.03 / table_i if substances[c].convention_table == "I" else 0.97 / table_ii)
            for c in cas_numbers
        )
    )
    german_ids = {e["id"] for e in german}
    pens: list[dict[str, Any]] = []
    with path.open("w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(COLUMNS)
        for index in range(rows):
            importer = rng.choices(importers, cum_weights=popularity)[0]
            regular = [e for e in world.suppliers[importer["id"]] if e in german_ids]
            exporter = (
                rng.choice(regular) if regular and rng.random() < 0.9 else rng.choice(german)["id"]
            )
            cas = rng.choices(cas_numbers, cum_weights=weights)[0]
            substance = substances[cas]
            kg = round(min(200_000.0, max(1.0, rng.lognormvariate(7.6, 1.0))), 3)
            reference = ""
            if (importer["country"], cas) in (required or set()) and rng.random() >= 0.01:
                pens.append(pen_row(index, prefix, exporter, importer, substance, kg))
                reference = pens[-1]["reference"]
            writer.writerow([
                f"{prefix}{index:08d}", reference, "DE", importer["country"], "", exporter,
                importer["id"], cas, substance.hs_code, substance.name, kg, "kg", "sea",
                "cash" if rng.random() < 0.01 else rng.choice(PAYMENTS), date.today().isoformat(),
            ])  # fmt: skip
    return pens


def record_pens(engine: Any, pens: list[dict[str, Any]]) -> None:
    """The file's PENs, recorded before the clock starts."""
    table = PreExportNotification.__table__  # type: ignore[attr-defined]
    with engine.begin() as connection:
        for start in range(0, len(pens), 5000):
            connection.execute(insert(table), pens[start : start + 5000])


def bare_rows(path: Path, prefix: str, pens: dict[str, str]) -> list[dict[str, Any]]:
    """The file's rows as complete `shipment` rows (citing the same PENs, by id), built before
    the clock starts."""
    now = datetime.now(UTC)
    rows = []
    with path.open(newline="") as source:
        for record in csv.DictReader(source):
            rows.append({
                "id": new_id(), "customs_reference": prefix + record["customs_reference"],
                "recorded_country": "DE",
                "notification_id": pens.get(record["pen_reference"]),
                "pen_reference": record["pen_reference"] or None,
                "status": "declared", "exporting_country": "DE",
                "importing_country": record["importing_country"], "transit_countries": [],
                "exporter_id": record["exporter_id"], "importer_id": record["importer_id"],
                "consignee_id": None, "cas_number": record["substance"],
                "declared_hs_code": record["declared_hs_code"],
                "declared_description": record["declared_description"],
                "quantity": record["quantity"], "unit": "kg", "quantity_kg": record["quantity"],
                "mode_of_transport": "sea", "means_of_payment": record["means_of_payment"],
                "carrier": None, "container_ids": [], "departure_date": date.today(),
                "recorded_by_user_id": None, "created_at": now, "updated_at": now,
            })  # fmt: skip
    return rows


def measure_bare(engine: Any, rows: list[dict[str, Any]]) -> float:
    """Seconds for one executemany of the rows into `shipment`, rolled back after."""
    table = Shipment.__table__  # type: ignore[attr-defined]
    with engine.connect() as connection:
        transaction = connection.begin()
        started = time.perf_counter()
        connection.execute(insert(table), rows)
        elapsed = time.perf_counter() - started
        transaction.rollback()
    return elapsed


class StatementTimes:
    """Wall time of the import's statements, by their first words, and of its bulk writes, by
    table (`--statements`): where the database's share of an import goes. The bulk writes go to
    the driver (COPY, executemany) past SQLAlchemy's events, so `app.core.bulk`'s two writers
    are wrapped while it is installed. Bench code, not product code."""

    def __init__(self) -> None:
        self.times: dict[str, list[float]] = {}
        self._started: dict[int, float] = {}
        self._wrapped: dict[str, Any] = {}

    def _add(self, key: str, seconds: float) -> None:
        entry = self.times.setdefault(key, [0, 0.0])
        entry[0] += 1
        entry[1] += seconds

    def _before(self, conn: Any, *_args: Any) -> None:
        self._started[id(conn)] = time.perf_counter()

    def _after(self, conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        self._add(" ".join(statement.split())[:80], time.perf_counter() - self._started[id(conn)])

    def _timed(self, write: Any) -> Any:
        def timed(connection: Any, table: Any, *args: Any) -> None:
            started = time.perf_counter()
            write(connection, table, *args)
            self._add(f"bulk write: {table.name}", time.perf_counter() - started)

        return timed

    def __enter__(self) -> "StatementTimes":
        event.listen(Engine, "before_cursor_execute", self._before)
        event.listen(Engine, "after_cursor_execute", self._after)
        for name in ("_copy", "_executemany"):
            self._wrapped[name] = getattr(core_bulk, name)
            setattr(core_bulk, name, self._timed(self._wrapped[name]))
        return self

    def __exit__(self, *_exc: object) -> None:
        event.remove(Engine, "before_cursor_execute", self._before)
        event.remove(Engine, "after_cursor_execute", self._after)
        for name, write in self._wrapped.items():
            setattr(core_bulk, name, write)

    def report(self, top: int = 15) -> dict[str, Any]:
        total = sum(seconds for _, seconds in self.times.values())
        print(f"  statements and bulk writes: {total:.2f} s in all; the largest:")
        largest = sorted(self.times.items(), key=lambda kv: -kv[1][1])[:top]
        for key, (count, seconds) in largest:
            print(f"  {seconds:8.2f} s {int(count):6d}x  {key}")
        return {"total_seconds": total, "largest": {k: v for k, v in largest}}


def measure_import(
    engine: Any,
    path: Path,
    authority_id: str,
    profile: Path | None = None,
    statements: StatementTimes | None = None,
) -> tuple[float, dict[str, Any]]:
    """Seconds for the import (read, check, write, judge, commit) and its report; under
    cProfile (its stats written to `profile`) when asked, its statements timed when given."""
    profiler = cProfile.Profile() if profile else None
    if profiler is not None:
        profiler.enable()
    started, cpu = time.perf_counter(), time.process_time()
    with (
        statements or nullcontext(),
        path.open("rb") as source,
        open_session(engine, write=True) as session,
    ):
        principal = authority_principal(session, authority_id, "import")
        report = run_import(
            session, principal, ImportKind.SHIPMENTS, read_rows(source, ImportFormat.CSV)
        )
        session.commit()
    elapsed = time.perf_counter() - started
    print(f"  import: {elapsed:.2f} s wall, {time.process_time() - cpu:.2f} s CPU of this process")
    if profiler is not None and profile is not None:
        profiler.disable()
        profiler.dump_stats(profile)
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(45)
    return elapsed, report.model_dump(mode="json")


def peak_rss_of_cli(database_url: str, path: Path, authority_id: str) -> float:
    """Peak RSS (MB) of `pentrack import` (a child process) on the file."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    result = subprocess.run(
        [sys.executable, "-m", "app.cli", "import", str(path), "--kind", "shipments",
         "--authority", authority_id],
        cwd=ROOT, env={**os.environ, "PENTRACK_DATABASE_URL": database_url},
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    if result.returncode != 0:
        raise RuntimeError(result.stderr or result.stdout)
    print("  " + result.stdout.strip().splitlines()[0])
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    if peak <= before:
        print("  (peak RSS of an earlier child was larger; figure is an upper bound)")
    return peak / 1024


def bench_database(name: str, database_url: str, args: argparse.Namespace) -> dict[str, Any]:
    print(f"{name}: {database_url.rsplit('/', 1)[-1]}")
    pentrack(database_url, "migrate")
    print("  " + pentrack(database_url, "seed").strip())
    engine = build_engine(Settings(database_url=database_url))
    with open_session(engine, write=True) as session:
        world = build_world(session, seed=7)
        session.add(Authority(id="bench-de-customs", country="DE", name="Zoll", kind="customs"))
        session.commit()
        started = time.perf_counter()
        loaded = load_history(session, world, args.history, args.load_budget, seed=2016)
        history_seconds = time.perf_counter() - started
        substances = {s.cas_number: s for s in session.exec(select(Substance))}
        required = pen_required(session, substances, {i["country"] for i in world.importers})
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM (ANALYZE) shipment"))
    result: dict[str, Any] = {"history": loaded, "history_seconds": history_seconds, "rounds": []}
    with tempfile.TemporaryDirectory(prefix="pentrack-bench-import-") as folder:
        for round_ in range(args.rounds):
            path = Path(folder) / f"round{round_}.csv"
            pens = write_file(path, world, substances, args.rows, f"R{round_}-", required)
            record_pens(engine, pens)
            cited = {p["reference"]: p["id"] for p in pens}
            bare = measure_bare(engine, bare_rows(path, "BARE-", cited))
            profile = (
                RESULTS / f"import-{name}-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.prof"
                if args.profile
                else None
            )
            timed = StatementTimes() if args.statements else None
            seconds, report = measure_import(engine, path, "bench-de-customs", profile, timed)
            assert report["created"] == args.rows, report
            entry = {
                "rows": args.rows, "import_seconds": seconds, "rows_per_second": args.rows / seconds,
                "bare_seconds": bare, "bare_rows_per_second": args.rows / bare,
                "ratio_to_bare": bare / seconds,
            }  # fmt: skip
            if timed is not None:
                entry["statements"] = timed.report()
            result["rounds"].append(entry)
            print(
                f"  round {round_ + 1}: import {entry['rows_per_second']:,.0f} rows/s "
                f"({seconds:.1f} s), bare executemany {entry['bare_rows_per_second']:,.0f} rows/s "
                f"({bare:.1f} s), ratio {entry['ratio_to_bare']:.1%}"
            )
        with engine.connect() as connection:
            result["flags_by_rule"] = dict(
                connection.execute(
                    select(Flag.rule, func.count()).group_by(Flag.rule)  # type: ignore[arg-type]
                ).all()
            )
        print(f"  flags raised, by rule: {result['flags_by_rule']}")
        if args.memory_rows:
            path = Path(folder) / "memory.csv"
            record_pens(
                engine, write_file(path, world, substances, args.memory_rows, "M-", required)
            )
            started = time.perf_counter()
            result["memory_rows"] = args.memory_rows
            result["peak_rss_mb"] = peak_rss_of_cli(database_url, path, "bench-de-customs")
            result["memory_run_seconds"] = time.perf_counter() - started
            print(
                f"  peak RSS of `pentrack import` on {args.memory_rows:,} rows: "
                f"{result['peak_rss_mb']:.0f} MB ({result['memory_run_seconds']:.0f} s)"
            )
    engine.dispose()
    for key in ("rows_per_second", "ratio_to_bare"):
        result[f"median_{key}"] = statistics.median(r[key] for r in result["rounds"])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--rows", type=int, default=100_000, help="shipments imported per round")
    parser.add_argument("--history", type=int, default=1_000_000, help="historical shipments")
    parser.add_argument("--load-budget", type=float, default=900, help="seconds for the history")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument(
        "--memory-rows", type=int, default=1_000_000, help="rows of the RSS run (0: skip it)"
    )
    parser.add_argument(
        "--profile", action="store_true", help="run the import under cProfile (slower)"
    )
    parser.add_argument(
        "--statements",
        action="store_true",
        help="time the import's statements and bulk writes (by table)",
    )
    parser.add_argument(
        "--postgres", default=os.environ.get("PENTRACK_BENCH_POSTGRES_URL", POSTGRES_SERVER)
    )
    args = parser.parse_args()
    RESULTS.mkdir(exist_ok=True)
    report: dict[str, Any] = {"when": datetime.now(UTC).isoformat(), "args": vars(args)}
    if args.db in ("postgres", "both"):
        with fresh_postgres(args.postgres) as url:
            report["postgres"] = bench_database("postgres", url, args)
    if args.db in ("sqlite", "both"):
        with tempfile.TemporaryDirectory(prefix="pentrack-bench-sqlite-") as folder:
            report["sqlite"] = bench_database("sqlite", f"sqlite:///{folder}/bench.db", args)
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"import-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.json"
    path.write_text(json.dumps(report, indent=2, default=str))
    print(f"\nresults: {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
