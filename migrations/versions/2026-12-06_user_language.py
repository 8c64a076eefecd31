"""app_user.language: the workspace language a signed-in user last picked

Revision ID: 5b8d2f6a1c90
Revises: b8d4f0a2c6e1
Create Date: 2026-12-06 22:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "5b8d2f6a1c90"
down_revision: str | Sequence[str] | None = "b8d4f0a2c6e1"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "app_user",
        sa.Column("language", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=True),
    )


def downgrade() -> None:
    # Not batch mode: recreating the table on SQLite would drop its triggers.
    op.drop_column("app_user", "language")
