"""summary: shipments by substance and time, for the partial months of a substance's period

Revision ID: a22f06be6089
Revises: 895fd63af7d4
Create Date: 2026-12-01 06:55:51.778497
"""

from collections.abc import Sequence

from alembic import op

revision: str = "a22f06be6089"
down_revision: str | Sequence[str] | None = "895fd63af7d4"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_summary_shipment_cas_created", "shipment", ["cas_number", "created_at"])


def downgrade() -> None:
    op.drop_index("ix_summary_shipment_cas_created", table_name="shipment")
