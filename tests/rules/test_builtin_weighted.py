"""The weighted indicators (shared/DOMAIN.md): each built-in rule fires on a scenario from the
real cases and stays quiet on its legitimate twin. Every other flag a scenario raises is named."""

from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from app.shipments.models import Shipment
from tests.factories import KMNO4, Api
from tests.rules.trade import Trade, by_rule, registered, trade


def _backdate_shipments(engine: Engine, importer_id: str, days: int) -> None:
    """Move the importer's recorded shipments `days` into the past (the API records "now")."""
    with Session(engine) as session:
        for shipment in session.exec(select(Shipment).where(Shipment.importer_id == importer_id)):
            shipment.created_at -= timedelta(days=days)
            session.add(shipment)
        session.commit()


@pytest.fixture
def tz_pk(api: Api) -> Trade:
    """Dar es Salaam → Port Qasim: an importer that took 20 t of acetic anhydride before."""
    return trade(api, "TZ", "PK", transit=(), history_quantity=20_000, history_unit="kg")


class TestHsCodeMismatch:
    def test_acetic_anhydride_declared_as_glacial_acetic_acid_is_flagged(
        self, api: Api, tz_pk: Trade
    ) -> None:
        # Port Qasim, January 2016: 21.7 t of acetic anhydride declared as acetic acid glacial.
        pen = tz_pk.pen("no_objection", quantity=21_700, unit="kg")
        shipment = tz_pk.ship(
            pen,
            by="PK",
            declared_hs_code="2915.21",
            declared_description="Acetic acid glacial",
            quantity=21_700,
            unit="kg",
        )
        flags = by_rule(api.admin, shipment["id"])
        assert set(flags) == {"hs-code-mismatch"}
        flag = flags["hs-code-mismatch"]
        assert flag["severity"] == "high"
        assert flag["explanation"] == (
            'Declared as "acetic acid glacial" under HS 291521; Acetic anhydride is HS 291524.'
        )
        evidence = flag["evidence"]
        assert evidence["declared_hs_code"] == "291521"
        assert evidence["substance_hs_code"] == "291524"
        assert evidence["declared_description"] == "acetic acid glacial"
        assert "acetic anhydride" in evidence["substance_names"]

    @pytest.mark.parametrize(
        ("hs_code", "description"),
        [("2915.24", "Acetic acid glacial 99.8%"), ("2915.21", "Acetic anhydride")],
        ids=["right-code-wrong-description", "wrong-code-right-description"],
    )
    def test_either_half_of_the_declaration_wrong_is_flagged(
        self, api: Api, tz_pk: Trade, hs_code: str, description: str
    ) -> None:
        shipment = tz_pk.ship(
            tz_pk.pen("no_objection"), declared_hs_code=hs_code, declared_description=description
        )
        assert set(by_rule(api.admin, shipment["id"])) == {"hs-code-mismatch"}

    @pytest.mark.parametrize(
        "description", ["Acetic anhydride", "ETHANOIC ANHYDRIDE 99%", None], ids=str
    )
    def test_twin_declared_under_its_own_code_and_name_is_quiet(
        self, api: Api, tz_pk: Trade, description: str | None
    ) -> None:
        shipment = tz_pk.ship(
            tz_pk.pen("no_objection"), declared_hs_code="2915.24", declared_description=description
        )
        assert by_rule(api.admin, shipment["id"]) == {}

    def test_a_glacial_acetic_acid_description_naming_a_place_with_aa_is_still_flagged(
        self, api: Api, tz_pk: Trade
    ) -> None:
        shipment = tz_pk.ship(
            tz_pk.pen("no_objection"),
            declared_hs_code="2915.24",
            declared_description="Acetic acid glacial, ex Haarlem",
        )
        assert set(by_rule(api.admin, shipment["id"])) == {"hs-code-mismatch"}


class TestUnusualPayment:
    @pytest.mark.parametrize("means", ["cash", "third_party", "hawala", "other"])
    def test_an_unusual_means_of_payment_is_flagged(
        self, api: Api, de_pk: Trade, means: str
    ) -> None:
        shipment = de_pk.ship(de_pk.pen("no_objection"), means_of_payment=means)
        flags = by_rule(api.admin, shipment["id"])
        assert set(flags) == {"unusual-payment"}
        flag = flags["unusual-payment"]
        assert (flag["severity"], flag["weight"]) == ("medium", 2)
        assert flag["explanation"] == f"Paid by {means}."
        assert flag["evidence"] == {"means_of_payment": means}

    def test_a_pen_paid_by_hawala_is_flagged_when_drafted(self, de_pk: Trade) -> None:
        pen = de_pk.lane.draft(means_of_payment="hawala")
        assert set(by_rule(de_pk.lane.exporting, pen["id"])) == {"unusual-payment"}

    @pytest.mark.parametrize("means", ["bank_transfer", "documentary_collection", None], ids=str)
    def test_twin_paid_through_a_bank_is_quiet(
        self, api: Api, de_pk: Trade, means: str | None
    ) -> None:
        shipment = de_pk.ship(de_pk.pen("no_objection"), means_of_payment=means)
        assert by_rule(api.admin, shipment["id"]) == {}


class TestNewCounterparty:
    def test_a_first_pen_to_an_importer_with_no_earlier_trade_is_flagged(self, api: Api) -> None:
        first_time = trade(api, history=0)
        pen = first_time.pen("no_objection")
        flags = by_rule(first_time.lane.exporting, pen["id"])
        assert set(flags) == {"new-counterparty"}
        flag = flags["new-counterparty"]
        importer = first_time.lane.importer
        assert flag["explanation"] == (
            f"PK Importer Ltd: registration {importer['registration_number']}, licence "
            f"{importer['licence_number']}; 0 earlier shipments and 0 earlier PENs of "
            "Acetic anhydride."
        )
        assert flag["evidence"]["agg_importer_substance_pens_all_count"] == 0
        # The shipment under that PEN is the trade the PEN announced: not flagged again.
        assert by_rule(api.admin, first_time.ship(pen)["id"]) == {}

    def test_an_earlier_pen_from_another_exporter_is_history(self, api: Api) -> None:
        first_time = trade(api, history=0)
        first_time.pen("no_objection")
        lane_nl = trade(api, "NL", "PK", history=0)
        lane_nl.lane.importer = first_time.lane.importer
        pen = lane_nl.pen("no_objection")
        assert by_rule(lane_nl.lane.exporting, pen["id"]) == {}

    def test_an_unregistered_unlicensed_importer_is_flagged(self, api: Api) -> None:
        unregistered = trade(api, registration_number=None, licence_number=None)
        shipment = unregistered.ship(unregistered.pen("no_objection"))
        flags = by_rule(api.admin, shipment["id"])
        assert set(flags) == {"new-counterparty"}
        assert "registration —, licence —;" in flags["new-counterparty"]["explanation"]

    def test_twin_with_a_licence_but_no_registration_is_quiet(self, api: Api) -> None:
        licensed = trade(api, registration_number=None)
        assert by_rule(api.admin, licensed.ship(licensed.pen("no_objection"))["id"]) == {}

    def test_trade_in_another_substance_is_no_history_for_this_one(
        self, api: Api, de_pk: Trade
    ) -> None:
        pen = de_pk.pen("no_objection", substance=KMNO4, quantity=2000, unit="kg")
        assert set(by_rule(de_pk.lane.exporting, pen["id"])) == {"new-counterparty"}

    def test_twin_registered_licensed_and_known_is_quiet(self, api: Api, de_pk: Trade) -> None:
        shipment = de_pk.ship(de_pk.pen("no_objection"))
        assert by_rule(api.admin, shipment["id"]) == {}


class TestLicenceExpired:
    def test_an_importer_whose_licence_ends_before_dispatch_is_flagged(self, api: Api) -> None:
        # The PEN's goods leave in 30 days; the licence ends in 10.
        soon = (date.today() + timedelta(days=10)).isoformat()
        expiring = trade(api, licence_valid_until=soon)
        pen = expiring.pen("no_objection")
        flags = by_rule(expiring.lane.exporting, pen["id"])
        assert set(flags) == {"licence-expired"}
        assert flags["licence-expired"]["severity"] == "high"
        assert flags["licence-expired"]["evidence"]["importer_licence_expired"] is True

    def test_a_consignee_whose_licence_expired_is_flagged(self, api: Api, de_pk: Trade) -> None:
        yesterday = (date.today() - timedelta(days=1)).isoformat()
        consignee = registered(api, "PK", "Peshawar Dyes", licence_valid_until=yesterday)
        pen = de_pk.pen("no_objection", consignee_id=consignee["id"])
        shipment = de_pk.ship(pen, consignee_id=consignee["id"])
        flags = by_rule(api.admin, shipment["id"])
        assert set(flags) == {"licence-expired"}
        assert flags["licence-expired"]["evidence"]["consignee_licence_expired"] is True

    def test_twin_valid_beyond_dispatch_is_quiet(self, api: Api) -> None:
        later = (date.today() + timedelta(days=90)).isoformat()
        valid = trade(api, licence_valid_until=later)
        assert by_rule(valid.lane.exporting, valid.pen("no_objection")["id"]) == {}


@pytest.fixture
def steady(api: Api) -> Trade:
    """An importer that took 1,000 kg three times this year."""
    return trade(api, history=3, history_quantity=1000, history_unit="kg")


class TestQuantityAnomaly:
    def test_three_times_the_twelve_month_average_is_flagged(self, api: Api, steady: Trade) -> None:
        pen = steady.pen("no_objection", quantity=3000, unit="kg")
        shipment = steady.ship(pen)
        flags = by_rule(api.admin, shipment["id"])
        assert set(flags) == {"quantity-anomaly"}
        flag = flags["quantity-anomaly"]
        assert flag["severity"] == "medium"
        assert flag["explanation"] == (
            "3,000 kg is more than twice PK Importer Ltd's 12-month average of 1,000 kg "
            "of Acetic anhydride."
        )
        assert flag["evidence"] == {
            "agg_importer_substance_365d_count": 3,
            "quantity_kg": 3000.0,
            "agg_importer_substance_365d_avg": 1000.0,
        }
        # The PEN notifying the same quantity was flagged when it was drafted.
        assert set(by_rule(steady.lane.exporting, pen["id"])) == {"quantity-anomaly"}

    def test_twin_at_one_and_a_half_times_the_average_is_quiet(
        self, api: Api, steady: Trade
    ) -> None:
        shipment = steady.ship(steady.pen("no_objection", quantity=1500, unit="kg"))
        assert by_rule(api.admin, shipment["id"]) == {}

    def test_twin_whose_history_is_older_than_a_year_is_quiet(
        self, api: Api, engine: Engine, steady: Trade
    ) -> None:
        _backdate_shipments(engine, steady.lane.importer["id"], days=400)
        shipment = steady.ship(steady.pen("no_objection", quantity=3000, unit="kg"))
        assert by_rule(api.admin, shipment["id"]) == {}


def _lot(trade: Trade, kg: float) -> dict[str, Any]:
    """One lot under its own PEN."""
    return trade.ship(trade.pen("no_objection", quantity=kg, unit="kg"))


class TestSplitShipments:
    """Acetic anhydride's threshold is 108 kg (100 l, EU Regulation 273/2004, Annex II)."""

    def test_three_lots_of_40_kg_within_30_days_are_flagged_on_the_third(
        self, api: Api, first_time: Trade
    ) -> None:
        first, second, third = (_lot(first_time, 40) for _ in range(3))
        assert by_rule(api.admin, first["id"]) == {}
        assert by_rule(api.admin, second["id"]) == {}
        flags = by_rule(api.admin, third["id"])
        assert set(flags) == {"split-shipments"}
        flag = flags["split-shipments"]
        assert flag["explanation"] == (
            "40.00 kg now and 2 shipments (80.00 kg) to PK Importer Ltd in 30 days: "
            "each under 108 kg, together over it."
        )
        assert flag["evidence"] == {
            "quantity_kg": 40.0,
            "substance_threshold_kg": 108.0,
            "agg_importer_substance_30d_count": 2,
            "agg_importer_substance_30d_max": 40.0,
            "agg_importer_substance_30d_sum": 80.0,
        }

    def test_lots_bought_from_different_suppliers_are_flagged(
        self, api: Api, first_time: Trade
    ) -> None:
        nl_pk = trade(api, "NL", "PK", history=0)
        nl_pk.lane.importer = first_time.lane.importer
        _lot(first_time, 40)
        _lot(nl_pk, 40)
        assert set(by_rule(api.admin, _lot(first_time, 40)["id"])) == {"split-shipments"}

    def test_twin_whose_lots_stay_under_the_threshold_together_is_quiet(
        self, api: Api, first_time: Trade
    ) -> None:
        _lot(first_time, 40)
        _lot(first_time, 40)
        assert by_rule(api.admin, _lot(first_time, 20)["id"]) == {}

    def test_twin_whose_earlier_lots_are_older_than_30_days_is_quiet(
        self, api: Api, engine: Engine, first_time: Trade
    ) -> None:
        _lot(first_time, 40)
        _lot(first_time, 40)
        _backdate_shipments(engine, first_time.lane.importer["id"], days=31)
        assert by_rule(api.admin, _lot(first_time, 40)["id"]) == {}


class TestHighRiskRoute:
    @pytest.mark.parametrize("transit", ["IR", "PK"])
    def test_acetic_anhydride_in_transit_next_to_afghanistan_is_flagged(
        self, api: Api, transit: str
    ) -> None:
        # Bandar Abbas, July 2016: about 2,380 kg of acetic anhydride in transit through Iran.
        ae_tm = trade(api, "AE", "TM", transit=(transit,))
        pen = ae_tm.pen("no_objection", quantity=2380, unit="kg")
        shipment = ae_tm.ship(pen)
        flags = by_rule(api.admin, shipment["id"])
        assert set(flags) == {"high-risk-route"}
        flag = flags["high-risk-route"]
        assert flag["severity"] == "high"
        assert flag["explanation"] == (
            f"Acetic anhydride routed via {transit}, next to the destination of concern."
        )
        assert flag["evidence"] == {"substance": "108-24-7", "transit_countries": [transit]}
        assert set(by_rule(ae_tm.lane.exporting, pen["id"])) == {"high-risk-route"}

    def test_acetic_anhydride_hidden_among_auto_parts_is_also_misdeclared(self, api: Api) -> None:
        ae_tm = trade(api, "AE", "TM", transit=("IR",))
        pen = ae_tm.pen("no_objection", quantity=2380, unit="kg")
        shipment = ae_tm.ship(
            pen, by="IR", declared_hs_code="8708.99", declared_description="Auto parts"
        )
        assert set(by_rule(api.admin, shipment["id"])) == {"high-risk-route", "hs-code-mismatch"}

    def test_twin_through_oman_is_quiet(self, api: Api) -> None:
        ae_tm = trade(api, "AE", "TM", transit=("OM",))
        shipment = ae_tm.ship(ae_tm.pen("no_objection", quantity=2380, unit="kg"))
        assert by_rule(api.admin, shipment["id"]) == {}

    def test_twin_of_another_substance_through_iran_is_not_judged_by_this_rule(
        self, api: Api
    ) -> None:
        ae_tm = trade(api, "AE", "TM", transit=("IR",))
        pen = ae_tm.pen("no_objection", substance=KMNO4, quantity=2000, unit="kg")
        shipment = ae_tm.ship(pen, declared_hs_code="2841.61", declared_description=None)
        # No permanganate history, but the PEN it ships under is that history.
        assert by_rule(api.admin, shipment["id"]) == {}
        assert set(by_rule(ae_tm.lane.exporting, pen["id"])) == {"new-counterparty"}
