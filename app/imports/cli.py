"""`pentrack import FILE`: the import runner with a progress bar (rich, on stderr) and a report
a clerk can fix the file from (stdout). Errors are one line."""

import sys
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
)
from sqlalchemy.exc import SQLAlchemyError

from app.auth.service import authority_principal
from app.core.config import get_settings
from app.core.db import build_engine, open_session
from app.core.problems import Problem
from app.imports.readers import ImportFormat, format_of, read_rows
from app.imports.runner import run_import
from app.imports.schemas import ImportKind, ImportReport


def run_file_import(
    file: Path,
    kind: ImportKind,
    authority_id: str,
    *,
    dry_run: bool,
    partial: bool,
    fmt: ImportFormat | None,
    as_json: bool,
) -> int:
    """Import the file; the exit code (0 done, 1 invalid rows, 2 not run)."""
    engine = build_engine(get_settings())
    try:
        fmt = format_of(fmt, file.name)
        with file.open("rb") as source, open_session(engine, write=True) as session:
            principal = authority_principal(session, authority_id, "import")
            with _progress(kind) as progress:
                task = progress.add_task(
                    f"{kind.value}", total=file.stat().st_size if fmt != "xlsx" else None
                )

                def advance(rows: int) -> None:
                    # Bytes read for CSV and NDJSON (a known total); rows for XLSX (a zip).
                    done = source.tell() if fmt != "xlsx" else None
                    progress.update(task, completed=done, advance=None if done else rows)

                report = run_import(
                    session,
                    principal,
                    kind,
                    read_rows(source, fmt),
                    dry_run=dry_run,
                    partial=partial,
                    progress=advance,
                )
            if report.written:
                session.commit()
    except (Problem, OSError, SQLAlchemyError) as exc:
        detail = exc.detail if isinstance(exc, Problem) else _one_line(exc)
        typer.echo(f"error: {detail}", err=True)
        return 2
    finally:
        engine.dispose()
    _print(report, as_json)
    return 1 if report.invalid else 0


def _one_line(exc: Exception) -> str:
    text = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0] if text else ''}"


def _progress(kind: ImportKind) -> Progress:
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TaskProgressColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=not sys.stderr.isatty(),
    )


def _print(report: ImportReport, as_json: bool) -> None:
    if as_json:
        typer.echo(report.model_dump_json(indent=2))
        return
    verb = (
        "would import" if report.dry_run else "imported" if report.written else "imported nothing:"
    )
    typer.echo(
        f"{verb} {report.kind.value}: {report.rows} rows, {report.created} created, "
        f"{report.skipped_duplicates} duplicates skipped, {report.invalid} invalid"
    )
    for error in report.errors:
        where = f"row {error.row}" + (f", {error.field}" if error.field else "")
        typer.echo(f"{where}: {error.problem}")
    if report.errors_truncated:
        typer.echo(f"… and more: {report.invalid} invalid rows in all")
    if report.invalid and not report.written and not report.dry_run:
        typer.echo("nothing was written (all or nothing; --partial keeps the good rows)")
