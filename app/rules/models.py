"""Rules (versioned, declarative), the flags they raise, and the triage of flags."""

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Column, Index, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from app.core.cache import RULES, group_info
from app.core.types import JSONType, UTCDateTime, utcnow


class Rule(SQLModel, table=True):
    """One version of a rule. Editing a rule adds a version; old versions stay for their flags."""

    __tablename__ = "rule"
    __table_args__ = (UniqueConstraint("code", "version"), group_info(RULES))

    id: str = Field(primary_key=True, max_length=32)
    code: str = Field(max_length=64, index=True)
    version: int = Field(ge=1)
    # Only the latest version of a code is current (evaluated when enabled).
    is_current: bool = Field(default=True, index=True)
    title: str = Field(max_length=200)
    description: str = Field(default="", max_length=4000)
    severity: str = Field(max_length=10)
    weight: Decimal = Field(default=Decimal(1), max_digits=8, decimal_places=2)
    enabled: bool = Field(default=True)
    # Which subjects the rule judges: ["shipment"], ["pre_export_notification"] or both.
    subjects: list[str] = Field(default_factory=list, sa_column=Column(JSONType, nullable=False))
    condition: dict[str, Any] = Field(sa_column=Column(JSONType, nullable=False))
    # A str.format template over facts, read by a customs officer.
    explanation: str = Field(max_length=1000)
    # A citation: the article, INCB publication or case the indicator comes from.
    source: str | None = Field(default=None, max_length=500)
    builtin: bool = Field(default=False)
    created_by_user_id: str | None = Field(default=None, max_length=32)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


CONFIRMED_ONLY = text("status = 'confirmed'")


class Flag(SQLModel, table=True):
    """A suspicion about a shipment or a notification, raised by a rule version or by a person."""

    __tablename__ = "flag"
    __table_args__ = (
        # The no-duplicate guarantee: one flag per rule version and subject (manual flags have
        # no rule_id, and NULLs never collide).
        UniqueConstraint("rule_id", "subject_type", "subject_id"),
        Index("ix_flag_subject", "subject_type", "subject_id"),
        Index("ix_flag_status_severity", "status", "severity"),
        # An operator's confirmed flags as the buyer of their subjects, for the rules'
        # `linked-to-confirmed` (app/investigations/facts.py): confirmed flags only, so a write
        # reads the few that name its parties, never their whole trade.
        *(
            Index(
                f"ix_flag_confirmed_{party}",
                f"{party}_id",
                postgresql_where=CONFIRMED_ONLY,
                sqlite_where=CONFIRMED_ONLY,
            )
            for party in ("importer", "consignee")
        ),
    )

    id: str = Field(primary_key=True, max_length=32)
    rule: str = Field(max_length=64, index=True)  # the rule's code, or "manual"
    rule_id: str | None = Field(default=None, foreign_key="rule.id", max_length=32)
    rule_version: int | None = Field(default=None)
    severity: str = Field(max_length=10)
    status: str = Field(max_length=20)
    subject_type: str = Field(max_length=40)
    subject_id: str = Field(max_length=32)
    explanation: str = Field(max_length=2000)
    evidence: dict[str, Any] = Field(
        default_factory=dict, sa_column=Column(JSONType, nullable=False)
    )
    weight: Decimal = Field(default=Decimal(1), max_digits=8, decimal_places=2)
    raised_by_user_id: str | None = Field(default=None, max_length=32)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    triaged_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # The subject's buyers, copied when the flag is raised (a record's parties never change).
    importer_id: str | None = Field(default=None, max_length=32)
    consignee_id: str | None = Field(default=None, max_length=32)


class FlagTriage(SQLModel, table=True):
    """One step of a flag's triage, with the officer's note."""

    __tablename__ = "flag_triage"

    id: str = Field(primary_key=True, max_length=32)
    flag_id: str = Field(foreign_key="flag.id", max_length=32, index=True)
    from_status: str = Field(max_length=20)
    to_status: str = Field(max_length=20)
    note: str = Field(max_length=4000)
    user_id: str | None = Field(default=None, max_length=32)
    authority_id: str | None = Field(default=None, max_length=32)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
