"""audit_event: a hash chain (place, previous hash, own hash); rows already written are chained
in the order they occurred

Revision ID: 9d4e6f8a0b13
Revises: 8c3d5e7f9a12
Create Date: 2026-12-06 14:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "9d4e6f8a0b13"
down_revision: str | Sequence[str] | None = "8c3d5e7f9a12"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# Plain ADD/DROP COLUMN, not batch mode (as the other 2026-12-06 migrations).
def upgrade() -> None:
    text = sqlmodel.sql.sqltypes.AutoString
    op.add_column("audit_event", sa.Column("chain_seq", sa.BigInteger(), nullable=True))
    op.add_column("audit_event", sa.Column("prev_hash", text(length=64), nullable=True))
    op.add_column("audit_event", sa.Column("row_hash", text(length=64), nullable=True))
    op.create_index("ix_audit_event_chain_seq", "audit_event", ["chain_seq"], unique=True)
    # The rows already written join the chain in the order they occurred, read through the
    # model's table so that their times come back as the chain reads them (aware UTC).
    from app.audit.chain import TABLE, seal

    connection = op.get_bind()
    rows = connection.execute(sa.select(TABLE).order_by(TABLE.c.occurred_at, TABLE.c.id))
    seal(connection, [dict(row._mapping) for row in rows])


def downgrade() -> None:
    op.drop_index("ix_audit_event_chain_seq", table_name="audit_event")
    for name in ("row_hash", "prev_hash", "chain_seq"):
        op.drop_column("audit_event", name)
