"""app_user: token expiry, revocation, last use, and the time sign-out ended its sessions

Revision ID: 6b1f0c3e8d21
Revises: c3a7d91e0b52
Create Date: 2026-12-06 13:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.core.types

revision: str = "6b1f0c3e8d21"
down_revision: str | Sequence[str] | None = "c3a7d91e0b52"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = ("expires_at", "revoked_at", "last_used_at", "sessions_valid_after")


# Plain ADD/DROP COLUMN, not batch mode: recreating the table on SQLite would drop its triggers.
def upgrade() -> None:
    for name in COLUMNS:
        op.add_column(
            "app_user", sa.Column(name, app.core.types.UTCDateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    for name in reversed(COLUMNS):
        op.drop_column("app_user", name)
