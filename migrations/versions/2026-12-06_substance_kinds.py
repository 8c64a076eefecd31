"""substance: kind (Table I, Table II, special surveillance, national list), salts' base and base
factor, when control took effect, the source of each entry, a national list's country and an
attention threshold; rule: source (a citation); pre_export_notification: voluntary

Revision ID: 2c4e6a8b0d17
Revises: 1a2b3c4d5e6f
Create Date: 2026-12-06 16:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "2c4e6a8b0d17"
down_revision: str | Sequence[str] | None = "1a2b3c4d5e6f"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _columns() -> list[sa.Column]:  # type: ignore[type-arg]
    text = sqlmodel.sql.sqltypes.AutoString
    return [
        sa.Column("kind", text(length=24), nullable=False, server_default="table_i"),
        sa.Column("base_cas_number", text(length=12), nullable=True),
        sa.Column("base_factor", sa.Numeric(precision=6, scale=4), nullable=True),
        sa.Column("effective_from", sa.Date(), nullable=True),
        sa.Column("source", text(length=500), nullable=True),
        sa.Column("list_country", text(length=2), nullable=True),
        sa.Column("threshold_kg", sa.Numeric(precision=12, scale=3), nullable=True),
    ]


# Plain ADD/DROP COLUMN, not batch mode: recreating the table on SQLite would drop its cache
# triggers. The server default fills the existing rows; `pentrack seed` then sets each kind.
def upgrade() -> None:
    for column in _columns():
        op.add_column("substance", column)
    op.execute("UPDATE substance SET kind = 'table_ii' WHERE convention_table = 'II'")
    op.create_index("ix_substance_kind", "substance", ["kind"])
    op.add_column("rule", sa.Column("source", sqlmodel.sql.sqltypes.AutoString(length=500)))
    op.add_column(
        "pre_export_notification",
        sa.Column("voluntary", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.create_index(
        "ix_pen_importer_substance_created",
        "pre_export_notification",
        ["importer_id", "cas_number", "created_at"],
    )


def downgrade() -> None:
    op.drop_index("ix_pen_importer_substance_created", "pre_export_notification")
    op.drop_column("pre_export_notification", "voluntary")
    op.drop_column("rule", "source")
    op.drop_index("ix_substance_kind", "substance")
    for column in reversed(_columns()):
        op.drop_column("substance", column.name)
