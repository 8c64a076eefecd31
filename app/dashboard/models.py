"""Monthly roll-ups of notifications and shipments, kept exact by database triggers.

Each row counts the notifications (or shipments) that share every key column. Triggers on
`pre_export_notification` and `shipment` add the new version of a row and subtract the old one in
the same transaction as the write, so a summary read from the roll-up equals one read from the raw
tables at every moment (tests compare the two). Keys never hold NULL: sentinels stand in
(`''`, `-1`, `1900-01-01`) because NULLs would not collide in the unique key.
"""

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger, Column, Index, Integer, Text
from sqlmodel import Field, SQLModel

from app.core.types import UTCDateTime
from app.notifications.models import PreExportNotification
from app.shipments.models import Shipment, ShipmentEvent

NO_DATE = date(1900, 1, 1)


class PenMonthly(SQLModel, table=True):
    __tablename__ = "summary_pen_month"

    month: str = Field(primary_key=True, max_length=7)  # YYYY-MM of sent_at, UTC
    exporting_country: str = Field(primary_key=True, max_length=2)
    importing_country: str = Field(primary_key=True, max_length=2)
    transit_key: str = Field(primary_key=True, sa_type=Text)  # the transit list as JSON text
    cas_number: str = Field(primary_key=True, max_length=12)
    decision: str = Field(primary_key=True, max_length=24)  # '' while there is none
    withdrawn: int = Field(primary_key=True)  # 1: withdrawn before any decision
    reply_days: int = Field(primary_key=True)  # whole days from sending to decision; -1: none
    replied_late: int = Field(primary_key=True)  # 1: decided after reply_by
    reply_by: date = Field(primary_key=True)  # for undecided notifications only, else NO_DATE
    pen_count: int = Field(default=0)
    quantity_kg: Decimal = Field(default=Decimal(0), max_digits=20, decimal_places=3)


class ShipmentMonthly(SQLModel, table=True):
    __tablename__ = "summary_shipment_month"

    month: str = Field(primary_key=True, max_length=7)  # YYYY-MM of created_at, UTC
    exporting_country: str = Field(primary_key=True, max_length=2)
    importing_country: str = Field(primary_key=True, max_length=2)
    transit_key: str = Field(primary_key=True, sa_type=Text)
    cas_number: str = Field(primary_key=True, max_length=12)
    status: str = Field(primary_key=True, max_length=20)
    shipment_count: int = Field(default=0)
    quantity_kg: Decimal = Field(default=Decimal(0), max_digits=20, decimal_places=3)


def _delta_id() -> Any:
    # BIGINT on PostgreSQL (a row per write until folded); SQLite autoincrements INTEGER only.
    return Field(
        default=None,
        sa_column=Column(
            BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, autoincrement=True
        ),
    )


class PenMonthlyDelta(SQLModel, table=True):
    """Signed changes to summary_pen_month not yet folded into it (PostgreSQL).

    Writers append here instead of updating the shared monthly row, so concurrent writers of one
    month and route never wait on each other; readers add these rows to the monthly ones, and
    `summary_pen_month_fold()` moves them in (app/dashboard/rollups.py: fold_rollup_deltas)."""

    __tablename__ = "summary_pen_month_delta"

    id: int | None = _delta_id()
    month: str = Field(max_length=7)
    exporting_country: str = Field(max_length=2)
    importing_country: str = Field(max_length=2)
    transit_key: str = Field(sa_type=Text)
    cas_number: str = Field(max_length=12)
    decision: str = Field(max_length=24)
    withdrawn: int
    reply_days: int
    replied_late: int
    reply_by: date
    pen_count: int
    quantity_kg: Decimal = Field(max_digits=20, decimal_places=3)


class ShipmentMonthlyDelta(SQLModel, table=True):
    """Signed changes to summary_shipment_month not yet folded into it (PostgreSQL)."""

    __tablename__ = "summary_shipment_month_delta"

    id: int | None = _delta_id()
    month: str = Field(max_length=7)
    exporting_country: str = Field(max_length=2)
    importing_country: str = Field(max_length=2)
    transit_key: str = Field(sa_type=Text)
    cas_number: str = Field(max_length=12)
    status: str = Field(max_length=20)
    shipment_count: int
    quantity_kg: Decimal = Field(max_digits=20, decimal_places=3)


class ShipmentObserved(SQLModel, table=True):
    """Per shipment with an observed quantity, the latest one recorded (by the event's
    created_at, then id), beside the shipment's route, declared and notified quantities.

    Kept by triggers on shipment_event, shipment and pre_export_notification in the writing
    transaction, so the observed-vs-notified gaps read one narrow row per shipment instead of
    ranking every border event."""

    __tablename__ = "summary_shipment_observed"
    __table_args__ = (
        Index(
            "ix_summary_shipment_observed_occurred",
            "occurred_at",
            postgresql_where="pen_id IS NOT NULL",
            sqlite_where="pen_id IS NOT NULL",
        ),
    )

    shipment_id: str = Field(primary_key=True, max_length=32)
    pen_id: str | None = Field(default=None, max_length=32)  # the shipment's notification_id
    exporting_country: str = Field(max_length=2)
    importing_country: str = Field(max_length=2)
    transit_key: str = Field(sa_type=Text)
    cas_number: str = Field(max_length=12)
    notified_kg: Decimal | None = Field(default=None, max_digits=18, decimal_places=3)
    declared_kg: Decimal = Field(max_digits=18, decimal_places=3)
    observed_kg: Decimal = Field(max_digits=18, decimal_places=3)
    occurred_at: datetime = Field(sa_type=UTCDateTime)  # of the latest observation
    recorded_at: datetime = Field(sa_type=UTCDateTime)  # its created_at
    event_id: str = Field(max_length=32)


class ShipmentInterdiction(SQLModel, table=True):
    """Every stop and seizure (one row per such border event) beside its shipment's route,
    substance and quantity (the one observed at the event, else the declared one).

    Kept by triggers on shipment_event and shipment in the writing transaction, so the stopped
    and seized summary reads these rows alone instead of joining the events to every shipment.
    The solo flags (which do not depend on the period) let it count and sum the rows of
    shipments stopped (or seized) once as they are, and group per shipment only the others."""

    __tablename__ = "summary_shipment_interdiction"
    __table_args__ = (
        Index("ix_summary_shipment_interdiction_occurred", "occurred_at"),
        Index("ix_summary_shipment_interdiction_shipment", "shipment_id"),
        Index(
            "ix_summary_shipment_interdiction_repeated",
            "occurred_at",
            postgresql_where="solo_in_type = 0",
            sqlite_where="solo_in_type = 0",
        ),
    )

    event_id: str = Field(primary_key=True, max_length=32)
    shipment_id: str = Field(max_length=32)
    event_type: str = Field(max_length=20)  # stopped or seized
    country: str = Field(max_length=2)  # where it happened
    exporting_country: str = Field(max_length=2)
    importing_country: str = Field(max_length=2)
    transit_key: str = Field(sa_type=Text)
    cas_number: str = Field(max_length=12)
    quantity_kg: Decimal = Field(max_digits=18, decimal_places=3)  # observed, else declared
    occurred_at: datetime = Field(sa_type=UTCDateTime)
    # 1: the only event of its (shipment, event type, country); 0: one of several.
    solo_in_country: int = Field(default=1, sa_column_kwargs={"server_default": "1"})
    # 1: the only event of its (shipment, event type) in any country.
    solo_in_type: int = Field(default=1, sa_column_kwargs={"server_default": "1"})


class FlagSubject(SQLModel, table=True):
    """Every flag beside its subject's route and substance, and whose draft it is on.

    Kept by triggers on flag, shipment and pre_export_notification in the writing transaction,
    so the flags summary reads one narrow row per flag instead of joining every flag to a
    million shipments to filter by route (and to hide flags on other countries' drafts)."""

    __tablename__ = "summary_flag"
    __table_args__ = (
        Index("ix_summary_flag_created", "created_at"),
        Index("ix_summary_flag_subject", "subject_id"),
    )

    flag_id: str = Field(primary_key=True, max_length=32)
    subject_type: str = Field(max_length=40)
    subject_id: str = Field(max_length=32)
    rule: str = Field(max_length=64)
    severity: str = Field(max_length=10)
    status: str = Field(max_length=20)
    created_at: datetime = Field(sa_type=UTCDateTime)
    # Whole hours from raising to the latest triage step; -1 while untriaged. Computed once
    # per write, so a summary over a year of flags does no arithmetic per row.
    triage_hours: int
    exporting_country: str = Field(max_length=2)
    importing_country: str = Field(max_length=2)
    transit_key: str = Field(sa_type=Text)
    cas_number: str = Field(max_length=12)
    # The exporting country while the subject is a draft PEN (drafts are its alone), else ''.
    draft_country: str = Field(max_length=2)


# Indexes the summaries read through, declared here (on other domains' tables) so that each
# domain's model stays as its owner wrote it. The partial months at either end of a period are
# read from the raw tables by time; stops and seizures by event type and time.
PEN_SENT_INDEX = Index("ix_summary_pen_sent_at", PreExportNotification.__table__.c.sent_at)  # type: ignore[attr-defined]
SHIPMENT_CREATED_INDEX = Index(
    "ix_summary_shipment_created_at",
    Shipment.__table__.c.created_at,  # type: ignore[attr-defined]
)
# A substance's shipments by time: the partial months of a period filtered by substance (acetic
# anhydride is one click away) read only that substance's rows, not every shipment of those days
# (at 1,000,000 shipments the AA share of two half-months is ~3,000 of ~87,000 rows).
SHIPMENT_SUBSTANCE_CREATED_INDEX = Index(
    "ix_summary_shipment_cas_created",
    Shipment.__table__.c.cas_number,  # type: ignore[attr-defined]
    Shipment.__table__.c.created_at,  # type: ignore[attr-defined]
)
EVENT_TYPE_INDEX = Index(
    "ix_summary_shipment_event_type_occurred",
    ShipmentEvent.__table__.c.type,  # type: ignore[attr-defined]
    ShipmentEvent.__table__.c.occurred_at,  # type: ignore[attr-defined]
)
