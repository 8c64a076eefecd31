"""The delivery outbox: each message to send (an alert to an authority's webhook, a message to a
peer node) and every attempt at sending it."""

from datetime import datetime

from sqlalchemy import Column, Index, Text, text
from sqlmodel import Field, SQLModel

from app.core.types import UTCDateTime, utcnow


class Delivery(SQLModel, table=True):
    """One message to send: an alert to an authority's webhook, or a message to a peer node.

    The id is the Standard Webhooks `webhook-id`: the same on every attempt, so receivers
    can drop duplicates.
    """

    __tablename__ = "delivery"
    __table_args__ = (
        # Partial: only what still has to be sent, in due order, so a claim reads the first
        # rows of the index however many delivered rows pile up.
        Index(
            "ix_delivery_due",
            "next_attempt_at",
            postgresql_where=text("status IN ('pending', 'retrying')"),
            sqlite_where=text("status IN ('pending', 'retrying')"),
        ),
    )

    id: str = Field(primary_key=True, max_length=32)
    target: str = Field(max_length=10)  # "webhook" or "node"
    alert_id: str | None = Field(default=None, foreign_key="alert.id", max_length=32, index=True)
    authority_id: str | None = Field(
        default=None, foreign_key="authority.id", max_length=32, index=True
    )
    peer_id: str | None = Field(default=None, foreign_key="peer.id", max_length=32, index=True)
    event_type: str = Field(max_length=40)
    url: str = Field(max_length=2000)
    # The exact bytes signed and sent, kept so every retry sends the same body.
    body: str = Field(sa_column=Column(Text, nullable=False))
    # pending (due at next_attempt_at), retrying (failed, due again at next_attempt_at),
    # delivered, dead (gave up; an admin may redeliver).
    # Indexed: `/metrics` counts deliveries by status at every scrape (bench/metrics.py).
    status: str = Field(default="pending", max_length=12, index=True)
    attempts: int = Field(default=0)
    # Position in the retry schedule; a redelivery starts the schedule again.
    schedule_step: int = Field(default=0)
    next_attempt_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    # A worker's lease: while it lasts, no other worker takes the delivery.
    claimed_by: str | None = Field(default=None, max_length=64)
    claimed_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_status_code: int | None = Field(default=None)
    last_error: str | None = Field(default=None, max_length=1000)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    delivered_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class DeliveryAttempt(SQLModel, table=True):
    """One try at sending a delivery: when, by which worker, and what came back."""

    __tablename__ = "delivery_attempt"

    id: str = Field(primary_key=True, max_length=32)
    delivery_id: str = Field(foreign_key="delivery.id", max_length=32, index=True)
    number: int
    worker: str = Field(max_length=64)
    started_at: datetime = Field(sa_type=UTCDateTime)
    duration_ms: int
    status_code: int | None = Field(default=None)
    error: str | None = Field(default=None, max_length=1000)
    response_excerpt: str | None = Field(default=None, max_length=500)
    outcome: str = Field(max_length=12)  # delivered, retrying, dead
    next_attempt_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class WorkerHeartbeat(SQLModel, table=True):
    """Each worker process's last sign of life, written every round (`/metrics` reads it)."""

    __tablename__ = "worker_heartbeat"

    name: str = Field(primary_key=True, max_length=64)
    started_at: datetime = Field(sa_type=UTCDateTime)
    seen_at: datetime = Field(sa_type=UTCDateTime)
