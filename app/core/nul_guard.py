"""NUL characters never reach the database: PostgreSQL refuses them in text (a 500 where SQLite
would store them). A request carrying one — in its path, query, headers, cookies or a JSON or
form body — is answered 422 before any handler, authentication or session runs."""

import json
from typing import Any
from urllib.parse import unquote_to_bytes

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.core.middleware import read_body
from app.core.problems import ValidationFailed, problem_response

NUL = b"\x00"


def _has_nul_text(value: Any) -> bool:
    """Whether a parsed JSON value holds a NUL in any key or string, at any depth."""
    stack = [value]
    while stack:
        current = stack.pop()
        if isinstance(current, str):
            if "\x00" in current:
                return True
        elif isinstance(current, dict):
            stack.extend(current.keys())
            stack.extend(current.values())
        elif isinstance(current, list):
            stack.extend(current)
    return False


def _where_in_request(scope: Scope) -> str | None:
    """The part of the request line or headers that carries a NUL, if one does."""
    if "\x00" in scope["path"] or NUL in unquote_to_bytes(scope.get("raw_path") or b""):
        return "path"
    if NUL in unquote_to_bytes(scope.get("query_string") or b""):
        return "query"
    for name, value in scope["headers"]:
        if NUL in value or (name == b"cookie" and NUL in unquote_to_bytes(value)):
            return f"header {name.decode('latin-1')}"
    return None


def _body_has_nul(content_type: bytes, body: bytes) -> bool:
    if content_type.startswith(b"application/json"):
        try:
            return _has_nul_text(json.loads(body))
        except (ValueError, RecursionError):
            return False  # not JSON: the handler's validation answers it
    if content_type.startswith(b"application/x-www-form-urlencoded"):
        return NUL in unquote_to_bytes(body)
    return False


class NulGuardMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        where = _where_in_request(scope)
        content_type = dict(scope["headers"]).get(b"content-type", b"").lower()
        checks_body = content_type.startswith(
            (b"application/json", b"application/x-www-form-urlencoded")
        )
        if where is None and checks_body:
            body = await read_body(receive)
            if _body_has_nul(content_type, body):
                where = "body"
            receive = _replay(body)
        if where is None:
            await self.app(scope, receive, send)
            return
        message = f"The request's {where} contains a NUL character."
        problem = ValidationFailed(
            message, errors=[{"loc": [where], "msg": message, "type": "nul_character"}]
        )
        await problem_response(problem, scope["path"].replace("\x00", ""))(scope, receive, send)


def _replay(body: bytes) -> Receive:
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return receive
