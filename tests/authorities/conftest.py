"""The alerts tests' real webhook receiver, retry settings and default routing, reused."""

from tests.alerts.conftest import default_routing, receiver, worker_settings

__all__ = ["default_routing", "receiver", "worker_settings"]
