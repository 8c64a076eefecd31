"""Settings, read once from `PENTRACK_*` environment variables (and a `.env` file)."""

import logging
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from dotenv import dotenv_values
from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PREFIX = "PENTRACK_"
LogLevel = Literal["critical", "error", "warning", "info", "debug"]
LogFormat = Literal["json", "console"]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PENTRACK_", env_file=".env", extra="ignore")

    database_url: str = "sqlite:///./pentrack.db"
    # Days an importing authority has to answer a PEN when the exporter sets no date.
    reply_window_days: int = Field(default=15, ge=1, le=365)
    # Days an addressed country has to answer a backtracking request that sets no `reply_by`.
    backtracking_reply_days: int = Field(default=30, ge=1, le=365)
    # Requests with a larger body are refused with 413 before they reach a handler.
    max_body_bytes: int = Field(default=1_048_576, ge=1024)
    # Except the files of bulk imports (POST /api/v1/imports): up to this many bytes.
    max_import_bytes: int = Field(default=512 * 1_048_576, ge=1024)
    # How long an Idempotency-Key is remembered.
    idempotency_ttl_hours: int = Field(default=24, ge=1)
    # SQLite: how long a writer waits for the lock before giving up (ms).
    sqlite_busy_timeout_ms: int = Field(default=30_000, ge=0)
    db_pool_size: int = Field(default=10, ge=1)
    # Write requests (POST, PUT, PATCH, DELETE) that may hold a database session at once; more
    # wait in arrival order (app/core/admission.py). Unset: 1 on SQLite, which lets one writer in
    # at a time, 8 on PostgreSQL. Reads have turns of their own, and the thread pool a thread for
    # every turn.
    write_threads: int | None = Field(default=None, ge=1, le=64)
    read_threads: int = Field(default=40, ge=1, le=256)
    log_level: LogLevel = "info"
    # `json`: one JSON object a line (for a log collector); `console`: for a person at a
    # terminal. Unset: console when stderr is a terminal, else JSON.
    log_format: LogFormat | None = None
    # `/metrics`: besides admin tokens, a scraper may present this bearer token (app/metrics.py).
    metrics_token: SecretStr | None = None
    # Dashboard sessions: the cookie is signed with this secret (HMAC-SHA256). Unset, each process
    # makes a random one, so sessions end on restart and do not cross worker processes.
    session_secret: SecretStr | None = None
    session_ttl_hours: int = Field(default=12, ge=1, le=24 * 30)
    # Send the session cookie over HTTPS only (browsers make an exception for localhost).
    session_cookie_secure: bool = True

    # Send webhooks and node messages to loopback and private addresses too (development and
    # tests only: app/core/destinations.py).
    allow_private_destinations: bool = False

    # Alerts, webhooks and nodes (app/alerts).
    # This installation's name among pentrack nodes (sent as `pentrack-node` to peers).
    node_id: str = Field(default="local", min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._-]+$")
    # Optional ed25519 key (`whsk_…`): messages to peers also carry a `v1a` signature.
    node_signing_key: str | None = None
    # How far a peer's signed timestamp may be from our clock (replay window).
    node_replay_window_seconds: int = Field(default=300, ge=1, le=3600)
    # After a webhook secret is rotated, the old one keeps signing beside the new one this long.
    webhook_secret_overlap_hours: float = Field(default=24, ge=0, le=24 * 30)
    # Seconds to wait for a webhook or peer to answer one attempt.
    delivery_timeout_seconds: float = Field(default=10.0, gt=0, le=120)
    # Waits between attempts (seconds); after the last one a delivery is dead. The default
    # gives up after about 3 days (5 s, 5 min, 30 min, 2 h, 5 h, 4×10 h, 2×12 h).
    delivery_schedule_seconds: list[float] = Field(
        default=[5, 300, 1800, 7200, 18000, 36000, 36000, 36000, 36000, 43200, 43200],
        min_length=1,
        max_length=50,
    )
    # Each wait is multiplied by a random factor in [1 - jitter, 1 + jitter].
    delivery_jitter: float = Field(default=0.2, ge=0, le=1)
    # Longest Retry-After a receiver may ask for (seconds).
    delivery_max_retry_after_seconds: int = Field(default=86_400, ge=0)
    # A claimed delivery belongs to its worker this long; then another worker may take it.
    # Raised automatically to cover two batches of timeouts (batch / concurrency × timeout × 2).
    delivery_lease_seconds: float = Field(default=60.0, gt=0)
    # Deliveries one worker claims at a time, and sends in parallel.
    worker_batch_size: int = Field(default=200, ge=1, le=1000)
    worker_concurrency: int = Field(default=8, ge=1, le=64)
    # How long an idle worker sleeps before looking for due deliveries again.
    worker_poll_seconds: float = Field(default=0.25, gt=0, le=60)
    # How often a worker records that it is alive (`pentrack_worker_heartbeat_age_seconds`).
    worker_heartbeat_seconds: float = Field(default=15.0, gt=0, le=3600)
    # How often a worker looks for PENs whose reply date passed (emits pen.reply_overdue).
    worker_overdue_check_seconds: float = Field(default=60.0, gt=0)

    @field_validator("log_level", "log_format", mode="before")
    @classmethod
    def _lower(cls, value: Any) -> Any:
        return value.strip().lower() if isinstance(value, str) else value


def unknown_env_file_keys(env_file: str | Path = ".env") -> list[str]:
    """`PENTRACK_` names in the `.env` file that are no setting (a typo is otherwise silently
    ignored)."""
    path = Path(env_file)
    if not path.is_file():
        return []
    known = {PREFIX + name.upper() for name in Settings.model_fields}
    return sorted(
        key
        for key in dotenv_values(path)
        if key.upper().startswith(PREFIX) and key.upper() not in known
    )


@lru_cache
def get_settings() -> Settings:
    for key in unknown_env_file_keys():
        logging.getLogger("pentrack.config").warning(
            "unknown setting %s in .env (ignored); see the README's Configuration table", key
        )
    return Settings()
