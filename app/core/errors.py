"""A failure as one line for a person at a terminal (the CLI; `--debug` shows the traceback)."""

from pydantic import ValidationError
from sqlalchemy.exc import DBAPIError, OperationalError


def one_line(exc: BaseException) -> str:
    if isinstance(exc, ValidationError):
        return _settings_problem(exc)
    if isinstance(exc, OperationalError | DBAPIError) and _is_connection_failure(exc):
        reason = str(exc.orig).strip().splitlines() if exc.orig is not None else []
        return "the database cannot be reached" + (f": {reason[0].strip()}" if reason else "")
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0]}" if text else type(exc).__name__


def _is_connection_failure(exc: DBAPIError) -> bool:
    return bool(exc.connection_invalidated) or isinstance(exc, OperationalError)


def _settings_problem(exc: ValidationError) -> str:
    parts = []
    for error in exc.errors():
        name = "_".join(str(p) for p in error.get("loc", ())).upper()
        prefix = "PENTRACK_" if exc.title == "Settings" else ""
        parts.append(f"{prefix}{name}: {error.get('msg', 'invalid')}")
    return f"invalid {'setting' if exc.title == 'Settings' else exc.title}: " + "; ".join(parts)
