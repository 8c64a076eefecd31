"""What callers send and read about entities, links, watch lists and cases."""

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from app.core.fields import CountryCode, LongText, ShortText
from app.incidents.scopes import IncidentScope

Id = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=32)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000)]
Identifier = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class EntityMemberPublic(BaseModel):
    operator_id: str
    name: str
    country: str
    match_reasons: list[str] = Field(
        description="Why the operator is this party: same_registration_number, "
        "same_licence_number, same_address, same_name, similar_name:<score>, "
        "confirmed_by_investigator (empty for the entity's only member)"
    )


class EntityPublic(BaseModel):
    id: str
    name: str
    countries: list[str]
    members: list[EntityMemberPublic]


class EntityDecisionKind(StrEnum):
    SAME = "same"
    DIFFERENT = "different"


class EntityDecisionCreate(BaseModel):
    """Confirm (`same`) or split (`different`) a member of this entity and another operator."""

    model_config = ConfigDict(extra="forbid")

    operator_id: Id = Field(description="A member of this entity")
    other_operator_id: Id
    decision: EntityDecisionKind


class LinkNode(BaseModel):
    id: str
    type: str = Field(
        description="entity, operator, pre_export_notification, shipment, incident, flag"
    )
    label: str


class LinkEdge(BaseModel):
    source: str
    target: str
    kind: str


class LinksPublic(BaseModel):
    nodes: list[LinkNode]
    edges: list[LinkEdge]
    truncated: bool = Field(
        description="True when a record had more links than the graph shows (the nearest are kept)"
    )


class WatchlistIdentifiers(BaseModel):
    model_config = ConfigDict(extra="forbid")

    registration_number: Identifier | None = None
    licence_number: Identifier | None = None
    address: Identifier | None = None
    container_id: Identifier | None = None
    phone: Identifier | None = None
    email: Identifier | None = None
    bank_account: Identifier | None = None
    vessel: Identifier | None = None


class WatchlistEntryCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: ShortText | None = None
    identifiers: WatchlistIdentifiers = Field(default_factory=WatchlistIdentifiers)
    reason: LongText
    country_scope: list[CountryCode] = Field(
        default_factory=list,
        max_length=250,
        description="The countries whose trade the entry concerns (a subject's exporting, "
        "importing or transit country); empty: every country",
    )


class WatchlistEntryPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    name: str | None
    identifiers: dict[str, Any]
    reason: str
    country_scope: list[str]
    created_country: str | None
    created_at: datetime


class CaseCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: ShortText
    summary: Text | None = None
    scope: IncidentScope = Field(
        default=IncidentScope.CONFIDENTIAL,
        description="How members of other countries read the case's items: full, "
        "confidential (no quantities, explanations or descriptions) or summary (what and when)",
    )


class CaseItemType(StrEnum):
    FLAG = "flag"
    INCIDENT = "incident"
    SHIPMENT = "shipment"
    PEN = "pre_export_notification"
    ENTITY = "entity"


class CaseItemCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    type: CaseItemType
    id: Id


class CaseMemberCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    authority_id: Id


class CaseNoteCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=8000)]


class CaseMemberPublic(BaseModel):
    authority_id: str
    country: str
    owner: bool


class CaseItemPublic(BaseModel):
    type: str
    id: str
    label: str
    added_at: datetime
    record: dict[str, Any] = Field(description="The record, cut to the case's scope")


class CaseNotePublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    text: str
    author_authority_id: str | None
    created_at: datetime


class CasePublic(BaseModel):
    id: str
    title: str
    summary: str | None
    scope: str
    owner_authority_id: str
    owner_country: str
    created_at: datetime
    updated_at: datetime


class CaseDetail(CasePublic):
    members: list[CaseMemberPublic]
    items: list[CaseItemPublic]
    notes: list[CaseNotePublic]
