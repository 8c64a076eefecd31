"""incident, pre_export_notification: indexes for the rules' facts at every write

The link statement (app/rules/gather.py, app/investigations/facts.py) read every incident to
find one on the subject's route; the PEN history aggregate looked up each earlier PEN of the
importer's substance in the table. On the write path both grew with the database
(bench/README.md, "Facts that grew with the database").

Revision ID: 5d2a8c6e9f13
Revises: 3c9e1f4b7a52
Create Date: 2026-12-07 21:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "5d2a8c6e9f13"
down_revision: str | Sequence[str] | None = "3c9e1f4b7a52"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PEN_HISTORY = "ix_pen_importer_substance_created"
PEN_HISTORY_BEFORE = ["importer_id", "cas_number", "created_at"]
PEN_HISTORY_AFTER = [*PEN_HISTORY_BEFORE, "sent_at", "quantity_kg", "id"]


def upgrade() -> None:
    op.create_index("ix_incident_route", "incident", ["origin_country", "destination_country"])
    op.drop_index(PEN_HISTORY, "pre_export_notification")
    op.create_index(PEN_HISTORY, "pre_export_notification", PEN_HISTORY_AFTER)


def downgrade() -> None:
    op.drop_index(PEN_HISTORY, "pre_export_notification")
    op.create_index(PEN_HISTORY, "pre_export_notification", PEN_HISTORY_BEFORE)
    op.drop_index("ix_incident_route", "incident")
