"""What the outbox stores for each delivery: its body, serialised once (every retry sends the same
bytes under the same `webhook-id`), and its pending row."""

import json
from datetime import datetime
from typing import Any

from app.core.ids import new_id


def dumps(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), default=str)


def pending_row(
    target: str,
    event_type: str,
    url: str,
    body: str,
    now: datetime,
    *,
    alert_id: str | None = None,
    authority_id: str | None = None,
    peer_id: str | None = None,
) -> dict[str, Any]:
    """A pending delivery, as a row for a bulk insert."""
    return {
        "id": new_id(),
        "target": target,
        "alert_id": alert_id,
        "authority_id": authority_id,
        "peer_id": peer_id,
        "event_type": event_type,
        "url": url,
        "body": body,
        "status": "pending",
        "attempts": 0,
        "schedule_step": 0,
        "next_attempt_at": now,
        "claimed_by": None,
        "claimed_until": None,
        "last_status_code": None,
        "last_error": None,
        "created_at": now,
        "updated_at": now,
        "delivered_at": None,
    }
