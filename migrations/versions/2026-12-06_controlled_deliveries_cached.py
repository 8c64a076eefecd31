"""controlled_delivery joins the routing cache group: the outbox reads which shipments are under
controlled delivery from the cache instead of one query per routed event

Revision ID: b8d4f0a2c6e1
Revises: a7c3e9f1b254
Create Date: 2026-12-06 22:30:00
"""

from collections.abc import Sequence

from migrations.cache_triggers import join_group, leave_group

revision: str = "b8d4f0a2c6e1"
down_revision: str | Sequence[str] | None = "a7c3e9f1b254"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    join_group("controlled_delivery", "routing")


def downgrade() -> None:
    leave_group("controlled_delivery")
