"""summary_shipment_interdiction: solo flags, so the summary groups only the repeated stops

solo_in_country = 1: the only event of its (shipment, event type, country); solo_in_type = 1: the
only event of its (shipment, event type). Neither depends on the period, so the stopped and seized
summary counts and sums solo rows straight away and groups per shipment only the others.

Revision ID: b5d8e3a0c247
Revises: 9c4b2e7f1a65
Create Date: 2026-11-28 10:00:00
"""

import importlib.util
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

import sqlalchemy as sa
from alembic import op

revision: str = "b5d8e3a0c247"
down_revision: str | Sequence[str] | None = "9c4b2e7f1a65"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE = "summary_shipment_interdiction"
INDEX = "ix_summary_shipment_interdiction_repeated"
TRIGGERS = {
    "event_insert": "shipment_event",
    "event_update": "shipment_event",
    "event_delete": "shipment_event",
    "shipment_update": "shipment",
    "shipment_delete": "shipment",
}


def _previous() -> ModuleType:
    """The revision before (its rows and triggers), loaded from its file."""
    path = Path(__file__).with_name("2026-11-28_summary_interdiction.py")
    spec = importlib.util.spec_from_file_location("summary_interdiction_9c4b2e7f1a65", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _flags(where: str) -> str:
    """Recompute both flags of the rows matching `where`. Must match
    app/dashboard/rollups.py:interdiction_events."""
    same = f"x.shipment_id = {TABLE}.shipment_id AND x.event_type = {TABLE}.event_type"
    return (
        f"UPDATE {TABLE} SET "
        f"solo_in_country = CASE WHEN (SELECT count(*) FROM {TABLE} x WHERE {same} "
        f"AND x.country = {TABLE}.country) = 1 THEN 1 ELSE 0 END, "
        f"solo_in_type = CASE WHEN (SELECT count(*) FROM {TABLE} x WHERE {same}) = 1 "
        f"THEN 1 ELSE 0 END WHERE {where}"
    )


def _postgres(previous: ModuleType) -> str:
    rows = previous._rows
    changed = " OR ".join(f"n.{c} IS DISTINCT FROM o.{c}" for c in previous.SHIPMENT_COLUMNS)
    columns = previous.COLUMNS
    return f"""
    CREATE OR REPLACE FUNCTION {TABLE}_event_sync() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
        ids varchar[];
    BEGIN
        IF TG_OP = 'INSERT' THEN
            ids := ARRAY(SELECT DISTINCT shipment_id FROM new_rows ORDER BY 1);
        ELSIF TG_OP = 'UPDATE' THEN
            ids := ARRAY(SELECT shipment_id FROM old_rows UNION SELECT shipment_id FROM new_rows
                ORDER BY 1);
        ELSE
            ids := ARRAY(SELECT DISTINCT shipment_id FROM old_rows ORDER BY 1);
        END IF;
        -- The shipments' rows are locked (in id order) before anything is read, so that
        -- concurrent writers of one shipment's events take turns and each sees the other's rows
        -- when it counts them for the flags (the API holds this lock already).
        PERFORM 1 FROM shipment WHERE id = ANY(ids) ORDER BY id FOR NO KEY UPDATE;
        IF TG_OP IN ('UPDATE', 'DELETE') THEN
            DELETE FROM {TABLE} WHERE event_id IN (SELECT id FROM old_rows);
        END IF;
        IF TG_OP IN ('INSERT', 'UPDATE') THEN
            INSERT INTO {TABLE} ({columns}) {rows("postgresql", "TRUE", "new_rows")};
        END IF;
        {_flags("shipment_id = ANY(ids)")};
        RETURN NULL;
    END $$;

    CREATE OR REPLACE FUNCTION {TABLE}_shipment_sync() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
        ids varchar[];
    BEGIN
        IF TG_OP = 'UPDATE' THEN
            ids := ARRAY(SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id
                WHERE {changed} ORDER BY 1);
            IF cardinality(ids) > 0 THEN
                DELETE FROM {TABLE} WHERE shipment_id = ANY(ids);
                INSERT INTO {TABLE} ({columns})
                {rows("postgresql", "e.shipment_id = ANY(ids)")};
                {_flags("shipment_id = ANY(ids)")};
            END IF;
        ELSE
            DELETE FROM {TABLE} WHERE shipment_id IN (SELECT id FROM old_rows);
        END IF;
        RETURN NULL;
    END $$;
    """


def _sqlite(previous: ModuleType) -> list[str]:
    rows, columns = previous._rows, previous.COLUMNS
    shipment_columns = ", ".join(previous.SHIPMENT_COLUMNS)

    def flags(shipment_id: str) -> str:
        return _flags(f"shipment_id = {shipment_id}") + ";"

    return [
        f"CREATE TRIGGER {TABLE}_event_insert AFTER INSERT ON shipment_event "
        f"WHEN NEW.type IN ('stopped', 'seized') BEGIN "
        f"INSERT INTO {TABLE} ({columns}) {rows('sqlite', 'e.id = NEW.id')}; "
        f"{flags('NEW.shipment_id')} END",
        f"CREATE TRIGGER {TABLE}_event_update AFTER UPDATE ON shipment_event BEGIN "
        f"DELETE FROM {TABLE} WHERE event_id = OLD.id; "
        f"INSERT INTO {TABLE} ({columns}) {rows('sqlite', 'e.id = NEW.id')}; "
        f"{flags('OLD.shipment_id')} {flags('NEW.shipment_id')} END",
        f"CREATE TRIGGER {TABLE}_event_delete AFTER DELETE ON shipment_event BEGIN "
        f"DELETE FROM {TABLE} WHERE event_id = OLD.id; {flags('OLD.shipment_id')} END",
        f"CREATE TRIGGER {TABLE}_shipment_update AFTER UPDATE OF {shipment_columns} ON shipment "
        f"BEGIN DELETE FROM {TABLE} WHERE shipment_id = OLD.id; "
        f"INSERT INTO {TABLE} ({columns}) {rows('sqlite', 'e.shipment_id = NEW.id')}; "
        f"{flags('NEW.id')} END",
        f"CREATE TRIGGER {TABLE}_shipment_delete AFTER DELETE ON shipment "
        f"BEGIN DELETE FROM {TABLE} WHERE shipment_id = OLD.id; END",
    ]


def _drop_sqlite_triggers() -> None:
    for name in TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {TABLE}_{name}")


def upgrade() -> None:
    previous = _previous()
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        _drop_sqlite_triggers()
    with op.batch_alter_table(TABLE) as batch:
        batch.add_column(
            sa.Column("solo_in_country", sa.Integer(), server_default="1", nullable=False)
        )
        batch.add_column(
            sa.Column("solo_in_type", sa.Integer(), server_default="1", nullable=False)
        )
    op.create_index(
        INDEX,
        TABLE,
        ["occurred_at"],
        postgresql_where=sa.text("solo_in_type = 0"),
        sqlite_where=sa.text("solo_in_type = 0"),
    )
    op.execute(_flags("TRUE"))
    if dialect == "postgresql":
        op.execute(_postgres(previous))
    else:
        for statement in _sqlite(previous):
            op.execute(statement)


def downgrade() -> None:
    previous = _previous()
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        for name, source in TRIGGERS.items():
            op.execute(f"DROP TRIGGER IF EXISTS {TABLE}_{name} ON {source}")
        for function in ("event_sync()", "shipment_sync()"):
            op.execute(f"DROP FUNCTION IF EXISTS {TABLE}_{function}")
    else:
        _drop_sqlite_triggers()
    op.drop_index(INDEX, table_name=TABLE)
    with op.batch_alter_table(TABLE) as batch:
        batch.drop_column("solo_in_type")
        batch.drop_column("solo_in_country")
    if dialect == "postgresql":
        op.execute(previous._postgres())
    else:
        for statement in previous._sqlite():
            op.execute(statement)
