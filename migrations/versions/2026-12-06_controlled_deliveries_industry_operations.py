"""controlled deliveries; industry reports and their indicators; operations, their objectives
and tagged records; users tied to an operator (the industry role)

Revision ID: a7c3e9f1b254
Revises: efc23321b17e
Create Date: 2026-12-06 19:06:59.909763
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op
from sqlalchemy.dialects import postgresql

import app.core.types

revision: str = "a7c3e9f1b254"
down_revision: str | Sequence[str] | None = "efc23321b17e"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "controlled_delivery",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("shipment_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column(
            "participants",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("note", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
        sa.Column(
            "do_not_stop_contact", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True
        ),
        sa.Column(
            "started_by_user_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False
        ),
        sa.Column(
            "started_by_authority_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False
        ),
        sa.Column("started_at", app.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ended_at", app.core.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column(
            "ended_by_authority_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True
        ),
        sa.Column("end_note", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
        sa.ForeignKeyConstraint(
            ["shipment_id"],
            ["shipment.id"],
            name=op.f("fk_controlled_delivery_shipment_id_shipment"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_controlled_delivery")),
    )
    op.create_index(
        "ix_controlled_delivery_shipment_status",
        "controlled_delivery",
        ["shipment_id", "status"],
        unique=False,
    )

    op.create_table(
        "industry_report",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("reference", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("operator_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("country", sqlmodel.sql.sqltypes.AutoString(length=2), nullable=False),
        sa.Column("sector", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("customer_name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("customer_country", sqlmodel.sql.sqltypes.AutoString(length=2), nullable=False),
        sa.Column("customer_address", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
        sa.Column("cas_number", sqlmodel.sql.sqltypes.AutoString(length=14), nullable=True),
        sa.Column("substance_name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("scheduled", sa.Boolean(), nullable=False),
        sa.Column("quantity", sa.Numeric(precision=15, scale=3), nullable=True),
        sa.Column("unit", sqlmodel.sql.sqltypes.AutoString(length=3), nullable=True),
        sa.Column("quantity_kg", sa.Numeric(precision=18, scale=3), nullable=True),
        sa.Column(
            "requested_route",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("means_of_payment", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
        sa.Column("narrative", sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column("feedback", sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=True),
        sa.Column("first_feedback_at", app.core.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("triaged_at", app.core.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column(
            "triaged_by_authority_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True
        ),
        sa.Column("flag_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
        sa.Column("incident_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
        sa.Column(
            "reported_by_user_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False
        ),
        sa.Column("created_at", app.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", app.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["operator_id"], ["operator.id"], name=op.f("fk_industry_report_operator_id_operator")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_industry_report")),
        sa.UniqueConstraint("reference", name=op.f("uq_industry_report_reference")),
    )
    op.create_index(
        "ix_industry_report_country_created", "industry_report", ["country", "created_at"]
    )
    op.create_index(op.f("ix_industry_report_operator_id"), "industry_report", ["operator_id"])
    op.create_index(op.f("ix_industry_report_status"), "industry_report", ["status"])
    op.create_table(
        "industry_report_indicator",
        sa.Column("report_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("indicator", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["industry_report.id"],
            name=op.f("fk_industry_report_indicator_report_id_industry_report"),
        ),
        sa.PrimaryKeyConstraint(
            "report_id", "indicator", name=op.f("pk_industry_report_indicator")
        ),
    )
    op.create_index(
        op.f("ix_industry_report_indicator_indicator"), "industry_report_indicator", ["indicator"]
    )
    # Plain ADD COLUMN (no batch mode: recreating app_user on SQLite would drop its triggers).
    op.add_column(
        "app_user",
        sa.Column("operator_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
    )

    op.create_table(
        "operation",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column(
            "substances",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("created_by_user_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
        sa.Column(
            "created_by_authority_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True
        ),
        sa.Column("created_at", app.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_operation")),
    )
    op.create_table(
        "operation_country",
        sa.Column("operation_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("country", sqlmodel.sql.sqltypes.AutoString(length=2), nullable=False),
        sa.ForeignKeyConstraint(
            ["operation_id"],
            ["operation.id"],
            name=op.f("fk_operation_country_operation_id_operation"),
        ),
        sa.PrimaryKeyConstraint("operation_id", "country", name=op.f("pk_operation_country")),
    )
    op.create_index(
        "ix_operation_country_country", "operation_country", ["country", "operation_id"]
    )
    op.create_table(
        "operation_item",
        sa.Column("operation_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("item_type", sqlmodel.sql.sqltypes.AutoString(length=24), nullable=False),
        sa.Column("item_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("tagged_by_user_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
        sa.Column(
            "tagged_by_authority_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True
        ),
        sa.Column("tagged_at", app.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["operation_id"],
            ["operation.id"],
            name=op.f("fk_operation_item_operation_id_operation"),
        ),
        sa.PrimaryKeyConstraint(
            "operation_id", "item_type", "item_id", name=op.f("pk_operation_item")
        ),
    )
    op.create_table(
        "operation_objective",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("operation_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("metric", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("target", sa.Numeric(precision=18, scale=3), nullable=False),
        sa.Column("days", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["operation_id"],
            ["operation.id"],
            name=op.f("fk_operation_objective_operation_id_operation"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_operation_objective")),
    )
    op.create_index(
        op.f("ix_operation_objective_operation_id"), "operation_objective", ["operation_id"]
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_operation_objective_operation_id"), table_name="operation_objective")
    op.drop_table("operation_objective")
    op.drop_table("operation_item")
    op.drop_index("ix_operation_country_country", table_name="operation_country")
    op.drop_table("operation_country")
    op.drop_table("operation")
    op.drop_column("app_user", "operator_id")
    op.drop_index(
        op.f("ix_industry_report_indicator_indicator"), table_name="industry_report_indicator"
    )
    op.drop_table("industry_report_indicator")
    op.drop_index(op.f("ix_industry_report_status"), table_name="industry_report")
    op.drop_index(op.f("ix_industry_report_operator_id"), table_name="industry_report")
    op.drop_index("ix_industry_report_country_created", table_name="industry_report")
    op.drop_table("industry_report")
    op.drop_index("ix_controlled_delivery_shipment_status", table_name="controlled_delivery")

    op.drop_table("controlled_delivery")
