"""Peer nodes and the messages they sent us."""

from datetime import datetime
from typing import Any

from sqlalchemy import Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.core.cache import ROUTING, group_info
from app.core.types import JSONType, UTCDateTime, utcnow

# Where a node receives messages from its peers.
INBOX_PATH = "/api/v1/nodes/messages"


def _json_list() -> Any:
    return Field(default_factory=list, sa_column=Column(JSONType, nullable=False))


class Peer(SQLModel, table=True):
    """Another pentrack node and the countries whose authorities it hosts."""

    __tablename__ = "peer"
    # Routing reads peers with the routing rules (app/alerts/outbox.py).
    __table_args__ = group_info(ROUTING)

    id: str = Field(primary_key=True, max_length=32)
    node_id: str = Field(max_length=64, unique=True)
    name: str = Field(max_length=200)
    base_url: str = Field(max_length=2000)
    countries: list[str] = _json_list()
    # Standard Webhooks secret (`whsec_…`) shared by both nodes: HMAC both ways.
    shared_secret: str = Field(max_length=200)
    # The peer's ed25519 public key (`whpk_…`); when set, its messages must carry a v1a signature.
    public_key: str | None = Field(default=None, max_length=200)
    enabled: bool = Field(default=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)

    def inbox_url(self) -> str:
        return self.base_url.rstrip("/") + INBOX_PATH


class InboundMessage(SQLModel, table=True):
    """A verified message from a peer, stored once per message id, linked to the local record."""

    __tablename__ = "inbound_message"
    __table_args__ = (UniqueConstraint("peer_id", "message_id"),)

    id: str = Field(primary_key=True, max_length=32)
    peer_id: str = Field(foreign_key="peer.id", max_length=32, index=True)
    message_id: str = Field(max_length=64)
    type: str = Field(max_length=40)
    sent_at: datetime = Field(sa_type=UTCDateTime)
    received_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    # applied, or ignored (with the reason in `detail`) when the local record had moved on.
    outcome: str = Field(max_length=12)
    detail: str | None = Field(default=None, max_length=1000)
    subject_type: str | None = Field(default=None, max_length=40)
    subject_id: str | None = Field(default=None, max_length=32)
    body: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSONType, nullable=False))
