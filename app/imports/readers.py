"""Rows of an import file, one at a time (memory bounded whatever the file's size): `csv`
line by line, openpyxl's read-only workbook row by row, NDJSON line by line. Pure: no database.

Each data row (counted from 1, after the header of a CSV or XLSX file) comes out as a dict of
the single endpoint's JSON body, or as the reason it could not be read. Empty cells are left
out (the field's default applies); the list columns of a CSV or XLSX file hold their items
separated by `;` or `,`.
"""

import csv
import io
import json
import zipfile
from collections.abc import Iterator
from datetime import UTC, date, datetime, time
from enum import StrEnum
from pathlib import PurePath
from typing import IO, Any

from app.imports.exceptions import UnreadableFile, UnsupportedFormat

# PostgreSQL refuses NUL in text: such a row is refused here, never a 500 at the insert.
NUL_PROBLEM = "the row contains a NUL character"
LIST_COLUMNS = frozenset({"transit_countries", "container_ids"})
# CSV fields may be large (a description), but not unbounded.
csv.field_size_limit(1_000_000)


class ImportFormat(StrEnum):
    CSV = "csv"
    XLSX = "xlsx"
    NDJSON = "ndjson"


EXTENSIONS = {".csv": ImportFormat.CSV, ".xlsx": ImportFormat.XLSX, ".ndjson": ImportFormat.NDJSON,
              ".jsonl": ImportFormat.NDJSON}  # fmt: skip
MEDIA_TYPES = {
    "text/csv": ImportFormat.CSV,
    "application/csv": ImportFormat.CSV,
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ImportFormat.XLSX,
    "application/x-ndjson": ImportFormat.NDJSON,
    "application/jsonl": ImportFormat.NDJSON,
}


class Unreadable(str):
    """Why a row could not be read (reported against the row, not the file)."""


Row = tuple[int, dict[str, Any] | Unreadable]


def format_of(
    given: ImportFormat | None, filename: str | None, media_type: str | None = None
) -> ImportFormat:
    """The format named, else guessed from the file's extension, else from its media type."""
    if given is not None:
        return given
    suffix = PurePath(filename or "").suffix.lower()
    if suffix in EXTENSIONS:
        return EXTENSIONS[suffix]
    media = (media_type or "").split(";")[0].strip().lower()
    if media in MEDIA_TYPES:
        return MEDIA_TYPES[media]
    raise UnsupportedFormat(
        f"Cannot tell the format of {filename or 'the file'!r}: give --format / ?format= "
        "csv, xlsx or ndjson (or a .csv, .xlsx or .ndjson name)."
    )


def read_rows(source: IO[bytes], fmt: ImportFormat) -> Iterator[Row]:
    """The file's data rows, numbered from 1."""
    if fmt == ImportFormat.CSV:
        return _csv_rows(source)
    if fmt == ImportFormat.XLSX:
        return _xlsx_rows(source)
    return _ndjson_rows(source)


def _cells(names: list[str], values: list[Any]) -> dict[str, Any] | Unreadable:
    if any(isinstance(v, str) and "\x00" in v for v in values):
        return Unreadable(NUL_PROBLEM)
    if len(values) > len(names) and any(_blank(v) is not None for v in values[len(names) :]):
        return Unreadable(f"the row has {len(values)} cells but the header names {len(names)}")
    row: dict[str, Any] = {}
    for name, value in zip(names, values, strict=False):
        value = _blank(value)
        if value is None or not name:
            continue
        if name in LIST_COLUMNS and isinstance(value, str):
            value = [item.strip() for item in value.replace(",", ";").split(";") if item.strip()]
        row[name] = value
    return row


def _blank(value: Any) -> Any:
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


def _header(values: list[Any]) -> list[str]:
    names = [str(v).strip() if v is not None else "" for v in values]
    if not any(names):
        raise UnreadableFile("The file has no header row naming its columns.")
    return names


def _csv_rows(source: IO[bytes]) -> Iterator[Row]:
    text = io.TextIOWrapper(source, encoding="utf-8-sig", newline="")
    try:
        reader = csv.reader(text)
        header = next(reader, None)
        if header is None:
            return
        names = _header(list(header))
        number = 0
        for values in reader:
            if not any(v.strip() for v in values):
                continue
            number += 1
            yield number, _cells(names, values)
    except UnicodeDecodeError as exc:
        raise UnreadableFile("The CSV file is not UTF-8 text.") from exc
    except csv.Error as exc:
        raise UnreadableFile(f"The CSV file cannot be read: {exc}.") from exc
    finally:
        text.detach()


def _xlsx_rows(source: IO[bytes]) -> Iterator[Row]:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = load_workbook(source, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as exc:
        raise UnreadableFile("The file is not an XLSX workbook.") from exc
    try:
        sheet = workbook.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        header = next(rows, None)
        if header is None:
            return
        names = _header(list(header))
        # Every row after the header counts, blank ones too: row N is the sheet's row N + 1.
        for number, values in enumerate(rows, start=1):
            cells = [_xlsx_value(v) for v in values]
            if all(_blank(v) is None for v in cells):
                continue
            yield number, _cells(names, cells)
    finally:
        workbook.close()


def _xlsx_value(value: Any) -> Any:
    """A cell as the JSON body would carry it: numbers as text (no binary fractions), dates as
    ISO text; a date-time without a zone is read as UTC."""
    if isinstance(value, bool):
        return value
    if isinstance(value, float):
        return repr(value) if not value.is_integer() else str(int(value))
    if isinstance(value, int):
        return str(value)
    if isinstance(value, datetime):
        if value.tzinfo is None and value.time() == time(0):
            return value.date().isoformat()
        return (value if value.tzinfo else value.replace(tzinfo=UTC)).isoformat()
    if isinstance(value, date | time):
        return value.isoformat()
    return value


def _ndjson_rows(source: IO[bytes]) -> Iterator[Row]:
    number = 0
    for line in source:
        if not line.strip():
            continue
        number += 1
        try:
            value = json.loads(line)
        except UnicodeDecodeError:
            yield number, Unreadable("the line is not UTF-8 text")
            continue
        except ValueError as exc:
            yield number, Unreadable(f"the line is not JSON ({exc.args[0].split(':')[0]})")
            continue
        if not isinstance(value, dict):
            yield number, Unreadable("the line is not a JSON object")
            continue
        if _has_nul(value):
            yield number, Unreadable(NUL_PROBLEM)
            continue
        yield number, value


def _has_nul(value: Any) -> bool:
    """Whether a parsed JSON value holds a NUL in any key or string."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False
