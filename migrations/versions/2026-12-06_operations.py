"""authority: enabled, the previous webhook secret during a rotation's overlap, updated_at;
worker_heartbeat: each worker's last sign of life; delivery.status indexed (the /metrics counts)

Revision ID: c1d173158e23
Revises: 4e6a8c0d2f39
Create Date: 2026-12-06 16:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.core.types

revision: str = "c1d173158e23"
down_revision: str | Sequence[str] | None = "4e6a8c0d2f39"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# Plain ADD/DROP COLUMN, not batch mode: recreating the table on SQLite would drop its triggers.
def upgrade() -> None:
    op.add_column(
        "authority", sa.Column("previous_webhook_secret", sa.String(length=200), nullable=True)
    )
    op.add_column(
        "authority",
        sa.Column(
            "previous_secret_until", app.core.types.UTCDateTime(timezone=True), nullable=True
        ),
    )
    op.add_column(
        "authority", sa.Column("enabled", sa.Boolean(), server_default=sa.true(), nullable=False)
    )
    op.add_column(
        "authority",
        sa.Column("updated_at", app.core.types.UTCDateTime(timezone=True), nullable=True),
    )
    op.create_table(
        "worker_heartbeat",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("started_at", app.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("seen_at", app.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_worker_heartbeat")),
    )
    op.create_index(op.f("ix_delivery_status"), "delivery", ["status"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_delivery_status"), table_name="delivery")
    op.drop_table("worker_heartbeat")
    for name in ("updated_at", "enabled", "previous_secret_until", "previous_webhook_secret"):
        op.drop_column("authority", name)
