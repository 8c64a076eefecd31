"""Bulk import over HTTP: a CSV or XLSX file as a multipart upload (field `file`), or an
`application/x-ndjson` body whose lines are the single endpoint's JSON bodies."""

import tempfile
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import IO, Annotated

from fastapi import APIRouter, Depends, Request
from starlette.datastructures import UploadFile

from app.auth.deps import CurrentUser
from app.core.db import SessionDep
from app.core.problems import problem_responses
from app.imports.exceptions import ImportRejected, UnreadableFile
from app.imports.readers import ImportFormat, format_of, read_rows
from app.imports.runner import check_allowed, run_import
from app.imports.schemas import ImportKind, ImportReport

router = APIRouter(prefix="/imports", tags=["imports"], responses=problem_responses(401))

# Bodies past this many bytes go to a temporary file, not memory.
SPOOL_BYTES = 1 << 20


@dataclass
class ImportFile:
    file: IO[bytes]
    name: str | None
    media_type: str | None


async def upload(request: Request) -> AsyncIterator[ImportFile]:
    """The uploaded file, spooled (memory bounded), whatever way it was sent; closed after."""
    media_type = request.headers.get("content-type", "")
    if media_type.lower().startswith("multipart/form-data"):
        async with request.form(max_files=1, max_fields=10) as form:
            part = form.get("file")
            if not isinstance(part, UploadFile):
                raise UnreadableFile("Send the file as the multipart field `file`.")
            yield ImportFile(part.file, part.filename, part.content_type)
        return
    with tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES) as spooled:
        async for chunk in request.stream():
            spooled.write(chunk)
        spooled.seek(0)
        yield ImportFile(spooled, None, media_type)


@router.post(
    "",
    response_model=ImportReport,
    responses=problem_responses(400, 403, 413, 415, 422),
    summary="Import operators, shipments or border events",
)
def import_rows(
    session: SessionDep,
    principal: CurrentUser,
    source: Annotated[ImportFile, Depends(upload)],
    kind: ImportKind,
    dry_run: bool = False,
    partial: bool = False,
    format: ImportFormat | None = None,
) -> ImportReport:
    """Every row checked as its single endpoint checks it; all or nothing unless `partial`
    (invalid rows answer 422 with the report); a dry run writes nothing; rows already recorded
    (same natural key) are skipped."""
    check_allowed(principal, kind)
    fmt = format_of(format, source.name, source.media_type)
    report = run_import(
        session, principal, kind, read_rows(source.file, fmt), dry_run=dry_run, partial=partial
    )
    if report.invalid and not report.written and not report.dry_run:
        raise ImportRejected(
            f"{report.invalid} of {report.rows} rows are invalid; nothing was imported.",
            report.model_dump(mode="json"),
        )
    return report
