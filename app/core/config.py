"""Settings, read once from `PENTRACK_*` environment variables."""

from functools import lru_cache

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PENTRACK_", env_file=".env", extra="ignore")

    database_url: str = "sqlite:///./pentrack.db"
    # Days an importing authority has to answer a PEN when the exporter sets no date.
    reply_window_days: int = Field(default=15, ge=1, le=365)
    # Requests with a larger body are refused with 413 before they reach a handler.
    max_body_bytes: int = Field(default=1_048_576, ge=1024)
    # How long an Idempotency-Key is remembered.
    idempotency_ttl_hours: int = Field(default=24, ge=1)
    # SQLite: how long a writer waits for the lock before giving up (ms).
    sqlite_busy_timeout_ms: int = Field(default=30_000, ge=0)
    db_pool_size: int = Field(default=10, ge=1)
    log_level: str = "info"


@lru_cache
def get_settings() -> Settings:
    return Settings()
