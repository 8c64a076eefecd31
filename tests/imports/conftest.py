"""Files to import, written the way a clerk's spreadsheet or a customs system exports them."""

import csv
import io
import json
from collections.abc import Iterable
from typing import Any

from openpyxl import Workbook

IMPORTS = "/api/v1/imports"
SHIPMENT_COLUMNS = [
    "customs_reference", "pen_reference", "exporting_country", "importing_country",
    "transit_countries", "exporter_id", "importer_id", "consignee_id", "substance",
    "declared_hs_code", "declared_description", "quantity", "unit", "mode_of_transport",
    "means_of_payment", "carrier", "container_ids", "departure_date",
]  # fmt: skip


def _cell(value: Any) -> Any:
    if isinstance(value, list):
        return ";".join(value)
    return "" if value is None else value


def csv_bytes(rows: Iterable[dict[str, Any]], columns: list[str] | None = None) -> bytes:
    rows = list(rows)
    columns = columns or sorted({k for r in rows for k in r})
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_cell(row.get(c)) for c in columns])
    return out.getvalue().encode()


def xlsx_bytes(rows: Iterable[dict[str, Any]], columns: list[str] | None = None) -> bytes:
    rows = list(rows)
    columns = columns or sorted({k for r in rows for k in r})
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(columns)
    for row in rows:
        sheet.append([_cell(row.get(c)) if row.get(c) is not None else None for c in columns])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def ndjson_bytes(rows: Iterable[dict[str, Any]]) -> bytes:
    return b"".join(json.dumps(r).encode() + b"\n" for r in rows)
