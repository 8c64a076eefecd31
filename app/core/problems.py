"""RFC 9457 problem details: one base class, and handlers that turn every error into one."""

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.core.request_id import REQUEST_ID_HEADER

log = logging.getLogger("pentrack")

PROBLEM_BASE = "https://pentrack.org/problems/"
PROBLEM_MEDIA_TYPE = "application/problem+json"


class Problem(Exception):
    """A failure the caller can act on; subclasses set `status`, `type` and `title`."""

    status: int = 400
    type: str = "bad-request"
    title: str = "Bad request"

    def __init__(self, detail: str | None = None, **extra: Any) -> None:
        super().__init__(detail or self.title)
        self.detail = detail or self.title
        self.extra = extra

    def to_dict(self, instance: str | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {
            "type": PROBLEM_BASE + self.type,
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
        }
        if instance:
            body["instance"] = instance
        body.update(self.extra)
        return body


class NotFound(Problem):
    status = 404
    type = "not-found"
    title = "Not found"


class Unauthorized(Problem):
    status = 401
    type = "unauthorized"
    title = "Authentication required"


class Forbidden(Problem):
    status = 403
    type = "forbidden"
    title = "Not allowed"


class Conflict(Problem):
    status = 409
    type = "conflict"
    title = "Conflict"


class PreconditionFailed(Problem):
    """If-Match named a version of the resource that is no longer current."""

    status = 412
    type = "precondition-failed"
    title = "The resource changed since it was read"


class UnknownReference(Problem):
    """A well-formed value that names nothing we know (country, substance, operator)."""

    status = 400
    type = "unknown-reference"
    title = "Unknown reference"


class PayloadTooLarge(Problem):
    status = 413
    type = "payload-too-large"
    title = "Request body too large"


class ServiceBusy(Problem):
    status = 503
    type = "service-busy"
    title = "Database busy, retry shortly"


class ValidationFailed(Problem):
    """The request's shape is wrong (422); `errors` lists each error as `{loc, msg, type}`."""

    status = 422
    type = "validation-error"
    title = "Request validation failed"


class HTTPProblem(Problem):
    """An HTTP error raised by the framework (unknown path, wrong method): type `http-<status>`."""

    def __init__(self, status: int, detail: str) -> None:
        self.status = status
        self.type = f"http-{status}"
        self.title = detail or "HTTP error"
        super().__init__(detail)


class InternalError(Problem):
    status = 500
    type = "internal-error"
    title = "Internal server error"


class BadIdempotencyKey(Problem):
    status = 400
    type = "bad-idempotency-key"
    title = "Invalid Idempotency-Key"


class IdempotencyKeyInUse(Problem):
    status = 409
    type = "idempotency-conflict"
    title = "Idempotency-Key in use"


class IdempotencyKeyReused(Problem):
    status = 409
    type = "idempotency-key-reused"
    title = "Idempotency-Key reused"


def problem_response(
    problem: Problem, instance: str | None = None, headers: dict[str, str] | None = None
) -> JSONResponse:
    """The one renderer of problem details: every problem response of pentrack comes from here
    (the exception handlers below and the ASGI middleware, which sends it as an ASGI app)."""
    if problem.status == 401:
        headers = {"WWW-Authenticate": "Bearer", **(headers or {})}
    return JSONResponse(
        problem.to_dict(instance),
        status_code=problem.status,
        media_type=PROBLEM_MEDIA_TYPE,
        headers=headers,
    )


async def _handle_problem(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, Problem)
    return problem_response(exc, request.url.path)


def validation_problem(exc: RequestValidationError) -> ValidationFailed:
    """A request FastAPI could not validate, as a problem (422 with `errors`)."""
    errors = [
        {"loc": list(err.get("loc", ())), "msg": err.get("msg", ""), "type": err.get("type", "")}
        for err in exc.errors()
    ]
    first = errors[0] if errors else None
    detail = (
        f"{'.'.join(str(p) for p in first['loc'])}: {first['msg']}" if first else "Invalid request"
    )
    return ValidationFailed(detail, errors=errors)


async def _handle_validation(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    return problem_response(validation_problem(exc), request.url.path)


async def _handle_http(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    problem = HTTPProblem(exc.status_code, str(exc.detail) if exc.detail else "")
    return problem_response(problem, request.url.path, dict(exc.headers or {}))


async def _handle_operational(request: Request, exc: Exception) -> JSONResponse:
    # "database is locked" or a lost connection: the transaction was rolled back, so a
    # retry is safe. Say so instead of a 500.
    log.warning("database operational error on %s: %s", request.url.path, exc)
    problem = ServiceBusy("The database could not take the request now; nothing was written.")
    return problem_response(problem, request.url.path, {"Retry-After": "1"})


async def _handle_unexpected(request: Request, exc: Exception) -> JSONResponse:
    # Starlette answers here from outside every middleware: the request id is read from the
    # request's state, and echoed here since the middleware that echoes it is already left.
    request_id: str | None = getattr(request.state, "request_id", None)
    log.exception("unhandled error (request %s)", request_id, exc_info=exc)
    problem = InternalError(
        "An unexpected error occurred; nothing was written.", request_id=request_id
    )
    # The server closes this connection after the answer (it may be in an unknown state);
    # saying so lets a keep-alive client open a new one instead of finding it dropped.
    headers = {"Connection": "close"}
    if request_id:
        headers[REQUEST_ID_HEADER] = request_id
    return problem_response(problem, request.url.path, headers)


def install_problem_handlers(app: FastAPI) -> None:
    app.add_exception_handler(Problem, _handle_problem)
    app.add_exception_handler(RequestValidationError, _handle_validation)
    app.add_exception_handler(StarletteHTTPException, _handle_http)
    app.add_exception_handler(OperationalError, _handle_operational)
    app.add_exception_handler(Exception, _handle_unexpected)


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses=` entries declaring problem+json answers."""
    return {
        status: {
            "description": "Problem",
            "content": {PROBLEM_MEDIA_TYPE: {"schema": {"type": "object"}}},
        }
        for status in statuses
    }
