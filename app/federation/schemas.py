from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, AnyHttpUrl, BaseModel, ConfigDict, Field, StringConstraints

from app.core.fields import CountryCode, ShortText
from app.delivery.signing import validate_public_key, validate_webhook_secret

PublicKey = Annotated[str, StringConstraints(max_length=200), AfterValidator(validate_public_key)]
WebhookSecret = Annotated[
    str, StringConstraints(max_length=200), AfterValidator(validate_webhook_secret)
]


class PeerCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    node_id: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9._-]{1,64}$")]
    name: ShortText
    base_url: AnyHttpUrl
    countries: list[CountryCode] = Field(min_length=1, max_length=250)
    # A Standard Webhooks secret both nodes hold; generated (and shown once) when absent.
    shared_secret: WebhookSecret | None = None
    public_key: PublicKey | None = None
    enabled: bool = True


class PeerUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: ShortText | None = None
    base_url: AnyHttpUrl | None = None
    countries: list[CountryCode] | None = Field(default=None, min_length=1, max_length=250)
    shared_secret: WebhookSecret | None = None
    public_key: PublicKey | None = None
    enabled: bool | None = None


class PeerPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    node_id: str
    name: str
    base_url: str
    countries: list[str]
    public_key: str | None
    enabled: bool
    created_at: datetime
    updated_at: datetime


class PeerCreated(PeerPublic):
    # Present only in the creation response when pentrack generated the secret.
    shared_secret: str | None = None


class NodeInfo(BaseModel):
    node_id: str
    public_key: str | None
    inbound_path: str


class InboundMessagePublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    peer_id: str
    message_id: str
    type: str
    sent_at: datetime
    received_at: datetime
    outcome: str
    detail: str | None
    subject_type: str | None
    subject_id: str | None


class InboundReceipt(BaseModel):
    message_id: str
    status: str  # accepted, duplicate
    outcome: str
    subject_type: str | None
    subject_id: str | None
