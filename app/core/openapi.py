"""The OpenAPI document, made fit for client generators.

- operationIds `tag-name` (`authorities-update-authority`), from the route's first tag and
  its function name (`operation_id`, given to FastAPI as `generate_unique_id_function`);
- every error answer documented as `application/problem+json` with the one `Problem` schema,
  422 included: FastAPI's `HTTPValidationError`/`ValidationError`, which this server never
  sends, are removed;
- the problems every operation of a kind can answer, wherever FastAPI cannot know them: 400 for an
  unreadable body, a bad cursor or a malformed Idempotency-Key, 409 for a reused key, 413 for
  a body over the limit, 403 from the industry gate, 422 from the NUL guard;
- headers documented: `Idempotency-Key` on every POST, `Location` on every 201, `Retry-After`
  on 503, `ETag` on reads and changes of resources that have a PATCH, `If-Match` (and its 412)
  on PATCH;
- a 405's `Allow` names the methods the document gives the request's path (Starlette's names
  only those of the first route whose path matched, while a path's GET and POST are separate
  routes here), a concrete path (`/rules/facts`) matched before a templated one
  (`/rules/{code}`), as OpenAPI matches a URL.
"""

import re
from typing import Any

from fastapi import FastAPI, Request
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import compile_path

from app.core.problems import PROBLEM_MEDIA_TYPE, HTTPProblem, problem_response

PROBLEM_REF = "#/components/schemas/Problem"
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


def operation_id(route: APIRoute) -> str:
    tag = str(route.tags[0]) if route.tags else "default"
    return f"{_slug(tag)}-{_slug(route.name)}"


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


class ValidationErrorItem(BaseModel):
    loc: list[str | int] = Field(description="Where the error is: body, query, path, header…")
    msg: str
    type: str


class Problem(BaseModel):
    """RFC 9457 problem details; every error answer has this shape."""

    model_config = ConfigDict(extra="allow")

    type: str = Field(description="A URI naming the kind of problem.")
    title: str
    status: int
    detail: str
    instance: str | None = Field(default=None, description="The request path.")
    errors: list[ValidationErrorItem] | None = Field(
        default=None, description="422 only: each validation error."
    )
    request_id: str | None = Field(default=None, description="500 only: quote it to support.")


HEADERS: dict[str, dict[str, Any]] = {
    "Location": {
        "description": "The path of the created resource.",
        "schema": {"type": "string"},
    },
    "Retry-After": {
        "description": "Seconds to wait before retrying.",
        "schema": {"type": "integer"},
    },
    "ETag": {
        "description": "The representation's entity tag; send it back as If-Match to change it.",
        "schema": {"type": "string"},
    },
}
IDEMPOTENCY_KEY = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "description": "Repeat a POST safely: the same key and body return the first answer and "
    "write nothing new; the same key with another body is 409.",
    "schema": {"type": "string", "minLength": 1, "maxLength": 255},
}


def install_openapi(app: FastAPI) -> None:
    """Build the document once, on first request, with the refinements above."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(
                title=app.title,
                version=app.version,
                description=app.description,
                routes=app.routes,
                tags=app.openapi_tags,
                separate_input_output_schemas=app.separate_input_output_schemas,
            )
            refine(schema)
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    app.add_exception_handler(405, _method_not_allowed)


async def _method_not_allowed(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    headers = dict(exc.headers or {})
    headers["Allow"] = ", ".join(allowed_methods(request, headers.get("Allow")))
    problem = HTTPProblem(exc.status_code, str(exc.detail) if exc.detail else "")
    return problem_response(problem, request.url.path, headers)


def allowed_methods(request: Request, named: str | None) -> list[str]:
    """The methods the document gives the request's path; `named` (Starlette's) for a path it
    does not have (the HTML pages)."""
    path = request.scope["path"]
    matches = [
        (params, methods)
        for pattern, params, methods in _documented_methods(request.app)
        if pattern.match(path)
    ]
    if not matches:
        return sorted(m.strip() for m in (named or "").split(",") if m.strip())
    fewest = min(params for params, _ in matches)
    return sorted(set().union(*(methods for params, methods in matches if params == fewest)))


def _documented_methods(app: FastAPI) -> list[tuple[Any, int, set[str]]]:
    """Each documented path as (its pattern, how many parameters it has, its methods)."""
    table: list[tuple[Any, int, set[str]]] | None = getattr(app.state, "documented_methods", None)
    if table is None:
        table = []
        for path, item in app.openapi().get("paths", {}).items():
            pattern, _, params = compile_path(path)
            table.append((pattern, len(params), {m.upper() for m in item if m in METHODS}))
        app.state.documented_methods = table
    return table


def refine(schema: dict[str, Any]) -> None:
    _rename_generics(schema)
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components.pop("HTTPValidationError", None)
    components.pop("ValidationError", None)
    components.update(_schemas_of(Problem))
    paths: dict[str, dict[str, Any]] = schema.get("paths", {})
    for path, item in paths.items():
        versioned = "patch" in item
        for method in METHODS:
            if method in item:
                _refine_operation(path, method, item[method], versioned)


GENERIC_NAME = re.compile(r"^ListResponse_(\w+?)_$")


def _rename_generics(schema: dict[str, Any]) -> None:
    """`ListResponse_AlertPublic_` becomes `AlertPublicList` (what a generated client names
    its class), and every reference to it follows."""
    components = schema.get("components", {}).get("schemas", {})
    renames = {
        name: f"{match.group(1)}List"
        for name in components
        if (match := GENERIC_NAME.match(name)) and f"{match.group(1)}List" not in components
    }
    if not renames:
        return
    for old, new in renames.items():
        components[new] = components.pop(old)
        components[new]["title"] = new
    refs = {f"#/components/schemas/{o}": f"#/components/schemas/{n}" for o, n in renames.items()}

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("$ref") in refs:
                node["$ref"] = refs[node["$ref"]]
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(schema)


def _schemas_of(model: type[BaseModel]) -> dict[str, Any]:
    generated = model.model_json_schema(ref_template="#/components/schemas/{model}")
    definitions = generated.pop("$defs", {})
    return {model.__name__: generated, **definitions}


def _refine_operation(path: str, method: str, operation: dict[str, Any], versioned: bool) -> None:
    responses: dict[str, Any] = operation.setdefault("responses", {})
    for status, response in responses.items():
        if status[:1] in ("4", "5"):
            response["content"] = {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": PROBLEM_REF}}}
            if response.get("description") in (None, "", "Problem", "Validation Error"):
                response["description"] = _describe(status)
    if path.startswith("/api/"):
        _add_response(responses, "503", header="Retry-After")
        # The NUL guard answers 422 for a NUL in any path, query or header, before the route.
        _add_response(responses, "422")
    if "401" in responses:
        # The industry gate: an `industry` user is refused every route not open to it.
        _add_response(responses, "403")
    if "requestBody" in operation:
        # A body that cannot be decoded (400) or is over the size limit (413).
        _add_response(responses, "400")
        _add_response(responses, "413")
    if any(p.get("name") == "cursor" for p in operation.get("parameters", [])):
        _add_response(responses, "400")  # a cursor this API did not hand out
    if method == "post":
        _add_parameter(operation, IDEMPOTENCY_KEY)
        # A malformed Idempotency-Key (400); the key in use or reused with another body (409).
        _add_response(responses, "400")
        _add_response(responses, "409")
    if "201" in responses:
        _add_header(responses["201"], "Location")
    if versioned and method in ("get", "patch") and "200" in responses:
        _add_header(responses["200"], "ETag")
    if method == "patch" and any(
        p.get("name", "").lower() == "if-match" for p in operation.get("parameters", [])
    ):
        _add_response(responses, "412")


def _add_response(responses: dict[str, Any], status: str, header: str | None = None) -> None:
    response = responses.setdefault(
        status,
        {
            "description": _describe(status),
            "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": PROBLEM_REF}}},
        },
    )
    if header:
        _add_header(response, header)


def _add_header(response: dict[str, Any], name: str) -> None:
    response.setdefault("headers", {})[name] = HEADERS[name]


def _add_parameter(operation: dict[str, Any], parameter: dict[str, Any]) -> None:
    parameters = operation.setdefault("parameters", [])
    if not any(p.get("name", "").lower() == parameter["name"].lower() for p in parameters):
        parameters.append(parameter)


DESCRIPTIONS: dict[str, str] = {
    "400": "Bad request (problem)",
    "401": "Authentication required (problem)",
    "403": "Not allowed (problem)",
    "404": "Not found, or not visible to the caller (problem)",
    "409": "Conflict with the current state (problem)",
    "412": "If-Match does not name the current version (problem)",
    "413": "Request body too large (problem)",
    "422": "Validation failed; `errors` lists each error (problem)",
    "503": "Database busy or unavailable; retry after Retry-After (problem)",
}


def _describe(status: str) -> str:
    return DESCRIPTIONS.get(status, "Problem")
