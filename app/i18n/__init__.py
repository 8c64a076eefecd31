"""The six UN languages: message catalogues (Babel, gettext), country names from pycountry's
translations, and locale-aware numbers and dates.

`language_for(code)` gives a `Language`: its `gettext`, its text direction, and formatters.
Catalogues live in `app/i18n/locales/<lang>/LC_MESSAGES/messages.po` (compiled `.mo` beside
them, shipped in the package); `babel.cfg` at the repository root says what pybabel extracts.
"""

import gettext as gettext_module
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any

import pycountry
from babel import Locale
from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal, format_percent

LOCALES = Path(__file__).parent / "locales"
LANGUAGES = ("en", "fr", "es", "ru", "zh", "ar")
DEFAULT = "en"
RIGHT_TO_LEFT = frozenset({"ar"})
# Each language's name in itself, for the language switcher.
ENDONYMS = {
    "ar": "العربية",
    "zh": "中文",
    "en": "English",
    "fr": "Français",
    "ru": "Русский",
    "es": "Español",
}
# pycountry names its Chinese catalogue by territory.
_PYCOUNTRY_LOCALE = {"zh": "zh_CN"}


def N_(message: str) -> str:
    """Marks a message for extraction; translated where it is shown."""
    return message


@cache
def _catalogue(code: str) -> gettext_module.NullTranslations:
    return gettext_module.translation("messages", LOCALES, languages=[code], fallback=True)


@cache
def _country_catalogue(code: str) -> gettext_module.NullTranslations:
    return gettext_module.translation(
        "iso3166-1",
        pycountry.LOCALES_DIR,
        languages=[_PYCOUNTRY_LOCALE.get(code, code)],
        fallback=True,
    )


@cache
def country_names(code: str) -> Mapping[str, str]:
    """ISO 3166-1 alpha-2 → the country's common name in the language."""
    catalogue = _country_catalogue(code)
    return {
        c.alpha_2: catalogue.gettext(getattr(c, "common_name", None) or c.name)
        for c in pycountry.countries
    }


@dataclass(frozen=True)
class Language:
    """One language as a page or a report speaks it."""

    code: str
    locale: Locale = field(repr=False)

    @property
    def dir(self) -> str:
        return "rtl" if self.code in RIGHT_TO_LEFT else "ltr"

    def gettext(self, message: str) -> str:
        return _catalogue(self.code).gettext(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return _catalogue(self.code).ngettext(singular, plural, n)

    def country(self, iso2: str | None) -> str:
        if not iso2:
            return ""
        return country_names(self.code).get(iso2, iso2)

    def number(self, value: Any, decimals: int = 1) -> str:
        """Grouped digits, at most `decimals` decimals (Western digits in every language, as
        in INCB's reports)."""
        if value is None:
            return "—"
        pattern = "#,##0" + ("." + "#" * decimals if decimals else "")
        return format_decimal(value, format=pattern, locale=self.locale)

    def share(self, value: float | None) -> str:
        if value is None:
            return "—"
        # The locale's own percent pattern (its spacing and sign order), with one decimal.
        pattern = self.locale.percent_formats[None].pattern
        last = pattern.rfind("0") + 1
        return format_percent(
            value, format=pattern[:last] + ".0" + pattern[last:], locale=self.locale
        )

    def date(self, value: date | datetime | None) -> str:
        if value is None:
            return "—"
        if isinstance(value, datetime):
            return format_datetime(value, format="medium", locale=self.locale)
        return format_date(value, format="medium", locale=self.locale)


@cache
def language_for(code: str | None) -> Language:
    """The language for a code among LANGUAGES (anything else: English)."""
    code = code if code in LANGUAGES else DEFAULT
    return Language(code=code, locale=Locale.parse(code))


def best_match(accept_language: str | None) -> str | None:
    """The first of LANGUAGES an Accept-Language header asks for, by its q-values."""
    if not accept_language:
        return None
    wanted: list[tuple[float, int, str]] = []
    for index, part in enumerate(accept_language.split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        wanted.append((-quality, index, tag.strip().lower().split("-")[0]))
    for quality, _, primary in sorted(wanted):
        if quality < 0 and primary in LANGUAGES:
            return primary
    return None
