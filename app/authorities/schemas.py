import base64
import binascii
from datetime import datetime
from enum import StrEnum

from pydantic import AnyHttpUrl, BaseModel, ConfigDict, EmailStr, field_validator

from app.core.fields import CountryCode, ShortText


class AuthorityKind(StrEnum):
    REGULATOR = "regulator"
    CUSTOMS = "customs"
    LAW_ENFORCEMENT = "law_enforcement"
    INTERNATIONAL = "international"


class AuthorityCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    country: CountryCode
    name: ShortText
    kind: AuthorityKind
    email: EmailStr | None = None
    webhook_url: AnyHttpUrl | None = None
    webhook_secret: str | None = None

    @field_validator("webhook_secret")
    @classmethod
    def _standard_webhooks_secret(cls, value: str | None) -> str | None:
        if value is None:
            return None
        if not value.startswith("whsec_"):
            raise ValueError("a Standard Webhooks secret starts with 'whsec_'")
        try:
            raw = base64.b64decode(value.removeprefix("whsec_"), validate=True)
        except binascii.Error as exc:
            raise ValueError("the part after 'whsec_' must be base64") from exc
        if not 24 <= len(raw) <= 64:
            raise ValueError("the secret must decode to 24 to 64 bytes")
        return value


class AuthorityUpdate(BaseModel):
    """Only the fields sent change; `email` and `webhook_url` may be set to null to clear them."""

    model_config = ConfigDict(extra="forbid")

    name: ShortText | None = None
    email: EmailStr | None = None
    webhook_url: AnyHttpUrl | None = None
    enabled: bool | None = None

    @field_validator("name", "enabled", mode="before")
    @classmethod
    def _not_null(cls, value: object) -> object:
        # Runs only for values sent: leaving a field out keeps it, null is refused.
        if value is None:
            raise ValueError("may be left out, but not null")
        return value


class AuthorityPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    country: str
    name: str
    kind: str
    email: str | None
    webhook_url: str | None
    enabled: bool = True
    created_at: datetime
    # Until then, webhooks are signed with the previous secret as well (admins only).
    previous_secret_until: datetime | None = None


class AuthorityCreated(AuthorityPublic):
    # Present only in the creation response when pentrack generated the secret.
    webhook_secret: str | None = None


class AuthorityUpdated(AuthorityPublic):
    # Present only when this change gave the authority its first webhook secret.
    webhook_secret: str | None = None


class SecretRotated(BaseModel):
    """The new webhook secret, shown here only."""

    authority_id: str
    webhook_secret: str
    # The previous secret signs beside the new one until then (null: there was none).
    previous_secret_until: datetime | None
