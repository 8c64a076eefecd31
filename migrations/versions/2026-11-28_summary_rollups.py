"""summary roll-ups: monthly notification and shipment tables kept exact by triggers

Revision ID: 5d1c0e2a9b7f
Revises: 681f8e018a1e
Create Date: 2026-11-28 07:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import app.core.types  # noqa: F401

revision: str = "5d1c0e2a9b7f"
down_revision: str | Sequence[str] | None = "681f8e018a1e"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PEN_KEYS = (
    "month, exporting_country, importing_country, transit_key, cas_number, decision, "
    "withdrawn, reply_days, replied_late, reply_by"
)
SHIPMENT_KEYS = "month, exporting_country, importing_country, transit_key, cas_number, status"


def _pen_facts(dialect: str, row: str) -> str:
    """The roll-up key of one notification row (`row` is a table alias, NEW or OLD).

    Must match app/dashboard/facts.py, which reads the raw tables the same way."""
    if dialect == "postgresql":
        return f"""
            to_char(timezone('UTC', {row}.sent_at), 'YYYY-MM') AS month,
            {row}.exporting_country, {row}.importing_country,
            CAST({row}.transit_countries AS TEXT) AS transit_key,
            {row}.cas_number,
            coalesce({row}.decision, '') AS decision,
            CASE WHEN {row}.decision IS NULL AND {row}.status = 'withdrawn' THEN 1 ELSE 0 END
                AS withdrawn,
            CASE WHEN {row}.decided_at IS NOT NULL
                THEN CAST(floor(EXTRACT(epoch FROM {row}.decided_at - {row}.sent_at) / 86400)
                    AS INTEGER)
                ELSE -1 END AS reply_days,
            CASE WHEN {row}.decided_at IS NOT NULL AND {row}.reply_by IS NOT NULL
                AND CAST(timezone('UTC', {row}.decided_at) AS DATE) > {row}.reply_by
                THEN 1 ELSE 0 END AS replied_late,
            CASE WHEN {row}.decision IS NULL THEN coalesce({row}.reply_by, DATE '1900-01-01')
                ELSE DATE '1900-01-01' END AS reply_by"""
    return f"""
            strftime('%Y-%m', {row}.sent_at),
            {row}.exporting_country, {row}.importing_country,
            json({row}.transit_countries),
            {row}.cas_number,
            coalesce({row}.decision, ''),
            CASE WHEN {row}.decision IS NULL AND {row}.status = 'withdrawn' THEN 1 ELSE 0 END,
            CASE WHEN {row}.decided_at IS NOT NULL
                THEN CAST(round((julianday({row}.decided_at) - julianday({row}.sent_at))
                    * 86400000) AS INTEGER) / 86400000
                ELSE -1 END,
            CASE WHEN {row}.decided_at IS NOT NULL AND {row}.reply_by IS NOT NULL
                AND date({row}.decided_at) > {row}.reply_by THEN 1 ELSE 0 END,
            CASE WHEN {row}.decision IS NULL THEN coalesce({row}.reply_by, '1900-01-01')
                ELSE '1900-01-01' END"""


def _shipment_facts(dialect: str, row: str) -> str:
    if dialect == "postgresql":
        return f"""
            to_char(timezone('UTC', {row}.created_at), 'YYYY-MM') AS month,
            {row}.exporting_country, {row}.importing_country,
            CAST({row}.transit_countries AS TEXT) AS transit_key,
            {row}.cas_number, {row}.status"""
    return f"""
            strftime('%Y-%m', {row}.created_at),
            {row}.exporting_country, {row}.importing_country,
            json({row}.transit_countries),
            {row}.cas_number, {row}.status"""


ROLLUPS = {
    # roll-up table: (source table, key columns, facts, count column, "included" condition)
    "summary_pen_month": (
        "pre_export_notification",
        PEN_KEYS,
        _pen_facts,
        "pen_count",
        "sent_at IS NOT NULL",
    ),
    "summary_shipment_month": (
        "shipment",
        SHIPMENT_KEYS,
        _shipment_facts,
        "shipment_count",
        "id IS NOT NULL",
    ),
}


def _postgres_sync(rollup: str) -> str:
    source, keys, facts, count, included = ROLLUPS[rollup]

    def delta(table: str, sign: str) -> str:
        return (
            f"SELECT {facts('postgresql', 'x')}, {sign}1 AS n, {sign}x.quantity_kg AS kg "
            f"FROM {table} x WHERE x.{included}"
        )

    def apply(parts: list[str]) -> str:
        return f"""
        INSERT INTO {rollup} AS r ({keys}, {count}, quantity_kg)
        SELECT {keys}, sum(n), sum(kg) FROM ({" UNION ALL ".join(parts)}) d
        GROUP BY {keys}
        HAVING sum(n) <> 0 OR sum(kg) <> 0
        ORDER BY {keys}
        ON CONFLICT ({keys}) DO UPDATE
            SET {count} = r.{count} + EXCLUDED.{count},
                quantity_kg = r.quantity_kg + EXCLUDED.quantity_kg;"""

    # Rows are touched in key order, so two writers never wait on each other in a cycle.
    return f"""
    CREATE FUNCTION {rollup}_sync() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'INSERT' THEN {apply([delta("new_rows", "")])}
        ELSIF TG_OP = 'UPDATE' THEN {apply([delta("new_rows", ""), delta("old_rows", "-")])}
        ELSE {apply([delta("old_rows", "-")])}
        END IF;
        RETURN NULL;
    END $$;
    CREATE TRIGGER {rollup}_insert AFTER INSERT ON {source}
        REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION {rollup}_sync();
    CREATE TRIGGER {rollup}_update AFTER UPDATE ON {source}
        REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
        FOR EACH STATEMENT EXECUTE FUNCTION {rollup}_sync();
    CREATE TRIGGER {rollup}_delete AFTER DELETE ON {source}
        REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION {rollup}_sync();
    """


def _sqlite_sync(rollup: str) -> list[str]:
    source, keys, facts, count, included = ROLLUPS[rollup]

    def apply(row: str, sign: str) -> str:
        return f"""
        INSERT INTO {rollup} ({keys}, {count}, quantity_kg)
        SELECT {facts("sqlite", row)}, {sign}1, {sign}{row}.quantity_kg WHERE {row}.{included}
        ON CONFLICT ({keys}) DO UPDATE
            SET {count} = {count} + excluded.{count},
                quantity_kg = quantity_kg + excluded.quantity_kg;"""

    return [
        f"CREATE TRIGGER {rollup}_insert AFTER INSERT ON {source} BEGIN {apply('NEW', '')} END",
        f"CREATE TRIGGER {rollup}_update AFTER UPDATE ON {source} BEGIN "
        f"{apply('OLD', '-')} {apply('NEW', '')} END",
        f"CREATE TRIGGER {rollup}_delete AFTER DELETE ON {source} BEGIN {apply('OLD', '-')} END",
    ]


def _backfill(dialect: str, rollup: str) -> str:
    source, keys, facts, count, included = ROLLUPS[rollup]
    positions = ", ".join(str(i) for i in range(1, len(keys.split(",")) + 1))
    return (
        f"INSERT INTO {rollup} ({keys}, {count}, quantity_kg) "
        f"SELECT {facts(dialect, 'x')}, count(*), sum(x.quantity_kg) "
        f"FROM {source} x WHERE x.{included} GROUP BY {positions}"
    )


def upgrade() -> None:
    op.create_table(
        "summary_pen_month",
        sa.Column("month", sqlmodel.sql.sqltypes.AutoString(length=7), nullable=False),
        sa.Column("exporting_country", sqlmodel.sql.sqltypes.AutoString(length=2), nullable=False),
        sa.Column("importing_country", sqlmodel.sql.sqltypes.AutoString(length=2), nullable=False),
        sa.Column("transit_key", sa.Text(), nullable=False),
        sa.Column("cas_number", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column("decision", sqlmodel.sql.sqltypes.AutoString(length=24), nullable=False),
        sa.Column("withdrawn", sa.Integer(), nullable=False),
        sa.Column("reply_days", sa.Integer(), nullable=False),
        sa.Column("replied_late", sa.Integer(), nullable=False),
        sa.Column("reply_by", sa.Date(), nullable=False),
        sa.Column("pen_count", sa.Integer(), nullable=False),
        sa.Column("quantity_kg", sa.Numeric(precision=20, scale=3), nullable=False),
        sa.PrimaryKeyConstraint(
            "month",
            "exporting_country",
            "importing_country",
            "transit_key",
            "cas_number",
            "decision",
            "withdrawn",
            "reply_days",
            "replied_late",
            "reply_by",
            name=op.f("pk_summary_pen_month"),
        ),
    )
    op.create_table(
        "summary_shipment_month",
        sa.Column("month", sqlmodel.sql.sqltypes.AutoString(length=7), nullable=False),
        sa.Column("exporting_country", sqlmodel.sql.sqltypes.AutoString(length=2), nullable=False),
        sa.Column("importing_country", sqlmodel.sql.sqltypes.AutoString(length=2), nullable=False),
        sa.Column("transit_key", sa.Text(), nullable=False),
        sa.Column("cas_number", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("shipment_count", sa.Integer(), nullable=False),
        sa.Column("quantity_kg", sa.Numeric(precision=20, scale=3), nullable=False),
        sa.PrimaryKeyConstraint(
            "month",
            "exporting_country",
            "importing_country",
            "transit_key",
            "cas_number",
            "status",
            name=op.f("pk_summary_shipment_month"),
        ),
    )
    op.create_index("ix_summary_pen_sent_at", "pre_export_notification", ["sent_at"])
    op.create_index("ix_summary_shipment_created_at", "shipment", ["created_at"])
    op.create_index(
        "ix_summary_shipment_event_type_occurred", "shipment_event", ["type", "occurred_at"]
    )
    dialect = op.get_bind().dialect.name
    for rollup in ROLLUPS:
        op.execute(_backfill(dialect, rollup))
        if dialect == "postgresql":
            op.execute(_postgres_sync(rollup))
        else:
            for statement in _sqlite_sync(rollup):
                op.execute(statement)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    for rollup, (source, *_rest) in ROLLUPS.items():
        for action in ("insert", "update", "delete"):
            suffix = f" ON {source}" if dialect == "postgresql" else ""
            op.execute(f"DROP TRIGGER IF EXISTS {rollup}_{action}{suffix}")
        if dialect == "postgresql":
            op.execute(f"DROP FUNCTION IF EXISTS {rollup}_sync()")
    op.drop_index("ix_summary_shipment_event_type_occurred", table_name="shipment_event")
    op.drop_index("ix_summary_shipment_created_at", table_name="shipment")
    op.drop_index("ix_summary_pen_sent_at", table_name="pre_export_notification")
    op.drop_table("summary_shipment_month")
    op.drop_table("summary_pen_month")
