"""Logging: structlog renders every line, ours and the libraries' (uvicorn, SQLAlchemy,
Alembic), as one JSON object or as a line for a person at a terminal.

`PENTRACK_LOG_FORMAT=json|console` (unset: console on a terminal, else JSON). Each line has its
time (UTC, ISO 8601), level and logger; a line written while a request is handled also carries
its request id. The access log (app/core/middleware.py) adds method, path, route template,
status, duration and principal id.
"""

import logging
import sys
from typing import Any

import structlog
from structlog.typing import EventDict, Processor

from app.core.request_id import current_request_id

HANDLER_NAME = "pentrack"
# What a line may carry besides its message (`extra=` of the access log).
ACCESS_FIELDS = (
    "request_id",
    "principal_id",
    "method",
    "path",
    "route",
    "status",
    "duration_ms",
    "client",
)


def _request_id(_: Any, __: str, event: EventDict) -> EventDict:
    request_id = current_request_id()
    if request_id is not None:
        event.setdefault("request_id", request_id)
    return event


def _shared_processors() -> list[Processor]:
    return [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.stdlib.ExtraAdder(allow=ACCESS_FIELDS),
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        _request_id,
    ]


def resolve_format(log_format: str | None) -> str:
    if log_format:
        return log_format
    return "console" if sys.stderr.isatty() else "json"


def configure_logging(level: str, log_format: str | None = None) -> None:
    """Route every logger through one structlog formatter on stderr (idempotent)."""
    fmt = resolve_format(log_format)
    renderer: Processor
    if fmt == "json":
        renderer = structlog.processors.JSONRenderer()
        final: list[Processor] = [structlog.processors.format_exc_info, renderer]
    else:
        renderer = structlog.dev.ConsoleRenderer(colors=sys.stderr.isatty())
        final = [renderer]
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=_shared_processors(),
        processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, *final],
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(formatter)
    handler.set_name(HANDLER_NAME)
    root = logging.getLogger()
    # Ours replaced, others (a test runner's capture) kept.
    root.handlers = [h for h in root.handlers if h.get_name() != HANDLER_NAME] + [handler]
    root.setLevel(level.upper())
    # uvicorn's loggers carry their own handlers unless told otherwise: one format for all.
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logger = logging.getLogger(name)
        logger.handlers = []
        logger.propagate = True
    # Alembic announces each of its plugins when loaded (info): noise for an operator.
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
    structlog.configure(
        processors=[*_shared_processors(), structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
