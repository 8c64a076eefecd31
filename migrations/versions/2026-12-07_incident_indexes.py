"""incident, incident_substance: the incidents summary's indexes

The incidents summary grouped a year's incidents by kind, country, origin and method, and
joined a year's seizures to their substances, by scanning every incident of every year. These
two indexes hold what it reads: a year of incidents is an index-only scan on PostgreSQL.
Declared in app/dashboard/models.py; figures in bench/README.md ("Dashboard summaries").

Revision ID: 3c9e1f4b7a52
Revises: 8e3c5a7f1d24
Create Date: 2026-12-07 07:10:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "3c9e1f4b7a52"
down_revision: str | Sequence[str] | None = "8e3c5a7f1d24"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES = {
    "ix_dashboard_incident_occurred": (
        "incident",
        [
            "occurred_on",
            "kind",
            "country",
            "origin_country",
            "destination_country",
            "method",
            "quantity_kg",
            "id",
        ],
    ),
    "ix_dashboard_incident_substance": (
        "incident_substance",
        ["incident_id", "cas_number", "name", "quantity_kg"],
    ),
}


def upgrade() -> None:
    for name, (table, columns) in INDEXES.items():
        op.create_index(name, table, columns)


def downgrade() -> None:
    for name, (table, _) in INDEXES.items():
        op.drop_index(name, table_name=table)
