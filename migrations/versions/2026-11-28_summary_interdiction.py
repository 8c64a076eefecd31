"""summary_shipment_interdiction: every stop and seizure beside its shipment's route, by triggers

Revision ID: 9c4b2e7f1a65
Revises: 7a3e5c1d9f20
Create Date: 2026-11-28 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import app.core.types

revision: str = "9c4b2e7f1a65"
down_revision: str | Sequence[str] | None = "7a3e5c1d9f20"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE = "summary_shipment_interdiction"
COLUMNS = (
    "event_id, shipment_id, event_type, country, exporting_country, importing_country, "
    "transit_key, cas_number, quantity_kg, occurred_at"
)
# Shipment columns the table copies: a change to one of them refreshes the shipment's rows.
SHIPMENT_COLUMNS = (
    "exporting_country",
    "importing_country",
    "transit_countries",
    "cas_number",
    "quantity_kg",
)


def _rows(dialect: str, where: str, source: str = "shipment_event", lock: str = "") -> str:
    """The table's rows for the stop and seizure events matching `where` (on `source` e).
    Must match app/dashboard/rollups.py:interdiction_events."""
    transit = (
        "CAST(s.transit_countries AS TEXT)"
        if dialect == "postgresql"
        else "json(s.transit_countries)"
    )
    return (
        f"SELECT e.id, e.shipment_id, e.type, e.country, s.exporting_country, "
        f"s.importing_country, {transit}, s.cas_number, "
        "COALESCE(e.quantity_observed_kg, s.quantity_kg), e.occurred_at "
        f"FROM {source} e JOIN shipment s ON s.id = e.shipment_id "
        f"WHERE e.type IN ('stopped', 'seized') AND {where}{lock}"
    )


def _postgres() -> str:
    changed = " OR ".join(f"n.{c} IS DISTINCT FROM o.{c}" for c in SHIPMENT_COLUMNS)
    return f"""
    CREATE FUNCTION {TABLE}_event_sync() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP IN ('UPDATE', 'DELETE') THEN
            DELETE FROM {TABLE} WHERE event_id IN (SELECT id FROM old_rows);
        END IF;
        -- FOR SHARE: a concurrent change to the shipment's copied columns waits for this
        -- transaction (and its trigger then sees these events), or this one reads its result.
        IF TG_OP IN ('INSERT', 'UPDATE') THEN
            INSERT INTO {TABLE} ({COLUMNS})
            {_rows("postgresql", "TRUE", "new_rows", " FOR SHARE OF s")};
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
    DECLARE
        ids varchar[];
    BEGIN
        IF TG_OP = 'UPDATE' THEN
            ids := ARRAY(SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id
                WHERE {changed} ORDER BY 1);
            IF cardinality(ids) > 0 THEN
                DELETE FROM {TABLE} WHERE shipment_id = ANY(ids);
                INSERT INTO {TABLE} ({COLUMNS})
                {_rows("postgresql", "e.shipment_id = ANY(ids)")};
            END IF;
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
    """


def _sqlite() -> list[str]:
    columns = ", ".join(SHIPMENT_COLUMNS)
    return [
        f"CREATE TRIGGER {TABLE}_event_insert AFTER INSERT ON shipment_event "
        f"WHEN NEW.type IN ('stopped', 'seized') BEGIN "
        f"INSERT INTO {TABLE} ({COLUMNS}) {_rows('sqlite', 'e.id = NEW.id')}; END",
        f"CREATE TRIGGER {TABLE}_event_update AFTER UPDATE ON shipment_event BEGIN "
        f"DELETE FROM {TABLE} WHERE event_id = OLD.id; "
        f"INSERT INTO {TABLE} ({COLUMNS}) {_rows('sqlite', 'e.id = NEW.id')}; END",
        f"CREATE TRIGGER {TABLE}_event_delete AFTER DELETE ON shipment_event "
        f"BEGIN DELETE FROM {TABLE} WHERE event_id = OLD.id; END",
        f"CREATE TRIGGER {TABLE}_shipment_update AFTER UPDATE OF {columns} ON shipment BEGIN "
        f"DELETE FROM {TABLE} WHERE shipment_id = OLD.id; "
        f"INSERT INTO {TABLE} ({COLUMNS}) {_rows('sqlite', 'e.shipment_id = NEW.id')}; END",
        f"CREATE TRIGGER {TABLE}_shipment_delete AFTER DELETE ON shipment "
        f"BEGIN DELETE FROM {TABLE} WHERE shipment_id = OLD.id; END",
    ]


def upgrade() -> None:
    op.create_table(
        TABLE,
        sa.Column("event_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("shipment_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("event_type", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("country", sqlmodel.sql.sqltypes.AutoString(length=2), nullable=False),
        sa.Column("exporting_country", sqlmodel.sql.sqltypes.AutoString(length=2), nullable=False),
        sa.Column("importing_country", sqlmodel.sql.sqltypes.AutoString(length=2), nullable=False),
        sa.Column("transit_key", sa.Text(), nullable=False),
        sa.Column("cas_number", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column("quantity_kg", sa.Numeric(precision=18, scale=3), nullable=False),
        sa.Column("occurred_at", app.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("event_id", name=op.f("pk_summary_shipment_interdiction")),
    )
    op.create_index("ix_summary_shipment_interdiction_occurred", TABLE, ["occurred_at"])
    op.create_index("ix_summary_shipment_interdiction_shipment", TABLE, ["shipment_id"])
    dialect = op.get_bind().dialect.name
    op.execute(f"INSERT INTO {TABLE} ({COLUMNS}) {_rows(dialect, 'TRUE')}")
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
    }
    for name, source in triggers.items():
        suffix = f" ON {source}" if dialect == "postgresql" else ""
        op.execute(f"DROP TRIGGER IF EXISTS {TABLE}_{name}{suffix}")
    if dialect == "postgresql":
        for function in ("event_sync()", "shipment_sync()"):
            op.execute(f"DROP FUNCTION IF EXISTS {TABLE}_{function}")
    op.drop_index("ix_summary_shipment_interdiction_shipment", table_name=TABLE)
    op.drop_index("ix_summary_shipment_interdiction_occurred", table_name=TABLE)
    op.drop_table(TABLE)
