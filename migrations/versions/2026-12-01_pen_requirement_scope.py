"""pen_requirement.scope_key: one requirement per country and scope, enforced by a unique index

Revision ID: 7d2e9a41c5b3
Revises: 3f6c1d2a9b70
Create Date: 2026-12-01 08:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "7d2e9a41c5b3"
down_revision: str | Sequence[str] | None = "3f6c1d2a9b70"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "pen_requirement",
        sa.Column("scope_key", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
    )
    # Must match app/reference/models.py: scope_key_of.
    op.execute(
        "UPDATE pen_requirement SET scope_key = "
        "coalesce(cas_number, '*') || '|' || coalesce(\"table\", '*')"
    )
    op.create_index(
        "uq_pen_requirement_scope", "pen_requirement", ["country", "scope_key"], unique=True
    )


def downgrade() -> None:
    op.drop_index("uq_pen_requirement_scope", table_name="pen_requirement")
    # Not batch mode: recreating the table on SQLite would drop its triggers.
    op.drop_column("pen_requirement", "scope_key")
