"""Tables as CSV and XLSX, and the annual report laid out as INCB's annual precursors report."""

import csv
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
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
    # Per column: "text", "count", "quantity", "share" (0..1) or "date"; empty: guess.
    kinds: list[str] = field(default_factory=list)

    def kind(self, index: int) -> str:
        if index < len(self.kinds):
            return self.kinds[index]
        return "count" if any(isinstance(r[index], int) for r in self.rows) else "text"

    def without_column(self, index: int) -> "Table":
        def cut(values: list[Any]) -> list[Any]:
            return values[:index] + values[index + 1 :]

        return Table(self.title, cut(self.headings), [cut(r) for r in self.rows], cut(self.kinds))


# How each kind of column reads in a workbook: grouped digits, one decimal for quantities.
XLSX_FORMATS = {
    "count": "#,##0",
    "quantity": "#,##0.0",
    "share": "0.0%",
    "date": "yyyy-mm-dd",
}


def kind_of(name: str, annotation: Any) -> str:
    """A field's column kind, from its name and type."""
    text = str(annotation)
    if "rate" in name or "share" in name:
        return "share"
    if annotation is int or text.startswith("int"):
        return "count"
    if annotation is float or "float" in text:
        return "quantity"
    if annotation is date or "date" in text:
        return "date"
    return "text"


# A text cell starting with one of these is read as a formula by spreadsheet programs: a
# customs reference like `=HYPERLINK(…)` must arrive as the text it is (OWASP CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def inert(value: Any) -> Any:
    """`value`, with a leading apostrophe when it is text a spreadsheet would evaluate."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _same(text: str) -> str:
    return text


def _cell(value: Any, gettext: Callable[[str], str] = _same) -> Any:
    if isinstance(value, list):
        return inert(", ".join(str(v) for v in value))
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    return inert(value)


def table_of(
    title: str,
    items: Sequence[BaseModel],
    model: type[BaseModel],
    gettext: Callable[[str], str] = _same,
) -> Table:
    """A list of rows as a table; headings are the fields' titles, in the reader's language."""
    fields = list(model.model_fields.items())
    headings = [gettext(info.title or name) for name, info in fields]
    rows = [[_cell(getattr(item, name), gettext) for name, _ in fields] for item in items]
    kinds = [kind_of(name, info.annotation) for name, info in fields]
    return Table(gettext(title), headings, rows, kinds)


def tables_of(
    summary: BaseModel, tables: dict[str, str], gettext: Callable[[str], str] = _same
) -> dict[str, Table]:
    found = {}
    for attribute, title in tables.items():
        items = getattr(summary, attribute)
        model = type(summary).model_fields[attribute].annotation.__args__[0]  # type: ignore[union-attr]
        found[attribute] = table_of(title, items, model, gettext)
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
        _number_formats(sheet, table, heading_row)
        sheet.freeze_panes = sheet.cell(row=heading_row + 1, column=1)
        for index, heading in enumerate(table.headings, start=1):
            width = max(
                [len(str(heading))] + [len(str(r[index - 1] or "")) for r in table.rows[:200]]
            )
            sheet.column_dimensions[get_column_letter(index)].width = min(max(10, width + 2), 60)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _number_formats(sheet: Any, table: Table, heading_row: int) -> None:
    """Grouped digits, one decimal for quantities, percentages for shares."""
    for index in range(len(table.headings)):
        number_format = XLSX_FORMATS.get(table.kind(index))
        if number_format is None:
            continue
        for (cell,) in sheet.iter_rows(
            min_row=heading_row + 1, min_col=index + 1, max_col=index + 1
        ):
            cell.number_format = number_format


def _xlsx_value(value: Any) -> Any:
    return "" if value is None else inert(value)
