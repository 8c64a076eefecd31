"""pre_export_notification: the complete PEN (authorisations, form and concentration, packages,
exit, arrival date, itinerary, final destination, parties, invoice, validity, other information)
and the importing authority's confirmation of arrival

Revision ID: 8c3d5e7f9a12
Revises: 6b1f0c3e8d21
Create Date: 2026-12-06 13:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "8c3d5e7f9a12"
down_revision: str | Sequence[str] | None = "6b1f0c3e8d21"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _json() -> sa.types.TypeEngine:  # type: ignore[type-arg]
    return sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def _columns() -> list[sa.Column]:  # type: ignore[type-arg]
    text = sqlmodel.sql.sqltypes.AutoString
    return [
        sa.Column("import_authorisation", _json(), nullable=True),
        sa.Column("export_authorisation", _json(), nullable=True),
        sa.Column("form", text(length=12), nullable=True),
        sa.Column("concentration_percent", sa.Numeric(precision=6, scale=3), nullable=True),
        sa.Column("quantity_base_kg", sa.Numeric(precision=18, scale=3), nullable=True),
        sa.Column("packages", _json(), nullable=True),
        sa.Column("point_of_exit", text(length=200), nullable=True),
        sa.Column("expected_arrival_date", sa.Date(), nullable=True),
        sa.Column("itinerary", _json(), nullable=True),
        sa.Column("final_destination_country", text(length=2), nullable=True),
        sa.Column("parties", _json(), nullable=True),
        sa.Column("invoice", _json(), nullable=True),
        sa.Column("valid_until", sa.Date(), nullable=True),
        sa.Column("other_information", _json(), nullable=True),
        sa.Column("arrival_received_on", sa.Date(), nullable=True),
        sa.Column("arrival_quantity_kg", sa.Numeric(precision=18, scale=3), nullable=True),
        sa.Column("arrival_note", text(length=2000), nullable=True),
    ]


# Plain ADD/DROP COLUMN, not batch mode: recreating the table on SQLite would drop the triggers
# that other tables keep on it.
def upgrade() -> None:
    for column in _columns():
        op.add_column("pre_export_notification", column)


def downgrade() -> None:
    for column in reversed(_columns()):
        op.drop_column("pre_export_notification", column.name)
