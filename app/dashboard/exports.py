"""Tables as CSV and XLSX, and the annual report laid out as INCB's annual precursors report."""

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from pydantic import BaseModel

XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_MEDIA_TYPE = "text/csv; charset=utf-8"


@dataclass(frozen=True)
class Table:
    title: str
    headings: list[str]
    rows: list[list[Any]]


# A text cell starting with one of these is read as a formula by spreadsheet programs: a
# customs reference like `=HYPERLINK(…)` must arrive as the text it is (OWASP CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def inert(value: Any) -> Any:
    """`value`, with a leading apostrophe when it is text a spreadsheet would evaluate."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _cell(value: Any) -> Any:
    if isinstance(value, list):
        return inert(", ".join(str(v) for v in value))
    if isinstance(value, bool):
        return "yes" if value else "no"
    return inert(value)


def table_of(title: str, items: Sequence[BaseModel], model: type[BaseModel]) -> Table:
    """A list of rows as a table; headings are the fields' titles."""
    fields = list(model.model_fields.items())
    headings = [info.title or name for name, info in fields]
    rows = [[_cell(getattr(item, name)) for name, _ in fields] for item in items]
    return Table(title, headings, rows)


def tables_of(summary: BaseModel, tables: dict[str, str]) -> dict[str, Table]:
    found = {}
    for attribute, title in tables.items():
        items = getattr(summary, attribute)
        model = type(summary).model_fields[attribute].annotation.__args__[0]  # type: ignore[union-attr]
        found[attribute] = table_of(title, items, model)
    return found


def to_csv(table: Table) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([inert(h) for h in table.headings])
    writer.writerows([["" if v is None else inert(v) for v in row] for row in table.rows])
    # A byte-order mark so that spreadsheet programs read the file as UTF-8 (names, arrows).
    return ("\ufeff" + buffer.getvalue()).encode()


def _sheet_name(title: str, used: set[str]) -> str:
    name = "".join(c for c in title if c not in "[]:*?/\\")[:31]
    base, n = name, 2
    while name in used:
        name = f"{base[:28]} {n}"
        n += 1
    used.add(name)
    return name


def to_xlsx(tables: list[Table], preface: list[list[Any]] | None = None) -> bytes:
    """One sheet per table: the title, optional preface lines, a bold heading row, the rows."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    used: set[str] = set()
    for table in tables:
        sheet = workbook.create_sheet(_sheet_name(table.title, used))
        sheet.append([table.title])
        sheet["A1"].font = Font(bold=True, size=13)
        for line in preface or []:
            sheet.append([inert(v) for v in line])
        sheet.append([])
        sheet.append(table.headings)
        heading_row = sheet.max_row
        for cell in sheet[heading_row]:
            cell.font = Font(bold=True)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        for row in table.rows:
            sheet.append([_xlsx_value(v) for v in row])
        sheet.freeze_panes = sheet.cell(row=heading_row + 1, column=1)
        for index, heading in enumerate(table.headings, start=1):
            width = max(
                [len(str(heading))] + [len(str(r[index - 1] or "")) for r in table.rows[:200]]
            )
            sheet.column_dimensions[get_column_letter(index)].width = min(max(10, width + 2), 60)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _xlsx_value(value: Any) -> Any:
    return "" if value is None else inert(value)
