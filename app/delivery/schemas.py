from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

Id = Annotated[str, StringConstraints(min_length=1, max_length=32)]


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    RETRYING = "retrying"
    DELIVERED = "delivered"
    DEAD = "dead"


class DeliveryAttemptPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    number: int
    worker: str
    started_at: datetime
    duration_ms: int
    status_code: int | None
    error: str | None
    response_excerpt: str | None
    outcome: str
    next_attempt_at: datetime | None


class DeliveryPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    target: str
    alert_id: str | None
    authority_id: str | None
    peer_id: str | None
    event_type: str
    url: str
    status: DeliveryStatus
    attempts: int
    next_attempt_at: datetime
    last_status_code: int | None
    last_error: str | None
    created_at: datetime
    updated_at: datetime
    delivered_at: datetime | None


class DeliveryDetail(DeliveryPublic):
    attempts_log: list[DeliveryAttemptPublic]


class RedeliverAll(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: list[DeliveryStatus] = Field(default=[DeliveryStatus.DEAD], min_length=1)
    authority_id: Id | None = None
    peer_id: Id | None = None

    @field_validator("status")
    @classmethod
    def _failed_only(cls, value: list[DeliveryStatus]) -> list[DeliveryStatus]:
        if DeliveryStatus.DELIVERED in value or DeliveryStatus.PENDING in value:
            raise ValueError("redeliver all takes failed deliveries only: dead or retrying")
        return value


class RedeliverResult(BaseModel):
    redelivered: int
