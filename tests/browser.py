"""What the browser tests share: one demo database, one server and one Chromium for the whole
run (the dashboard's and the workspace's tests alike), pages that collect console errors."""

import importlib.util
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest

from app.core.config import Settings
from app.core.db import build_engine
from app.core.migrations import upgrade
from seed.loader import seed_reference

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
LAUNCH_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

needs_chromium = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium"
)


def free_port() -> int:
    with closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def pentrack(database_url: str, *args: str) -> str:
    result = subprocess.run(
        [str(Path(sys.executable).parent / "pentrack"), *args],
        env={**os.environ, "PENTRACK_DATABASE_URL": database_url},
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
    )
    return result.stdout


@pytest.fixture(scope="session")
def demo_database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, int]]:
    """A database of its own with demo data, and the year the data falls in."""
    server = os.environ.get("PENTRACK_TEST_DATABASE_URL")
    if server and server.startswith("postgresql"):
        from tests.conftest import _drop_postgres, _fresh_postgres

        url, name = _fresh_postgres(server)
    else:
        url, name = f"sqlite:///{tmp_path_factory.mktemp('browser') / 'demo.db'}", ""
    upgrade(url)
    if importlib.util.find_spec("seed.demo") is not None:
        pentrack(url, "seed", "--demo")
        year = datetime.now(UTC).year
    else:
        # Until the demo generator lands: the summaries tests' scenario, through the API.
        from fastapi.testclient import TestClient

        from app.main import create_app
        from tests.dashboard.scenario import YEAR, build
        from tests.factories import Api

        engine = build_engine(Settings(database_url=url))
        seed_reference(engine)
        with TestClient(create_app(Settings(database_url=url), engine=engine)) as client:
            build(Api(client, engine))
        engine.dispose()
        year = YEAR
    yield url, year
    if name and server:
        _drop_postgres(server, name)


@contextmanager
def serving(database_url: str) -> Iterator[str]:
    """`pentrack`'s app under uvicorn on a free port of 127.0.0.1, on `database_url`; its base
    URL once it answers /healthz (the test fails clearly if it never does)."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "app.main:create_app", "--factory",
         "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"],
        env={**os.environ, "PENTRACK_DATABASE_URL": database_url},
        cwd=ROOT,
        start_new_session=True,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while not _answers(base):
            if process.poll() is not None:
                pytest.fail("the server exited on start")
            if time.monotonic() > deadline:
                pytest.fail("the server did not answer /healthz within 60 s")
            time.sleep(0.1)
        yield base
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=10)


def _answers(base: str) -> bool:
    try:
        return httpx.get(f"{base}/healthz", timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


@pytest.fixture(scope="session")
def demo_server(demo_database: tuple[str, int]) -> Iterator[str]:
    url, _ = demo_database
    with serving(url) as base:
        yield base


@pytest.fixture(scope="session")
def analyst_token(demo_database: tuple[str, int]) -> str:
    url, _ = demo_database
    return (
        pentrack(url, "token", "create", "--role", "analyst", "--name", "browser test")
        .strip()
        .splitlines()[-1]
    )


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    """One Chromium for the whole run."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=LAUNCH_ARGS, headless=True
        )
        yield launched
        launched.close()


def watched_page(chromium: Any, problems: list[str], **options: Any) -> Any:
    """A new page whose console errors, page errors and failed requests land in `problems`
    (a request the page itself aborted, superseded by a newer one, is not a failure)."""
    context = chromium.new_context(accept_downloads=True, **options)
    page = context.new_page()
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on(
        "requestfailed",
        lambda r: None if r.failure == "net::ERR_ABORTED" else problems.append(f"failed: {r.url}"),
    )
    return page


def sign_in_page(page: Any, server: str, token: str, path: str = "/dashboard") -> None:
    page.goto(f"{server}/sign-in?next={quote(path)}")
    page.fill("#token", token)
    page.click("button[type=submit]")
    page.wait_for_url(f"{server}{path}*")


def regulator_token(demo_database: tuple[str, int], country: str, role: str = "regulator") -> str:
    url, _ = demo_database
    authority = f"{country.lower()}-{role}"
    return (
        pentrack(url, "token", "create", "--role", role, "--authority", authority)
        .strip()
        .splitlines()[-1]
    )
