"""risk_list: the countries of concern and the free-zone words the rules read, kept by admins,
in the reference cache group

Revision ID: 4e6a8c0d2f39
Revises: 3d5f7b9c1e28
Create Date: 2026-12-06 16:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op
from sqlalchemy.dialects import postgresql

import app.core.types
from migrations.cache_triggers import join_group, leave_group

revision: str = "4e6a8c0d2f39"
down_revision: str | Sequence[str] | None = "3d5f7b9c1e28"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE = "risk_list"


def upgrade() -> None:
    text = sqlmodel.sql.sqltypes.AutoString
    op.create_table(
        TABLE,
        sa.Column("code", text(length=40), nullable=False),
        sa.Column("title", text(length=200), nullable=False),
        sa.Column(
            "entries",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("source", text(length=500), nullable=False),
        sa.Column("updated_at", app.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("code"),
    )
    join_group(TABLE, "reference")


def downgrade() -> None:
    leave_group(TABLE)
    op.drop_table(TABLE)
