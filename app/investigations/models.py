"""Investigations: resolved entities (one real-world party across operator records), the
investigators' decisions on them, watch lists, and cases shared across borders."""

from datetime import datetime
from typing import Any

from sqlalchemy import Column, Index
from sqlmodel import Field, SQLModel

from app.core.types import JSONType, UTCDateTime, utcnow
from app.notifications.models import PreExportNotification
from app.operators.models import Operator
from app.shipments.models import Shipment


class Entity(SQLModel, table=True):
    """A cluster of operators that are one party. Its id is `ent_` + its earliest operator's id,
    so that an id handed out keeps finding the party after re-resolution (entities.py)."""

    __tablename__ = "entity"

    id: str = Field(primary_key=True, max_length=32)
    name: str = Field(max_length=200)
    countries: list[str] = Field(default_factory=list, sa_column=Column(JSONType, nullable=False))
    member_count: int
    resolved_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)


class EntityMember(SQLModel, table=True):
    """An operator's place in an entity, with the reasons it joined (empty for a lone one)."""

    __tablename__ = "entity_member"

    operator_id: str = Field(foreign_key="operator.id", primary_key=True, max_length=32)
    entity_id: str = Field(max_length=32, index=True)
    # The normalised name (resolution.normalise_name), searched by GET /entities?q=.
    name_key: str = Field(max_length=200, index=True)
    match_reasons: list[str] = Field(
        default_factory=list, sa_column=Column(JSONType, nullable=False)
    )


class EntityKey(SQLModel, table=True):
    """The blocking keys an operator is filed under: new operators are compared with the
    operators sharing a key, not with all of them."""

    __tablename__ = "entity_key"
    __table_args__ = (Index("ix_entity_key_key", "key"),)

    operator_id: str = Field(foreign_key="operator.id", primary_key=True, max_length=32)
    key: str = Field(primary_key=True, max_length=220)


class EntityDecision(SQLModel, table=True):
    """An investigator's word on a pair of operators: the same party or not. It outlives every
    re-resolution (the pair is stored in sorted order)."""

    __tablename__ = "entity_decision"

    operator_id: str = Field(foreign_key="operator.id", primary_key=True, max_length=32)
    other_operator_id: str = Field(foreign_key="operator.id", primary_key=True, max_length=32)
    decision: str = Field(max_length=10)  # "same" | "different"
    decided_by_user_id: str | None = Field(default=None, max_length=32)
    decided_by_authority_id: str | None = Field(default=None, max_length=32)
    decided_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class WatchlistEntry(SQLModel, table=True):
    """A party to watch for, by name or identifier, with a reason and the countries whose
    trade it concerns (none: everywhere)."""

    __tablename__ = "watchlist_entry"

    id: str = Field(primary_key=True, max_length=32)
    name: str | None = Field(default=None, max_length=200)
    name_key: str | None = Field(default=None, max_length=200)
    identifiers: dict[str, Any] = Field(
        default_factory=dict, sa_column=Column(JSONType, nullable=False)
    )
    reason: str = Field(max_length=2000)
    country_scope: list[str] = Field(
        default_factory=list, sa_column=Column(JSONType, nullable=False)
    )
    created_by_user_id: str | None = Field(default=None, max_length=32)
    created_by_authority_id: str | None = Field(default=None, max_length=32)
    created_country: str | None = Field(default=None, max_length=2)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Case(SQLModel, table=True):
    """An investigation: opened by an authority, shared with the authorities it invites."""

    __tablename__ = "investigation_case"

    id: str = Field(primary_key=True, max_length=32)
    title: str = Field(max_length=200)
    summary: str | None = Field(default=None, max_length=4000)
    scope: str = Field(max_length=12)
    owner_authority_id: str = Field(foreign_key="authority.id", max_length=32, index=True)
    owner_country: str = Field(max_length=2)
    created_by_user_id: str | None = Field(default=None, max_length=32)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class CaseMember(SQLModel, table=True):
    """An authority invited into a case (the owner is a member too)."""

    __tablename__ = "investigation_case_member"
    __table_args__ = (Index("ix_investigation_case_member_authority", "authority_id"),)

    case_id: str = Field(foreign_key="investigation_case.id", primary_key=True, max_length=32)
    authority_id: str = Field(foreign_key="authority.id", primary_key=True, max_length=32)
    country: str = Field(max_length=2)
    invited_by_authority_id: str | None = Field(default=None, max_length=32)
    invited_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class CaseItem(SQLModel, table=True):
    """A record a case holds: a flag, incident, shipment, PEN or entity."""

    __tablename__ = "investigation_case_item"

    case_id: str = Field(foreign_key="investigation_case.id", primary_key=True, max_length=32)
    item_type: str = Field(primary_key=True, max_length=24)
    item_id: str = Field(primary_key=True, max_length=32)
    added_by_authority_id: str | None = Field(default=None, max_length=32)
    added_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class CaseNote(SQLModel, table=True):
    __tablename__ = "investigation_case_note"

    id: str = Field(primary_key=True, max_length=32)
    case_id: str = Field(foreign_key="investigation_case.id", max_length=32, index=True)
    text: str = Field(max_length=8000)
    author_user_id: str | None = Field(default=None, max_length=32)
    author_authority_id: str | None = Field(default=None, max_length=32)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


# The links graph (links.py) walks from an operator to the records naming it; the rules' covering
# indexes already lead with a shipment's importer and exporter and a PEN's importer. Declared
# here, like the dashboard's, so each domain's model stays as its owner wrote it.
_SHIPMENT = Shipment.__table__  # type: ignore[attr-defined]
_PEN = PreExportNotification.__table__  # type: ignore[attr-defined]
SHIPMENT_CONSIGNEE_INDEX = Index("ix_links_shipment_consignee", _SHIPMENT.c.consignee_id)
PEN_EXPORTER_INDEX = Index("ix_links_pen_exporter", _PEN.c.exporter_id)
PEN_CONSIGNEE_INDEX = Index("ix_links_pen_consignee", _PEN.c.consignee_id)
# Whether operators were registered since the last resolution (entities.resolve_new).
OPERATOR_CREATED_INDEX = Index(
    "ix_entities_operator_created",
    Operator.__table__.c.created_at,  # type: ignore[attr-defined]
)
