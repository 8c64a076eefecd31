"""dashboard: shipments by destination and time (the flows towards a region)

The flows towards the region of concern read the shipments bound for it (about one in twenty)
instead of a whole year's shipments; so does a view of one importing country. Declared in
app/dashboard/models.py (SHIPMENT_IMPORTING_CREATED_INDEX); figures in bench/README.md
("Dashboard summaries").

Revision ID: d5f1b7e2a9c4
Revises: 5b8d2f6a1c90
Create Date: 2026-12-06 22:45:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "d5f1b7e2a9c4"
down_revision: str | Sequence[str] | None = "5b8d2f6a1c90"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NAME = "ix_dashboard_shipment_importing_created"


def upgrade() -> None:
    op.create_index(
        NAME,
        "shipment",
        [
            "importing_country",
            "created_at",
            "exporting_country",
            "cas_number",
            "status",
            "quantity_kg",
        ],
        postgresql_include=["transit_countries"],
    )


def downgrade() -> None:
    op.drop_index(NAME, table_name="shipment")
