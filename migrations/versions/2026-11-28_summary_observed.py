"""summary_shipment_observed: the latest observed quantity per shipment, kept by triggers

Revision ID: 7a3e5c1d9f20
Revises: 5d1c0e2a9b7f
Create Date: 2026-11-28 08:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import app.core.types

revision: str = "7a3e5c1d9f20"
down_revision: str | Sequence[str] | None = "5d1c0e2a9b7f"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE = "summary_shipment_observed"
COLUMNS = (
    "shipment_id, pen_id, exporting_country, importing_country, transit_key, cas_number, "
    "notified_kg, declared_kg, observed_kg, occurred_at, recorded_at, event_id"
)
# Shipment columns the table copies: a change to one of them refreshes the shipment's row.
SHIPMENT_COLUMNS = (
    "notification_id",
    "exporting_country",
    "importing_country",
    "transit_countries",
    "cas_number",
    "quantity_kg",
)


def _latest(dialect: str, where: str, per_shipment: bool) -> str:
    """The latest observation of each shipment matching `where` (on shipment_event e), with the
    shipment's route and quantities. Must match app/dashboard/rollups.py:latest_observations."""
    transit = (
        "CAST(s.transit_countries AS TEXT)"
        if dialect == "postgresql"
        else "json(s.transit_countries)"
    )
    columns = (
        f"e.shipment_id, s.notification_id, s.exporting_country, s.importing_country, {transit}, "
        "s.cas_number, p.quantity_kg, s.quantity_kg, e.quantity_observed_kg, e.occurred_at, "
        "e.created_at, e.id"
    )
    source = (
        "FROM shipment_event e JOIN shipment s ON s.id = e.shipment_id "
        "LEFT JOIN pre_export_notification p ON p.id = s.notification_id "
        f"WHERE e.quantity_observed_kg IS NOT NULL AND {where}"
    )
    if per_shipment and dialect == "postgresql":
        return (
            f"SELECT DISTINCT ON (e.shipment_id) {columns} {source} "
            "ORDER BY e.shipment_id, e.created_at DESC, e.id DESC"
        )
    if per_shipment:  # one shipment (SQLite row triggers)
        return f"SELECT {columns} {source} ORDER BY e.created_at DESC, e.id DESC LIMIT 1"
    aliased = ", ".join(
        f"{expression} AS {name.strip()}"
        for expression, name in zip(_split(columns), COLUMNS.split(","), strict=True)
    )
    return (
        f"SELECT {COLUMNS} FROM (SELECT {aliased}, row_number() OVER (PARTITION BY e.shipment_id "
        f"ORDER BY e.created_at DESC, e.id DESC) AS rank {source}) AS x WHERE rank = 1"
    )


def _split(columns: str) -> list[str]:
    """The expressions of a select list (no commas inside parentheses)."""
    parts, depth, current = [], 0, ""
    for char in columns:
        depth += {"(": 1, ")": -1}.get(char, 0)
        if char == "," and depth == 0:
            parts.append(current.strip())
            current = ""
        else:
            current += char
    return [*parts, current.strip()]


def _postgres() -> str:
    updates = ", ".join(f"{c.strip()} = EXCLUDED.{c.strip()}" for c in COLUMNS.split(",")[1:])
    changed = " OR ".join(f"n.{c} IS DISTINCT FROM o.{c}" for c in SHIPMENT_COLUMNS)
    return f"""
    CREATE FUNCTION {TABLE}_refresh(ids varchar[], fresh boolean) RETURNS void
    LANGUAGE plpgsql AS $$
    BEGIN
        -- fresh: rows may lose their latest observation (an event updated or deleted), so start
        -- again; otherwise the latest only moves forward, which concurrent writers agree on.
        IF fresh THEN
            DELETE FROM {TABLE} WHERE shipment_id = ANY(ids);
        END IF;
        INSERT INTO {TABLE} AS r ({COLUMNS})
        {_latest("postgresql", "e.shipment_id = ANY(ids)", True)}
        ON CONFLICT (shipment_id) DO UPDATE SET {updates}
        WHERE (EXCLUDED.recorded_at, EXCLUDED.event_id) >= (r.recorded_at, r.event_id);
    END $$;

    CREATE FUNCTION {TABLE}_event_sync() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'INSERT' THEN
            PERFORM {TABLE}_refresh(ARRAY(SELECT DISTINCT shipment_id FROM new_rows
                WHERE quantity_observed_kg IS NOT NULL ORDER BY 1), false);
        ELSIF TG_OP = 'UPDATE' THEN
            PERFORM {TABLE}_refresh(ARRAY(SELECT shipment_id FROM old_rows
                UNION SELECT shipment_id FROM new_rows ORDER BY 1), true);
        ELSE
            PERFORM {TABLE}_refresh(ARRAY(SELECT DISTINCT shipment_id FROM old_rows ORDER BY 1),
                true);
        END IF;
        RETURN NULL;
    END $$;
    CREATE TRIGGER {TABLE}_event_insert AFTER INSERT ON shipment_event
        REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION {TABLE}_event_sync();
    CREATE TRIGGER {TABLE}_event_update AFTER UPDATE ON shipment_event
        REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
        FOR EACH STATEMENT EXECUTE FUNCTION {TABLE}_event_sync();
    CREATE TRIGGER {TABLE}_event_delete AFTER DELETE ON shipment_event
        REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION {TABLE}_event_sync();

    CREATE FUNCTION {TABLE}_shipment_sync() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'UPDATE' THEN
            PERFORM {TABLE}_refresh(ARRAY(SELECT n.id FROM new_rows n JOIN old_rows o
                ON o.id = n.id WHERE {changed} ORDER BY 1), false);
        ELSE
            DELETE FROM {TABLE} WHERE shipment_id IN (SELECT id FROM old_rows);
        END IF;
        RETURN NULL;
    END $$;
    CREATE TRIGGER {TABLE}_shipment_update AFTER UPDATE ON shipment
        REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
        FOR EACH STATEMENT EXECUTE FUNCTION {TABLE}_shipment_sync();
    CREATE TRIGGER {TABLE}_shipment_delete AFTER DELETE ON shipment
        REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION {TABLE}_shipment_sync();

    CREATE FUNCTION {TABLE}_pen_sync() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        PERFORM {TABLE}_refresh(ARRAY(SELECT s.id FROM new_rows n JOIN old_rows o ON o.id = n.id
            JOIN shipment s ON s.notification_id = n.id
            WHERE n.quantity_kg IS DISTINCT FROM o.quantity_kg ORDER BY 1), false);
        RETURN NULL;
    END $$;
    CREATE TRIGGER {TABLE}_pen_update AFTER UPDATE ON pre_export_notification
        REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
        FOR EACH STATEMENT EXECUTE FUNCTION {TABLE}_pen_sync();
    """


def _sqlite() -> list[str]:
    def refresh(shipment_id: str) -> str:
        return (
            f"DELETE FROM {TABLE} WHERE shipment_id = {shipment_id}; "
            f"INSERT INTO {TABLE} ({COLUMNS}) "
            f"{_latest('sqlite', f'e.shipment_id = {shipment_id}', True)};"
        )

    columns = ", ".join(SHIPMENT_COLUMNS)
    return [
        f"CREATE TRIGGER {TABLE}_event_insert AFTER INSERT ON shipment_event "
        f"WHEN NEW.quantity_observed_kg IS NOT NULL BEGIN {refresh('NEW.shipment_id')} END",
        f"CREATE TRIGGER {TABLE}_event_update AFTER UPDATE ON shipment_event "
        f"BEGIN {refresh('OLD.shipment_id')} {refresh('NEW.shipment_id')} END",
        f"CREATE TRIGGER {TABLE}_event_delete AFTER DELETE ON shipment_event "
        f"BEGIN {refresh('OLD.shipment_id')} END",
        f"CREATE TRIGGER {TABLE}_shipment_update AFTER UPDATE OF {columns} ON shipment "
        f"BEGIN {refresh('NEW.id')} END",
        f"CREATE TRIGGER {TABLE}_shipment_delete AFTER DELETE ON shipment "
        f"BEGIN DELETE FROM {TABLE} WHERE shipment_id = OLD.id; END",
        f"CREATE TRIGGER {TABLE}_pen_update AFTER UPDATE OF quantity_kg "
        f"ON pre_export_notification BEGIN UPDATE {TABLE} SET notified_kg = NEW.quantity_kg "
        f"WHERE shipment_id IN (SELECT id FROM shipment WHERE notification_id = NEW.id); END",
    ]


def upgrade() -> None:
    op.create_table(
        TABLE,
        sa.Column("shipment_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("pen_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
        sa.Column("exporting_country", sqlmodel.sql.sqltypes.AutoString(length=2), nullable=False),
        sa.Column("importing_country", sqlmodel.sql.sqltypes.AutoString(length=2), nullable=False),
        sa.Column("transit_key", sa.Text(), nullable=False),
        sa.Column("cas_number", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column("notified_kg", sa.Numeric(precision=18, scale=3), nullable=True),
        sa.Column("declared_kg", sa.Numeric(precision=18, scale=3), nullable=False),
        sa.Column("observed_kg", sa.Numeric(precision=18, scale=3), nullable=False),
        sa.Column("occurred_at", app.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("recorded_at", app.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("event_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.PrimaryKeyConstraint("shipment_id", name=op.f("pk_summary_shipment_observed")),
    )
    op.create_index(
        "ix_summary_shipment_observed_occurred",
        TABLE,
        ["occurred_at"],
        postgresql_where=sa.text("pen_id IS NOT NULL"),
        sqlite_where=sa.text("pen_id IS NOT NULL"),
    )
    dialect = op.get_bind().dialect.name
    op.execute(f"INSERT INTO {TABLE} ({COLUMNS}) {_latest(dialect, 'TRUE', False)}")
    if dialect == "postgresql":
        op.execute(_postgres())
    else:
        for statement in _sqlite():
            op.execute(statement)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    triggers = {
        "event_insert": "shipment_event",
        "event_update": "shipment_event",
        "event_delete": "shipment_event",
        "shipment_update": "shipment",
        "shipment_delete": "shipment",
        "pen_update": "pre_export_notification",
    }
    for name, source in triggers.items():
        suffix = f" ON {source}" if dialect == "postgresql" else ""
        op.execute(f"DROP TRIGGER IF EXISTS {TABLE}_{name}{suffix}")
    if dialect == "postgresql":
        for function in ("event_sync()", "shipment_sync()", "pen_sync()"):
            op.execute(f"DROP FUNCTION IF EXISTS {TABLE}_{function}")
        op.execute(f"DROP FUNCTION IF EXISTS {TABLE}_refresh(varchar[], boolean)")
    op.drop_index("ix_summary_shipment_observed_occurred", table_name=TABLE)
    op.drop_table(TABLE)
