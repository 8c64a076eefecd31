"""The id of the request being handled, for the rows and log lines it writes.

`RequestContextMiddleware` (app/core/middleware.py) sets it for each request; the thread-pool
calls of the request see it too (AnyIO copies the context into them). Outside a request (the
worker, the CLI) it is None.
"""

from contextvars import ContextVar

REQUEST_ID_HEADER = "X-Request-ID"
MAX_REQUEST_ID_LENGTH = 64

request_id_var: ContextVar[str | None] = ContextVar("pentrack_request_id", default=None)


def current_request_id() -> str | None:
    return request_id_var.get()
