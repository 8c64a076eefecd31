"""The indicators added in the second wave (issue 13): the final destination beyond the importing
country, the known substitute, the intermediary consignee, free zones, and a source on every
rule. Each fires on its scenario and stays quiet on its legitimate twin."""

from typing import Any

from tests.factories import Api
from tests.rules.trade import RULES, Trade, by_rule, registered, trade

ACETYL_CHLORIDE = "75-36-5"


def _pen_flags(lane: Trade, pen: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return by_rule(lane.lane.exporting, pen["id"])


class TestFinalDestination:
    def test_a_neighbour_importing_for_afghanistan_is_critical(self, api: Api) -> None:
        cn_tj = trade(api, "CN", "TJ", transit=())
        pen = cn_tj.pen("sent", final_destination_country="AF")
        flags = _pen_flags(cn_tj, pen)
        assert set(flags) == {"no-licit-need-final-destination"}
        flag = flags["no-licit-need-final-destination"]
        assert flag["severity"] == "critical"
        assert flag["explanation"] == (
            "Final destination AF declared no licit need for Acetic anhydride; imported into "
            "Tajikistan."
        )

    def test_the_shipment_under_it_is_critical_too(self, api: Api) -> None:
        cn_tj = trade(api, "CN", "TJ", transit=())
        pen = cn_tj.pen("no_objection", final_destination_country="AF")
        shipment = cn_tj.ship(pen)
        assert "no-licit-need-final-destination" in by_rule(api.admin, shipment["id"])

    def test_twin_going_on_to_kazakhstan_is_quiet(self, api: Api) -> None:
        cn_tj = trade(api, "CN", "TJ", transit=())
        assert _pen_flags(cn_tj, cn_tj.pen("sent", final_destination_country="KZ")) == {}


class TestKnownSubstitute:
    def test_acetyl_chloride_to_uzbekistan_is_high(self, api: Api) -> None:
        kr_uz = trade(api, "KR", "UZ", transit=("KZ",))
        kr_uz.history(1, 2000, "kg", substance=ACETYL_CHLORIDE, declared_hs_code="2915.90")
        pen = kr_uz.pen("sent", substance=ACETYL_CHLORIDE, quantity=2000, unit="kg")
        assert pen["voluntary"] is True
        flags = _pen_flags(kr_uz, pen)
        assert set(flags) == {"known-substitute"}
        assert flags["known-substitute"]["severity"] == "high"

    def test_twin_to_germany_is_quiet(self, api: Api) -> None:
        kr_de = trade(api, "KR", "DE", transit=())
        kr_de.history(1, 2000, "kg", substance=ACETYL_CHLORIDE, declared_hs_code="2915.90")
        pen = kr_de.pen("sent", substance=ACETYL_CHLORIDE, quantity=2000, unit="kg")
        assert _pen_flags(kr_de, pen) == {}


class TestIntermediaryConsignee:
    def test_goods_to_a_broker_are_flagged(self, api: Api, de_pk: Trade) -> None:
        broker = registered(api, "PK", "Karachi Customs Brokers", kind="broker")
        pen = de_pk.pen("sent", consignee_id=broker["id"])
        flags = _pen_flags(de_pk, pen)
        assert set(flags) == {"consignee-intermediary"}
        assert flags["consignee-intermediary"]["explanation"] == (
            "Consignee is a broker in Pakistan."
        )

    def test_twin_to_an_end_user_is_quiet(self, api: Api, de_pk: Trade) -> None:
        mill = registered(api, "PK", "Faisalabad Textile Mills", kind="end_user")
        assert _pen_flags(de_pk, de_pk.pen("sent", consignee_id=mill["id"])) == {}


class TestFreeZone:
    def test_an_itinerary_through_a_free_zone_is_flagged(self, api: Api, de_pk: Trade) -> None:
        itinerary = [{"country": "AE", "place": "Jebel Ali Free Zone"}]
        flags = _pen_flags(de_pk, de_pk.pen("sent", itinerary=itinerary))
        assert set(flags) == {"free-zone-transit"}
        assert "jebel ali free zone" in flags["free-zone-transit"]["explanation"]

    def test_a_border_event_in_a_free_zone_is_flagged(self, api: Api, de_pk: Trade) -> None:
        shipment = de_pk.ship(de_pk.pen("no_objection"))
        de_pk.event(shipment, "transit_entered", "AE", location="JAFZA, Dubai")
        assert set(by_rule(api.admin, shipment["id"])) == {"free-zone-transit"}

    def test_twin_through_the_port_is_quiet(self, api: Api, de_pk: Trade) -> None:
        itinerary = [{"country": "AE", "place": "Jebel Ali Port"}]
        assert _pen_flags(de_pk, de_pk.pen("sent", itinerary=itinerary)) == {}


class TestSources:
    def test_every_built_in_rule_cites_its_source(self, api: Api) -> None:
        rules = api.admin.get(RULES, params={"limit": 200}).json()["items"]
        builtin = [r for r in rules if r["builtin"]]
        assert len(builtin) >= 20
        assert all(r["source"] for r in builtin), [r["code"] for r in builtin if not r["source"]]

    def test_an_admin_rule_keeps_its_source(self, api: Api) -> None:
        body = {
            "code": "cash-to-tajikistan",
            "title": "Cash for Tajikistan",
            "severity": "medium",
            "subjects": ["pre_export_notification"],
            "condition": {
                "cmp": "eq",
                "left": {"fact": "importing_country"},
                "right": {"value": "TJ"},
            },
            "explanation": "To {importing_country}.",
            "source": "Regional intelligence bulletin 2026/14",
        }
        created = api.admin.post(RULES, json=body)
        assert created.status_code == 201, created.text
        assert created.json()["source"] == "Regional intelligence bulletin 2026/14"
        read = api.analyst().get(f"{RULES}/cash-to-tajikistan").json()
        assert read["source"] == "Regional intelligence bulletin 2026/14"
