from enum import StrEnum

from pydantic import BaseModel, Field


class ImportKind(StrEnum):
    OPERATORS = "operators"
    SHIPMENTS = "shipments"
    EVENTS = "events"


class RowError(BaseModel):
    row: int = Field(description="The data row, counted from 1 (after a CSV or XLSX header)")
    field: str | None = Field(description="The column at fault; null when the row as a whole is")
    problem: str


class ImportReport(BaseModel):
    kind: ImportKind
    dry_run: bool
    partial: bool
    rows: int = Field(description="Data rows read")
    created: int = Field(description="Records written (a dry run: records it would write)")
    skipped_duplicates: int = Field(description="Rows whose natural key is already recorded")
    invalid: int = Field(description="Rows refused (each has one or more errors)")
    written: bool = Field(description="Whether the import's records were committed")
    errors: list[RowError]
    errors_truncated: bool = Field(
        default=False, description="More errors than are listed (the first ones are)"
    )
