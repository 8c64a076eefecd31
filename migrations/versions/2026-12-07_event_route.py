"""shipment_event: the shipment's route, substance and notification on each border event

A shipment's route, substance and notification never change once it is declared; each border
event now carries a copy, written when the event is recorded (app/shipments/service.py). The
shipments summary then reads a year's stops and seizures with their route from one index, and
only the observations of shipments citing a notification, without looking every shipment up.
Existing events are filled in from their shipment. Declared in app/shipments/models.py and
app/dashboard/models.py; figures in bench/README.md ("Dashboard summaries").

Revision ID: 8e3c5a7f1d24
Revises: d5f1b7e2a9c4
Create Date: 2026-12-07 04:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "8e3c5a7f1d24"
down_revision: str | Sequence[str] | None = "d5f1b7e2a9c4"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE = "shipment_event"
OBSERVED = "quantity_observed_kg IS NOT NULL"
CITED = f"{OBSERVED} AND notification_id IS NOT NULL"
ROUTE = ["exporting_country", "importing_country", "cas_number"]
COPIED = [*ROUTE, "transit_countries", "notification_id"]
TYPE_INDEX = "ix_dashboard_event_type_occurred"
OCCURRED_INDEX = "ix_dashboard_event_observed_occurred"
SHIPMENT_INDEX = "ix_dashboard_event_observed_shipment"
BEFORE = {
    TYPE_INDEX: (["type", "occurred_at", "shipment_id", "country", "quantity_observed_kg"], None),
    OCCURRED_INDEX: (
        ["occurred_at", "shipment_id", "created_at", "id", "quantity_observed_kg"],
        OBSERVED,
    ),
}
AFTER = {
    TYPE_INDEX: (
        ["type", "occurred_at", "shipment_id", "country", "quantity_observed_kg", *ROUTE],
        None,
    ),
    OCCURRED_INDEX: (
        [
            "occurred_at",
            "shipment_id",
            "created_at",
            "id",
            "quantity_observed_kg",
            "notification_id",
            *ROUTE,
        ],
        CITED,
    ),
}


def _create(indexes: dict[str, tuple[list[str], str | None]], include: list[str]) -> None:
    for name, (columns, where) in indexes.items():
        predicate = sa.text(where) if where else None
        op.create_index(
            name,
            TABLE,
            columns,
            postgresql_include=include,
            postgresql_where=predicate,
            sqlite_where=predicate,
        )


def _fill() -> None:
    """Each event's copy of its shipment's columns."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            f"UPDATE {TABLE} e SET "
            + ", ".join(f"{c} = s.{c}" for c in COPIED)
            + " FROM shipment s WHERE s.id = e.shipment_id"
        )
        return
    op.execute(
        f"UPDATE {TABLE} SET ("
        + ", ".join(COPIED)
        + ") = (SELECT "
        + ", ".join(f"s.{c}" for c in COPIED)
        + f" FROM shipment s WHERE s.id = {TABLE}.shipment_id)"
    )


def upgrade() -> None:
    for name in (TYPE_INDEX, OCCURRED_INDEX, SHIPMENT_INDEX):
        op.drop_index(name, table_name=TABLE)
    json = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
    for column in ROUTE:
        length = 12 if column == "cas_number" else 2
        op.add_column(
            TABLE, sa.Column(column, sqlmodel.sql.sqltypes.AutoString(length=length), nullable=True)
        )
    op.add_column(TABLE, sa.Column("transit_countries", json, nullable=True))
    op.add_column(
        TABLE,
        sa.Column("notification_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
    )
    _fill()
    # SQLite: the table is rebuilt with the columns NOT NULL (no partial index is on it now,
    # so the rebuild keeps every index as it was); PostgreSQL: ALTER COLUMN … SET NOT NULL.
    with op.batch_alter_table(TABLE) as batch:
        for column in [*ROUTE, "transit_countries"]:
            batch.alter_column(column, nullable=False)
    _create(AFTER, include=["transit_countries"])
    _create({SHIPMENT_INDEX: (["shipment_id", "created_at", "id"], OBSERVED)}, include=[])


def downgrade() -> None:
    for name in (TYPE_INDEX, OCCURRED_INDEX):
        op.drop_index(name, table_name=TABLE)
    for column in reversed(COPIED):
        op.drop_column(TABLE, column)
    _create(BEFORE, include=[])
