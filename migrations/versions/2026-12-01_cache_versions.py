"""cache_version: one row per group of rarely changing tables, bumped by triggers

The per-process caches of app/core/cache.py (tokens, reference data, rules, routing) compare
the version they were loaded at with this table. Triggers on every cached table add one to
their group's version in the changing transaction, whoever writes (API, CLI, psql).

Revision ID: 3f6c1d2a9b70
Revises: 681f8e018a1e
Create Date: 2026-12-01 07:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "3f6c1d2a9b70"
down_revision: str | Sequence[str] | None = "681f8e018a1e"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Must match app/core/cache.py: GROUPS.
GROUPS = {
    "auth": ("app_user", "authority"),
    "reference": ("country", "substance", "pen_requirement"),
    "rules": ("rule",),
    "routing": ("routing_rule", "peer"),
}
OPERATIONS = ("insert", "update", "delete")


def _trigger(table: str, operation: str) -> str:
    return f"cache_bump_{table}_{operation}"


def upgrade() -> None:
    op.create_table(
        "cache_version",
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )
    op.bulk_insert(
        sa.table("cache_version", sa.column("name", sa.String), sa.column("version", sa.Integer)),
        [{"name": group, "version": 1} for group in GROUPS],
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION cache_bump() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            "UPDATE cache_version SET version = version + 1 WHERE name = TG_ARGV[0]; "
            "RETURN NULL; END $$"
        )
        for group, tables in GROUPS.items():
            for table in tables:
                op.execute(
                    f"CREATE TRIGGER {_trigger(table, 'any')} AFTER INSERT OR UPDATE OR DELETE "
                    f"OR TRUNCATE ON {table} FOR EACH STATEMENT "
                    f"EXECUTE FUNCTION cache_bump('{group}')"
                )
        return
    for group, tables in GROUPS.items():
        for table in tables:
            for operation in OPERATIONS:
                op.execute(
                    f"CREATE TRIGGER {_trigger(table, operation)} AFTER {operation.upper()} "
                    f"ON {table} BEGIN UPDATE cache_version SET version = version + 1 "
                    f"WHERE name = '{group}'; END"
                )


def downgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    for tables in GROUPS.values():
        for table in tables:
            if postgres:
                op.execute(f"DROP TRIGGER IF EXISTS {_trigger(table, 'any')} ON {table}")
                continue
            for operation in OPERATIONS:
                op.execute(f"DROP TRIGGER IF EXISTS {_trigger(table, operation)}")
    if postgres:
        op.execute("DROP FUNCTION IF EXISTS cache_bump()")
    op.drop_table("cache_version")
