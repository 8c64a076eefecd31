"""What the workspace's HTTP tests share: a browser's form token, a posted form, and a page
reached with a token's session cookie (for the authorization matrix)."""

import re
from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient

from app.dashboard.cookies import COOKIE_NAME
from app.workspace.access import csrf_for

Browser = Callable[[str], TestClient]


def csrf_of(client: TestClient, path: str) -> str:
    page = client.get(path)
    assert page.status_code == 200, page.text
    found = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert found, "the page has no form token"
    return found.group(1)


def post_form(client: TestClient, path: str, form: dict[str, Any], page: str) -> Any:
    return client.post(path, data={"csrf": csrf_of(client, page), **form})


def session_cookie(client: TestClient, token: str) -> str:
    """Sign in with `token` as a browser would; the session cookie's value."""
    response = client.post(
        "/dashboard/sign-in",
        content=f"token={token}",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    return str(response.cookies[COOKIE_NAME])


def page_get(client: TestClient, token: str, path: str) -> Any:
    """A workspace page as the token's user sees it in a browser (redirects not followed)."""
    cookie = session_cookie(client, token)
    return client.get(path, headers={"Cookie": f"{COOKIE_NAME}={cookie}"}, follow_redirects=False)


def page_post(client: TestClient, token: str, path: str, form: dict[str, Any]) -> Any:
    """A workspace form sent by the token's user, with its session's form token."""
    cookie = session_cookie(client, token)
    settings = client.app.state.settings  # type: ignore[attr-defined]
    return client.post(
        path,
        data={"csrf": csrf_for(settings, cookie), **form},
        headers={"Cookie": f"{COOKIE_NAME}={cookie}"},
        follow_redirects=False,
    )
