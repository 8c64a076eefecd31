"""Recording shipments (customs of the route), linking them to PENs, and finding them again."""

from typing import Any

import pytest

from tests.factories import (
    AUDIT,
    KMNO4,
    SHIPMENTS,
    Api,
    Lane,
    event_body,
    lane,
    record_shipment,
    shipment_body,
    walk,
)

PROBLEM = "https://pentrack.org/problems/"
ROUTE = {"exporting": "DE", "importing": "PK", "transit": "AE"}


@pytest.fixture
def de_pk(api: Api) -> Lane:
    return lane(api)


@pytest.fixture
def sent_pen(de_pk: Lane) -> dict[str, Any]:
    return de_pk.pen_in("sent")


class TestRecord:
    @pytest.mark.parametrize("relation", list(ROUTE))
    def test_customs_anywhere_on_the_route_may_record(
        self, api: Api, sent_pen: dict[str, Any], relation: str
    ) -> None:
        customs = api.customs(ROUTE[relation])
        shipment = record_shipment(customs, sent_pen)
        assert shipment["status"] == "declared"
        assert shipment["recorded_country"] == ROUTE[relation]
        [event] = walk(api.admin, AUDIT, subject_id=shipment["id"])
        assert (event["action"], event["actor_role"]) == ("shipment.created", "customs")
        assert event["actor_authority_id"] == customs.authority_id

    def test_customs_of_an_unrelated_country_is_403_and_nothing_is_written(
        self, api: Api, sent_pen: dict[str, Any]
    ) -> None:
        response = api.customs("FR").post(SHIPMENTS, json=shipment_body(sent_pen))
        assert response.status_code == 403
        assert response.json()["type"] == PROBLEM + "not-on-route"
        assert walk(api.admin, SHIPMENTS) == []

    def test_a_regulator_may_not_record(self, api: Api, sent_pen: dict[str, Any]) -> None:
        response = api.regulator("AE").post(SHIPMENTS, json=shipment_body(sent_pen))
        assert response.status_code == 403
        assert walk(api.admin, SHIPMENTS) == []

    def test_pen_reference_links_the_notification(self, api: Api, sent_pen: dict[str, Any]) -> None:
        shipment = record_shipment(
            api.customs("AE"), sent_pen, pen_reference=sent_pen["reference"].lower()
        )
        assert shipment["pen_reference"] == sent_pen["reference"]
        assert shipment["notification_id"] == sent_pen["id"]
        assert shipment["notified"] == {
            "id": sent_pen["id"],
            "reference": sent_pen["reference"],
            "status": "sent",
            "quantity": 5000.0,
            "unit": "l",
            "quantity_kg": 5400.0,
        }

    def test_detail_shows_notified_declared_and_observed_quantities(
        self, api: Api, sent_pen: dict[str, Any]
    ) -> None:
        ae = api.customs("AE")
        shipment = record_shipment(ae, sent_pen, quantity=5.6, unit="t")
        assert shipment["quantity_kg"] == 5600.0
        assert shipment["declared_minus_notified_kg"] == 200.0
        assert shipment["observed_quantity_kg"] is None
        event = event_body("transit_entered", "AE", quantity_observed=5500, unit="l")
        assert ae.post(f"{SHIPMENTS}/{shipment['id']}/events", json=event).status_code == 201
        detail = ae.get(f"{SHIPMENTS}/{shipment['id']}").json()
        assert detail["events"][0]["quantity_observed_kg"] == 5940.0  # 5,500 l × 1.08 kg/l
        assert detail["observed_quantity_kg"] == 5940.0
        assert detail["observed_minus_notified_kg"] == 540.0
        assert detail["notified"]["quantity_kg"] == 5400.0

    def test_a_cited_draft_shows_only_to_the_exporting_country(self, api: Api, de_pk: Lane) -> None:
        draft = de_pk.draft(means_of_payment="cash")
        de_customs = api.customs("DE")
        shipment = record_shipment(de_customs, draft)
        assert shipment["notified"]["reference"] == draft["reference"]
        for reader in (api.customs("PK"), api.customs("AE"), api.regulator("PK"), api.analyst()):
            detail = reader.get(f"{SHIPMENTS}/{shipment['id']}")
            assert detail.status_code == 200, detail.text
            body = detail.json()
            assert body["notified"] is None
            assert body["notification_id"] is None
            assert body["declared_minus_notified_kg"] is None
            assert "cash" not in detail.text
        assert de_pk.act(draft, "send").status_code == 200
        seen = api.customs("PK").get(f"{SHIPMENTS}/{shipment['id']}").json()
        assert seen["notified"]["reference"] == draft["reference"]
        assert seen["notification_id"] == draft["id"]

    def test_without_a_pen_there_is_nothing_to_compare(self, api: Api, de_pk: Lane) -> None:
        shipment = record_shipment(api.customs("AE"), None, **de_pk.shipment_body())
        assert shipment["notified"] is None
        assert shipment["declared_minus_notified_kg"] is None

    def test_duplicate_customs_reference_in_one_country_is_409(
        self, api: Api, sent_pen: dict[str, Any]
    ) -> None:
        ae = api.customs("AE")
        first = record_shipment(ae, sent_pen, customs_reference="AE-2026-77")
        response = ae.post(SHIPMENTS, json=shipment_body(sent_pen, customs_reference="AE-2026-77"))
        assert response.status_code == 409
        assert response.json()["type"] == PROBLEM + "duplicate-customs-reference"
        assert [s["id"] for s in walk(api.admin, SHIPMENTS)] == [first["id"]]

    def test_same_customs_reference_in_another_country_is_another_declaration(
        self, api: Api, sent_pen: dict[str, Any]
    ) -> None:
        record_shipment(api.customs("AE"), sent_pen, customs_reference="2026-77")
        record_shipment(api.customs("PK"), sent_pen, customs_reference="2026-77")
        assert len(walk(api.admin, SHIPMENTS)) == 2


class TestRecordRefuses:
    @pytest.mark.parametrize(
        ("overrides", "status", "problem_type"),
        [
            ({"pen_reference": "DE-1999-000001"}, 400, "unknown-pen-reference"),
            ({"transit_countries": ["AE", "XX"]}, 400, "unknown-country"),
            ({"importing_country": "P1"}, 422, "validation-error"),
            ({"substance": "7732-18-5"}, 400, "unknown-substance"),
            ({"substance": "108-24-8"}, 422, "validation-error"),
            ({"declared_hs_code": "29X5"}, 422, "validation-error"),
            ({"quantity": 0}, 422, "validation-error"),
            ({"quantity": -1}, 422, "validation-error"),
            ({"quantity": "much"}, 422, "validation-error"),
            ({"unit": "barrel"}, 422, "validation-error"),
            ({"pen_reference": None, "substance": KMNO4}, 400, "unit-not-applicable"),
            ({"exporter_id": "nobody"}, 400, "unknown-operator"),
            ({"smuggled": True}, 422, "validation-error"),
            ({"customs_reference": ""}, 422, "validation-error"),
        ],
        ids=lambda value: str(value),
    )
    def test_bad_declaration_is_a_problem_and_writes_nothing(
        self,
        api: Api,
        sent_pen: dict[str, Any],
        overrides: dict[str, Any],
        status: int,
        problem_type: str,
    ) -> None:
        ae = api.customs("AE")
        audit_before = walk(api.admin, AUDIT)
        response = ae.post(SHIPMENTS, json=shipment_body(sent_pen, **overrides))
        assert response.status_code == status, response.text
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["type"] == PROBLEM + problem_type
        assert walk(api.admin, SHIPMENTS) == []
        assert walk(api.admin, AUDIT) == audit_before

    def test_a_pen_the_caller_cannot_see_is_unknown(self, api: Api, de_pk: Lane) -> None:
        draft = de_pk.draft()  # drafts stay with the exporting country
        response = api.customs("PK").post(SHIPMENTS, json=shipment_body(draft))
        assert response.status_code == 400
        assert response.json()["type"] == PROBLEM + "unknown-pen-reference"


class TestList:
    def test_filters_by_status_pen_reference_and_customs_reference(
        self, api: Api, de_pk: Lane
    ) -> None:
        ae = api.customs("AE")
        pen_a, pen_b = de_pk.pen_in("sent"), de_pk.pen_in("sent")
        a1 = record_shipment(ae, pen_a, customs_reference="A-1")
        a2 = record_shipment(ae, pen_a, customs_reference="A-2")
        b1 = record_shipment(ae, pen_b, customs_reference="B-1")
        stop = event_body("stopped", "AE")
        assert ae.post(f"{SHIPMENTS}/{a2['id']}/events", json=stop).status_code == 201

        def ids(**params: Any) -> list[str]:
            return [s["id"] for s in walk(ae, SHIPMENTS, **params)]

        assert ids(status="stopped") == [a2["id"]]
        assert ids(status="declared") == [b1["id"], a1["id"]]
        assert ids(pen_reference=pen_a["reference"]) == [a2["id"], a1["id"]]
        assert ids(pen_reference=pen_b["reference"].lower()) == [b1["id"]]
        assert ids(customs_reference="B-1") == [b1["id"]]
        assert ids(customs_reference="C-9") == []

    def test_cursor_pagination_walks_every_shipment_once(
        self, api: Api, sent_pen: dict[str, Any]
    ) -> None:
        ae = api.customs("AE")
        recorded = [
            record_shipment(ae, sent_pen, customs_reference=f"P-{i}")["id"] for i in range(5)
        ]
        seen: list[str] = []
        cursor = None
        pages = 0
        while True:
            params: dict[str, Any] = {"limit": 2, **({"cursor": cursor} if cursor else {})}
            page = ae.get(SHIPMENTS, params=params).json()
            assert len(page["items"]) <= 2
            seen += [s["id"] for s in page["items"]]
            pages += 1
            cursor = page["next_cursor"]
            if cursor is None:
                break
        assert pages == 3
        assert seen == list(reversed(recorded))  # newest first, no duplicates, none missing

    def test_shipments_off_the_callers_route_are_invisible(
        self, api: Api, sent_pen: dict[str, Any]
    ) -> None:
        shipment = record_shipment(api.customs("AE"), sent_pen)
        france = api.customs("FR")
        assert walk(france, SHIPMENTS) == []
        response = france.get(f"{SHIPMENTS}/{shipment['id']}")
        assert response.status_code == 404
        assert response.json()["type"] == PROBLEM + "shipment-not-found"
