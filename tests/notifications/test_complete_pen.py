"""The complete PEN (CONTRACT v1.1): authorisations, form and concentration, packages, route
details, parties, invoice, validity and other information; and the importing authority's
confirmation of arrival, whose quantity is checked against the notified one."""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.factories import PENS, Api, Lane, lane, walk
from tests.rules.trade import by_rule

PROBLEM = "https://pentrack.org/problems/"
TODAY = datetime.now(UTC).date()


def _day(n: int) -> str:
    return (TODAY + timedelta(days=n)).isoformat()


@pytest.fixture
def de_pk(api: Api) -> Lane:
    return lane(api)


def complete(api: Api) -> dict[str, Any]:
    """Every optional field of a complete PEN, valid."""
    broker = api.operator("AE", "Jebel Ali Brokers FZE", kind="broker")
    return {
        "import_authorisation": {
            "number": "PK-IMP-2026-0042",
            "issued_on": _day(-20),
            "issued_by": "Anti-Narcotics Force, Precursor Control Cell",
        },
        "export_authorisation": {"number": "DE-AUS-2026-77", "valid_until": _day(120)},
        "form": "solution",
        "concentration_percent": 37,
        "packages": [{"count": 20, "kind": "IBC 1,000 l", "gross_weight_kg": 23100}],
        "point_of_exit": "Hamburg",
        "expected_arrival_date": _day(60),
        "itinerary": [
            {"country": "AE", "place": "Jebel Ali"},
            {"country": "PK", "place": "Karachi"},
        ],
        "final_destination_country": "AF",
        "parties": [{"operator_id": broker["id"], "role": "broker"}],
        "invoice": {"number": "INV-991", "value": 41250.5, "currency": "EUR"},
        "valid_until": _day(90),
        "other_information": {"agreed": {"end_user_certificate": "EUC-2026-12"}},
    }


class TestCompletePen:
    def test_every_field_is_kept_and_shown(self, api: Api, de_pk: Lane) -> None:
        fields = complete(api)
        draft = de_pk.draft(**fields)
        for name in (
            "import_authorisation",
            "packages",
            "itinerary",
            "parties",
            "other_information",
        ):
            assert draft[name] == fields[name], name
        assert draft["form"] == "solution"
        assert draft["concentration_percent"] == 37
        assert draft["quantity_kg"] == 5400.0  # 5,000 l of acetic anhydride at 1.08 kg/l
        assert draft["quantity_base_kg"] == pytest.approx(1998.0)  # 37 % of it
        assert draft["invoice"] == {"number": "INV-991", "value": 41250.5, "currency": "EUR"}
        assert draft["final_destination_country"] == "AF"
        assert draft["expected_arrival_date"] == fields["expected_arrival_date"]
        assert draft["arrival"] is None and draft["voluntary"] is False
        sent = de_pk.act(draft, "send").json()
        seen = de_pk.importing.get(f"{PENS}/{sent['id']}").json()
        assert seen["import_authorisation"]["number"] == "PK-IMP-2026-0042"
        assert seen["parties"][0]["role"] == "broker"

    def test_a_pure_substance_counts_in_full(self, api: Api, de_pk: Lane) -> None:
        draft = de_pk.draft(form="substance")
        assert draft["quantity_base_kg"] == draft["quantity_kg"]

    @pytest.mark.parametrize(
        ("change", "status", "problem"),
        [
            ({"form": "substance", "concentration_percent": 50}, 422, "validation-error"),
            ({"form": "solution", "concentration_percent": 0}, 422, "validation-error"),
            ({"form": "solution", "concentration_percent": 101}, 422, "validation-error"),
            ({"form": "powder"}, 422, "validation-error"),
            ({"expected_arrival_date": _day(-400)}, 422, "validation-error"),
            ({"invoice": {"value": 10, "currency": "euro"}}, 422, "validation-error"),
            ({"packages": [{"count": 0, "kind": "drum"}]}, 422, "validation-error"),
            ({"parties": [{"operator_id": "x", "role": "banker"}]}, 422, "validation-error"),
            ({"parties": [{"operator_id": "nobody", "role": "broker"}]}, 400, "unknown-reference"),
            ({"final_destination_country": "XX"}, 400, "unknown-country"),
            ({"itinerary": [{"country": "XX"}]}, 400, "unknown-country"),
            (
                {"other_information": {"k" * 3: "v", "x": {"a": {"b": 1}}} | {"n": float("nan")}},
                422,
                "validation-error",
            ),
            ({"import_authorisation": {"number": "1"}}, 422, "validation-error"),
        ],
        ids=[
            "concentration-of-a-pure-substance",
            "zero-concentration",
            "over-100-percent",
            "unknown-form",
            "arrival-before-dispatch",
            "currency-not-iso",
            "no-packages",
            "unknown-party-role",
            "unknown-party",
            "unknown-final-destination",
            "unknown-itinerary-country",
            "nan-in-other-information",
            "incomplete-import-authorisation",
        ],
    )
    def test_a_bad_field_is_refused_and_nothing_is_written(
        self, api: Api, de_pk: Lane, change: dict[str, Any], status: int, problem: str
    ) -> None:
        body = de_pk.draft_body(**change)
        if "n" in change.get("other_information", {}):
            response = de_pk.exporting.post(
                PENS,
                content=_json_with_nan(body),
                headers={"content-type": "application/json"},
            )
        else:
            response = de_pk.exporting.post(PENS, json=body)
        assert response.status_code == status, response.text
        assert response.json()["type"] == PROBLEM + problem
        assert walk(de_pk.exporting, PENS) == []


def _json_with_nan(body: dict[str, Any]) -> str:
    import json

    return json.dumps(body, allow_nan=True)


class TestConfirmArrival:
    def _confirm(self, de_pk: Lane, pen: dict[str, Any], quantity: float, **extra: Any) -> Any:
        body = {"received_on": _day(0), "quantity": quantity, "unit": "l", **extra}
        return de_pk.importing.post(f"{PENS}/{pen['id']}/confirm-arrival", json=body)

    def test_the_notified_quantity_arrives_and_nothing_is_flagged(
        self, api: Api, de_pk: Lane
    ) -> None:
        pen = de_pk.pen_in("no_objection")
        response = self._confirm(de_pk, pen, 5100, note="Received at Karachi, seals intact")
        assert response.status_code == 200, response.text
        arrival = response.json()["arrival"]
        assert arrival == {
            "received_on": _day(0),
            "quantity_kg": 5508.0,
            "note": "Received at Karachi, seals intact",
        }
        assert "arrival-quantity-mismatch" not in by_rule(api.admin, pen["id"])
        assert de_pk.exporting.get(f"{PENS}/{pen['id']}").json()["arrival"] == arrival

    @pytest.mark.parametrize("quantity", [5300, 4700])
    def test_a_quantity_more_than_5_percent_off_raises_a_flag(
        self, api: Api, de_pk: Lane, quantity: float
    ) -> None:
        pen = de_pk.pen_in("no_objection")
        assert self._confirm(de_pk, pen, quantity).status_code == 200
        flag = by_rule(api.admin, pen["id"])["arrival-quantity-mismatch"]
        assert flag["severity"] == "high"
        assert "%" in flag["explanation"] and "5,400 kg" in flag["explanation"]

    def test_only_the_importing_regulator_confirms_once_a_sent_pen(
        self, api: Api, de_pk: Lane
    ) -> None:
        draft = de_pk.draft()
        assert (
            de_pk.importing.post(
                f"{PENS}/{draft['id']}/confirm-arrival",
                json={"received_on": _day(0), "quantity": 1, "unit": "l"},
            ).status_code
            == 404
        )  # a draft is invisible to the importing country
        pen = de_pk.act(draft, "send").json()
        by_exporter = de_pk.exporting.post(
            f"{PENS}/{pen['id']}/confirm-arrival",
            json={"received_on": _day(0), "quantity": 5000, "unit": "l"},
        )
        assert by_exporter.status_code == 403, by_exporter.text
        assert self._confirm(de_pk, pen, 5000, received_on=_day(2)).status_code == 409
        assert self._confirm(de_pk, pen, 5000).status_code == 200
        again = self._confirm(de_pk, pen, 5000)
        assert again.status_code == 409
        assert again.json()["type"] == PROBLEM + "arrival-not-allowed"
