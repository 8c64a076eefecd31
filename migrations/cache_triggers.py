"""The triggers that put a table in a cache group (app/core/cache.py), as migration
2026-12-01_cache_versions first made them: same names, same `cache_bump` function. A helper of
the migrations, not a migration: migrations import it, never each other."""

from alembic import op

OPERATIONS = ("insert", "update", "delete")


def join_group(table: str, group: str) -> None:
    """Every change to `table` adds one to `group`'s row of `cache_version`, in the changing
    transaction (per statement on PostgreSQL, per row on SQLite)."""
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


def leave_group(table: str) -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP TRIGGER IF EXISTS cache_bump_{table}_any ON {table}")
        return
    for operation in OPERATIONS:
        op.execute(f"DROP TRIGGER IF EXISTS cache_bump_{table}_{operation}")
