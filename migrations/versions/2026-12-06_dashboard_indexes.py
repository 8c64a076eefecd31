"""dashboard: the indexes the summaries read the raw tables through

The summaries are plain queries over the raw tables (app/dashboard/figures.py); these indexes
are declared in app/dashboard/models.py. This revision replaces six earlier summary revisions
(monthly roll-ups, their delta tables, the latest-observation, stop/seizure and flag tables,
and the triggers that kept them), which were removed from the history before any deployment:
bench/README.md ("Dashboard summaries") shows the indexed queries meeting the targets without
them.

Revision ID: c3a7d91e0b52
Revises: 7d2e9a41c5b3
Create Date: 2026-12-06 13:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "c3a7d91e0b52"
down_revision: str | Sequence[str] | None = "7d2e9a41c5b3"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ROUTE = ["exporting_country", "importing_country", "cas_number"]
TRANSIT = ["transit_countries"]  # JSON: an INCLUDE column, PostgreSQL only
OBSERVED = sa.text("quantity_observed_kg IS NOT NULL")

# (name, table, key columns, INCLUDE columns on PostgreSQL, partial index condition)
INDEXES: list[tuple[str, str, list[str], list[str], sa.TextClause | None]] = [
    (
        "ix_dashboard_pen_sent",
        "pre_export_notification",
        [
            "sent_at",
            *ROUTE,
            "status",
            "decision",
            "decided_at",
            "reply_by",
            "quantity_kg",
        ],
        TRANSIT,
        None,
    ),
    (
        "ix_dashboard_shipment_created",
        "shipment",
        ["created_at", *ROUTE, "status", "quantity_kg"],
        TRANSIT,
        None,
    ),
    (
        "ix_dashboard_shipment_cas_created",
        "shipment",
        [
            "cas_number",
            "created_at",
            "exporting_country",
            "importing_country",
            "status",
            "quantity_kg",
        ],
        [],
        None,
    ),
    (
        "ix_dashboard_shipment_route",
        "shipment",
        ["id", *ROUTE, "quantity_kg", "notification_id"],
        [],
        None,
    ),
    (
        "ix_dashboard_pen_subject",
        "pre_export_notification",
        ["id", "exporting_country", "status", "quantity_kg"],
        [],
        None,
    ),
    (
        "ix_dashboard_event_type_occurred",
        "shipment_event",
        ["type", "occurred_at", "shipment_id", "country", "quantity_observed_kg"],
        [],
        None,
    ),
    (
        "ix_dashboard_event_observed_occurred",
        "shipment_event",
        ["occurred_at", "shipment_id", "created_at", "id", "quantity_observed_kg"],
        [],
        OBSERVED,
    ),
    (
        "ix_dashboard_event_observed_shipment",
        "shipment_event",
        ["shipment_id", "created_at", "id"],
        [],
        OBSERVED,
    ),
    (
        "ix_dashboard_flag_created",
        "flag",
        [
            "created_at",
            "subject_type",
            "status",
            "rule",
            "severity",
            "triaged_at",
            "subject_id",
        ],
        [],
        None,
    ),
]


def upgrade() -> None:
    for name, table, columns, include, where in INDEXES:
        op.create_index(
            name,
            table,
            columns,
            postgresql_include=include,
            postgresql_where=where,
            sqlite_where=where,
        )


def downgrade() -> None:
    for name, table, _columns, _include, _where in reversed(INDEXES):
        op.drop_index(name, table_name=table)
