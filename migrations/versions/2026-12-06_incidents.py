"""incidents, their substances, countries and operators; backtracking requests; forensic samples

Revision ID: 5e8a1c3b7d92
Revises: c1d173158e23
Create Date: 2026-12-06 15:48:18.142479
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op
from sqlalchemy.dialects import postgresql

import app.core.types

revision: str = "5e8a1c3b7d92"
down_revision: str | Sequence[str] | None = "c1d173158e23"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "incident",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("reference", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=24), nullable=False),
        sa.Column("country", sqlmodel.sql.sqltypes.AutoString(length=2), nullable=False),
        sa.Column("occurred_on", sa.Date(), nullable=False),
        sa.Column("method", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("description", sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=True),
        sa.Column("origin_country", sqlmodel.sql.sqltypes.AutoString(length=2), nullable=True),
        sa.Column(
            "transit_countries",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("destination_country", sqlmodel.sql.sqltypes.AutoString(length=2), nullable=True),
        sa.Column("shipment_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
        sa.Column("notification_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
        sa.Column("scope", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column("quantity_kg", sa.Numeric(precision=18, scale=3), nullable=True),
        sa.Column(
            "recorded_by_user_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True
        ),
        sa.Column(
            "recorded_by_authority_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True
        ),
        sa.Column("created_at", app.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", app.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["country"], ["country.iso2"], name=op.f("fk_incident_country_country")
        ),
        sa.ForeignKeyConstraint(
            ["notification_id"],
            ["pre_export_notification.id"],
            name=op.f("fk_incident_notification_id_pre_export_notification"),
        ),
        sa.ForeignKeyConstraint(
            ["shipment_id"], ["shipment.id"], name=op.f("fk_incident_shipment_id_shipment")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incident")),
        sa.UniqueConstraint("reference", name=op.f("uq_incident_reference")),
    )
    op.create_index(
        "ix_incident_country_occurred", "incident", ["country", "occurred_on"], unique=False
    )
    op.create_index(op.f("ix_incident_kind"), "incident", ["kind"], unique=False)
    op.create_index(op.f("ix_incident_shipment_id"), "incident", ["shipment_id"], unique=False)

    op.create_table(
        "backtracking_request",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("incident_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("from_country", sqlmodel.sql.sqltypes.AutoString(length=2), nullable=False),
        sa.Column("from_authority_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
        sa.Column("to_country", sqlmodel.sql.sqltypes.AutoString(length=2), nullable=False),
        sa.Column("question", sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=False),
        sa.Column("scope", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column("reply_by", sa.Date(), nullable=False),
        sa.Column("findings", sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=True),
        sa.Column(
            "answer_operator_ids",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("answered_at", app.core.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column(
            "answered_by_authority_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True
        ),
        sa.Column(
            "requested_by_user_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True
        ),
        sa.Column("created_at", app.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", app.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incident.id"],
            name=op.f("fk_backtracking_request_incident_id_incident"),
        ),
        sa.ForeignKeyConstraint(
            ["to_country"],
            ["country.iso2"],
            name=op.f("fk_backtracking_request_to_country_country"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_backtracking_request")),
    )
    op.create_index(
        op.f("ix_backtracking_request_incident_id"),
        "backtracking_request",
        ["incident_id"],
        unique=False,
    )
    op.create_index(
        "ix_backtracking_request_to_country",
        "backtracking_request",
        ["to_country", "status"],
        unique=False,
    )

    op.create_table(
        "forensic_sample",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("incident_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("laboratory", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("sample_reference", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column(
            "substance_identified", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True
        ),
        sa.Column("purity_percent", sa.Numeric(precision=6, scale=3), nullable=True),
        sa.Column(
            "impurity_profile",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column("method", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column(
            "recorded_by_user_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True
        ),
        sa.Column("created_at", app.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["incident_id"], ["incident.id"], name=op.f("fk_forensic_sample_incident_id_incident")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_forensic_sample")),
    )
    op.create_index(
        op.f("ix_forensic_sample_incident_id"), "forensic_sample", ["incident_id"], unique=False
    )

    op.create_table(
        "incident_country",
        sa.Column("incident_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("country", sqlmodel.sql.sqltypes.AutoString(length=2), nullable=False),
        sa.Column("role", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.ForeignKeyConstraint(
            ["incident_id"], ["incident.id"], name=op.f("fk_incident_country_incident_id_incident")
        ),
        sa.PrimaryKeyConstraint("incident_id", "country", "role", name=op.f("pk_incident_country")),
    )
    op.create_index(
        "ix_incident_country_country", "incident_country", ["country", "incident_id"], unique=False
    )

    op.create_table(
        "incident_operator",
        sa.Column("incident_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("operator_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("source", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["incident_id"], ["incident.id"], name=op.f("fk_incident_operator_incident_id_incident")
        ),
        sa.ForeignKeyConstraint(
            ["operator_id"], ["operator.id"], name=op.f("fk_incident_operator_operator_id_operator")
        ),
        sa.PrimaryKeyConstraint("incident_id", "operator_id", name=op.f("pk_incident_operator")),
    )
    op.create_index(
        "ix_incident_operator_operator",
        "incident_operator",
        ["operator_id", "incident_id"],
        unique=False,
    )

    op.create_table(
        "incident_substance",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("incident_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("cas_number", sqlmodel.sql.sqltypes.AutoString(length=14), nullable=True),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("quantity", sa.Numeric(precision=15, scale=3), nullable=False),
        sa.Column("unit", sqlmodel.sql.sqltypes.AutoString(length=3), nullable=False),
        sa.Column("quantity_kg", sa.Numeric(precision=18, scale=3), nullable=True),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incident.id"],
            name=op.f("fk_incident_substance_incident_id_incident"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incident_substance")),
    )
    op.create_index(
        op.f("ix_incident_substance_cas_number"), "incident_substance", ["cas_number"], unique=False
    )
    op.create_index(
        op.f("ix_incident_substance_incident_id"),
        "incident_substance",
        ["incident_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_incident_substance_incident_id"), table_name="incident_substance")
    op.drop_index(op.f("ix_incident_substance_cas_number"), table_name="incident_substance")

    op.drop_table("incident_substance")
    op.drop_index("ix_incident_operator_operator", table_name="incident_operator")

    op.drop_table("incident_operator")
    op.drop_index("ix_incident_country_country", table_name="incident_country")

    op.drop_table("incident_country")
    op.drop_index(op.f("ix_forensic_sample_incident_id"), table_name="forensic_sample")

    op.drop_table("forensic_sample")
    op.drop_index("ix_backtracking_request_to_country", table_name="backtracking_request")
    op.drop_index(op.f("ix_backtracking_request_incident_id"), table_name="backtracking_request")

    op.drop_table("backtracking_request")
    op.drop_index(op.f("ix_incident_shipment_id"), table_name="incident")
    op.drop_index(op.f("ix_incident_kind"), table_name="incident")
    op.drop_index("ix_incident_country_occurred", table_name="incident")

    op.drop_table("incident")
