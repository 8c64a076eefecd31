"""legitimate_requirement: annual legitimate requirements (ALR) per country and substance, in
the reference cache group

Revision ID: 3d5f7b9c1e28
Revises: 2c4e6a8b0d17
Create Date: 2026-12-06 16:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import app.core.types

revision: str = "3d5f7b9c1e28"
down_revision: str | Sequence[str] | None = "2c4e6a8b0d17"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE = "legitimate_requirement"
OPERATIONS = ("insert", "update", "delete")


def upgrade() -> None:
    text = sqlmodel.sql.sqltypes.AutoString
    op.create_table(
        TABLE,
        sa.Column("id", text(length=32), nullable=False),
        sa.Column("country", text(length=2), nullable=False),
        sa.Column("cas_number", text(length=12), nullable=False),
        sa.Column("quantity_kg", sa.Numeric(precision=18, scale=3), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=True),
        sa.Column("source", text(length=500), nullable=False),
        sa.Column("created_at", app.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["cas_number"], ["substance.cas_number"]),
        sa.ForeignKeyConstraint(["country"], ["country.iso2"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "uq_legitimate_requirement_country_cas", TABLE, ["country", "cas_number"], unique=True
    )
    # As migration 2026-12-01_cache_versions makes the reference tables' triggers.
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            f"CREATE TRIGGER cache_bump_{TABLE}_any AFTER INSERT OR UPDATE OR DELETE "
            f"OR TRUNCATE ON {TABLE} FOR EACH STATEMENT EXECUTE FUNCTION cache_bump('reference')"
        )
        return
    for operation in OPERATIONS:
        op.execute(
            f"CREATE TRIGGER cache_bump_{TABLE}_{operation} AFTER {operation.upper()} "
            f"ON {TABLE} BEGIN UPDATE cache_version SET version = version + 1 "
            f"WHERE name = 'reference'; END"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP TRIGGER IF EXISTS cache_bump_{TABLE}_any ON {TABLE}")
    else:
        for operation in OPERATIONS:
            op.execute(f"DROP TRIGGER IF EXISTS cache_bump_{TABLE}_{operation}")
    op.drop_index("uq_legitimate_requirement_country_cas", TABLE)
    op.drop_table(TABLE)
