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


class AuthorityPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    country: str
    name: str
    kind: str
    email: str | None
    webhook_url: str | None
    created_at: datetime


class AuthorityCreated(AuthorityPublic):
    # Present only in the creation response when pentrack generated the secret.
    webhook_secret: str | None = None
