"""The issue's story in Chromium, on the shared demo server: a German regulator drafts and
sends a PEN; the Pakistani regulator replies in French; a Pakistani customs officer records
the shipment and its arrival; an analyst filters the dashboard in Arabic (right to left) and
downloads the annual report. Then a German company reports a suspicious order and its regulator
triages it; Pakistan's police open a case and write a note in French, and find French again
when they sign in from a new browser. No console errors; axe finds nothing serious or critical
on any page; the main flow works from the keyboard. Screenshots go to test-results/workspace/."""

from datetime import date, timedelta
from typing import Any

import httpx
import pytest
from openpyxl import load_workbook

from tests.browser import (
    ROOT,
    needs_chromium,
    pentrack,
    regulator_token,
    sign_in_page,
    watched_page,
)

RESULTS = ROOT / "test-results" / "workspace"
pytestmark = [pytest.mark.slow, needs_chromium]


def axe_problems(page: Any) -> list[str]:
    """Serious and critical axe-core violations of the page as it is now."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [
        f"{page.url}: {v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def option_ending(page: Any, select: str, suffix: str) -> str:
    """The value of the first option of `select` whose text ends with `suffix`."""
    return str(
        page.eval_on_selector(
            select,
            "(s, suffix) => [...s.options].find(o => o.text.endsWith(suffix)).value",
            suffix,
        )
    )


def test_a_pen_from_draft_to_arrival_in_four_languages(
    demo_server: str, demo_database: tuple[str, int], chromium: Any
) -> None:
    server = demo_server
    RESULTS.mkdir(parents=True, exist_ok=True)
    problems: list[str] = []
    inaccessible: list[str] = []

    # A German regulator drafts: a first try without a quantity shows the message beside it.
    de = watched_page(chromium, problems, viewport={"width": 1280, "height": 900})
    de.goto(f"{server}/")
    de.fill("#token", regulator_token(demo_database, "DE"))
    de.keyboard.press("Enter")
    de.wait_for_url(f"{server}/workspace")
    inaccessible += axe_problems(de)
    de.click("nav a[href='/workspace/pens']")
    de.click("a[href='/workspace/pens/new']")
    de.select_option("#f-exporter_id", index=1)
    de.select_option("#f-importer_id", option_ending(de, "#f-importer_id", "Pakistan"))
    de.select_option("#f-substance", "108-24-7")
    de.select_option("#f-unit", "l")
    de.fill("#f-importing_country", "PK")
    de.fill("#f-transit_countries", "AE")
    de.fill("#f-expected_point_of_entry", "Port Qasim")
    dispatch = (date.today() + timedelta(days=40)).isoformat()
    de.fill("#f-expected_dispatch_date", dispatch)
    de.select_option("#f-mode_of_transport", "sea")
    de.select_option("#f-means_of_payment", "letter_of_credit")
    de.click("form.form button[type=submit]")
    assert de.get_attribute("#f-quantity", "aria-invalid") == "true"
    assert de.inner_text("#f-quantity-error") == "Required."
    inaccessible += axe_problems(de)
    de.screenshot(path=str(RESULTS / "01-draft-with-a-message.png"), full_page=True)
    de.fill("#f-quantity", "12000")
    de.focus("#f-quantity")
    de.keyboard.press("Enter")  # submits the form from the keyboard
    de.wait_for_selector("#pen-status")
    assert "draft" in de.inner_text("#pen-status")
    reference = de.inner_text("h1").split()[-1]
    pen_url = de.url
    # Keyboard only: Tab reaches the Send button, Enter sends.
    for _ in range(60):
        de.keyboard.press("Tab")
        if de.evaluate("document.activeElement.closest('form[data-action=send]') !== null"):
            break
    de.keyboard.press("Enter")
    de.wait_for_selector("#pen-status .status-sent")
    inaccessible += axe_problems(de)
    de.screenshot(path=str(RESULTS / "02-sent.png"), full_page=True)

    # The Pakistani regulator replies in French.
    pk = watched_page(chromium, problems, viewport={"width": 1280, "height": 900})
    pk.goto(f"{server}/?lang=fr")
    assert pk.get_attribute("html", "lang") == "fr"
    pk.fill("#token", regulator_token(demo_database, "PK"))
    pk.click("button[type=submit]")
    pk.wait_for_url(f"{server}/workspace")
    assert "Boîte de réception" in pk.inner_text("h1")
    inaccessible += axe_problems(pk)
    pk.goto(pen_url)
    assert "Allemagne" in pk.inner_text(".facts")
    pk.click("form[data-action=acknowledge] button")
    pk.wait_for_selector("#pen-status .status-acknowledged")
    pk.select_option("#f-decision", "no_objection")
    pk.fill("#f-reason", "Importateur titulaire d'une licence valide ; quantité conforme.")
    pk.click("form[data-action=respond] button[type=submit]")
    pk.wait_for_selector("#pen-status .status-no_objection")
    assert "Pas d'objection" in pk.inner_text("#pen-status")
    assert "Importateur titulaire" in pk.inner_text(".timeline")
    inaccessible += axe_problems(pk)
    pk.screenshot(path=str(RESULTS / "03-reply-in-french.png"), full_page=True)
    for path in ("/workspace/flags", "/workspace/incidents", "/workspace/pens"):
        pk.goto(f"{server}{path}")
        inaccessible += axe_problems(pk)

    # A Pakistani customs officer records the shipment and its arrival.
    customs = watched_page(chromium, problems, viewport={"width": 1280, "height": 900})
    sign_in_page(customs, server, regulator_token(demo_database, "PK", "customs"), "/workspace")
    customs.goto(f"{server}/workspace/shipments/new")
    customs.fill("#f-customs_reference", "PKQ-2026-0042")
    customs.fill("#f-pen_reference", reference)
    customs.select_option("#f-substance", "108-24-7")
    customs.fill("#f-declared_hs_code", "2915.24")
    customs.fill("#f-quantity", "12000")
    customs.select_option("#f-unit", "l")
    de_exporter = de.inner_text(".facts div:nth-child(4) dd")
    customs.select_option("#f-exporter_id", label=f"{de_exporter} — Germany")
    customs.select_option("#f-importer_id", option_ending(customs, "#f-importer_id", "Pakistan"))
    customs.fill("#f-exporting_country", "DE")
    customs.fill("#f-importing_country", "PK")
    customs.fill("#f-transit_countries", "AE")
    customs.select_option("#f-mode_of_transport", "sea")
    customs.fill("#f-container_ids", "MSKU1234565")
    inaccessible += axe_problems(customs)
    customs.click("form.form button[type=submit]")
    customs.wait_for_selector("#shipment-status")
    customs.select_option("#f-type", "arrived")
    customs.fill("#f-location", "Port Qasim")
    customs.fill("#f-quantity_observed", "12000")
    customs.select_option("#f-unit", "l")
    customs.click("form.form button[type=submit]")
    customs.wait_for_selector(".timeline li")
    assert "arrived" in customs.inner_text(".timeline")
    inaccessible += axe_problems(customs)
    customs.screenshot(path=str(RESULTS / "04-shipment-arrived.png"), full_page=True)
    customs.goto(f"{server}/workspace/shipments")
    customs.fill("#q", "MSKU1234565")  # htmx looks it up as the officer types
    customs.wait_for_selector("#shipment-results a:text('PKQ-2026-0042')")
    inaccessible += axe_problems(customs)

    # An analyst filters the dashboard in Arabic and downloads the annual report.
    analyst = watched_page(chromium, problems, viewport={"width": 1280, "height": 900})
    # An analyst of its own: the Arabic it picks is saved on the user (the dashboard's browser
    # tests share theirs, in English).
    analyst_token = new_token(demo_database[0], "--role", "analyst", "--name", "Arabic reader")
    sign_in_page(analyst, server, analyst_token, "/dashboard")
    analyst.goto(f"{server}/dashboard?lang=ar")
    analyst.wait_for_selector("body[data-state=ready]", timeout=60_000)
    assert analyst.get_attribute("html", "dir") == "rtl"
    analyst.fill("#f-importing", "PK")
    analyst.click("#f-aa")
    analyst.wait_for_selector("body[data-state=ready]", timeout=60_000)
    assert "باكستان" in analyst.inner_text("#status")
    inaccessible += axe_problems(analyst)
    analyst.screenshot(path=str(RESULTS / "05-dashboard-in-arabic.png"), full_page=True)
    with analyst.expect_download() as download:
        analyst.click("#report-xlsx")
    report = RESULTS / "annual-report-ar.xlsx"
    download.value.save_as(report)
    summary = load_workbook(report).worksheets[0]
    assert summary["A1"].value == "الملخص"
    preface = [str(v) for v in next(summary.iter_rows(min_row=2, max_row=2, values_only=True))]
    assert "البلد المستورِد: باكستان (PK)" in preface

    for page in (de, pk, customs, analyst):
        page.context.close()
    assert inaccessible == []
    assert problems == []


def new_token(database_url: str, *options: str) -> str:
    return pentrack(database_url, "token", "create", *options).strip().splitlines()[-1]


def file_a_report(company: Any, server: str, token: str, inaccessible: list[str]) -> str:
    """The German company's user files a report (a first try shows the messages); its URL."""
    company.goto(f"{server}/")
    company.fill("#token", token)
    company.keyboard.press("Enter")
    company.wait_for_url(f"{server}/workspace/reports")
    assert company.eval_on_selector_all("nav.sections a", "as => as.length") == 1
    inaccessible += axe_problems(company)
    company.click("a[href='/workspace/reports/new']")
    company.fill("#f-substance", "108-24-7")
    company.click("form.form button[type=submit]")
    assert company.get_attribute("#f-customer_name", "aria-invalid") == "true"
    assert company.inner_text("#f-indicators-error") == "Choose at least one."
    inaccessible += axe_problems(company)
    company.screenshot(path=str(RESULTS / "06-report-with-messages.png"), full_page=True)
    company.fill("#f-customer_name", "Falcon Trading FZE")
    company.fill("#f-customer_country", "AE")
    company.fill("#f-quantity", "20")
    company.select_option("#f-unit", "t")
    company.fill("#f-requested_route", "AE AF")
    company.select_option("#f-means_of_payment", "cash")
    company.check("#f-indicator-unknown_customer")
    company.check("#f-indicator-unusual_payment")
    company.fill("#f-narrative", "A new customer wants 20 t by next week, pays cash.")
    company.click("form.form button[type=submit]")
    company.wait_for_selector("#report-status .status-submitted")
    inaccessible += axe_problems(company)
    company.screenshot(path=str(RESULTS / "07-report-filed.png"), full_page=True)
    return str(company.url)


def open_a_case(police: Any, server: str, inaccessible: list[str]) -> None:
    """Pakistan's police pick French, open a case and write a note."""
    police.goto(f"{server}/workspace/cases?lang=fr")
    assert police.get_attribute("html", "lang") == "fr"
    inaccessible += axe_problems(police)
    police.fill("#f-title", "Réseau du port Qasim")
    police.click("form[data-action=open-case] button[type=submit]")
    police.wait_for_selector("#notes")
    police.fill("#f-text", "Même adresse que le destinataire de 2016.")
    police.click("form[data-action=add-note] button[type=submit]")
    police.wait_for_selector("#case-notes li")
    assert "Même adresse" in police.inner_text("#case-notes")
    police.select_option("#f-authority_id", "de-regulator")
    police.click("form[data-action=invite-member] button[type=submit]")
    police.wait_for_selector("#case-members li:nth-child(2)")
    assert "Allemagne" in police.inner_text("#case-members")
    inaccessible += axe_problems(police)
    police.screenshot(path=str(RESULTS / "09-case-with-a-note.png"), full_page=True)
    police.goto(f"{server}/workspace/backtracking")
    inaccessible += axe_problems(police)
    police.goto(f"{server}/workspace/incidents")
    first = police.query_selector("table a[href^='/workspace/incidents/']")
    if first is not None:
        first.click()
        police.wait_for_selector("#backtracking")
        inaccessible += axe_problems(police)


def test_a_company_reports_its_regulator_triages_and_police_open_a_case(
    demo_server: str, demo_database: tuple[str, int], chromium: Any
) -> None:
    server, (url, _) = demo_server, demo_database
    RESULTS.mkdir(parents=True, exist_ok=True)
    problems: list[str] = []
    inaccessible: list[str] = []
    admin = {"Authorization": f"Bearer {new_token(url, '--role', 'admin')}"}
    german = httpx.get(f"{server}/api/v1/operators", params={"country": "DE"}, headers=admin)
    operator_id = german.json()["items"][0]["id"]

    company = watched_page(chromium, problems, viewport={"width": 1280, "height": 900})
    token = new_token(url, "--role", "industry", "--operator", operator_id)
    report_url = file_a_report(company, server, token, inaccessible)

    regulator = watched_page(chromium, problems, viewport={"width": 1280, "height": 900})
    sign_in_page(regulator, server, regulator_token(demo_database, "DE"), "/workspace/reports")
    inaccessible += axe_problems(regulator)
    regulator.goto(report_url)
    regulator.select_option("#f-status", "acknowledged")
    regulator.fill("#f-feedback", "Thank you: we are checking the customer.")
    regulator.click("form[data-action=triage-report] button[type=submit]")
    regulator.wait_for_selector("#report-status .status-acknowledged")
    inaccessible += axe_problems(regulator)
    regulator.screenshot(path=str(RESULTS / "08-report-triaged.png"), full_page=True)
    company.reload()
    assert "we are checking the customer" in company.inner_text("#report-feedback")

    body = {"country": "PK", "name": "Anti-Narcotics Force", "kind": "law_enforcement"}
    authority = httpx.post(f"{server}/api/v1/authorities", json=body, headers=admin).json()["id"]
    police_token = new_token(url, "--role", "law_enforcement", "--authority", authority)
    police = watched_page(chromium, problems, viewport={"width": 1280, "height": 900})
    sign_in_page(police, server, police_token, "/workspace")
    open_a_case(police, server, inaccessible)
    # The same officer in a new browser (no cookie): the language picked is the user's.
    again = watched_page(chromium, problems, viewport={"width": 390, "height": 844})
    sign_in_page(again, server, police_token, "/workspace")
    assert again.get_attribute("html", "lang") == "fr"
    assert "Dossiers" in again.inner_text("nav.sections")

    for page in (company, regulator, police, again):
        page.context.close()
    assert inaccessible == []
    assert problems == []
