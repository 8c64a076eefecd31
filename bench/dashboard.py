"""Summary endpoints and the /dashboard page on a large demo database (PostgreSQL).

    .venv/bin/python bench/dashboard.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/dash_bench

The database must already hold `pentrack seed --demo --scale N` (scale 1000: 200,000 PENs and
1,000,000 shipments, over the year before today); `--spread-years 5` first moves each
notification with its shipments, their events and flags back by 0-4 whole years (chosen by a hash
of the notification's or shipment's id), so the same rows cover five years, about 2x10^5
shipments a year. For each summary endpoint and view (the default one-year view and filtered
views), p50 and p99 over a real uvicorn server, beside the best hand-written SQL over the raw
tables for the same figures (PostgreSQL only), timed in the same run, bare (psycopg) and served
by a minimal FastAPI app (hand_sql_app.py: the same statements behind one endpoint, no
authentication; its requests alternate with the endpoint's, sample by sample, and the "paired"
ratio is the median of each pair's ratio), with each server's HTTP floor (`/healthz`); then time
to first render of
/dashboard in headless Chromium. SQLite databases are measured without the hand-written SQL.
Results: stdout, and JSON in bench/results/.
"""

import argparse
import json
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import httpx
import psycopg
from sqlalchemy import create_engine, text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.auth.principal import Principal
from app.auth.roles import Role
from app.core.config import Settings
from app.core.db import build_engine, open_session
from app.dashboard import summaries
from app.dashboard.deps import Filters, summary_filters
from bench.hand_sql import AA, HAND_SQL, bounds, sql_filters
from bench.harness import ROOT, create_token, serve_baseline, serve_pentrack


def views(year: int, exporter: str) -> dict[str, dict[str, Any]]:
    return {
        "default (one year)": {"year": year},
        f"exporting {exporter}, AA": {"year": year, "exporting_country": exporter, "substance": AA},
        "importing PK": {"year": year, "importing_country": "PK"},
        "AA, Jan 15 - Mar 15": {"from": f"{year}-01-15", "to": f"{year}-03-15", "substance": AA},
    }


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    return statistics.median(ordered) * 1000, p99 * 1000


def time_sql(
    conninfo: str, statements: list[str], params: dict[str, Any], n: int, warmup: int = 2
) -> list[float]:
    filters = sql_filters(params)
    values = bounds(params)
    samples = []
    with psycopg.connect(conninfo) as connection:
        # As pentrack's connections are (app/core/db.py: _configure_postgresql).
        connection.execute("SET jit = off")
        for i in range(n + warmup):
            started = time.perf_counter()
            for statement in statements:
                connection.execute(statement.format(**filters), values).fetchall()
            if i >= warmup:
                samples.append(time.perf_counter() - started)
    return samples


ANALYST = Principal(
    user_id="bench", name="bench analyst", role=Role.ANALYST, authority_id=None, country=None
)


def summarised(params: dict[str, Any]) -> Filters:
    """A view's filters as the endpoints take them for an analyst (deps.summary_filters; the
    summaries look their countries and substance up)."""
    return _value(
        summary_filters(
            ANALYST,
            year=params.get("year"),
            date_from=date.fromisoformat(params["from"]) if "from" in params else None,
            date_to=date.fromisoformat(params["to"]) if "to" in params else None,
            substance=params.get("substance"),
            exporting_country=params.get("exporting_country"),
            importing_country=params.get("importing_country"),
        )
    )


def _value(coroutine: Any) -> Any:
    """What a coroutine that never waits returns (summary_filters does no I/O)."""
    try:
        coroutine.send(None)
    except StopIteration as done:
        return done.value
    raise RuntimeError("the coroutine waited")


def time_in_process(engine: Any, name: str, params: dict[str, Any], n: int) -> list[float]:
    """The endpoint's work without HTTP: its transaction, filters, statements, figures and JSON
    body, as the endpoint computes them (summaries.compute or summaries.overview) — what the
    best hand-written SQL is compared with when the request's own fixed cost is left out."""
    samples = []
    for i in range(n + 2):
        started = time.perf_counter()
        with open_session(engine) as session:
            filters = summarised(params)
            if name == "overview":
                found = summaries.overview(session, filters)
            else:
                found = summaries.compute(session, name, filters)
            found.model_dump_json()
        if i >= 2:
            samples.append(time.perf_counter() - started)
    return samples


def time_pairs(
    first: tuple[httpx.Client, str],
    second: tuple[httpx.Client, str],
    params: dict[str, Any],
    n: int,
) -> tuple[list[float], list[float]]:
    """`n` timed requests to each of two servers in alternation (after 2 warm-ups each), the
    one that goes first swapping from pair to pair: sample i of both lists ran in the same
    moment of the machine."""
    samples: tuple[list[float], list[float]] = ([], [])
    for i in range(n + 2):
        order = (0, 1) if i % 2 == 0 else (1, 0)
        for side in order:
            client, path = (first, second)[side]
            started = time.perf_counter()
            client.get(path, params=params).raise_for_status()
            if i >= 2:
                samples[side].append(time.perf_counter() - started)
    return samples


def time_endpoint(client: httpx.Client, path: str, params: dict[str, Any], n: int) -> list[float]:
    samples = []
    for i in range(n + 2):
        started = time.perf_counter()
        response = client.get(path, params=params)
        response.raise_for_status()
        if i >= 2:
            samples.append(time.perf_counter() - started)
    return samples


# In the page, on its own clock (ms from navigation start): when it became ready (every panel
# drawn), and when the frame after that was painted (a task queued from the next animation frame
# runs once that frame's style, layout and paint are done).
PAINTED = "pentrack-bench: painted"
READY_MARK = """
new MutationObserver(function () {
  if (document.body && document.body.dataset.state === "ready" && !window.__benchReady) {
    window.__benchReady = performance.now();
    requestAnimationFrame(function () {
      setTimeout(function () {
        window.__benchPainted = performance.now();
        console.log("pentrack-bench: painted");
      }, 0);
    });
  }
}).observe(document, { attributes: true, subtree: true, attributeFilter: ["data-state"] });
"""
# Where a render's time went, on the page's clock: the HTML received, the last summary answer
# received, the page ready, the page painted.
TIMELINE = """(async () => {
  for (let waited = 0; window.__benchPainted === undefined && waited < 10000; waited += 5) {
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  const answers = performance.getEntriesByType("resource")
    .filter((r) => r.name.includes("/api/v1/summaries/")).map((r) => r.responseEnd);
  return [performance.getEntriesByType("navigation")[0].responseEnd,
          Math.max(...answers), window.__benchReady, window.__benchPainted];
})()"""


def first_render(base: str, token: str, runs: int) -> tuple[list[float], list[list[float]]]:
    """Seconds from asking Playwright to navigate to every panel drawn and painted, as the driver
    sees it (it notices the page's state a frame or so after the page reached it), and for each
    run the page's own timeline (TIMELINE, in ms from navigation start)."""
    from playwright.sync_api import sync_playwright

    samples, timelines = [], []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=[
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        context = browser.new_context()
        page = context.new_page()
        page.add_init_script(READY_MARK)
        page.goto(f"{base}/dashboard")
        page.fill("#token", token)
        page.click("button[type=submit]")
        page.wait_for_selector("body[data-state=ready]", timeout=120_000)
        for _ in range(runs):
            started = time.perf_counter()
            # The page says when it has painted (READY_MARK logs PAINTED), which the driver hears
            # at once: `wait_for_selector` polls at growing intervals (up to 500 ms apart), which
            # added up to half a second to what it measured.
            with page.expect_console_message(lambda m: m.text == PAINTED, timeout=120_000):
                page.goto(f"{base}/dashboard")
            samples.append(time.perf_counter() - started)
            timelines.append(page.evaluate(TIMELINE))
        browser.close()
    return samples, timelines


# Each notification, and each shipment (with a notification's shipments moving with it), goes
# back by 0 to N-1 whole years (365 days), chosen by a hash of its id; events and flags follow
# their shipment or notification, an incident its shipment or notification (else its own hash),
# a backtracking request its incident.
SPREAD_SHIFTS = """
CREATE TEMP TABLE pen_shift AS
  SELECT id, (abs(hashtext(id)) % {years}) * interval '365 days' AS back FROM pre_export_notification;
CREATE TEMP TABLE ship_shift AS
  SELECT s.id, coalesce(p.back, (abs(hashtext(s.id)) % {years}) * interval '365 days') AS back
  FROM shipment s LEFT JOIN pen_shift p ON p.id = s.notification_id;
ALTER TABLE pen_shift ADD PRIMARY KEY (id);
ALTER TABLE ship_shift ADD PRIMARY KEY (id);
CREATE TEMP TABLE incident_shift AS
  SELECT i.id, coalesce(s.back, p.back, (abs(hashtext(i.id)) % {years}) * interval '365 days') AS back
  FROM incident i LEFT JOIN ship_shift s ON s.id = i.shipment_id
  LEFT JOIN pen_shift p ON p.id = i.notification_id;
DELETE FROM pen_shift WHERE back = interval '0';
DELETE FROM ship_shift WHERE back = interval '0';
DELETE FROM incident_shift WHERE back = interval '0';
ALTER TABLE incident_shift ADD PRIMARY KEY (id);
"""
SPREAD_PENS_AND_SHIPMENTS = """
UPDATE pre_export_notification t SET created_at = t.created_at - x.back,
  sent_at = t.sent_at - x.back, decided_at = t.decided_at - x.back,
  reply_by = (t.reply_by - x.back)::date FROM pen_shift x WHERE x.id = t.id;
UPDATE shipment t SET created_at = t.created_at - x.back FROM ship_shift x WHERE x.id = t.id;
UPDATE shipment_event t SET created_at = t.created_at - x.back,
  occurred_at = t.occurred_at - x.back FROM ship_shift x WHERE x.id = t.shipment_id;
UPDATE flag t SET created_at = t.created_at - x.back, triaged_at = t.triaged_at - x.back
  FROM ship_shift x WHERE t.subject_type = 'shipment' AND x.id = t.subject_id;
UPDATE flag t SET created_at = t.created_at - x.back, triaged_at = t.triaged_at - x.back
  FROM pen_shift x WHERE t.subject_type = 'pre_export_notification' AND x.id = t.subject_id;
"""
SPREAD_INCIDENTS = """
UPDATE incident t SET occurred_on = (t.occurred_on - x.back)::date,
  created_at = t.created_at - x.back, updated_at = t.updated_at - x.back
  FROM incident_shift x WHERE x.id = t.id;
UPDATE backtracking_request t SET reply_by = (t.reply_by - x.back)::date,
  answered_at = t.answered_at - x.back, created_at = t.created_at - x.back,
  updated_at = t.updated_at - x.back
  FROM incident_shift x WHERE x.id = t.incident_id;
"""


def spread(conninfo: str, years: int, *, incidents_only: bool = False) -> None:
    """Move the demo's rows over `years` years (see SPREAD_SHIFTS), then VACUUM ANALYZE.
    `incidents_only`: a database spread before incidents moved too (bench/README.md, 2026-12-07
    07:20) has its incidents and backtracking requests moved, by the same shifts."""
    started = time.perf_counter()
    with psycopg.connect(conninfo) as connection:
        connection.execute(SPREAD_SHIFTS.format(years=years))
        if not incidents_only:
            connection.execute(SPREAD_PENS_AND_SHIPMENTS)
        connection.execute(SPREAD_INCIDENTS)
    print(f"spread over {years} years in {time.perf_counter() - started:.0f} s", flush=True)
    with psycopg.connect(conninfo, autocommit=True) as connection:
        connection.execute("VACUUM (ANALYZE)")
    print(f"vacuumed and analysed at {time.perf_counter() - started:.0f} s", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--n", type=int, default=20, help="timed requests per endpoint and view")
    parser.add_argument(
        "--sql-n",
        type=int,
        default=None,
        help="timed runs of the hand-written SQL (default --n; fewer on a large database, where "
        "one run of the raw-table SQL takes seconds), after one warm-up run",
    )
    parser.add_argument("--year", type=int, default=datetime.now(UTC).year)
    parser.add_argument("--render-runs", type=int, default=5, help="0: no browser")
    parser.add_argument("--view", help="only the views whose name contains this")
    parser.add_argument("--endpoint", action="append", help="only these endpoints (repeatable)")
    parser.add_argument(
        "--spread-years",
        type=int,
        metavar="N",
        help="instead: move the demo's rows over N years (once, on a fresh demo), then VACUUM ANALYZE",
    )
    parser.add_argument(
        "--incidents-only",
        action="store_true",
        help="with --spread-years: move only the incidents and backtracking requests (of a "
        "database spread before they were moved too)",
    )
    args = parser.parse_args()
    conninfo = args.database_url.replace("postgresql+psycopg://", "postgresql://")
    if args.spread_years:
        spread(conninfo, args.spread_years, incidents_only=args.incidents_only)
        return
    postgres = args.database_url.startswith("postgresql")
    engine = create_engine(args.database_url)
    with engine.connect() as connection:
        counts = {
            table: connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()
            for table in (
                "pre_export_notification",
                "shipment",
                "shipment_event",
                "flag",
                "flag_triage",
            )
        }
        exporter = connection.execute(
            text(
                "SELECT exporting_country FROM pre_export_notification "
                "GROUP BY 1 ORDER BY count(*) DESC LIMIT 1"
            )
        ).scalar_one()
    engine.dispose()
    print("rows:", json.dumps(counts))
    workdir = Path(tempfile.mkdtemp(prefix="bench-dashboard-"))
    token = create_token(args.database_url, workdir, "analyst")
    server = serve_pentrack(args.database_url, workdir)
    hand = (
        serve_baseline("hand_sql_app:create_app", args.database_url, workdir) if postgres else None
    )
    app_engine = build_engine(Settings(database_url=args.database_url))
    results: list[dict[str, Any]] = []
    floors: dict[str, float] = {}
    try:
        server.wait_ready("/healthz", timeout=60)
        with (
            httpx.Client(
                base_url=server.base_url, headers={"Authorization": f"Bearer {token}"}, timeout=120
            ) as client,
            httpx.Client(base_url=hand.base_url if hand else "", timeout=120) as hand_client,
        ):
            # The HTTP floor: a request that reads nothing, on each server.
            floors["pentrack /healthz"] = percentiles(time_endpoint(client, "/healthz", {}, 50))[0]
            if hand:
                floors["hand SQL /healthz"] = percentiles(
                    time_endpoint(hand_client, "/healthz", {}, 50)
                )[0]
            print("HTTP floor p50 (ms):", json.dumps({k: round(v, 2) for k, v in floors.items()}))
            for view, params in views(args.year, exporter).items():
                if args.view and args.view not in view:
                    continue
                for name, statements in HAND_SQL.items():
                    if args.endpoint and name not in args.endpoint:
                        continue
                    path = f"/api/v1/summaries/{name}"
                    if postgres:
                        # API and served hand SQL in alternation, sample by sample: the VM's
                        # speed drifts from minute to minute, a pair's two requests share it.
                        api_samples, served_samples = time_pairs(
                            (client, path), (hand_client, f"/hand/{name}"), params, args.n
                        )
                    else:
                        api_samples = time_endpoint(client, path, params, args.n)
                    api = percentiles(api_samples)
                    row: dict[str, Any] = {
                        "view": view,
                        "endpoint": name,
                        "api_p50_ms": api[0],
                        "api_p99_ms": api[1],
                    }
                    line = f"{view:24} {name:17} api p50 {api[0]:8.1f} p99 {api[1]:8.1f}"
                    inner = percentiles(time_in_process(app_engine, name, params, args.n))
                    row.update(in_process_p50_ms=inner[0], in_process_p99_ms=inner[1])
                    line += f" | in process p50 {inner[0]:8.1f}"
                    if postgres:
                        sql = percentiles(
                            time_sql(conninfo, statements, params, args.sql_n or args.n, warmup=1)
                        )
                        row.update(
                            sql_p50_ms=sql[0],
                            sql_p99_ms=sql[1],
                            ratio_p50=api[0] / sql[0],
                            in_process_ratio_p50=inner[0] / sql[0],
                        )
                        served = percentiles(served_samples)
                        paired = statistics.median(
                            a / b for a, b in zip(api_samples, served_samples, strict=True)
                        )
                        row.update(
                            served_sql_p50_ms=served[0],
                            served_sql_p99_ms=served[1],
                            ratio_served_p50=api[0] / served[0],
                            ratio_served_paired=paired,
                        )
                        line += (
                            f" | hand SQL p50 {sql[0]:8.1f} p99 {sql[1]:8.1f}"
                            f" | ratio {api[0] / sql[0]:5.2f} (in process {inner[0] / sql[0]:5.2f})"
                            f" | served {served[0]:8.1f}, ratio {api[0] / served[0]:5.2f}"
                            f", paired {paired:5.2f}"
                        )
                    results.append(row)
                    print(line, flush=True)
        render: dict[str, Any] = {}
        if args.render_runs:
            renders, timelines = first_render(server.base_url, token, args.render_runs)
            html, answers, ready, painted = (
                statistics.median(t[i] for t in timelines) for i in range(4)
            )
            render = {
                "median_s": statistics.median(renders),
                "max_s": max(renders),
                "runs": renders,
                "timelines_ms": timelines,
                "painted_median_ms": painted,
            }
            print(
                "/dashboard first render (sign-in done, all panels ready): "
                f"median {render['median_s']:.2f} s, max {render['max_s']:.2f} s "
                f"over {len(renders)} runs; on the page's clock (medians): HTML {html:.0f} ms, "
                f"last answer {answers:.0f} ms, ready {ready:.0f} ms, painted {painted:.0f} ms"
            )
    finally:
        server.stop()
        if hand:
            hand.stop()
        app_engine.dispose()
    out = ROOT / "bench" / "results" / f"dashboard-{datetime.now(UTC):%Y%m%dT%H%M%S}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(
        json.dumps(
            {"rows": counts, "http_floor_ms": floors, "results": results, "first_render": render},
            indent=2,
        )
    )
    print("written", out)


if __name__ == "__main__":
    main()
