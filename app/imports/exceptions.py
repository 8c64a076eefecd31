from typing import Any

from app.core.problems import Problem


class UnreadableFile(Problem):
    type = "unreadable-import-file"
    title = "The import file cannot be read"


class UnsupportedFormat(Problem):
    status = 415
    type = "unsupported-import-format"
    title = "Unsupported import format"


class ImportRejected(Problem):
    """Rows are invalid and the import was all or nothing: nothing was written. The body is the
    import report (rows, created, skipped_duplicates, errors)."""

    status = 422
    type = "import-rejected"
    title = "Invalid rows: nothing was imported"

    def __init__(self, detail: str, report: dict[str, Any]) -> None:
        super().__init__(detail, **report)
