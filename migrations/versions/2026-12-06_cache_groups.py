"""cache_version: users are no longer cached (their group's triggers go); authorities join the
routing group (the outbox keeps the recipients' directory with the routing rules)

Revision ID: 1a2b3c4d5e6f
Revises: 9d4e6f8a0b13
Create Date: 2026-12-06 14:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "1a2b3c4d5e6f"
down_revision: str | Sequence[str] | None = "9d4e6f8a0b13"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OPERATIONS = ("insert", "update", "delete")


def _drop(table: str) -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP TRIGGER IF EXISTS cache_bump_{table}_any ON {table}")
        return
    for operation in OPERATIONS:
        op.execute(f"DROP TRIGGER IF EXISTS cache_bump_{table}_{operation}")


def _create(table: str, group: str) -> None:
    """As migration 2026-12-01_cache_versions makes them (same names, same function)."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            f"CREATE TRIGGER cache_bump_{table}_any AFTER INSERT OR UPDATE OR DELETE "
            f"OR TRUNCATE ON {table} FOR EACH STATEMENT EXECUTE FUNCTION cache_bump('{group}')"
        )
        return
    for operation in OPERATIONS:
        op.execute(
            f"CREATE TRIGGER cache_bump_{table}_{operation} AFTER {operation.upper()} "
            f"ON {table} BEGIN UPDATE cache_version SET version = version + 1 "
            f"WHERE name = '{group}'; END"
        )


def upgrade() -> None:
    _drop("app_user")
    _drop("authority")
    _create("authority", "routing")
    op.execute("DELETE FROM cache_version WHERE name = 'auth'")


def downgrade() -> None:
    op.bulk_insert(
        sa.table("cache_version", sa.column("name", sa.String), sa.column("version", sa.Integer)),
        [{"name": "auth", "version": 1}],
    )
    _drop("authority")
    _create("authority", "auth")
    _create("app_user", "auth")
