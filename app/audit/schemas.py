from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict


class AuditEventPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    occurred_at: datetime
    actor_user_id: str | None
    actor_role: str | None
    actor_authority_id: str | None
    action: str
    subject_type: str
    subject_id: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    # The X-Request-ID of the request that made the change; null for the worker and the CLI.
    request_id: str | None
