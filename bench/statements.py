"""SQL statements and in-process time per request of the write path, without a server.

    .venv/bin/python bench/statements.py --chains 50            # SQLite in a temporary folder
    .venv/bin/python bench/statements.py --database-url postgresql+psycopg://…/db --chains 50

Runs the write chains of `write_path.py` (draft, send, respond, shipment, three transit events)
through the app in-process (Starlette's TestClient), counts the SQL statements each kind of
request sends and the flags it raises, and prints the median in-process time per request. The
statements of the last chain are printed with `--show`. Use it to see what a change to the
write path removes; `write_path.py` is the benchmark.
"""

import argparse
import logging
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import event, func, select
from sqlalchemy.engine import Engine

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from load import PEN_PATH, SHIPMENT_PATH, TRANSIT_EVENTS, pen_body, shipment_body

from app.alerts.defaults import seed_default_routing
from app.auth.roles import Role
from app.auth.service import create_user
from app.core.config import Settings
from app.core.db import build_engine, open_session
from app.core.migrations import upgrade
from app.main import create_app
from app.rules.models import Flag
from app.rules.service import seed_builtin_rules
from seed.loader import seed_reference


class Counter:
    def __init__(self, engine: Engine) -> None:
        self.count = 0
        self.statements: list[str] = []
        event.listen(engine, "before_cursor_execute", self._on_execute)

    def _on_execute(self, *args: Any) -> None:
        self.count += 1
        self.statements.append(" ".join(str(args[2]).split())[:160])

    def reset(self) -> None:
        self.count = 0
        self.statements = []


def token(engine: Engine, role: Role, authority_id: str | None) -> str:
    with open_session(engine, write=True) as session:
        _user, raw = create_user(session, role=role, authority_id=authority_id, name=None)
        session.commit()
    return raw


def prepared_database(url: str) -> tuple[Settings, Engine]:
    """An empty database migrated and seeded as `pentrack seed` does (reference data, built-in
    rules, default routing), and an engine on it."""
    upgrade(url)
    settings = Settings(database_url=url)
    engine = build_engine(settings)
    seed_reference(engine)
    with open_session(engine, write=True) as session:
        seed_builtin_rules(session)
        seed_default_routing(session)
        session.commit()
    return settings, engine


def main() -> None:
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpx2").setLevel(logging.WARNING)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="an empty database (default: SQLite in /tmp)")
    parser.add_argument("--chains", type=int, default=50)
    parser.add_argument("--show", action="store_true", help="print the last chain's statements")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="pentrack-statements-") as folder:
        url = args.database_url or f"sqlite:///{Path(folder) / 'statements.db'}"
        settings, engine = prepared_database(url)
        run(engine, settings, args)
        engine.dispose()


def run(engine: Engine, settings: Settings, args: argparse.Namespace) -> None:
    admin = token(engine, Role.ADMIN, None)
    client = TestClient(create_app(settings, engine))
    client.headers["Authorization"] = f"Bearer {admin}"

    def created(path: str, body: dict[str, Any], bearer: str | None = None) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {bearer}"} if bearer else {}
        response = client.post(path, json=body, headers=headers)
        assert response.status_code in (200, 201), response.text
        return dict(response.json())

    authority = {
        (country, kind): created(
            "/api/v1/authorities", {"country": country, "name": f"{country} {kind}", "kind": kind}
        )["id"]
        for country, kind in (("DE", "regulator"), ("PK", "regulator"), ("AE", "customs"))
    }
    exporter = created(
        "/api/v1/operators", {"name": "Rheinchemie GmbH", "country": "DE", "address": "Hamburg"}
    )["id"]
    importer = created(
        "/api/v1/operators", {"name": "Indus Textiles Ltd", "country": "PK", "address": "Karachi"}
    )["id"]
    de = token(engine, Role.REGULATOR, authority[("DE", "regulator")])
    pk = token(engine, Role.REGULATOR, authority[("PK", "regulator")])
    ae = token(engine, Role.CUSTOMS, authority[("AE", "customs")])

    counter = Counter(engine)
    counts: dict[str, list[int]] = defaultdict(list)
    seconds: dict[str, list[float]] = defaultdict(list)
    statements: dict[str, list[str]] = {}

    def timed(kind: str, path: str, body: dict[str, Any] | None, bearer: str) -> dict[str, Any]:
        counter.reset()
        started = time.perf_counter()
        response = client.post(path, json=body, headers={"Authorization": f"Bearer {bearer}"})
        seconds[kind].append(time.perf_counter() - started)
        assert response.status_code in (200, 201), response.text
        counts[kind].append(counter.count)
        statements[kind] = counter.statements
        return dict(response.json())

    for index in range(args.chains):
        pen = timed("create_pen", PEN_PATH, pen_body(exporter, importer), de)
        timed("send", f"{PEN_PATH}/{pen['id']}/send", None, de)
        timed("respond", f"{PEN_PATH}/{pen['id']}/respond", {"decision": "no_objection"}, pk)
        shipment = timed(
            "create_shipment", SHIPMENT_PATH, shipment_body(pen, f"AE-BENCH-{index:06d}"), ae
        )
        for event_type in TRANSIT_EVENTS:
            body = {"type": event_type, "country": "AE", "location": "Jebel Ali"}
            body["occurred_at"] = "2026-01-01T00:00:00Z"
            timed("event", f"{SHIPMENT_PATH}/{shipment['id']}/events", body, ae)

    with open_session(engine) as session:
        flags = session.execute(select(Flag.rule, func.count()).group_by(Flag.rule)).all()
    print(f"{engine.dialect.name}: {args.chains} chains, in-process (TestClient)")
    print(f"{'kind':<16} {'statements':>10} {'median ms':>10}")
    for kind in ("create_pen", "send", "respond", "create_shipment", "event"):
        median_ms = statistics.median(seconds[kind]) * 1000
        print(f"{kind:<16} {statistics.median(counts[kind]):>10} {median_ms:>10.2f}")
    print("flags raised:", ", ".join(f"{rule} {n}" for rule, n in flags) or "none")
    if args.show:
        for kind, lines in statements.items():
            print(f"\n-- {kind} ({len(lines)})")
            print("\n".join(lines))


if __name__ == "__main__":
    main()
