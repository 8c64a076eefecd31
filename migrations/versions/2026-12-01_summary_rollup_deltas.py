"""summary roll-ups on PostgreSQL: append-only delta rows, folded in, instead of hot-row upserts

Revision ID: 534c86f9c4aa
Revises: 7d2e9a41c5b3
Create Date: 2026-12-01 07:15:35

The statement-level triggers of 2026-11-28_summary_rollups.py upserted one row per (month,
route, substance, …) of summary_pen_month / summary_shipment_month, so concurrent writers of one
lane and month queued on that row until the first committed. They now append their signed
deltas to summary_*_delta (no key, nothing to wait on); readers add the deltas to the monthly
rows (app/dashboard/facts.py), and `summary_*_fold()` moves them into the monthly rows in one
statement (DELETE … RETURNING feeding the upsert). A trigger folds now and then (about one
statement in 32), only when no other transaction is folding (`pg_try_advisory_xact_lock`):
folds never wait on each other, and writers never touch the monthly rows. SQLite keeps the
direct upsert (one writer at a time anyway).
"""

import importlib.util
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "534c86f9c4aa"
down_revision: str | Sequence[str] | None = "7d2e9a41c5b3"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FOLD_CHANCE = 1 / 32


def _previous() -> ModuleType:
    """The revision that made the roll-ups (their keys and row expressions), from its file."""
    path = Path(__file__).with_name("2026-11-28_summary_rollups.py")
    spec = importlib.util.spec_from_file_location("summary_rollups", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _fold(rollup: str, keys: str, count: str) -> str:
    return f"""
    CREATE FUNCTION {rollup}_fold() RETURNS void LANGUAGE sql AS $$
        WITH moved AS (
            DELETE FROM {rollup}_delta RETURNING {keys}, {count}, quantity_kg
        )
        INSERT INTO {rollup} AS r ({keys}, {count}, quantity_kg)
        SELECT {keys}, sum({count}), sum(quantity_kg) FROM moved
        GROUP BY {keys}
        ORDER BY {keys}
        ON CONFLICT ({keys}) DO UPDATE
            SET {count} = r.{count} + EXCLUDED.{count},
                quantity_kg = r.quantity_kg + EXCLUDED.quantity_kg;
    $$;"""


def _sync(previous: ModuleType, rollup: str) -> str:
    _source, keys, facts, count, included = previous.ROLLUPS[rollup]

    def delta(table: str, sign: str) -> str:
        return (
            f"SELECT {facts('postgresql', 'x')}, {sign}1 AS n, {sign}x.quantity_kg AS kg "
            f"FROM {table} x WHERE x.{included}"
        )

    def append(parts: list[str]) -> str:
        return f"""
        INSERT INTO {rollup}_delta ({keys}, {count}, quantity_kg)
        SELECT {keys}, sum(n), sum(kg) FROM ({" UNION ALL ".join(parts)}) d
        GROUP BY {keys}
        HAVING sum(n) <> 0 OR sum(kg) <> 0;"""

    return f"""
    CREATE OR REPLACE FUNCTION {rollup}_sync() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'INSERT' THEN {append([delta("new_rows", "")])}
        ELSIF TG_OP = 'UPDATE' THEN {append([delta("new_rows", ""), delta("old_rows", "-")])}
        ELSE {append([delta("old_rows", "-")])}
        END IF;
        IF random() < {FOLD_CHANCE} AND pg_try_advisory_xact_lock(hashtext('{rollup}')) THEN
            PERFORM {rollup}_fold();
        END IF;
        RETURN NULL;
    END $$;"""


def _delta_table(name: str, keys: list[sa.Column], count: str) -> None:
    op.create_table(
        name,
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        *keys,
        sa.Column(count, sa.Integer(), nullable=False),
        sa.Column("quantity_kg", sa.Numeric(precision=20, scale=3), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{name}")),
    )


def _route() -> list[sa.Column]:
    return [
        sa.Column("month", sqlmodel.sql.sqltypes.AutoString(length=7), nullable=False),
        sa.Column("exporting_country", sqlmodel.sql.sqltypes.AutoString(length=2), nullable=False),
        sa.Column("importing_country", sqlmodel.sql.sqltypes.AutoString(length=2), nullable=False),
        sa.Column("transit_key", sa.Text(), nullable=False),
        sa.Column("cas_number", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
    ]


def upgrade() -> None:
    _delta_table(
        "summary_pen_month_delta",
        [
            *_route(),
            sa.Column("decision", sqlmodel.sql.sqltypes.AutoString(length=24), nullable=False),
            sa.Column("withdrawn", sa.Integer(), nullable=False),
            sa.Column("reply_days", sa.Integer(), nullable=False),
            sa.Column("replied_late", sa.Integer(), nullable=False),
            sa.Column("reply_by", sa.Date(), nullable=False),
        ],
        "pen_count",
    )
    _delta_table(
        "summary_shipment_month_delta",
        [
            *_route(),
            sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        ],
        "shipment_count",
    )
    if op.get_bind().dialect.name != "postgresql":
        return
    previous = _previous()
    for rollup, (_source, keys, _facts, count, _included) in previous.ROLLUPS.items():
        op.execute(_fold(rollup, keys, count))
        op.execute(_sync(previous, rollup))


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        previous = _previous()
        for rollup in previous.ROLLUPS:
            op.execute(f"SELECT {rollup}_fold()")
            # The previous revision's function (CREATE FUNCTION … $$ … $$; then its triggers):
            # keep only the function, as OR REPLACE.
            function = previous._postgres_sync(rollup).split("CREATE TRIGGER")[0]
            op.execute(function.replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION", 1))
            op.execute(f"DROP FUNCTION {rollup}_fold()")
    op.drop_table("summary_shipment_month_delta")
    op.drop_table("summary_pen_month_delta")
