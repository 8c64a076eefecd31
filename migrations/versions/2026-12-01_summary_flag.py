"""summary_flag: every flag beside its subject's route, by triggers

Revision ID: 895fd63af7d4
Revises: 3f6c1d2a9b70
Create Date: 2026-12-01 06:41:52.990652
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import app.core.types

revision: str = "895fd63af7d4"
down_revision: str | Sequence[str] | None = "3f6c1d2a9b70"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


TABLE = "summary_flag"
COLUMNS = (
    "flag_id, subject_type, subject_id, rule, severity, status, created_at, triage_hours, "
    "exporting_country, importing_country, transit_key, cas_number, draft_country"
)
# Subject columns the table copies: a change to one of them refreshes the subject's rows.
ROUTE = ("exporting_country", "importing_country", "transit_countries", "cas_number")
SUBJECTS = {"shipment": "shipment", "pre_export_notification": "pre_export_notification"}
TRIGGERS = {
    "flag_insert": "flag",
    "flag_update": "flag",
    "flag_delete": "flag",
    "shipment_update": "shipment",
    "shipment_delete": "shipment",
    "pen_update": "pre_export_notification",
    "pen_delete": "pre_export_notification",
}


def _rows(dialect: str, subject: str, where: str, source: str = "flag", lock: str = "") -> str:
    """The table's rows for the flags on `subject` rows matching `where` (on `source` f).
    Must match app/dashboard/rollups.py:flag_subjects."""
    transit = (
        "CAST(s.transit_countries AS TEXT)"
        if dialect == "postgresql"
        else "json(s.transit_countries)"
    )
    hours = (
        "CAST(floor(EXTRACT(epoch FROM f.triaged_at - f.created_at) / CAST(3600 AS NUMERIC)) "
        "AS INTEGER)"
        if dialect == "postgresql"
        else "CAST(round((julianday(f.triaged_at) - julianday(f.created_at)) * 86400000) "
        "AS INTEGER) / 3600000"
    )
    draft = (
        "CASE WHEN s.status = 'draft' THEN s.exporting_country ELSE '' END"
        if subject == "pre_export_notification"
        else "''"
    )
    return (
        "SELECT f.id, f.subject_type, f.subject_id, f.rule, f.severity, f.status, f.created_at, "
        f"CASE WHEN f.triaged_at IS NULL THEN -1 ELSE {hours} END, s.exporting_country, s.importing_country, {transit}, s.cas_number, "
        f"{draft} FROM {source} f JOIN {subject} s ON s.id = f.subject_id "
        f"WHERE f.subject_type = '{subject}' AND {where}{lock}"
    )


def _insert(dialect: str, where: str, source: str = "flag", lock: str = "") -> str:
    return "; ".join(
        f"INSERT INTO {TABLE} ({COLUMNS}) {_rows(dialect, subject, where, source, lock)}"
        for subject in SUBJECTS
    )


def _postgres() -> str:
    def changed(extra: str = "") -> str:
        return " OR ".join(f"n.{c} IS DISTINCT FROM o.{c}" for c in ROUTE) + extra

    draft_changed = " OR (n.status = 'draft') IS DISTINCT FROM (o.status = 'draft')"
    subject_sync = ""
    for name, subject, extra in (
        ("shipment", "shipment", ""),
        ("pen", "pre_export_notification", draft_changed),
    ):
        subject_sync += f"""
    CREATE FUNCTION {TABLE}_{name}_sync() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
        ids varchar[];
    BEGIN
        IF TG_OP = 'UPDATE' THEN
            ids := ARRAY(SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id
                WHERE {changed(extra)} ORDER BY 1);
            IF cardinality(ids) > 0 THEN
                DELETE FROM {TABLE} WHERE subject_type = '{subject}' AND subject_id = ANY(ids);
                INSERT INTO {TABLE} ({COLUMNS})
                {_rows("postgresql", subject, "f.subject_id = ANY(ids)")};
            END IF;
        ELSE
            DELETE FROM {TABLE} WHERE subject_type = '{subject}'
                AND subject_id IN (SELECT id FROM old_rows);
        END IF;
        RETURN NULL;
    END $$;
    CREATE TRIGGER {TABLE}_{name}_update AFTER UPDATE ON {subject}
        REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
        FOR EACH STATEMENT EXECUTE FUNCTION {TABLE}_{name}_sync();
    CREATE TRIGGER {TABLE}_{name}_delete AFTER DELETE ON {subject}
        REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION {TABLE}_{name}_sync();
    """
    return f"""
    CREATE FUNCTION {TABLE}_flag_sync() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP IN ('UPDATE', 'DELETE') THEN
            DELETE FROM {TABLE} WHERE flag_id IN (SELECT id FROM old_rows);
        END IF;
        -- FOR SHARE: a concurrent change to the subject's copied columns waits for this
        -- transaction (and its trigger then sees these flags), or this one reads its result.
        IF TG_OP IN ('INSERT', 'UPDATE') THEN
            {_insert("postgresql", "TRUE", "new_rows", " FOR SHARE OF s")};
        END IF;
        RETURN NULL;
    END $$;
    CREATE TRIGGER {TABLE}_flag_insert AFTER INSERT ON flag
        REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION {TABLE}_flag_sync();
    CREATE TRIGGER {TABLE}_flag_update AFTER UPDATE ON flag
        REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
        FOR EACH STATEMENT EXECUTE FUNCTION {TABLE}_flag_sync();
    CREATE TRIGGER {TABLE}_flag_delete AFTER DELETE ON flag
        REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION {TABLE}_flag_sync();
    {subject_sync}
    """


def _sqlite() -> list[str]:
    route = ", ".join(ROUTE)
    statements = [
        f"CREATE TRIGGER {TABLE}_flag_insert AFTER INSERT ON flag BEGIN "
        f"{_insert('sqlite', 'f.id = NEW.id')}; END",
        f"CREATE TRIGGER {TABLE}_flag_update AFTER UPDATE ON flag BEGIN "
        f"DELETE FROM {TABLE} WHERE flag_id = OLD.id; {_insert('sqlite', 'f.id = NEW.id')}; END",
        f"CREATE TRIGGER {TABLE}_flag_delete AFTER DELETE ON flag "
        f"BEGIN DELETE FROM {TABLE} WHERE flag_id = OLD.id; END",
    ]
    for name, subject, columns in (
        ("shipment", "shipment", route),
        ("pen", "pre_export_notification", f"{route}, status"),
    ):
        statements += [
            f"CREATE TRIGGER {TABLE}_{name}_update AFTER UPDATE OF {columns} ON {subject} BEGIN "
            f"DELETE FROM {TABLE} WHERE subject_type = '{subject}' AND subject_id = OLD.id; "
            f"INSERT INTO {TABLE} ({COLUMNS}) "
            f"{_rows('sqlite', subject, 'f.subject_id = NEW.id')}; END",
            f"CREATE TRIGGER {TABLE}_{name}_delete AFTER DELETE ON {subject} BEGIN "
            f"DELETE FROM {TABLE} WHERE subject_type = '{subject}' AND subject_id = OLD.id; END",
        ]
    return statements


def upgrade() -> None:
    op.create_table(
        "summary_flag",
        sa.Column("flag_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("subject_type", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("subject_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("rule", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("severity", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("created_at", app.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("triage_hours", sa.Integer(), nullable=False),
        sa.Column("exporting_country", sqlmodel.sql.sqltypes.AutoString(length=2), nullable=False),
        sa.Column("importing_country", sqlmodel.sql.sqltypes.AutoString(length=2), nullable=False),
        sa.Column("transit_key", sa.Text(), nullable=False),
        sa.Column("cas_number", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column("draft_country", sqlmodel.sql.sqltypes.AutoString(length=2), nullable=False),
        sa.PrimaryKeyConstraint("flag_id", name=op.f("pk_summary_flag")),
    )
    with op.batch_alter_table("summary_flag", schema=None) as batch_op:
        batch_op.create_index("ix_summary_flag_created", ["created_at"], unique=False)
        batch_op.create_index("ix_summary_flag_subject", ["subject_id"], unique=False)
    dialect = op.get_bind().dialect.name
    for subject in SUBJECTS:
        op.execute(f"INSERT INTO {TABLE} ({COLUMNS}) {_rows(dialect, subject, 'TRUE')}")
    if dialect == "postgresql":
        op.execute(_postgres())
    else:
        for statement in _sqlite():
            op.execute(statement)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    for name, source in TRIGGERS.items():
        suffix = f" ON {source}" if dialect == "postgresql" else ""
        op.execute(f"DROP TRIGGER IF EXISTS {TABLE}_{name}{suffix}")
    if dialect == "postgresql":
        for function in ("flag_sync()", "shipment_sync()", "pen_sync()"):
            op.execute(f"DROP FUNCTION IF EXISTS {TABLE}_{function}")
    with op.batch_alter_table("summary_flag", schema=None) as batch_op:
        batch_op.drop_index("ix_summary_flag_subject")
        batch_op.drop_index("ix_summary_flag_created")

    op.drop_table("summary_flag")
