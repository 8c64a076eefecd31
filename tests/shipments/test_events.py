"""Border events: who records them, where, when, and in which order."""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.factories import (
    AUDIT,
    KMNO4,
    SHIPMENTS,
    Actor,
    Api,
    Lane,
    event_body,
    lane,
    record_shipment,
    walk,
)

PROBLEM = "https://pentrack.org/problems/"


@pytest.fixture
def de_pk(api: Api) -> Lane:
    return lane(api)


@pytest.fixture
def customs(api: Api) -> dict[str, Actor]:
    return {country: api.customs(country) for country in ("DE", "AE", "PK")}


@pytest.fixture
def shipment(de_pk: Lane, customs: dict[str, Actor]) -> dict[str, Any]:
    return record_shipment(customs["DE"], None, **de_pk.shipment_body())


def _post(actor: Actor, shipment: dict[str, Any], type_: str, country: str, **extra: Any) -> Any:
    return actor.post(
        f"{SHIPMENTS}/{shipment['id']}/events", json=event_body(type_, country, **extra)
    )


def _record(actor: Actor, shipment: dict[str, Any], type_: str, **extra: Any) -> dict[str, Any]:
    response = _post(actor, shipment, type_, actor.country or "", **extra)
    assert response.status_code == 201, response.text
    return dict(response.json())


def _assert_refused(
    api: Api,
    actor: Actor,
    shipment: dict[str, Any],
    response: Any,
    status: int,
    problem_type: str,
) -> None:
    """The event was refused with a problem, and neither the shipment nor the audit changed."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"] == PROBLEM + problem_type
    stored = actor.get(f"{SHIPMENTS}/{shipment['id']}").json()
    assert (stored["status"], stored["events"]) == (shipment["status"], shipment["events"])
    # One audit row for the declaration and one per accepted event: none for this refusal.
    assert len(walk(api.admin, AUDIT, subject_id=shipment["id"])) == 1 + len(shipment["events"])


class TestJourney:
    def test_a_shipment_travels_from_declaration_to_delivery(
        self, customs: dict[str, Actor], shipment: dict[str, Any]
    ) -> None:
        de, ae, pk = customs["DE"], customs["AE"], customs["PK"]
        steps = [
            (de, "export_cleared", "cleared"),
            (de, "departed", "in_transit"),
            (ae, "transit_entered", "in_transit"),
            (ae, "transit_exited", "in_transit"),
            (pk, "arrived", "arrived"),
            (pk, "import_cleared", "delivered"),
        ]
        for actor, type_, status in steps:
            assert _record(actor, shipment, type_)["status"] == status
        detail = pk.get(f"{SHIPMENTS}/{shipment['id']}").json()
        assert [(e["type"], e["country"]) for e in detail["events"]] == [
            (t, a.country) for a, t, _ in steps
        ]

    def test_each_event_is_audited_with_before_and_after(
        self, api: Api, customs: dict[str, Actor], shipment: dict[str, Any]
    ) -> None:
        _record(customs["AE"], shipment, "stopped")
        latest = walk(api.admin, AUDIT, subject_id=shipment["id"])[0]
        assert latest["action"] == "shipment.stopped"
        assert latest["actor_authority_id"] == customs["AE"].authority_id
        assert (latest["before"]["status"], latest["after"]["status"]) == ("declared", "stopped")

    def test_late_events_out_of_order_are_accepted(
        self, customs: dict[str, Actor], shipment: dict[str, Any]
    ) -> None:
        _record(customs["AE"], shipment, "transit_entered")
        assert _record(customs["DE"], shipment, "export_cleared")["status"] == "cleared"

    def test_a_clock_a_few_minutes_ahead_is_tolerated(
        self, customs: dict[str, Actor], shipment: dict[str, Any]
    ) -> None:
        soon = datetime.now(UTC) + timedelta(minutes=5)
        assert _record(customs["DE"], shipment, "export_cleared", occurred_at=soon)


class TestStopAndRelease:
    def test_release_returns_the_shipment_to_where_it_was(
        self, customs: dict[str, Actor], shipment: dict[str, Any]
    ) -> None:
        _record(customs["DE"], shipment, "departed")
        assert _record(customs["AE"], shipment, "stopped")["status"] == "stopped"
        assert _record(customs["AE"], shipment, "released")["status"] == "in_transit"

    def test_a_second_stop_and_release_return_it_to_where_it_was(
        self, customs: dict[str, Actor], shipment: dict[str, Any]
    ) -> None:
        _record(customs["DE"], shipment, "departed")
        _record(customs["AE"], shipment, "stopped")
        _record(customs["AE"], shipment, "released")
        _record(customs["AE"], shipment, "transit_entered")
        _record(customs["AE"], shipment, "stopped")
        assert _record(customs["AE"], shipment, "released")["status"] == "in_transit"

    def test_a_stop_repeated_before_release_still_releases_to_where_it_was(
        self, customs: dict[str, Actor], shipment: dict[str, Any]
    ) -> None:
        _record(customs["DE"], shipment, "departed")
        _record(customs["AE"], shipment, "stopped")
        _record(customs["AE"], shipment, "stopped")
        released = _record(customs["AE"], shipment, "released")
        assert released["status"] == "in_transit"
        assert _record(customs["AE"], shipment, "transit_exited")["status"] == "in_transit"

    def test_release_without_a_stop_is_409(
        self, api: Api, customs: dict[str, Actor], shipment: dict[str, Any]
    ) -> None:
        response = _post(customs["AE"], shipment, "released", "AE")
        _assert_refused(api, customs["AE"], shipment, response, 409, "event-not-allowed")

    def test_a_stopped_shipment_does_not_move_until_released(
        self, api: Api, customs: dict[str, Actor], shipment: dict[str, Any]
    ) -> None:
        stopped = _record(customs["AE"], shipment, "stopped")
        response = _post(customs["AE"], stopped, "transit_exited", "AE")
        _assert_refused(api, customs["AE"], stopped, response, 409, "event-not-allowed")

    @pytest.mark.parametrize("type_", ["released", "transit_exited", "stopped", "seized"])
    def test_nothing_follows_a_seizure(
        self, api: Api, customs: dict[str, Actor], shipment: dict[str, Any], type_: str
    ) -> None:
        seized = _record(customs["AE"], shipment, "seized", quantity_observed=5000, unit="l")
        response = _post(customs["AE"], seized, type_, "AE")
        _assert_refused(api, customs["AE"], seized, response, 409, "event-not-allowed")

    def test_nothing_follows_delivery(
        self, api: Api, customs: dict[str, Actor], shipment: dict[str, Any]
    ) -> None:
        _record(customs["PK"], shipment, "arrived")
        delivered = _record(customs["PK"], shipment, "import_cleared")
        response = _post(customs["PK"], delivered, "stopped", "PK")
        _assert_refused(api, customs["PK"], delivered, response, 409, "event-not-allowed")


class TestWhereAndWhen:
    def test_customs_record_only_in_their_own_country(
        self, api: Api, customs: dict[str, Actor], shipment: dict[str, Any]
    ) -> None:
        response = _post(customs["AE"], shipment, "arrived", "PK")
        _assert_refused(api, customs["AE"], shipment, response, 403, "not-on-route")

    @pytest.mark.parametrize(
        ("country", "type_"),
        [("AE", "export_cleared"), ("DE", "arrived"), ("PK", "transit_entered")],
    )
    def test_event_where_it_cannot_happen_on_the_route_is_400(
        self,
        api: Api,
        customs: dict[str, Actor],
        shipment: dict[str, Any],
        country: str,
        type_: str,
    ) -> None:
        response = _post(customs[country], shipment, type_, country)
        _assert_refused(
            api, customs[country], shipment, response, 400, "event-country-not-on-route"
        )

    def test_event_in_the_future_is_400(
        self, api: Api, customs: dict[str, Actor], shipment: dict[str, Any]
    ) -> None:
        tomorrow = datetime.now(UTC) + timedelta(days=1)
        response = _post(customs["DE"], shipment, "export_cleared", "DE", occurred_at=tomorrow)
        _assert_refused(api, customs["DE"], shipment, response, 400, "event-in-future")

    def test_time_without_offset_is_422(
        self, api: Api, customs: dict[str, Actor], shipment: dict[str, Any]
    ) -> None:
        response = customs["DE"].post(
            f"{SHIPMENTS}/{shipment['id']}/events",
            json={"type": "export_cleared", "country": "DE", "occurred_at": "2026-01-05T10:00:00"},
        )
        _assert_refused(api, customs["DE"], shipment, response, 422, "validation-error")

    @pytest.mark.parametrize(
        "extra",
        [
            {"quantity_observed": 100},
            {"unit": "kg"},
            {"quantity_observed": 0, "unit": "kg"},
            {"quantity_observed": 10, "unit": "drum"},
            {"type": "vanished"},
            {"colour": "red"},
            {"occurred_at": "0001-01-01T00:00:00+14:00"},
            {"occurred_at": "9999-12-31T23:59:59-12:00"},
            {"occurred_at": "1970-01-01T00:00:00Z"},
        ],
        ids=[
            "quantity-without-unit",
            "unit-without-quantity",
            "zero",
            "bad-unit",
            "bad-type",
            "extra",
            "year-1",
            "year-9999",
            "before-the-convention",
        ],
    )
    def test_malformed_event_is_422(
        self,
        api: Api,
        customs: dict[str, Actor],
        shipment: dict[str, Any],
        extra: dict[str, Any],
    ) -> None:
        response = customs["DE"].post(
            f"{SHIPMENTS}/{shipment['id']}/events", json={**event_body("stopped", "DE"), **extra}
        )
        _assert_refused(api, customs["DE"], shipment, response, 422, "validation-error")

    def test_observed_litres_of_a_solid_are_refused(
        self, api: Api, de_pk: Lane, customs: dict[str, Actor]
    ) -> None:
        body = de_pk.shipment_body(substance=KMNO4, unit="kg", declared_hs_code="2841.61")
        shipment = record_shipment(customs["AE"], None, **body)
        response = _post(customs["AE"], shipment, "stopped", "AE", quantity_observed=9, unit="l")
        _assert_refused(api, customs["AE"], shipment, response, 400, "unit-not-applicable")
