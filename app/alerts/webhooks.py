"""An alert as its authority's webhook receives it: a Standard Webhooks payload, serialised once
when the delivery is queued, so every retry sends the same bytes under the same `webhook-id`."""

from app.alerts.models import Alert
from app.delivery.bodies import dumps


def webhook_body(alert: Alert) -> str:
    """The Standard Webhooks payload for an alert: {type, timestamp, data}."""
    return dumps(
        {
            "type": alert.event_type,
            "timestamp": alert.created_at.isoformat(),
            "data": {
                "alert_id": alert.id,
                "authority_id": alert.authority_id,
                "event_id": alert.event_id,
                "subject_type": alert.subject_type,
                "subject_id": alert.subject_id,
                "severity": alert.severity,
                "title": alert.title,
                "routing_rule": alert.rule,
                "scope": alert.scope,
                "origin_node": alert.origin_node,
                "route": alert.route,
                "payload": alert.payload,
            },
        }
    )
