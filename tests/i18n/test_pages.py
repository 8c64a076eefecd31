"""Pages and reports in the reader's language: `?lang=` (remembered), else Accept-Language."""

import io
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy.engine import Engine

from app.core.config import Settings
from app.i18n.web import LANG_COOKIE
from app.main import create_app
from tests.dashboard.scenario import YEAR, build
from tests.dashboard.test_page import sign_in
from tests.factories import Api


@pytest.fixture
def browser(settings: Settings, engine: Engine) -> Iterator[TestClient]:
    plain = settings.model_copy(update={"session_cookie_secure": False})
    with TestClient(create_app(plain, engine=engine)) as client:
        yield client


class TestLanguageChoice:
    def test_lang_is_remembered_in_a_cookie(self, browser: TestClient) -> None:
        page = browser.get("/sign-in?lang=ar")
        assert '<html lang="ar" dir="rtl">' in page.text
        assert "تسجيل الدخول" in page.text
        assert browser.cookies.get(LANG_COOKIE) == "ar"
        again = browser.get("/sign-in")
        assert '<html lang="ar" dir="rtl">' in again.text

    def test_accept_language_when_nothing_was_chosen(self, browser: TestClient) -> None:
        page = browser.get("/sign-in", headers={"Accept-Language": "es-AR,es;q=0.9"})
        assert '<html lang="es" dir="ltr">' in page.text and "Iniciar sesión" in page.text

    def test_an_unknown_language_falls_back_to_english(self, browser: TestClient) -> None:
        page = browser.get("/sign-in?lang=xx", headers={"Accept-Language": "de"})
        assert '<html lang="en" dir="ltr">' in page.text
        assert LANG_COOKIE not in browser.cookies

    def test_the_dashboard_speaks_russian_with_country_names(
        self, browser: TestClient, api: Api
    ) -> None:
        sign_in(browser, api.regulator("PK").token)
        page = browser.get("/dashboard?lang=ru")
        assert "Отправленные уведомления" in page.text
        assert "Пакистан" in page.text  # the scope note and the header


class TestReportsInTheReadersLanguage:
    def test_the_annual_report_workbook_in_arabic(self, api: Api) -> None:
        build(api)
        response = api.analyst().get(
            "/api/v1/summaries/annual-report",
            params={"year": YEAR, "format": "xlsx", "lang": "ar", "importing_country": "PK"},
        )
        workbook = load_workbook(io.BytesIO(response.content))
        summary = workbook.worksheets[0]
        assert summary["A1"].value == "الملخص"
        figures = [row[0] for row in summary.iter_rows(min_row=6, values_only=True)]
        assert "الإشعارات المرسلة" in figures
        preface = [str(v) for v in next(summary.iter_rows(min_row=2, max_row=2, values_only=True))]
        assert "البلد المستورِد: باكستان (PK)" in preface

    def test_the_printable_report_in_french(self, api: Api) -> None:
        build(api)
        html = (
            api.analyst()
            .get(
                "/api/v1/summaries/annual-report",
                params={"year": YEAR, "format": "html", "lang": "fr"},
            )
            .text
        )
        assert '<html lang="fr" dir="ltr">' in html
        assert "Tableau 7. Saisies, par pays, avec leur origine" in html
        assert "Pays importateur" in html
        assert "Allemagne" in html  # Table 2's country names, from pycountry's French
