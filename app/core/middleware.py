"""ASGI middleware: request ids, body size limit, and Idempotency-Key replay."""

import hashlib
import json
import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import select
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.core.db import open_session
from app.core.models import IdempotencyRecord
from app.core.problems import PROBLEM_BASE, PROBLEM_MEDIA_TYPE
from app.core.types import utcnow

MAX_KEY_LENGTH = 255


def _problem(status: int, type_: str, title: str, detail: str) -> tuple[int, bytes]:
    body = {"type": PROBLEM_BASE + type_, "title": title, "status": status, "detail": detail}
    return status, json.dumps(body).encode()


async def _send_json(
    send: Send, status: int, body: bytes, headers: list[tuple[bytes, bytes]]
) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (
                    b"content-type",
                    PROBLEM_MEDIA_TYPE.encode() if status >= 400 else b"application/json",
                ),
                (b"content-length", str(len(body)).encode()),
                *headers,
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class RequestContextMiddleware:
    """Gives every request an id (echoed as X-Request-ID) and enforces the body size limit."""

    def __init__(self, app: ASGIApp, max_body_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        request_id = headers.get(b"x-request-id", b"").decode()[:64] or uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id

        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_body_bytes:
            status, body = _problem(
                413,
                "payload-too-large",
                "Request body too large",
                f"The body may be at most {self.max_body_bytes} bytes.",
            )
            await _send_json(send, status, body, [(b"x-request-id", request_id.encode())])
            return

        received = 0
        too_large = False

        async def limited_receive() -> Message:
            nonlocal received, too_large
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body_bytes:
                    too_large = True
                    raise _BodyTooLarge
            return message

        async def send_with_id(message: Message) -> None:
            if too_large:
                # FastAPI turns the error raised while reading the body into its own 400;
                # the caller is owed the 413 sent below instead.
                return
            if message["type"] == "http.response.start":
                message["headers"] = [
                    *message.get("headers", []),
                    (b"x-request-id", request_id.encode()),
                ]
            await send(message)

        try:
            await self.app(scope, limited_receive, send_with_id)
        except _BodyTooLarge:
            too_large = True
        if too_large:
            status, body = _problem(
                413,
                "payload-too-large",
                "Request body too large",
                f"The body may be at most {self.max_body_bytes} bytes.",
            )
            await _send_json(send, status, body, [(b"x-request-id", request_id.encode())])


class _BodyTooLarge(Exception):
    pass


class IdempotencyMiddleware:
    """Replays the first answer to a POST repeated with the same Idempotency-Key.

    The key is reserved (committed) before the handler runs, so concurrent repeats get a
    409 instead of a second write; the successful answer is stored after it. A request
    that fails releases its key: it wrote nothing, so it may be retried with the same key.
    """

    def __init__(self, app: ASGIApp, ttl_hours: int) -> None:
        self.app = app
        self.ttl = timedelta(hours=ttl_hours)

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
            status, body = _problem(
                400,
                "bad-idempotency-key",
                "Invalid Idempotency-Key",
                f"The Idempotency-Key header must have 1 to {MAX_KEY_LENGTH} characters.",
            )
            await _send_json(send, status, body, [])
            return

        body = await _read_body(receive)
        scope_hash = hashlib.sha256(headers.get(b"authorization", b"")).hexdigest()
        body_hash = hashlib.sha256(scope["path"].encode() + b"\n" + body).hexdigest()
        engine: Engine = scope["app"].state.engine

        outcome = await run_in_threadpool(
            self._reserve, engine, scope_hash, key, scope["path"], body_hash
        )
        if isinstance(outcome, tuple):
            status, payload, extra = outcome
            await _send_json(send, status, payload, extra)
            return
        record_id = outcome

        captured: dict[str, Any] = {"body": b""}

        async def replay_receive() -> Message:
            return {"type": "http.request", "body": body, "more_body": False}

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

    def _reserve(
        self, engine: Engine, scope_hash: str, key: str, path: str, body_hash: str
    ) -> int | tuple[int, bytes, list[tuple[bytes, bytes]]]:
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
                return _answer_for(record, body_hash)
        status, payload = _problem(
            409,
            "idempotency-conflict",
            "Idempotency-Key in use",
            "A request with this Idempotency-Key is being processed; retry shortly.",
        )
        return status, payload, [(b"retry-after", b"1")]

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


def _answer_for(
    record: IdempotencyRecord, body_hash: str
) -> tuple[int, bytes, list[tuple[bytes, bytes]]]:
    if record.body_hash != body_hash:
        status, payload = _problem(
            409,
            "idempotency-key-reused",
            "Idempotency-Key reused",
            "This Idempotency-Key was used with a different request body or path.",
        )
        return status, payload, []
    if record.status_code is None:
        status, payload = _problem(
            409,
            "idempotency-conflict",
            "Idempotency-Key in use",
            "A request with this Idempotency-Key is being processed; retry shortly.",
        )
        return status, payload, [(b"retry-after", b"1")]
    headers = [(b"idempotent-replayed", b"true")]
    if record.location:
        headers.append((b"location", record.location.encode()))
    return record.status_code, (record.response_body or "").encode(), headers


async def _read_body(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            return b"".join(chunks)
