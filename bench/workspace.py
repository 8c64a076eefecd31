"""First render of each workspace page on the default demo, SQLite (target: p50 < 500 ms).

    .venv/bin/python bench/workspace.py [--db sqlite|postgres] [--n 20] [--browser]

A fresh database, `pentrack migrate` and `pentrack seed --demo` (scale 1), `pentrack serve`;
then, signed in through the sign-in form as the user each page is for (the DE and PK
regulators, the PK customs, a German company's industry user), a case opened and an industry
report filed through the workspace's own forms, `--n` GETs of every workspace page, after one warm-up, over a
keep-alive connection: p50 and p99 of the time to the whole HTML (the page is server-rendered,
so this is when a browser can draw it). `--browser` also loads each page `--n` times in
headless Chromium and reports the p50 of DOMContentLoaded. Results: stdout, and JSON in
bench/results/.
"""

import argparse
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import ROOT, create_token, fresh_database, pentrack, serve_pentrack, temp_workdir

TARGET_MS = 500.0


def signed_in(base: str, token: str) -> httpx.Client:
    client = httpx.Client(base_url=base, timeout=60)
    response = client.post("/dashboard/sign-in", data={"token": token})
    assert response.status_code == 303, response.text
    return client


def first_link(client: httpx.Client, path: str, prefix: str) -> str | None:
    """The first link to `prefix…` on a page (a PEN, shipment or incident to open)."""
    import re

    links = re.findall(rf'href="({re.escape(prefix)}[0-9a-z]+)"', client.get(path).text)
    return next((link for link in links if not link.endswith("/new")), None)


def posted(client: httpx.Client, form_page: str, path: str, form: dict[str, str]) -> str:
    """Send a workspace form as a browser would; the page it leads to."""
    import re

    token = re.search(r'name="csrf" value="([^"]+)"', client.get(form_page).text)
    assert token, form_page
    response = client.post(path, data={"csrf": token.group(1), **form})
    assert response.status_code == 303, (path, response.status_code, response.text[:500])
    return response.headers["location"]


def work_pages(clients: dict[str, httpx.Client]) -> list[tuple[str, str]]:
    """Cases, backtracking requests and industry reports: a case and a report made first."""
    case = posted(clients["de"], "/workspace/cases", "/workspace/cases", {"title": "Bench"})
    posted(clients["de"], case, f"{case}/notes", {"text": "Same address as in 2016"})
    report = posted(
        clients["industry"],
        "/workspace/reports/new",
        "/workspace/reports",
        {
            "substance": "108-24-7",
            "customer_name": "Falcon Trading FZE",
            "customer_country": "AE",
            "indicator-unknown_customer": "yes",
            "narrative": "A new customer wants 20 t by next week, pays cash.",
        },
    )
    return [
        ("de", "/workspace/cases"),
        ("de", case),
        ("de", "/workspace/backtracking"),
        ("pk", "/workspace/backtracking"),
        ("de", "/workspace/reports"),
        ("de", report),
        ("industry", "/workspace/reports"),
        ("industry", "/workspace/reports/new"),
        ("industry", report),
    ]


def pages(clients: dict[str, httpx.Client]) -> list[tuple[str, str]]:
    """(who, path) for every workspace page, with ids taken from the lists."""
    de, pk, customs = clients["de"], clients["pk"], clients["customs"]
    found = [
        ("de", "/workspace"),
        ("pk", "/workspace"),
        ("de", "/workspace/pens"),
        ("de", "/workspace/pens/new"),
        ("customs", "/workspace/shipments"),
        ("customs", "/workspace/shipments/new"),
        ("pk", "/workspace/flags"),
        ("pk", "/workspace/incidents"),
    ]
    pen = first_link(pk, "/workspace/pens", "/workspace/pens/")
    if pen:
        found.append(("pk", pen))
    shipment = first_link(customs, "/workspace/shipments", "/workspace/shipments/")
    if shipment:
        found.append(("customs", shipment))
        reference = customs.get(shipment).text.split("<h1>", 1)[1].split("</h1>")[0].split()[-1]
        found.append(("customs", f"/workspace/shipments?q={reference}"))
    incident = first_link(pk, "/workspace/incidents", "/workspace/incidents/")
    if incident:
        found.append(("pk", incident))
    del de
    return found + work_pages(clients)


def measure(client: httpx.Client, path: str, n: int) -> dict[str, Any]:
    client.get(path)  # warm-up
    times = []
    for _ in range(n):
        started = time.perf_counter()
        response = client.get(path)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (path, response.status_code)
    times.sort()
    return {
        "p50_ms": round(statistics.median(times), 1),
        "p99_ms": round(times[min(len(times) - 1, int(len(times) * 0.99))], 1),
        "bytes": len(response.content),
    }


def browser_p50(
    base: str, tokens: dict[str, str], targets: list[tuple[str, str]], n: int
) -> dict[str, float]:
    from playwright.sync_api import sync_playwright

    found: dict[str, float] = {}
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=["--headless", "--no-sandbox"]
        )
        for who in tokens:
            page = chromium.new_context().new_page()
            page.goto(f"{base}/sign-in")
            page.fill("#token", tokens[who])
            page.click("button[type=submit]")
            page.wait_for_load_state()
            for owner, path in targets:
                if owner != who:
                    continue
                times = []
                for _ in range(n):
                    page.goto(f"{base}{path}")
                    times.append(
                        page.evaluate(
                            "performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd"
                        )
                    )
                found[f"{who} {path}"] = round(statistics.median(times), 1)
        chromium.close()
    return found


def industry_token(url: str, workdir: Path) -> str:
    """A token of a German demo company's industry user."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.connect() as connection:
        operator = connection.execute(
            text("SELECT id FROM operator WHERE country = 'DE' ORDER BY id LIMIT 1")
        ).scalar_one()
    engine.dispose()
    args = ["token", "create", "--role", "industry", "--operator", operator]
    return pentrack(url, workdir, *args).strip().splitlines()[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--n", type=int, default=20)
    parser.add_argument("--browser", action="store_true")
    args = parser.parse_args()
    with temp_workdir() as folder, fresh_database(args.db, Path(folder)) as url:
        workdir = Path(folder)
        pentrack(url, workdir, "migrate")
        started = time.perf_counter()
        pentrack(url, workdir, "seed", "--demo")
        print(f"demo seeded in {time.perf_counter() - started:.1f} s")
        tokens = {
            "de": create_token(url, workdir, "regulator", "de-regulator"),
            "pk": create_token(url, workdir, "regulator", "pk-regulator"),
            "customs": create_token(url, workdir, "customs", "pk-customs"),
        }
        tokens["industry"] = industry_token(url, workdir)
        server = serve_pentrack(url, workdir, PENTRACK_SESSION_COOKIE_SECURE="false")
        try:
            clients = {who: signed_in(server.base_url, t) for who, t in tokens.items()}
            targets = pages(clients)
            results = {
                f"{who} {path}": measure(clients[who], path, args.n) for who, path in targets
            }
            if args.browser:
                for key, value in browser_p50(server.base_url, tokens, targets, args.n).items():
                    results[key]["browser_dcl_p50_ms"] = value
        finally:
            server.stop()
    width = max(len(k) for k in results)
    print(f"{'page':<{width}}  p50 ms  p99 ms  KiB  {'browser p50' if args.browser else ''}")
    for key, r in results.items():
        extra = f"  {r['browser_dcl_p50_ms']:>8}" if "browser_dcl_p50_ms" in r else ""
        print(f"{key:<{width}}  {r['p50_ms']:>6}  {r['p99_ms']:>6}  {r['bytes'] // 1024:>3}{extra}")
    worst = max(r["p50_ms"] for r in results.values())
    print(
        f"worst p50: {worst} ms (target < {TARGET_MS:.0f} ms): {'met' if worst < TARGET_MS else 'MISSED'}"
    )
    out = ROOT / "bench" / "results" / f"workspace-{args.db}-{int(time.time())}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"db": args.db, "n": args.n, "pages": results}, indent=2))


if __name__ == "__main__":
    main()
