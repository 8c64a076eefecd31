"""Investigations feed the rules: `linked_to_confirmed` (a party on the buying side, or the same
party under another record, linked to a confirmed flag or a seizure; exporters are left out on
both sides) and `watchlist_hit`."""

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.engine import Engine

from app.core.db import open_session
from app.rules.service import enabled_rules, facts_for
from app.shipments.models import Shipment
from tests.factories import SHIPMENTS, Api, Lane, event_body, lane, manual_flag, record_shipment
from tests.investigations.helpers import FLAGS, WATCHLIST, rules_hit, twins


def _seize(
    api: Api, importer: dict[str, Any], consignee: dict[str, Any] | None = None
) -> dict[str, Any]:
    """A shipment from Germany to `importer` (for `consignee`), seized on arrival."""
    trade = lane(api, "DE", importer["country"], ())
    customs = api.customs(importer["country"])
    parties = {"importer_id": importer["id"]}
    if consignee is not None:
        parties["consignee_id"] = consignee["id"]
    shipment = record_shipment(
        customs, None, **trade.shipment_body(customs_reference="SZ-1", **parties)
    )
    response = customs.post(
        f"{SHIPMENTS}/{shipment['id']}/events", json=event_body("seized", importer["country"])
    )
    assert response.status_code == 201, response.text
    return shipment


def _links(
    engine: Engine, shipment: dict[str, Any], as_of: datetime | None = None
) -> tuple[bool, int]:
    """`linked_to_confirmed` and `linked_confirmed_count` of a shipment, judged as of `as_of`
    (unset: now)."""
    with open_session(engine) as session:
        subject = session.get(Shipment, shipment["id"])
        assert subject is not None
        facts = facts_for(session, subject, enabled_rules(session, "shipment"), as_of=as_of)
    return facts["linked_to_confirmed"], facts["linked_confirmed_count"]


class TestLinkedToConfirmed:
    def test_a_new_pen_to_the_twin_of_a_seized_shipments_importer_is_flagged(
        self, api: Api
    ) -> None:
        seized_to, twin = twins(api)
        _seize(api, seized_to)
        trade = lane(api, "DE", "AF", ("AE",))
        pen = trade.draft(importer_id=twin["id"])
        assert "linked-to-confirmed" in rules_hit(api, pen["id"], trade.exporting)
        (flag,) = [
            f
            for f in trade.exporting.get(FLAGS, params={"subject_id": pen["id"]}).json()["items"]
            if f["rule"] == "linked-to-confirmed"
        ]
        assert flag["severity"] == "high"
        assert "1 confirmed flag(s) or seizure(s)" in flag["explanation"]

    def test_a_seizure_naming_two_of_the_parties_mates_counts_once(
        self, api: Api, engine: Engine
    ) -> None:
        seized_to, twin = twins(api)
        _seize(api, seized_to, consignee=twin)
        trade = lane(api, "DE", "AE", ())
        shipment = record_shipment(
            api.customs("AE"),
            None,
            **trade.shipment_body(importer_id=seized_to["id"], customs_reference="T-1"),
        )
        assert _links(engine, shipment) == (True, 1)

    def test_an_unrelated_pen_is_not_flagged(self, api: Api) -> None:
        seized_to, _ = twins(api)
        _seize(api, seized_to)
        trade = lane(api, "DE", "AF", ("AE",))
        # Another exporter and another importer: nothing in common with the seizure.
        other = api.operator("DE", "Bavaria Solvents KG", address="4 Isar Street, Munich")
        pen = trade.draft(exporter_id=other["id"])
        assert "linked-to-confirmed" not in rules_hit(api, pen["id"], trade.exporting)

    def test_the_seized_shipments_exporter_goes_on_selling_unflagged(self, api: Api) -> None:
        seized_to, _ = twins(api)
        _seize(api, seized_to)
        # "DE Exporter GmbH" again (the seized shipment's exporter, resolved into one entity),
        # to another customer: a manufacturer's other customers are not linked to the seizure.
        trade = lane(api, "DE", "AF", ("AE",))
        pen = trade.draft()
        assert "linked-to-confirmed" not in rules_hit(api, pen["id"], trade.exporting)

    def test_a_confirmed_flag_links_the_importer_not_the_exporters_other_customers(
        self, api: Api
    ) -> None:
        trade: Lane = lane(api)
        customs = api.customs("AE")
        first = record_shipment(customs, None, **trade.shipment_body(customs_reference="D-1"))
        flag = manual_flag(customs, first, "high", "Seal tampered")
        for status in ("under_review", "confirmed"):
            response = customs.post(
                f"{FLAGS}/{flag['id']}/triage", json={"status": status, "note": "Diverted"}
            )
            assert response.status_code == 200, response.text
        other = api.operator("PK", "Karachi Paints Ltd", address="9 Mill Road, Karachi")
        same_importer = record_shipment(
            customs, None, **trade.shipment_body(customs_reference="D-2")
        )
        other_customer = record_shipment(
            customs, None, **trade.shipment_body(importer_id=other["id"], customs_reference="D-3")
        )
        assert "linked-to-confirmed" in rules_hit(api, same_importer["id"])
        assert "linked-to-confirmed" not in rules_hit(api, other_customer["id"])

    def test_judged_as_of_a_moment_before_the_seizure_it_is_not_linked(
        self, api: Api, engine: Engine
    ) -> None:
        # The demo replays every subject as of its last write (seed/demo_flags.py): a seizure
        # recorded after it cannot have linked it, as the live system judged it then.
        before_the_seizure = datetime.now(UTC) - timedelta(minutes=1)
        seized_to, _ = twins(api)
        _seize(api, seized_to)
        trade = lane(api, "DE", "AE", ())
        shipment = record_shipment(
            api.customs("AE"),
            None,
            **trade.shipment_body(importer_id=seized_to["id"], customs_reference="AS-1"),
        )
        assert _links(engine, shipment) == (True, 1)
        assert _links(engine, shipment, as_of=before_the_seizure) == (False, 0)

    def test_a_confirmed_record_reaches_its_consignee_and_counts_once(
        self, api: Api, engine: Engine
    ) -> None:
        trade: Lane = lane(api)
        customs = api.customs("AE")
        consignee = api.operator("PK", "Indus Forwarding Ltd", address="3 Dock Road, Karachi")
        first = record_shipment(
            customs,
            None,
            **trade.shipment_body(customs_reference="K-1", consignee_id=consignee["id"]),
        )
        flag = manual_flag(customs, first, "high", "Seal tampered")
        for status in ("under_review", "confirmed"):
            response = customs.post(
                f"{FLAGS}/{flag['id']}/triage", json={"status": status, "note": "Diverted"}
            )
            assert response.status_code == 200, response.text
        # The consignee, importing on its own: linked through the first shipment.
        to_consignee = record_shipment(
            customs,
            None,
            **trade.shipment_body(customs_reference="K-2", importer_id=consignee["id"]),
        )
        # The same importer and consignee again: linked once (one confirmed flag), not once
        # through each party.
        again = record_shipment(
            customs,
            None,
            **trade.shipment_body(customs_reference="K-3", consignee_id=consignee["id"]),
        )
        assert _links(engine, to_consignee) == (True, 1)
        assert _links(engine, again) == (True, 1)

    def test_a_rule_flag_confirmed_on_a_pen_links_its_importers_shipments(
        self, api: Api, engine: Engine
    ) -> None:
        # Raised by a rule, not by hand: the flag names its subject's buyers as it is raised.
        trade: Lane = lane(api)
        pen = trade.pen_in("sent")
        listed = trade.exporting.get(
            FLAGS, params={"subject_id": pen["id"], "rule": "new-counterparty"}
        )
        assert listed.status_code == 200, listed.text
        (flag,) = listed.json()["items"]
        for status in ("under_review", "confirmed"):
            response = trade.exporting.post(
                f"{FLAGS}/{flag['id']}/triage", json={"status": status, "note": "Diverted"}
            )
            assert response.status_code == 200, response.text
        customs = api.customs("AE")
        other = api.operator("PK", "Karachi Paints Ltd", address="9 Mill Road, Karachi")
        same_importer = record_shipment(
            customs, None, **trade.shipment_body(customs_reference="R-1")
        )
        other_customer = record_shipment(
            customs, None, **trade.shipment_body(importer_id=other["id"], customs_reference="R-2")
        )
        assert _links(engine, same_importer) == (True, 1)
        assert _links(engine, other_customer) == (False, 0)

    def test_a_confirmed_flag_links_the_importers_next_shipment(self, api: Api) -> None:
        trade: Lane = lane(api)
        customs = api.customs("AE")
        first = record_shipment(customs, None, **trade.shipment_body(customs_reference="C-1"))
        flag = manual_flag(customs, first, "high", "Seal tampered")
        before = record_shipment(customs, None, **trade.shipment_body(customs_reference="C-2"))
        for status in ("under_review", "confirmed"):
            response = customs.post(
                f"{FLAGS}/{flag['id']}/triage", json={"status": status, "note": "Diverted"}
            )
            assert response.status_code == 200, response.text
        after = record_shipment(customs, None, **trade.shipment_body(customs_reference="C-3"))
        assert "linked-to-confirmed" not in rules_hit(api, before["id"])
        assert "linked-to-confirmed" in rules_hit(api, after["id"])
        # The flag's own subject is not linked to itself.
        assert "linked-to-confirmed" not in rules_hit(api, first["id"])


class TestWatchlist:
    def test_a_pen_to_a_watched_party_in_scope_is_flagged(self, api: Api) -> None:
        trade = lane(api, "DE", "PK", ())
        entry = api.law_enforcement("PK").post(
            WATCHLIST,
            json={
                "name": "pk importer limited",
                "reason": "Consignee of the 2016 Port Qasim seizure",
                "country_scope": ["PK"],
            },
        )
        assert entry.status_code == 201, entry.text
        assert entry.headers["Location"].endswith(entry.json()["id"])
        pen = trade.draft()
        assert "watchlist-hit" in rules_hit(api, pen["id"], trade.exporting)

    def test_an_entry_scoped_to_other_countries_does_not_hit(self, api: Api) -> None:
        trade = lane(api, "DE", "PK", ())
        response = api.regulator("FR").post(
            WATCHLIST,
            json={"name": "PK Importer Ltd", "reason": "French case", "country_scope": ["FR"]},
        )
        assert response.status_code == 201, response.text
        pen = trade.draft()
        assert "watchlist-hit" not in rules_hit(api, pen["id"], trade.exporting)

    def test_a_registration_number_or_a_container_hits(self, api: Api) -> None:
        watched = api.operator("PK", "Indus Solvents", registration_number="PK-0042")
        trade = lane(api, "DE", "PK", ("AE",))
        for identifiers in ({"registration_number": "pk 0042"}, {"container_id": "MSCU 1234567"}):
            response = api.admin.post(
                WATCHLIST, json={"identifiers": identifiers, "reason": "INCB special alert"}
            )
            assert response.status_code == 201, response.text
        by_number = record_shipment(
            api.customs("AE"),
            None,
            **trade.shipment_body(importer_id=watched["id"], customs_reference="W-1"),
        )
        by_container = record_shipment(
            api.customs("AE"),
            None,
            **trade.shipment_body(container_ids=["MSCU1234567"], customs_reference="W-2"),
        )
        assert "watchlist-hit" in rules_hit(api, by_number["id"])
        assert "watchlist-hit" in rules_hit(api, by_container["id"])

    def test_an_entry_needs_a_name_or_an_identifier(self, api: Api) -> None:
        response = api.regulator("PK").post(WATCHLIST, json={"reason": "Nothing to match"})
        assert response.status_code == 422
        assert response.json()["type"].endswith("empty-watchlist-entry")

    def test_entries_are_read_by_the_countries_they_concern(self, api: Api) -> None:
        response = api.regulator("PK").post(
            WATCHLIST, json={"name": "Secret Co", "reason": "Ours", "country_scope": ["PK"]}
        )
        assert response.status_code == 201
        entry_id = response.json()["id"]
        assert api.regulator("FR").get(f"{WATCHLIST}/{entry_id}").status_code == 404
        assert api.law_enforcement("PK").get(f"{WATCHLIST}/{entry_id}").status_code == 200
        assert api.analyst().get(f"{WATCHLIST}/{entry_id}").status_code == 200
        listed = api.regulator("FR").get(WATCHLIST).json()["items"]
        assert entry_id not in {e["id"] for e in listed}
        assert (
            api.customs("PK").post(WATCHLIST, json={"name": "X", "reason": "y"}).status_code == 403
        )
