from datetime import date, datetime
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, StringConstraints

from app.core.fields import CountryCode, PlausibleDate, ShortText


class OperatorKind(StrEnum):
    MANUFACTURER = "manufacturer"
    DISTRIBUTOR = "distributor"
    TRADER = "trader"
    END_USER = "end_user"
    FORWARDER = "forwarder"
    BROKER = "broker"
    OTHER = "other"


Address = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
Identifier = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]


class OperatorCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: ShortText
    country: CountryCode
    address: Address
    kind: OperatorKind | None = None
    registration_number: Identifier | None = None
    licence_number: Identifier | None = None
    licence_valid_until: PlausibleDate | None = None


class OperatorPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    name: str
    country: str
    address: str
    kind: str | None
    registration_number: str | None
    licence_number: str | None
    licence_valid_until: date | None
    created_at: datetime
