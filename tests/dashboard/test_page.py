"""The /dashboard page, its session cookie, and the CSV/XLSX exports (in-process)."""

import csv
import io
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy.engine import Engine

from app.core.config import Settings
from app.dashboard.cookies import COOKIE_NAME
from app.main import create_app
from tests.dashboard.scenario import YEAR, build
from tests.factories import Api


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

    def test_customs_is_refused(self, browser: TestClient, api: Api) -> None:
        response = browser.post(
            "/dashboard/sign-in",
            content=f"token={api.customs('DE').token}",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        assert response.status_code == 403

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
        user_id, expires, signature = value.split(".")
        browser.cookies.clear()
        browser.cookies.set(COOKIE_NAME, f"{user_id}.{int(expires) + 99999}.{signature}")
        assert browser.get("/api/v1/summaries/overview").status_code == 401
        browser.cookies.clear()
        browser.cookies.set(COOKIE_NAME, value)
        assert browser.get("/api/v1/summaries/overview").status_code == 200

    def test_static_files_are_served(self, browser: TestClient) -> None:
        assert browser.get("/dashboard/static/vendor/chart.umd.min.js").status_code == 200
        assert browser.get("/dashboard/static/dashboard.js").status_code == 200


class TestExports:
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
