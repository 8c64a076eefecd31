"""Incidents (PICS-style): seizures, stopped shipments, attempted diversions, illicit
laboratories and thefts; the backtracking requests they lead to; forensic samples."""

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Column, Index
from sqlmodel import Field, SQLModel

from app.core.types import JSONType, UTCDateTime, utcnow


class Incident(SQLModel, table=True):
    __tablename__ = "incident"
    __table_args__ = (
        Index("ix_incident_country_occurred", "country", "occurred_on"),
        # The rules' route-in-incident fact (rules/gather.py) asks whether an incident ran the
        # subject's route at every write.
        Index("ix_incident_route", "origin_country", "destination_country"),
    )

    id: str = Field(primary_key=True, max_length=32)
    reference: str = Field(max_length=32, unique=True)
    kind: str = Field(max_length=24, index=True)
    # The recording country: its authorities read the whole incident.
    country: str = Field(foreign_key="country.iso2", max_length=2)
    occurred_on: date
    method: str | None = Field(default=None, max_length=200)
    description: str | None = Field(default=None, max_length=4000)
    origin_country: str | None = Field(default=None, max_length=2)
    transit_countries: list[str] = Field(
        default_factory=list, sa_column=Column(JSONType, nullable=False)
    )
    destination_country: str | None = Field(default=None, max_length=2)
    shipment_id: str | None = Field(
        default=None, foreign_key="shipment.id", max_length=32, index=True
    )
    notification_id: str | None = Field(
        default=None, foreign_key="pre_export_notification.id", max_length=32
    )
    scope: str = Field(max_length=12)
    quantity_kg: Decimal | None = Field(default=None, max_digits=18, decimal_places=3)
    recorded_by_user_id: str | None = Field(default=None, max_length=32)
    recorded_by_authority_id: str | None = Field(default=None, max_length=32)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class IncidentSubstance(SQLModel, table=True):
    """A chemical found: a known substance by CAS number, or any chemical by name."""

    __tablename__ = "incident_substance"

    id: str = Field(primary_key=True, max_length=32)
    incident_id: str = Field(foreign_key="incident.id", max_length=32, index=True)
    position: int
    # Not a foreign key: an unscheduled chemical may come with a CAS number we do not list.
    cas_number: str | None = Field(default=None, max_length=14, index=True)
    name: str = Field(max_length=200)
    quantity: Decimal = Field(max_digits=15, decimal_places=3)
    unit: str = Field(max_length=3)
    # Null for a volume of a chemical whose density we do not know.
    quantity_kg: Decimal | None = Field(default=None, max_digits=18, decimal_places=3)


class IncidentCountry(SQLModel, table=True):
    """The countries an incident names, by role (who reads it, who hears of it)."""

    __tablename__ = "incident_country"
    __table_args__ = (Index("ix_incident_country_country", "country", "incident_id"),)

    incident_id: str = Field(foreign_key="incident.id", primary_key=True, max_length=32)
    country: str = Field(primary_key=True, max_length=2)
    role: str = Field(primary_key=True, max_length=12)


# How an operator came to be linked to an incident: named by the officer who recorded it, copied
# from the declaration of the shipment whose border event opened it, or traced by the answer to
# a backtracking request. The rules' `party_in_incident` counts the first and the last (an
# officer's finding), not the parties a declaration merely names.
NAMED_BY_RECORDER = "incident"
FROM_DECLARATION = "border_event"
TRACED_BY_BACKTRACKING = "backtracking"
FINDINGS = (NAMED_BY_RECORDER, TRACED_BY_BACKTRACKING)
NAMED_IN_INCIDENT = (NAMED_BY_RECORDER, FROM_DECLARATION)


class IncidentOperator(SQLModel, table=True):
    """An operator named in an incident, or traced by the answer to one of its backtracking
    requests (`source`)."""

    __tablename__ = "incident_operator"
    __table_args__ = (Index("ix_incident_operator_operator", "operator_id", "incident_id"),)

    incident_id: str = Field(foreign_key="incident.id", primary_key=True, max_length=32)
    operator_id: str = Field(foreign_key="operator.id", primary_key=True, max_length=32)
    source: str = Field(max_length=32)


class BacktrackingRequest(SQLModel, table=True):
    """A question from the recording country to another: who supplied this, under which
    authorisation?"""

    __tablename__ = "backtracking_request"
    __table_args__ = (Index("ix_backtracking_request_to_country", "to_country", "status"),)

    id: str = Field(primary_key=True, max_length=32)
    incident_id: str = Field(foreign_key="incident.id", max_length=32, index=True)
    from_country: str = Field(max_length=2)
    from_authority_id: str | None = Field(default=None, max_length=32)
    to_country: str = Field(foreign_key="country.iso2", max_length=2)
    question: str = Field(max_length=4000)
    scope: str = Field(max_length=12)
    status: str = Field(max_length=12)
    reply_by: date
    findings: str | None = Field(default=None, max_length=4000)
    answer_operator_ids: list[str] = Field(
        default_factory=list, sa_column=Column(JSONType, nullable=False)
    )
    answered_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    answered_by_authority_id: str | None = Field(default=None, max_length=32)
    requested_by_user_id: str | None = Field(default=None, max_length=32)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ForensicSample(SQLModel, table=True):
    __tablename__ = "forensic_sample"

    id: str = Field(primary_key=True, max_length=32)
    incident_id: str = Field(foreign_key="incident.id", max_length=32, index=True)
    laboratory: str = Field(max_length=200)
    sample_reference: str = Field(max_length=64)
    substance_identified: str | None = Field(default=None, max_length=200)
    purity_percent: Decimal | None = Field(default=None, max_digits=6, decimal_places=3)
    impurity_profile: Any | None = Field(default=None, sa_column=Column(JSONType, nullable=True))
    method: str | None = Field(default=None, max_length=200)
    recorded_by_user_id: str | None = Field(default=None, max_length=32)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
