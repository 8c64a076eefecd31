"""ASGI middleware: request ids and the access log, the body size limit, and Idempotency-Key
replay. Every problem they answer with is rendered by `app.core.problems.problem_response`."""

import contextlib
import hashlib
import logging
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import IO, Any

from fastapi.routing import iter_route_contexts
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.core.db import open_session
from app.core.models import IdempotencyRecord
from app.core.problems import (
    BadIdempotencyKey,
    IdempotencyKeyInUse,
    IdempotencyKeyReused,
    PayloadTooLarge,
    problem_response,
)
from app.core.request_id import MAX_REQUEST_ID_LENGTH, REQUEST_ID_HEADER, request_id_var
from app.core.types import utcnow

MAX_KEY_LENGTH = 255
# A request body under an Idempotency-Key is kept for the handler in memory up to this size,
# past it in a temporary file (its hash is taken as it arrives); handed on in chunks this size.
SPOOL_BYTES = 1 << 20
REPLAY_CHUNK = 1 << 16
# Health probes log nothing while healthy (metrics still count them).
QUIET_WHEN_WELL = frozenset({"/healthz", "/readyz"})

access_log = logging.getLogger("pentrack.access")


def _request_id(scope: Scope) -> str:
    """The caller's X-Request-ID (kept, so that its logs and ours meet), else a new one."""
    for name, value in scope["headers"]:
        if name == b"x-request-id":
            sent = value.decode("latin-1").strip()[:MAX_REQUEST_ID_LENGTH]
            if sent:
                return sent
    return uuid.uuid4().hex


def route_template(scope: Scope) -> str:
    """The matched route's path template (`/api/v1/shipments/{shipment_id}`), never the raw
    path: metrics and logs group by it. Unmatched paths share one label."""
    route = scope.get("route")
    if route is None:
        return "(unmatched)"
    app = scope.get("app")
    state = getattr(app, "state", None)
    paths: dict[int, str] | None = getattr(state, "route_paths", None)
    if paths is None and state is not None and app is not None:
        # A route of an included router knows only its own part of the path; the full
        # template comes from the app's route contexts (built once: routes are fixed).
        paths = {
            id(context.original_route): context.path_format or ""
            for context in iter_route_contexts(app.routes)
        }
        state.route_paths = paths
    return (paths or {}).get(id(route)) or str(getattr(route, "path", "(unmatched)"))


def _log_access(scope: Scope, status: int, duration: float, request_id: str) -> None:
    """One line per request: method, path, route, status, duration, request id, principal."""
    if not access_log.isEnabledFor(logging.INFO):
        return
    if status < 400 and scope["path"] in QUIET_WHEN_WELL:
        return  # probes every few seconds: a line only when something is wrong
    client = scope.get("client")
    path = scope["path"]
    if scope.get("query_string"):
        path += "?" + scope["query_string"].decode("latin-1")
    principal = scope.get("state", {}).get("principal")
    access_log.info(
        '"%s %s HTTP/%s" %d %.1f ms',
        scope["method"],
        path,
        scope.get("http_version", "1.1"),
        status,
        duration * 1000,
        extra={
            "request_id": request_id,
            "principal_id": getattr(principal, "user_id", None),
            "method": scope["method"],
            "path": path,
            "route": route_template(scope),
            "status": status,
            "duration_ms": round(duration * 1000, 1),
            "client": f"{client[0]}:{client[1]}" if client else None,
        },
    )


class _BodyTooLarge(Exception):
    pass


class _LimitedBody:
    """The request's `receive`, counting body bytes; past the limit it raises `_BodyTooLarge`."""

    def __init__(self, receive: Receive, max_bytes: int) -> None:
        self._receive = receive
        self.max_bytes = max_bytes
        self.received = 0
        self.exceeded = False

    async def receive(self) -> Message:
        message = await self._receive()
        if message["type"] == "http.request":
            self.received += len(message.get("body", b""))
            if self.received > self.max_bytes:
                self.exceeded = True
                raise _BodyTooLarge
        return message


class RequestContextMiddleware:
    """Gives every request an id (echoed as X-Request-ID, logged with the request, and available
    to what the request writes: `app.core.request_id`) and enforces the body size limit."""

    def __init__(
        self,
        app: ASGIApp,
        max_body_bytes: int,
        observe: Callable[[Scope, int, float], None] | None = None,
        path_limits: dict[str, int] | None = None,
    ) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        # Called with every request's scope, status and duration (the metrics: app/metrics.py).
        self.observe = observe
        # Paths that take larger bodies (file uploads), with their own limit.
        self.path_limits = path_limits or {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = _request_id(scope)
        scope.setdefault("state", {})["request_id"] = request_id
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        status = 500  # what Starlette answers if an error escapes the app
        try:
            status = await self._handle(scope, receive, send, request_id)
        finally:
            request_id_var.reset(token)
            duration = time.perf_counter() - started
            if self.observe is not None:
                self.observe(scope, status, duration)
            _log_access(scope, status, duration, request_id)

    async def _handle(self, scope: Scope, receive: Receive, send: Send, request_id: str) -> int:
        """Runs the app; the status answered."""
        limit = self.path_limits.get(scope["path"], self.max_body_bytes)
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            return await self._too_large(scope, receive, send, request_id, limit)

        body = _LimitedBody(receive, limit)
        header = (REQUEST_ID_HEADER.lower().encode(), request_id.encode())
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if body.exceeded:
                # FastAPI turns the error raised while reading the body into its own 400;
                # the caller is owed the 413 sent below instead.
                return
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", []), header]
            await send(message)

        with contextlib.suppress(_BodyTooLarge):
            await self.app(scope, body.receive, send_with_id)
        if body.exceeded:
            return await self._too_large(scope, receive, send, request_id, limit)
        return status

    async def _too_large(
        self, scope: Scope, receive: Receive, send: Send, request_id: str, limit: int
    ) -> int:
        problem = PayloadTooLarge(f"The body may be at most {limit} bytes.")
        response = problem_response(problem, scope["path"], {REQUEST_ID_HEADER: request_id})
        await response(scope, receive, send)
        return problem.status


class IdempotencyMiddleware:
    """Replays the first answer to a POST repeated with the same Idempotency-Key.

    The key is reserved (committed) before the handler runs, so concurrent repeats get a
    409 instead of a second write; the successful answer is stored after it. A request
    that fails releases its key: it wrote nothing, so it may be retried with the same key.
    """

    def __init__(
        self, app: ASGIApp, ttl_hours: int, authenticated: Callable[[Session, str], bool]
    ) -> None:
        self.app = app
        self.ttl = timedelta(hours=ttl_hours)
        # Whether an Authorization header names a live token: a revoked or expired token gets
        # no replay, only the app's own 401.
        self.authenticated = authenticated

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        raw_key = headers.get(b"idempotency-key")
        if raw_key is None:
            await self.app(scope, receive, send)
            return
        key = raw_key.decode(errors="replace").strip()
        if not key or len(key) > MAX_KEY_LENGTH:
            problem = BadIdempotencyKey(
                f"The Idempotency-Key header must have 1 to {MAX_KEY_LENGTH} characters."
            )
            await problem_response(problem, scope["path"])(scope, receive, send)
            return

        authorization = headers.get(b"authorization", b"").decode("latin-1")
        engine: Engine = scope["app"].state.engine
        if not await run_in_threadpool(self._caller_is_known, engine, authorization):
            await self.app(scope, receive, send)
            return
        with tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES) as body:
            body_hash = await _spool_body(receive, body, scope["path"])
            await self._keyed(scope, receive, send, engine, key, body, body_hash)

    async def _keyed(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        engine: Engine,
        key: str,
        body: IO[bytes],
        body_hash: str,
    ) -> None:
        """Run the request (its body spooled in `body`) under its reserved key, or replay."""
        headers = dict(scope["headers"])
        scope_hash = hashlib.sha256(headers.get(b"authorization", b"")).hexdigest()
        outcome = await run_in_threadpool(
            self._reserve, engine, scope_hash, key, scope["path"], body_hash
        )
        if isinstance(outcome, Response):  # a replay, or a problem with the key
            await outcome(scope, receive, send)
            return
        record_id = outcome

        captured: dict[str, Any] = {"body": b""}
        replayed = False

        async def replay_receive() -> Message:
            # The spooled body again, a chunk at a time; then the client's own messages.
            nonlocal replayed
            if replayed:
                return await receive()
            chunk = body.read(REPLAY_CHUNK)
            replayed = len(chunk) < REPLAY_CHUNK
            return {"type": "http.request", "body": chunk, "more_body": not replayed}

        async def capture_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                captured["status"] = message["status"]
                captured["headers"] = message.get("headers", [])
            elif message["type"] == "http.response.body":
                captured["body"] += message.get("body", b"")
            await send(message)

        try:
            await self.app(scope, replay_receive, capture_send)
        finally:
            await run_in_threadpool(self._finish, engine, record_id, captured)

    def _caller_is_known(self, engine: Engine, authorization: str) -> bool:
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return False
        with open_session(engine) as session:
            return self.authenticated(session, token.strip())

    def _reserve(
        self, engine: Engine, scope_hash: str, key: str, path: str, body_hash: str
    ) -> int | Response:
        for _ in range(2):
            with open_session(engine, write=True) as session:
                record = session.exec(
                    select(IdempotencyRecord).where(
                        IdempotencyRecord.scope == scope_hash, IdempotencyRecord.key == key
                    )
                ).first()
                if record is not None and record.created_at < utcnow() - self.ttl:
                    session.delete(record)
                    session.flush()
                    record = None
                if record is None:
                    record = IdempotencyRecord(
                        scope=scope_hash, key=key, method="POST", path=path, body_hash=body_hash
                    )
                    session.add(record)
                    try:
                        session.commit()
                    except IntegrityError:
                        session.rollback()
                        continue  # a concurrent request took the key first: look again
                    assert record.id is not None
                    return record.id
                return _answer_for(record, body_hash, path)
        return _key_in_use(path)

    @staticmethod
    def _finish(engine: Engine, record_id: int, captured: dict[str, Any]) -> None:
        with open_session(engine, write=True) as session:
            record = session.get(IdempotencyRecord, record_id)
            if record is None:
                return
            status = captured.get("status")
            if status is not None and 200 <= status < 300:
                headers = dict(captured.get("headers", []))
                record.status_code = status
                record.response_body = captured["body"].decode()
                record.content_type = headers.get(b"content-type", b"application/json").decode()
                location = headers.get(b"location")
                record.location = location.decode() if location else None
                session.add(record)
            else:
                session.delete(record)
            session.commit()


def _key_in_use(path: str) -> Response:
    problem = IdempotencyKeyInUse(
        "A request with this Idempotency-Key is being processed; retry shortly."
    )
    return problem_response(problem, path, {"Retry-After": "1"})


def _answer_for(record: IdempotencyRecord, body_hash: str, path: str) -> Response:
    """The first answer to the key again, or the problem with reusing it."""
    if record.body_hash != body_hash:
        problem = IdempotencyKeyReused(
            "This Idempotency-Key was used with a different request body or path."
        )
        return problem_response(problem, path)
    if record.status_code is None:
        return _key_in_use(path)
    headers = {"Idempotent-Replayed": "true"}
    if record.location:
        headers["Location"] = record.location
    return Response(
        record.response_body or "",
        status_code=record.status_code,
        media_type=record.content_type or "application/json",
        headers=headers,
    )


async def _spool_body(receive: Receive, spool: IO[bytes], path: str) -> str:
    """Copy the request body into `spool` (memory past SPOOL_BYTES goes to a temporary file: an
    import may be hundreds of megabytes) and rewind it; the hash of the path and the body."""
    digest = hashlib.sha256(path.encode() + b"\n")
    while True:
        message = await receive()
        chunk = message.get("body", b"")
        digest.update(chunk)
        spool.write(chunk)
        if not message.get("more_body"):
            spool.seek(0)
            return digest.hexdigest()


async def read_body(receive: Receive) -> bytes:
    """The whole request body, however many messages it came in."""
    chunks = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            return b"".join(chunks)
