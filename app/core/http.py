"""The one place outbound HTTP clients are built (webhooks, peer nodes).

Tests pass a transport (`httpx.MockTransport`) or point the client at a real local receiver.
Redirects are not followed: a webhook endpoint that moves must be reconfigured, not chased.
"""

import httpx

from app.core.config import Settings


def build_http_client(
    settings: Settings, *, transport: httpx.BaseTransport | None = None, concurrency: int = 1
) -> httpx.Client:
    """A client with the delivery timeout, no redirects, and a pool sized for `concurrency`."""
    timeout = settings.delivery_timeout_seconds
    return httpx.Client(
        timeout=httpx.Timeout(timeout, connect=min(timeout, 5.0)),
        follow_redirects=False,
        limits=httpx.Limits(
            max_connections=max(concurrency, 1) * 2,
            max_keepalive_connections=max(concurrency, 1) * 2,
        ),
        headers={"user-agent": f"pentrack/1.0 (node {settings.node_id})"},
        transport=transport,
    )
