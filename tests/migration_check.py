"""Migration check run by CI: upgrade twice, compare with the models, downgrade to base, upgrade.

Runs on a fresh SQLite file and on a fresh PostgreSQL database. Exits non-zero on any drift.
"""

import os
import sys
import tempfile
import uuid

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from app.core.migrations import downgrade, upgrade
from app.models import metadata

POSTGRES = os.environ.get("PENTRACK_PG_SERVER", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def check(url: str) -> list[str]:
    problems = []
    upgrade(url)
    upgrade(url)  # safe to run twice
    engine = create_engine(url)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        diff = compare_metadata(context, metadata)
    if diff:
        problems.append(f"{url}: models and migrations differ: {diff}")
    downgrade(url, "base")
    with engine.connect() as connection:
        left = set(inspect(connection).get_table_names()) - {"alembic_version"}
    if left:
        problems.append(f"{url}: tables left after downgrade to base: {sorted(left)}")
    upgrade(url)
    engine.dispose()
    return problems


def main() -> int:
    problems: list[str] = []
    with tempfile.TemporaryDirectory() as folder:
        problems += check(f"sqlite:///{folder}/migration-check.db")
    name = f"pentrack_migration_{uuid.uuid4().hex[:8]}"
    admin = create_engine(make_url(POSTGRES).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        problems += check(make_url(POSTGRES).set(database=name).render_as_string(False))
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
    for problem in problems:
        print(problem, file=sys.stderr)
    print("migrations ok" if not problems else f"{len(problems)} migration problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
