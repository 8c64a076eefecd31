from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from app.core.config import Settings
from app.main import create_app
from tests.workspace.helpers import Browser


@pytest.fixture
def browsers(settings: Settings, engine: Engine) -> Iterator[Browser]:
    """A signed-in browser per token (plain http, so the session cookie is sent)."""
    plain = settings.model_copy(update={"session_cookie_secure": False})
    app = create_app(plain, engine=engine)
    opened: list[TestClient] = []

    def signed_in(token: str) -> TestClient:
        client = TestClient(app, follow_redirects=False)
        client.__enter__()
        opened.append(client)
        response = client.post(
            "/dashboard/sign-in",
            content=f"token={token}",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        assert response.status_code == 303, response.text
        return client

    yield signed_in
    for client in opened:
        client.__exit__(None, None, None)
