"""Bearer tokens: who is let in, and how a refusal looks."""

import hashlib
import re

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.engine import Engine

from app.auth.roles import Role
from tests.factories import AUDIT, PENS, Api, lane, walk

PROBLEM = "https://pentrack.org/problems/"


def _api_routes(app: FastAPI) -> list[tuple[str, str]]:
    """Every (method, path) under /api/v1 in the OpenAPI document, path parameters filled in."""
    return sorted(
        (method.upper(), re.sub(r"\{[^}]+\}", "x", path))
        for path, operations in app.openapi()["paths"].items()
        if path.startswith("/api/v1")
        for method in operations
        if method in {"get", "post", "put", "patch", "delete"}
    )


class TestBearerToken:
    @pytest.mark.parametrize(
        "headers",
        [
            {},
            {"Authorization": "Bearer pt_not-a-real-token"},
            {"Authorization": "Bearer "},
            {"Authorization": "Basic dXNlcjpwYXNz"},
            {"Authorization": "pt_token-without-scheme"},
        ],
        ids=["missing", "unknown", "empty", "basic-scheme", "no-scheme"],
    )
    def test_missing_or_invalid_token_is_401_with_challenge(
        self, client: TestClient, headers: dict[str, str]
    ) -> None:
        response = client.get("/api/v1/countries", headers=headers)
        assert response.status_code == 401
        assert response.headers["www-authenticate"] == "Bearer"
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["type"] == PROBLEM + "unauthorized"

    def test_valid_token_is_let_in(self, api: Api) -> None:
        assert api.analyst().get("/api/v1/countries").status_code == 200

    def test_every_api_endpoint_requires_a_token(self, app: FastAPI, client: TestClient) -> None:
        routes = _api_routes(app)
        assert ("POST", f"{PENS}/x/respond") in routes
        refused = {
            (method, path): client.request(method, path, json={}).status_code
            for method, path in routes
        }
        assert set(refused.values()) == {401}, refused

    def test_unauthenticated_write_is_401_before_validation_and_writes_nothing(
        self, api: Api, client: TestClient
    ) -> None:
        de_pk = lane(api)
        audit_before = walk(api.admin, AUDIT)
        response = client.post(PENS, json=de_pk.draft_body(quantity=-1))
        assert response.status_code == 401
        assert walk(de_pk.exporting, PENS) == []
        assert walk(api.admin, AUDIT) == audit_before

    def test_tokens_are_stored_only_as_digests(self, api: Api, engine: Engine) -> None:
        analyst = api.analyst()
        with engine.connect() as connection:
            rows = [tuple(r) for r in connection.execute(text("SELECT * FROM app_user"))]
        assert not any(analyst.token in str(value) for row in rows for value in row)
        digest = hashlib.sha256(analyst.token.encode()).hexdigest()
        assert any(digest in row for row in rows)

    def test_tokens_of_different_users_differ(self, api: Api) -> None:
        tokens = {api.actor(Role.ANALYST).token for _ in range(5)}
        assert len(tokens) == 5
