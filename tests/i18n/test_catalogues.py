"""The message catalogues: complete in the six UN languages, placeholders kept, compiled
catalogues current, and nothing marked for translation missing from them."""

import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from app.i18n import LANGUAGES, LOCALES, best_match, language_for

ROOT = Path(__file__).resolve().parents[2]
TRANSLATED = [code for code in LANGUAGES if code != "en"]
PLACEHOLDER = re.compile(r"%\(\w+\)s|\{\w+\}")


def catalogue(code: str):  # type: ignore[no-untyped-def]
    with (LOCALES / code / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return read_po(handle, locale=code)


@pytest.mark.parametrize("code", TRANSLATED)
def test_every_message_is_translated_with_its_placeholders(code: str) -> None:
    for message in catalogue(code):
        if not message.id:
            continue
        assert message.string, f"{code}: {message.id!r} has no translation"
        assert "fuzzy" not in message.flags, f"{code}: {message.id!r} is fuzzy"
        assert sorted(PLACEHOLDER.findall(message.string)) == sorted(
            PLACEHOLDER.findall(str(message.id))
        ), f"{code}: {message.id!r}"


@pytest.mark.parametrize("code", TRANSLATED)
def test_the_compiled_catalogue_is_current(code: str) -> None:
    with (LOCALES / code / "LC_MESSAGES" / "messages.mo").open("rb") as handle:
        compiled = {m.id: m.string for m in read_mo(handle) if m.id}
    source = {m.id: m.string for m in catalogue(code) if m.id}
    assert compiled == source, "run: pybabel compile -d app/i18n/locales"


def test_every_marked_message_is_in_the_catalogues(tmp_path: Path) -> None:
    extracted = tmp_path / "messages.pot"
    subprocess.run(
        [
            str(Path(sys.executable).parent / "pybabel"),
            "-q",
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "N_",
            "-o",
            str(extracted),
            ".",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    with extracted.open("rb") as handle:
        wanted = {m.id for m in read_po(handle) if m.id}
    for code in TRANSLATED:
        known = {m.id for m in catalogue(code) if m.id}
        assert not wanted - known, f"{code}: run pybabel extract and update ({wanted - known})"


class TestLanguage:
    def test_country_names_come_from_pycountry(self) -> None:
        assert language_for("fr").country("DE") == "Allemagne"
        assert language_for("ar").country("PK") == "باكستان"
        assert language_for("zh").country("PK") == "巴基斯坦"

    def test_numbers_follow_the_locale(self) -> None:
        assert language_for("en").number(1234567.25) == "1,234,567.2"
        assert language_for("es").number(1234567, 0) == "1.234.567"
        assert language_for("fr").share(0.066667) == "6,7\u00a0%"

    def test_arabic_is_right_to_left(self) -> None:
        assert language_for("ar").dir == "rtl" and language_for("ru").dir == "ltr"

    @pytest.mark.parametrize(
        ("header", "expected"),
        [
            ("fr-CH, fr;q=0.9, en;q=0.8", "fr"),
            ("de-DE,de;q=0.9,ru;q=0.5", "ru"),
            ("en;q=0.2, zh-CN", "zh"),
            ("de", None),
            (None, None),
        ],
    )
    def test_accept_language(self, header: str | None, expected: str | None) -> None:
        assert best_match(header) == expected
