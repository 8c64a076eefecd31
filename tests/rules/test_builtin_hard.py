"""The hard indicators (shared/DOMAIN.md): each built-in rule fires on a scenario from the real
cases and stays quiet on its legitimate twin. Every other flag a scenario raises is named."""

from datetime import UTC, datetime, timedelta

import pytest

from tests.factories import KMNO4, Api
from tests.rules.trade import Trade, by_rule, registered, trade


class TestLegitimateTrade:
    def test_a_notified_cleared_shipment_between_known_parties_raises_nothing(
        self, api: Api, de_pk: Trade
    ) -> None:
        pen = de_pk.pen("no_objection")
        shipment = de_pk.ship(pen)
        de_pk.depart(shipment)
        de_pk.event(shipment, "transit_entered", "AE")
        de_pk.event(shipment, "transit_exited", "AE")
        de_pk.event(shipment, "arrived", "PK", quantity_observed=5000, unit="l")
        de_pk.event(shipment, "import_cleared", "PK")
        assert by_rule(api.admin, shipment["id"]) == {}
        assert by_rule(de_pk.lane.exporting, pen["id"]) == {}


class TestNoLicitNeedDestination:
    def test_acetic_anhydride_notified_to_afghanistan_is_critical(self, api: Api) -> None:
        # Operation TARCET (2008): acetic anhydride bound for Afghanistan, which has no licit need.
        de_af = trade(api, "DE", "AF", transit=())
        pen = de_af.lane.draft()
        flags = by_rule(de_af.lane.exporting, pen["id"])
        assert set(flags) == {"no-licit-need-destination"}
        flag = flags["no-licit-need-destination"]
        assert (flag["severity"], flag["status"], flag["rule_version"]) == ("critical", "open", 1)
        assert flag["subject_type"] == "pre_export_notification"
        assert flag["explanation"] == (
            "Afghanistan declared no licit need for Acetic anhydride (108-24-7)."
        )
        assert flag["evidence"] == {
            "importing_country": "AF",
            "no_licit_need_countries": ["AF"],
            "consignee_country": None,
        }
        assert (flag["weight"], flag["score"]) == (10, 10)

    def test_a_consignee_in_afghanistan_behind_an_importer_in_the_uae_is_critical(
        self, api: Api
    ) -> None:
        de_ae = trade(api, "DE", "AE", transit=())
        kabul = registered(api, "AF", "Kabul Trading Co")
        pen = de_ae.pen("no_objection", consignee_id=kabul["id"])
        shipment = de_ae.ship(pen, consignee_id=kabul["id"])
        flags = by_rule(api.admin, shipment["id"])
        assert set(flags) == {"no-licit-need-destination"}
        assert flags["no-licit-need-destination"]["explanation"] == (
            "Afghanistan declared no licit need for Acetic anhydride (108-24-7)."
        )
        assert flags["no-licit-need-destination"]["evidence"]["consignee_country"] == "AF"
        assert set(by_rule(de_ae.lane.exporting, pen["id"])) == {"no-licit-need-destination"}

    def test_twin_with_a_consignee_in_the_uae_is_quiet(self, api: Api) -> None:
        de_ae = trade(api, "DE", "AE", transit=())
        dubai = registered(api, "AE", "Jebel Ali Paints LLC")
        pen = de_ae.pen("no_objection", consignee_id=dubai["id"])
        shipment = de_ae.ship(pen, consignee_id=dubai["id"])
        assert by_rule(api.admin, shipment["id"]) == {}

    def test_twin_of_another_substance_to_afghanistan_is_not_judged_by_the_declaration(
        self, api: Api
    ) -> None:
        # The declaration is about acetic anhydride; permanganate to Afghanistan is not covered.
        # The importer has no permanganate history, so it is a new counterparty for it.
        de_af = trade(api, "DE", "AF", transit=())
        pen = de_af.lane.draft(substance=KMNO4, quantity=500, unit="kg")
        assert set(by_rule(de_af.lane.exporting, pen["id"])) == {"new-counterparty"}


class TestPenMissing:
    def test_acetic_anhydride_to_pakistan_without_a_pen_is_flagged(
        self, api: Api, de_pk: Trade
    ) -> None:
        shipment = de_pk.ship(None)
        flags = by_rule(api.admin, shipment["id"])
        assert set(flags) == {"pen-missing"}
        flag = flags["pen-missing"]
        assert flag["severity"] == "high"
        assert flag["explanation"] == (
            "Pakistan requires a pre-export notification for Acetic anhydride (108-24-7); "
            "this shipment cites none."
        )
        assert flag["evidence"] == {"has_pen": False, "importing_requires_pen": True}

    def test_twin_citing_its_pen_is_quiet(self, api: Api, de_pk: Trade) -> None:
        shipment = de_pk.ship(de_pk.pen("no_objection"))
        assert by_rule(api.admin, shipment["id"]) == {}

    def test_twin_to_a_country_that_requires_no_pen_is_quiet(self, api: Api) -> None:
        de_ch = trade(api, "DE", "CH", transit=())
        assert by_rule(api.admin, de_ch.ship(None)["id"]) == {}

    @pytest.mark.parametrize(
        ("importing", "fires"),
        [("PK", True), ("DE", False)],
        ids=["pakistan-lists-table-ii", "germany-lists-table-i-only"],
    )
    def test_a_table_ii_substance_needs_a_pen_where_the_importing_country_lists_it(
        self, api: Api, importing: str, fires: bool
    ) -> None:
        exporting = "NL"
        lane = trade(api, exporting, importing, transit=(), history=0)
        acetone = lane.ship(
            None,
            substance="67-64-1",
            declared_hs_code="2914.11",
            declared_description="Acetone",
            quantity=800,
            unit="l",
        )
        # No earlier acetone: a new counterparty either way.
        expected = {"new-counterparty", "pen-missing"} if fires else {"new-counterparty"}
        assert set(by_rule(api.admin, acetone["id"])) == expected


class TestShippedDespiteObjection:
    def test_export_clearance_under_an_objected_pen_is_critical(
        self, api: Api, de_pk: Trade
    ) -> None:
        pen = de_pk.pen("objection")
        shipment = de_pk.ship(pen)
        assert by_rule(api.admin, shipment["id"]) == {}  # declared, not left yet
        de_pk.event(shipment, "export_cleared")  # now: after the objection
        flags = by_rule(api.admin, shipment["id"])
        assert set(flags) == {"shipped-despite-objection"}
        flag = flags["shipped-despite-objection"]
        assert flag["severity"] == "critical"
        assert flag["explanation"] == (
            f"Shipment left under {pen['reference']}, which is objection (decision: objection)."
        )
        assert flag["evidence"] == {
            "event_types": ["export_cleared"],
            "pen_decision": "objection",
            "pen_status": "objection",
        }

    def test_departure_under_a_withdrawn_pen_is_critical_and_before_any_reply(
        self, api: Api, de_pk: Trade
    ) -> None:
        pen = de_pk.pen("withdrawn")
        shipment = de_pk.ship(pen)
        de_pk.event(shipment, "departed")
        flags = by_rule(api.admin, shipment["id"])
        assert set(flags) == {"shipped-despite-objection", "shipped-before-reply"}
        assert flags["shipped-despite-objection"]["explanation"] == (
            f"Shipment left under {pen['reference']}, which is withdrawn (decision: —)."
        )

    def test_twin_held_at_export_is_quiet(self, api: Api, de_pk: Trade) -> None:
        shipment = de_pk.ship(de_pk.pen("objection"))
        de_pk.event(shipment, "stopped")
        de_pk.event(shipment, "seized")
        assert by_rule(api.admin, shipment["id"]) == {}

    def test_twin_under_a_cleared_pen_is_quiet(self, api: Api, de_pk: Trade) -> None:
        shipment = de_pk.ship(de_pk.pen("no_objection"))
        de_pk.depart(shipment)
        assert by_rule(api.admin, shipment["id"]) == {}


class TestShippedBeforeReply:
    @pytest.mark.parametrize("status", ["sent", "acknowledged", "information_requested"])
    def test_departure_while_the_importing_authority_has_not_decided_is_flagged(
        self, api: Api, de_pk: Trade, status: str
    ) -> None:
        # Silence is never consent, and a question is no reply.
        pen = de_pk.pen(status)
        shipment = de_pk.ship(pen)
        de_pk.event(shipment, "departed")
        flags = by_rule(api.admin, shipment["id"])
        assert set(flags) == {"shipped-before-reply"}
        flag = flags["shipped-before-reply"]
        assert flag["severity"] == "high"
        assert flag["explanation"].startswith("Shipment left on ")
        assert flag["explanation"].endswith(
            f" but Pakistan had not decided on {pen['reference']} "
            f"(status {status}, reply due {pen['reply_by']})."
        )
        assert flag["evidence"]["pen_decided_at"] is None
        assert flag["evidence"]["has_pen"] is True
        departed = datetime.fromisoformat(flag["evidence"]["first_departure_at"])
        assert datetime.now(UTC) - departed < timedelta(minutes=5)

    def test_departure_an_hour_before_a_later_clearance_is_flagged(
        self, api: Api, de_pk: Trade
    ) -> None:
        pen = de_pk.pen("no_objection")
        shipment = de_pk.ship(pen)
        de_pk.event(shipment, "departed", occurred_at=datetime.now(UTC) - timedelta(hours=1))
        flags = by_rule(api.admin, shipment["id"])
        assert set(flags) == {"shipped-before-reply"}
        evidence = flags["shipped-before-reply"]["evidence"]
        decided = datetime.fromisoformat(evidence["pen_decided_at"])
        assert decided == datetime.fromisoformat(pen["decided_at"])
        assert decided - datetime.fromisoformat(evidence["first_departure_at"]) > timedelta(
            minutes=59
        )

    def test_twin_declared_but_not_left_is_quiet(self, api: Api, de_pk: Trade) -> None:
        shipment = de_pk.ship(de_pk.pen("sent"))
        de_pk.event(shipment, "stopped")
        assert by_rule(api.admin, shipment["id"]) == {}

    def test_twin_leaving_after_the_clearance_is_quiet(self, api: Api, de_pk: Trade) -> None:
        shipment = de_pk.ship(de_pk.pen("no_objection"))
        de_pk.event(shipment, "departed")
        assert by_rule(api.admin, shipment["id"]) == {}


class TestQuantityExceedsNotified:
    def test_ten_percent_over_the_notified_quantity_is_flagged(
        self, api: Api, de_pk: Trade
    ) -> None:
        pen = de_pk.pen("no_objection")  # 5,000 l = 5,400 kg
        shipment = de_pk.ship(pen, quantity=5500)  # 5,940 kg
        flags = by_rule(api.admin, shipment["id"])
        assert set(flags) == {"quantity-exceeds-notified"}
        flag = flags["quantity-exceeds-notified"]
        assert flag["severity"] == "high"
        assert flag["explanation"] == (
            f"{pen['reference']} notified 5,400 kg; declared 5,940 kg, observed — kg, "
            "other shipments under it 0.00 kg."
        )
        assert flag["evidence"] == {
            "has_pen": True,
            "quantity_kg": 5940.0,
            "pen_quantity_kg": 5400.0,
            "observed_quantity_kg": None,
            "agg_pen_shipments_all_sum": 0.0,
        }

    def test_more_observed_at_the_border_than_notified_is_flagged_on_the_event(
        self, api: Api, de_pk: Trade
    ) -> None:
        shipment = de_pk.ship(de_pk.pen("no_objection"))
        assert by_rule(api.admin, shipment["id"]) == {}
        de_pk.event(shipment, "transit_entered", "AE", quantity_observed=5500, unit="l")
        flags = by_rule(api.admin, shipment["id"])
        assert set(flags) == {"quantity-exceeds-notified"}
        assert flags["quantity-exceeds-notified"]["evidence"]["observed_quantity_kg"] == 5940.0

    def test_the_second_of_two_shipments_over_the_notified_total_is_flagged(
        self, api: Api, de_pk: Trade
    ) -> None:
        pen = de_pk.pen("no_objection")
        first = de_pk.ship(pen, quantity=3000)
        second = de_pk.ship(pen, quantity=3000)
        assert by_rule(api.admin, first["id"]) == {}
        flags = by_rule(api.admin, second["id"])
        assert set(flags) == {"quantity-exceeds-notified"}
        assert flags["quantity-exceeds-notified"]["explanation"].endswith(
            "other shipments under it 3,240 kg."
        )

    def test_twin_within_the_five_percent_tolerance_is_quiet(self, api: Api, de_pk: Trade) -> None:
        shipment = de_pk.ship(de_pk.pen("no_objection"), quantity=5200)  # +4 %
        assert by_rule(api.admin, shipment["id"]) == {}


class TestPartyMismatch:
    def test_a_transit_route_other_than_notified_is_flagged(self, api: Api, de_pk: Trade) -> None:
        pen = de_pk.pen("no_objection")
        shipment = de_pk.ship(pen, transit_countries=["OM"])
        flags = by_rule(api.admin, shipment["id"])
        assert set(flags) == {"party-mismatch"}
        flag = flags["party-mismatch"]
        assert flag["severity"] == "high"
        assert flag["explanation"] == (
            f"Shipment differs from {pen['reference']}: route DE→PK via OM (notified DE→PK via "
            "AE), or exporter, importer or consignee."
        )
        assert flag["evidence"]["transit_countries"] == ["OM"]
        assert flag["evidence"]["pen_transit_countries"] == ["AE"]

    def test_an_importer_other_than_notified_is_flagged(self, api: Api, de_pk: Trade) -> None:
        # A front company with no trade history of its own is also a new counterparty.
        front = registered(api, "PK", "Karachi Front Traders")
        pen = de_pk.pen("no_objection")
        shipment = de_pk.ship(pen, importer_id=front["id"])
        flags = by_rule(api.admin, shipment["id"])
        assert set(flags) == {"party-mismatch", "new-counterparty"}
        evidence = flags["party-mismatch"]["evidence"]
        assert (evidence["importer_id"], evidence["pen_importer_id"]) == (
            front["id"],
            de_pk.lane.importer["id"],
        )

    def test_a_consignee_other_than_notified_is_flagged(self, api: Api, de_pk: Trade) -> None:
        notified = registered(api, "PK", "Lahore Textiles")
        other = registered(api, "PK", "Quetta Logistics", kind="forwarder")
        pen = de_pk.pen("no_objection", consignee_id=notified["id"])
        shipment = de_pk.ship(pen, consignee_id=other["id"])
        # The goods also go to a forwarder rather than to the end user.
        assert set(by_rule(api.admin, shipment["id"])) == {
            "party-mismatch",
            "consignee-intermediary",
        }

    def test_twin_matching_the_pen_is_quiet(self, api: Api, de_pk: Trade) -> None:
        notified = registered(api, "PK", "Lahore Textiles")
        pen = de_pk.pen("no_objection", consignee_id=notified["id"])
        shipment = de_pk.ship(pen, consignee_id=notified["id"])
        assert by_rule(api.admin, shipment["id"]) == {}
