"""The delivery outbox's problems."""

from app.core.problems import Conflict, NotFound


class DeliveryNotFound(NotFound):
    type = "delivery-not-found"
    title = "Delivery not found"


class DeliveryInFlight(Conflict):
    type = "delivery-in-flight"
    title = "A worker is sending this delivery now"
