"""The dashboard in headless Chromium against a real server on a database with demo data:
sign in, headline figures equal the JSON summaries, a filter changes the panels, CSV and XLSX
downloads read back equal to the JSON, the incident and backtracking panels show their
summaries, the Form D workbook downloads, and no console errors. Screenshots go to
test-results/dashboard/."""

import contextlib
import csv
import io
import time
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import httpx
import pytest
from openpyxl import load_workbook

from tests.browser import (
    ROOT,
    needs_chromium,
    regulator_token,
    sign_in_page,
    watched_page,
)

RESULTS = ROOT / "test-results" / "dashboard"
WIDE = {"width": 1440, "height": 900}

pytestmark = [pytest.mark.slow, needs_chromium]


def shown(value: Any, kind: str | None = None) -> str:
    """A figure as the page writes it (en-GB grouping, at most one decimal, half away from 0)."""
    if value is None:
        return "—"
    if kind == "share":
        return f"{Decimal(str(value * 100)).quantize(Decimal('0.1'), ROUND_HALF_UP)}%"
    number = Decimal(str(value)).quantize(Decimal("0.1"), ROUND_HALF_UP)
    text = f"{number:,}"
    return text[:-2] if text.endswith(".0") else text


def headline(page: Any) -> dict[str, str]:
    return page.eval_on_selector_all(
        "[data-figure]",
        "els => Object.fromEntries(els.map(e => [e.dataset.figure, e.textContent]))",
    )


def expected_headline(base: str, token: str, params: dict[str, Any]) -> dict[str, str]:
    overview = httpx.get(
        f"{base}/api/v1/summaries/overview",
        params=params,
        headers={"Authorization": f"Bearer {token}"},
    ).json()
    shares = {"objection_rate", "backtracking_response_rate"}
    return {
        key: shown(overview[key], "share" if key in shares else None)
        for key in (
            "pens_sent",
            "pen_quantity_kg",
            "pen_quantity_l",
            "objections",
            "objection_rate",
            "unanswered",
            "shipments",
            "stopped",
            "seized",
            "seized_kg",
            "flags",
            "flags_confirmed",
            "governments_requiring_pens",
            "incidents",
            "backtracking_sent",
            "backtracking_response_rate",
        )
    }


def wait_ready(page: Any) -> None:
    """Until every panel of the latest load is drawn."""
    page.wait_for_selector("body[data-state=ready]", timeout=60_000)


def ready_dashboard(chromium: Any, problems: list[str], server: str, token: str, path: str) -> Any:
    """A wide page signed in with `token`, at `path`, every panel drawn."""
    page = watched_page(chromium, problems, viewport=WIDE)
    sign_in_page(page, server, token, path)
    wait_ready(page)
    return page


def check_incident_panels(page: Any, server: str, token: str, params: dict[str, Any]) -> None:
    """The incident and backtracking panels show every row of their JSON summaries."""
    from playwright.sync_api import expect

    headers = {"Authorization": f"Bearer {token}"}
    for summary, table, first_column in (
        ("incidents", "by_kind", "kind"),
        ("incidents", "seizures_by_substance", "substance"),
        ("incidents", "seizures_by_origin", "country"),
        ("backtracking", "by_addressed_country", "country"),
    ):
        rows = httpx.get(
            f"{server}/api/v1/summaries/{summary}", params=params, headers=headers
        ).json()[table]
        # As a reader would: scrolled to the table (an off-screen table is not laid out).
        block = page.locator(f"[data-summary={summary}] [data-table={table}]")
        block.scroll_into_view_if_needed()
        expect(block.locator("tbody tr td:first-child")).to_have_text(  # waits for the layout
            [str(r[first_column]) for r in rows][:500], use_inner_text=True
        )


def test_dashboard_in_chromium(
    demo_server: str, analyst_token: str, demo_database: tuple[str, int], chromium: Any
) -> None:
    server, token = demo_server, analyst_token
    _, year = demo_database
    RESULTS.mkdir(parents=True, exist_ok=True)
    problems: list[str] = []
    page = watched_page(chromium, problems, viewport=WIDE)
    context = page.context
    started = time.perf_counter()
    page.goto(f"{server}/dashboard")
    page.fill("#token", token)
    page.click("button[type=submit]")
    wait_ready(page)
    page.goto(f"{server}/dashboard?year={year}")
    wait_ready(page)
    first_render = time.perf_counter() - started
    page.screenshot(path=str(RESULTS / "01-signed-in.png"), full_page=True)
    before = headline(page)
    assert before == expected_headline(server, token, {"year": year})
    assert int(before["pens_sent"].replace(",", "")) > 0
    assert int(before["incidents"].replace(",", "")) > 0
    assert int(before["backtracking_sent"].replace(",", "")) > 0
    check_incident_panels(page, server, token, {"year": year})
    page.locator("[data-summary=incidents]").screenshot(
        path=str(RESULTS / "01b-incidents-and-seizures.png")
    )

    # Keyboard: the AA toggle is reachable and works from the keyboard.
    page.focus("#f-aa")
    page.keyboard.press("Enter")
    page.wait_for_function(
        "document.getElementById('f-aa').getAttribute('aria-pressed') === 'true'"
    )
    wait_ready(page)
    page.select_option("#f-region", "concern")
    wait_ready(page)
    after = headline(page)
    filtered = {"year": year, "substance": "108-24-7", "region": "concern"}
    assert after == expected_headline(server, token, filtered)
    assert after != before
    page.screenshot(path=str(RESULTS / "02-acetic-anhydride-region-of-concern.png"), full_page=True)
    matrix = httpx.get(
        f"{server}/api/v1/summaries/pens",
        params=filtered,
        headers={"Authorization": f"Bearer {token}"},
    ).json()["matrix"]
    shown_rows = page.locator("[data-summary=pens] [data-table=matrix] tbody tr").count()
    assert shown_rows == min(len(matrix), 500)

    with page.expect_download() as download_info:
        page.click("[data-summary=pens] [data-table=matrix] a[data-export=csv]")
    csv_path = RESULTS / "matrix.csv"
    download_info.value.save_as(csv_path)
    rows = list(csv.reader(io.StringIO(csv_path.read_text(encoding="utf-8-sig"))))
    assert rows[0][:3] == ["Exporting country", "Importing country", "PENs"]
    assert [(r[0], r[1], int(r[2])) for r in rows[1:]] == [
        (m["exporting_country"], m["importing_country"], m["pens"]) for m in matrix
    ]

    with page.expect_download() as download_info:
        page.click("[data-summary=pens] [data-table=matrix] a[data-export=xlsx]")
    xlsx_path = RESULTS / "matrix.xlsx"
    download_info.value.save_as(xlsx_path)
    sheet = load_workbook(xlsx_path).active
    assert sheet is not None
    values = [r for r in sheet.iter_rows(values_only=True) if any(v is not None for v in r)]
    assert [(r[0], r[1], r[2]) for r in values[2:]] == [
        (m["exporting_country"], m["importing_country"], m["pens"]) for m in matrix
    ]

    check_incident_panels(page, server, token, filtered)
    with page.expect_download() as download_info:
        page.click("#report-form-d")
    form_d_path = RESULTS / "form-d.xlsx"
    download_info.value.save_as(form_d_path)
    first_rows = [
        [row[0] for row in sheet.iter_rows(max_row=2, values_only=True)]
        for sheet in load_workbook(form_d_path).worksheets
    ]
    assert first_rows[0][0] == "Part 1. Seizures of substances in Tables I and II"
    assert str(first_rows[0][1]).startswith("Form D: seizures and methods of diversion")

    report = context.new_page()
    report.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    report.goto(
        page.get_attribute("#report-html", "href")
        and f"{server}{page.get_attribute('#report-html', 'href')}"
    )
    assert "Table 7. Seizures" in report.content()
    report.screenshot(path=str(RESULTS / "03-annual-report.png"), full_page=True)
    page.set_viewport_size({"width": 1024, "height": 768})  # a projector's resolution
    page.screenshot(path=str(RESULTS / "04-projector-1024.png"))
    context.close()
    (RESULTS / "first-render-seconds.txt").write_text(f"{first_render:.3f}\n")
    assert problems == []


def test_a_slow_earlier_answer_never_replaces_the_latest_filter(
    demo_server: str, analyst_token: str, demo_database: tuple[str, int], chromium: Any
) -> None:
    """All substances is asked first and answers last; the page still shows acetic anhydride."""
    server, token = demo_server, analyst_token
    _, year = demo_database
    problems: list[str] = []
    page = ready_dashboard(chromium, problems, server, token, f"/dashboard?year={year}")
    held: list[Any] = []

    def hold_all_substances(route: Any) -> None:
        if "substance=" in route.request.url:
            route.continue_()
        else:
            held.append(route)

    page.route("**/api/v1/summaries/shipments?*", hold_all_substances)
    page.select_option("#f-year", str(year - 1))  # all substances, held
    page.wait_for_function("document.body.dataset.state === 'loading'")
    page.click("#f-aa")  # acetic anhydride only, answers at once
    wait_ready(page)
    for route in held:  # the older answer arrives late (unless the page aborted it)
        with contextlib.suppress(Exception):
            route.continue_()
    page.wait_for_timeout(500)
    assert page.get_attribute("#f-aa", "aria-pressed") == "true"
    aa = {"year": year - 1, "substance": "108-24-7"}
    assert headline(page) == expected_headline(server, token, aa)
    assert headline(page) != expected_headline(server, token, {"year": year - 1})
    assert "Acetic anhydride" in page.inner_text("#status")
    assert problems == []
    page.context.close()


def test_each_panel_is_drawn_when_its_answer_arrives_and_none_shows_an_older_filter(
    demo_server: str, analyst_token: str, demo_database: tuple[str, int], chromium: Any
) -> None:
    """The shipments summary is held back: the other panels are drawn meanwhile, the shipments
    panel says it is loading (not last year's figures), the headline waits for every answer."""
    server, token = demo_server, analyst_token
    _, year = demo_database
    problems: list[str] = []
    page = ready_dashboard(chromium, problems, server, token, f"/dashboard?year={year}")
    drawn_before = page.locator("[data-summary=shipments] tbody tr").count()
    assert drawn_before > 0
    held: list[Any] = []
    page.route("**/api/v1/summaries/shipments?*", lambda route: held.append(route))
    page.select_option("#f-year", str(year - 1))
    page.wait_for_selector("[data-summary=pens] .table-block", state="attached")
    page.wait_for_timeout(300)
    assert page.get_attribute("body", "data-state") == "loading"
    assert len(held) == 1
    pens = httpx.get(
        f"{server}/api/v1/summaries/pens",
        params={"year": year - 1},
        headers={"Authorization": f"Bearer {token}"},
    ).json()
    title = page.inner_text("[data-summary=pens] [data-table=by_exporting_country] h3")
    assert title.endswith(f"({len(pens['by_exporting_country'])})")
    assert page.locator("[data-summary=shipments] tbody tr").count() == 0
    assert "Loading" in page.inner_text("[data-summary=shipments] .tables")
    assert set(headline(page).values()) == {"…"}
    held[0].continue_()
    wait_ready(page)
    assert headline(page) == expected_headline(server, token, {"year": year - 1})
    assert page.locator("[data-summary=shipments] .table-block").count() == 3
    assert problems == []
    page.context.close()


def test_a_date_range_loads_once_complete_and_an_invalid_one_shows_no_figures(
    demo_server: str, analyst_token: str, demo_database: tuple[str, int], chromium: Any
) -> None:
    server, token = demo_server, analyst_token
    _, year = demo_database
    problems: list[str] = []
    page = ready_dashboard(chromium, problems, server, token, f"/dashboard?year={year}")
    asked: list[str] = []
    page.on("request", lambda r: asked.append(r.url) if "/summaries/" in r.url else None)
    page.select_option("#f-year", "")
    assert page.evaluate("document.activeElement.id") == "f-from"
    page.wait_for_timeout(300)
    assert asked == []
    assert page.get_attribute("body", "data-state") == "waiting"
    assert set(headline(page).values()) == {"—"}
    page.fill("#f-from", f"{year}-06-30")
    page.fill("#f-to", f"{year}-01-01")
    page.dispatch_event("#f-to", "change")
    page.wait_for_selector("body[data-state=error]")
    assert "error" in (page.get_attribute("#status", "class") or "")
    assert set(headline(page).values()) == {"—"}
    assert page.locator("[data-summary] tbody tr").count() == 0
    page.fill("#f-to", f"{year}-12-31")
    page.dispatch_event("#f-to", "change")
    wait_ready(page)
    period = {"from": f"{year}-06-30", "to": f"{year}-12-31"}
    assert headline(page) == expected_headline(server, token, period)
    assert problems == []
    page.context.close()


def test_the_page_fits_small_screens_and_speaks_in_words(
    demo_server: str, analyst_token: str, demo_database: tuple[str, int], chromium: Any
) -> None:
    server, token = demo_server, analyst_token
    """No sideways scrolling at 390 px, figures inside their cards, a filter bar that scrolls
    away, a status line in words, whole-number ticks, every month on the flows axis."""
    _, year = demo_database
    problems: list[str] = []
    page = ready_dashboard(
        chromium, problems, server, token, f"/dashboard?year={year}&importing_country=PK"
    )
    status = page.inner_text("#status")
    assert "importing_country" not in status and "Pakistan" in status
    assert "all countries" in page.inner_text(".account")
    ticks = page.evaluate(
        "['chart-pens', 'chart-replies', 'chart-flags'].flatMap(id => "
        "Chart.getChart(id).scales.y.ticks.map(t => t.value))"
    )
    assert ticks and all(float(t).is_integer() for t in ticks)
    months = page.evaluate("Chart.getChart('chart-region-flows').data.labels")
    assert months == [f"{year}-{m:02d}" for m in range(1, 13)]
    page.mouse.wheel(0, 1500)
    page.wait_for_timeout(200)
    box = page.locator("#filters").bounding_box()
    assert box is not None and box["y"] + box["height"] <= 0
    for width in (390, 1024):
        page.set_viewport_size({"width": width, "height": 844})
        page.wait_for_timeout(200)
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        overflowing = page.eval_on_selector_all(
            "[data-figure]",
            "els => els.filter(e => e.scrollWidth > e.clientWidth).map(e => e.dataset.figure)",
        )
        assert overflowing == []
    page.screenshot(path=str(RESULTS / "05-phone-390.png"), full_page=True)
    assert problems == []
    page.context.close()


def test_a_regulator_is_told_its_scope(
    demo_server: str, demo_database: tuple[str, int], chromium: Any
) -> None:
    server = demo_server
    problems: list[str] = []
    page = watched_page(chromium, problems)
    sign_in_page(page, server, regulator_token(demo_database, "PK"), "/dashboard")
    wait_ready(page)
    assert "Pakistan" in page.inner_text("#scope")
    assert "Pakistan" in page.inner_text(".account")
    assert problems == []
    page.context.close()
