"""cache_version: users are no longer cached (their group's triggers go); authorities join the
routing group (the outbox keeps the recipients' directory with the routing rules)

Revision ID: 1a2b3c4d5e6f
Revises: 9d4e6f8a0b13
Create Date: 2026-12-06 14:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from migrations.cache_triggers import join_group as _create
from migrations.cache_triggers import leave_group as _drop

revision: str = "1a2b3c4d5e6f"
down_revision: str | Sequence[str] | None = "9d4e6f8a0b13"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    _drop("app_user")
    _drop("authority")
    _create("authority", "routing")
    op.execute("DELETE FROM cache_version WHERE name = 'auth'")


def downgrade() -> None:
    op.bulk_insert(
        sa.table("cache_version", sa.column("name", sa.String), sa.column("version", sa.Integer)),
        [{"name": "auth", "version": 1}],
    )
    _drop("authority")
    _create("authority", "auth")
    _create("app_user", "auth")
