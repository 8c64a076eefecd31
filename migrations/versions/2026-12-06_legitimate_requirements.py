"""legitimate_requirement: annual legitimate requirements (ALR) per country and substance, in
the reference cache group

Revision ID: 3d5f7b9c1e28
Revises: 2c4e6a8b0d17
Create Date: 2026-12-06 16:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import app.core.types
from migrations.cache_triggers import join_group, leave_group

revision: str = "3d5f7b9c1e28"
down_revision: str | Sequence[str] | None = "2c4e6a8b0d17"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE = "legitimate_requirement"


def upgrade() -> None:
    text = sqlmodel.sql.sqltypes.AutoString
    op.create_table(
        TABLE,
        sa.Column("id", text(length=32), nullable=False),
        sa.Column("country", text(length=2), nullable=False),
        sa.Column("cas_number", text(length=12), nullable=False),
        sa.Column("quantity_kg", sa.Numeric(precision=18, scale=3), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=True),
        sa.Column("source", text(length=500), nullable=False),
        sa.Column("created_at", app.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["cas_number"], ["substance.cas_number"]),
        sa.ForeignKeyConstraint(["country"], ["country.iso2"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "uq_legitimate_requirement_country_cas", TABLE, ["country", "cas_number"], unique=True
    )
    join_group(TABLE, "reference")


def downgrade() -> None:
    leave_group(TABLE)
    op.drop_index("uq_legitimate_requirement_country_cas", TABLE)
    op.drop_table(TABLE)
