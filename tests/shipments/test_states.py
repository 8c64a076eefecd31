"""How border events move a shipment (app/shipments/states.py, pure)."""

import pytest

from app.shipments.states import EVENT_ROLES, EventRefused, EventType, ShipmentStatus, next_status

MOVEMENTS = [e for e in EventType if e not in (EventType.RELEASED,)]


class TestNextStatus:
    @pytest.mark.parametrize(
        ("event", "expected"),
        [
            (EventType.EXPORT_CLEARED, ShipmentStatus.CLEARED),
            (EventType.DEPARTED, ShipmentStatus.IN_TRANSIT),
            (EventType.TRANSIT_ENTERED, ShipmentStatus.IN_TRANSIT),
            (EventType.TRANSIT_EXITED, ShipmentStatus.IN_TRANSIT),
            (EventType.ARRIVED, ShipmentStatus.ARRIVED),
            (EventType.IMPORT_CLEARED, ShipmentStatus.DELIVERED),
            (EventType.STOPPED, ShipmentStatus.STOPPED),
            (EventType.SEIZED, ShipmentStatus.SEIZED),
        ],
    )
    def test_each_movement_leads_to_its_status(
        self, event: EventType, expected: ShipmentStatus
    ) -> None:
        assert next_status(ShipmentStatus.DECLARED, event) == expected

    @pytest.mark.parametrize("terminal", [ShipmentStatus.DELIVERED, ShipmentStatus.SEIZED])
    @pytest.mark.parametrize("event", list(EventType))
    def test_delivered_and_seized_are_terminal(
        self, terminal: ShipmentStatus, event: EventType
    ) -> None:
        with pytest.raises(EventRefused):
            next_status(terminal, event)

    @pytest.mark.parametrize("status", [s for s in ShipmentStatus if s != ShipmentStatus.STOPPED])
    def test_only_a_stopped_shipment_can_be_released(self, status: ShipmentStatus) -> None:
        with pytest.raises(EventRefused):
            next_status(status, EventType.RELEASED)

    @pytest.mark.parametrize("before", [ShipmentStatus.CLEARED, ShipmentStatus.ARRIVED])
    def test_release_returns_to_the_status_before_the_stop(self, before: ShipmentStatus) -> None:
        assert next_status(ShipmentStatus.STOPPED, EventType.RELEASED, before) == before

    @pytest.mark.parametrize(
        "event", [e for e in MOVEMENTS if e not in (EventType.STOPPED, EventType.SEIZED)]
    )
    def test_a_stopped_shipment_does_not_move(self, event: EventType) -> None:
        with pytest.raises(EventRefused):
            next_status(ShipmentStatus.STOPPED, event)

    def test_a_stopped_shipment_may_be_seized(self) -> None:
        assert next_status(ShipmentStatus.STOPPED, EventType.SEIZED) == ShipmentStatus.SEIZED


class TestEventRoles:
    def test_every_event_happens_somewhere_on_the_route(self) -> None:
        assert set(EVENT_ROLES) == set(EventType)
        assert all(roles <= {"exporting", "transit", "importing"} for roles in EVENT_ROLES.values())

    @pytest.mark.parametrize(
        ("event", "roles"),
        [
            (EventType.EXPORT_CLEARED, {"exporting"}),
            (EventType.ARRIVED, {"importing"}),
            (EventType.IMPORT_CLEARED, {"importing"}),
            (EventType.TRANSIT_ENTERED, {"transit"}),
            (EventType.SEIZED, {"exporting", "transit", "importing"}),
        ],
    )
    def test_border_events_belong_to_their_border(self, event: EventType, roles: set[str]) -> None:
        assert EVENT_ROLES[event] == roles
