"""How border events move a shipment's status, and where each event may happen (pure)."""

from enum import StrEnum


class EventType(StrEnum):
    EXPORT_CLEARED = "export_cleared"
    DEPARTED = "departed"
    TRANSIT_ENTERED = "transit_entered"
    TRANSIT_EXITED = "transit_exited"
    ARRIVED = "arrived"
    IMPORT_CLEARED = "import_cleared"
    STOPPED = "stopped"
    SEIZED = "seized"
    RELEASED = "released"


class ShipmentStatus(StrEnum):
    DECLARED = "declared"
    CLEARED = "cleared"
    IN_TRANSIT = "in_transit"
    ARRIVED = "arrived"
    DELIVERED = "delivered"
    STOPPED = "stopped"
    SEIZED = "seized"


# Where on the route each event may be recorded.
EVENT_ROLES: dict[EventType, frozenset[str]] = {
    EventType.EXPORT_CLEARED: frozenset({"exporting"}),
    EventType.DEPARTED: frozenset({"exporting", "transit"}),
    EventType.TRANSIT_ENTERED: frozenset({"transit"}),
    EventType.TRANSIT_EXITED: frozenset({"transit"}),
    EventType.ARRIVED: frozenset({"importing"}),
    EventType.IMPORT_CLEARED: frozenset({"importing"}),
    EventType.STOPPED: frozenset({"exporting", "transit", "importing"}),
    EventType.SEIZED: frozenset({"exporting", "transit", "importing"}),
    EventType.RELEASED: frozenset({"exporting", "transit", "importing"}),
}

_MOVES: dict[EventType, ShipmentStatus] = {
    EventType.EXPORT_CLEARED: ShipmentStatus.CLEARED,
    EventType.DEPARTED: ShipmentStatus.IN_TRANSIT,
    EventType.TRANSIT_ENTERED: ShipmentStatus.IN_TRANSIT,
    EventType.TRANSIT_EXITED: ShipmentStatus.IN_TRANSIT,
    EventType.ARRIVED: ShipmentStatus.ARRIVED,
    EventType.IMPORT_CLEARED: ShipmentStatus.DELIVERED,
    EventType.STOPPED: ShipmentStatus.STOPPED,
    EventType.SEIZED: ShipmentStatus.SEIZED,
}


class EventRefused(ValueError):
    pass


def next_status(
    status: ShipmentStatus, event: EventType, status_before_stop: ShipmentStatus | None = None
) -> ShipmentStatus:
    """The status after `event`.

    Events may arrive late and out of order, so ordinary movements are accepted in any
    status; what is refused is anything after delivery or seizure, and a release of a
    shipment that was not held. A release returns the shipment to where it was before the stop.
    """
    if status == ShipmentStatus.DELIVERED:
        raise EventRefused(
            f"The shipment was delivered (import cleared); {event.value} is too late."
        )
    if status == ShipmentStatus.SEIZED:
        raise EventRefused(f"The shipment was seized; {event.value} cannot follow a seizure.")
    if event == EventType.RELEASED:
        if status != ShipmentStatus.STOPPED:
            raise EventRefused("Only a stopped shipment can be released.")
        return status_before_stop or ShipmentStatus.DECLARED
    if status == ShipmentStatus.STOPPED and event not in (EventType.SEIZED, EventType.STOPPED):
        raise EventRefused(f"The shipment is stopped; release or seize it before {event.value}.")
    return _MOVES[event]


def replay(events: list[EventType]) -> tuple[ShipmentStatus, ShipmentStatus | None]:
    """The status after `events` in order, and where a release would return the shipment
    (the status it had when it was first stopped, repeated stops included)."""
    status, before_stop = ShipmentStatus.DECLARED, None
    for event in events:
        if event == EventType.STOPPED and status != ShipmentStatus.STOPPED:
            before_stop = status
        try:
            status = next_status(status, event, before_stop)
        except EventRefused:
            continue  # stored events were accepted once; never fail on history
    return status, before_stop
