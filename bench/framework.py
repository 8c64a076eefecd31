"""What the framework costs a request before any of pentrack's own work: CPU per request of
ASGI calls made in-process (no sockets, no uvicorn), so only FastAPI/Starlette's share is timed.

    .venv/bin/python bench/framework.py [--n 3000]

Rows:
- `async endpoint`: a bare FastAPI app, `async def` endpoint (no thread hop);
- `sync endpoint`: the same, `def` endpoint (one hop to the thread pool, as the minimal
  endpoint of write_path.py);
- `sync endpoint + 3 sync deps`: four hops, like a pentrack write (session, principal, row
  lock, endpoint; the session also hops back for its commit);
- `pentrack 404`: pentrack's app (its middleware, ~80 routes) answering a path it does not have:
  the routing of FastAPI 0.16x walks every included router;
- `pentrack 401 POST send`: a PEN step without a token: routing, middleware, the session
  dependency (BEGIN IMMEDIATE on SQLite), the bearer check, the problem+json answer.
"""

import argparse
import asyncio
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from fastapi import Depends, FastAPI

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def bare_app() -> FastAPI:
    app = FastAPI()

    def one() -> int:
        return 1

    @app.get("/async")
    async def plain() -> dict[str, str]:
        return {}

    @app.get("/sync")
    def hop() -> dict[str, str]:
        return {}

    @app.get("/sync-deps")
    def hops(
        a: int = Depends(one, use_cache=False),
        b: int = Depends(one, use_cache=False),
        c: int = Depends(one, use_cache=False),
    ) -> dict[str, str]:
        return {}

    return app


async def call(app: Any, method: str, path: str) -> int:
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"bench"), (b"content-length", b"0")],
        "client": ("127.0.0.1", 1),
        "server": ("127.0.0.1", 80),
    }
    status = 0

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    await app(scope, receive, send)
    return status


async def cpu_per_request(app: Any, method: str, path: str, n: int) -> tuple[float, int]:
    for _ in range(min(n, 300)):
        status = await call(app, method, path)
    started = time.process_time()
    for _ in range(n):
        await call(app, method, path)
    return (time.process_time() - started) / n * 1e6, status


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=3000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="pentrack-framework-") as folder:
        os.environ["PENTRACK_DATABASE_URL"] = f"sqlite:///{Path(folder) / 'framework.db'}"
        os.environ.setdefault("PENTRACK_LOG_LEVEL", "warning")
        from app.core.migrations import upgrade
        from app.main import create_app

        upgrade(os.environ["PENTRACK_DATABASE_URL"])
        pentrack = create_app()
        bare = bare_app()
        rows = [
            ("async endpoint", bare, "GET", "/async"),
            ("sync endpoint", bare, "GET", "/sync"),
            ("sync endpoint + 3 sync deps", bare, "GET", "/sync-deps"),
            ("pentrack 404", pentrack, "GET", "/nowhere"),
            ("pentrack 401 POST send", pentrack, "POST", "/api/v1/pre-export-notifications/x/send"),
            ("pentrack 401 POST event", pentrack, "POST", "/api/v1/shipments/x/events"),
        ]
        print(f"{'request':<30} {'status':>6} {'CPU µs':>8}")
        for label, app, method, path in rows:
            micros, status = asyncio.run(cpu_per_request(app, method, path, args.n))
            print(f"{label:<30} {status:>6} {micros:>8.0f}")
        pentrack.state.engine.dispose()


if __name__ == "__main__":
    main()
