"""flag: the subject's importer and consignee, with indexes of confirmed flags by each;
pre_export_notification: an importing country's PENs of a substance by creation, covering

The rules' `linked-to-confirmed` counted confirmed flags on the records each of the subject's
buying-side parties had bought, walking every such record: a write's cost grew with its
parties' whole trade (bench/README.md, "A party's history at every write"). Each flag now
carries its subject's importer and consignee (a record's parties never change), and two
partial indexes hold the confirmed flags by each, so a write reads only the confirmed flags
naming its parties. Existing flags get their subjects' buyers here.

The rules' year of PENs of a substance to the importing country read every PEN the country had
received (by the index of its sending times), each looked up in the table; it now reads the
year's range of a covering index, as the importer's history already did.

Revision ID: 7b3d9e2f4a18
Revises: 5d2a8c6e9f13
Create Date: 2026-12-07 23:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "7b3d9e2f4a18"
down_revision: str | Sequence[str] | None = "5d2a8c6e9f13"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CONFIRMED_ONLY = sa.text("status = 'confirmed'")
# The subject types, each its own table.
SUBJECTS = ("shipment", "pre_export_notification")


COUNTRY_HISTORY = "ix_pen_country_substance_created"
COUNTRY_HISTORY_COLUMNS = [
    "importing_country",
    "cas_number",
    "created_at",
    "sent_at",
    "quantity_kg",
    "id",
]


def upgrade() -> None:
    op.create_index(COUNTRY_HISTORY, "pre_export_notification", COUNTRY_HISTORY_COLUMNS)
    with op.batch_alter_table("flag") as batch:
        batch.add_column(sa.Column("importer_id", sa.String(length=32), nullable=True))
        batch.add_column(sa.Column("consignee_id", sa.String(length=32), nullable=True))
    for table in SUBJECTS:
        for party in ("importer_id", "consignee_id"):
            op.execute(
                f"UPDATE flag SET {party} = (SELECT s.{party} FROM {table} s "
                f"WHERE s.id = flag.subject_id) WHERE flag.subject_type = '{table}'"
            )
    for party in ("importer", "consignee"):
        op.create_index(
            f"ix_flag_confirmed_{party}",
            "flag",
            [f"{party}_id"],
            postgresql_where=CONFIRMED_ONLY,
            sqlite_where=CONFIRMED_ONLY,
        )


def downgrade() -> None:
    op.drop_index(COUNTRY_HISTORY, "pre_export_notification")
    for party in ("importer", "consignee"):
        op.drop_index(f"ix_flag_confirmed_{party}", "flag")
    with op.batch_alter_table("flag") as batch:
        batch.drop_column("consignee_id")
        batch.drop_column("importer_id")
