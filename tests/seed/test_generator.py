"""The demo generator's pure parts: ids, container numbers, journeys."""

import random
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from app.core.ids import new_id
from app.shipments.states import EventType
from seed.bulk import ALPHABET, TimeOrderedIds
from seed.demo_common import Context, Parties, Party, container_id
from seed.demo_shipments import ShipmentPlan, journey, replay
from seed.demo_world import AA, LANES


class TestTimeOrderedIds:
    def test_look_like_new_id_and_sort_by_their_time(self) -> None:
        ids = TimeOrderedIds(seed=1)
        start = datetime(2026, 1, 1, tzinfo=UTC)
        made = [ids(start + timedelta(seconds=s)) for s in range(0, 5000, 7)]
        assert made == sorted(made)
        sample = new_id()
        assert all(len(i) == len(sample) and set(i) <= set(ALPHABET) for i in made)
        # new_id() stamps the present, which sorts after any past row of the demo.
        assert made[-1] < sample

    def test_are_deterministic_for_a_seed(self) -> None:
        at = datetime(2026, 3, 1, tzinfo=UTC)
        assert TimeOrderedIds(7)(at) == TimeOrderedIds(7)(at) != TimeOrderedIds(8)(at)


class TestContainerId:
    @pytest.mark.parametrize(
        ("owner", "serial", "expected"),
        [("MSKU", 123456, "MSKU1234565"), ("CSQU", 305438, "CSQU3054383")],
    )
    def test_check_digit_follows_iso_6346(self, owner: str, serial: int, expected: str) -> None:
        assert container_id(owner, serial) == expected


def _context(seed: int) -> Context:
    return Context(
        now=datetime(2026, 6, 1, tzinfo=UTC),
        rng=random.Random(seed),
        ids=TimeOrderedIds(seed),
        writer=None,  # type: ignore[arg-type]  # journeys write nothing
        parties=Parties(),
        densities={AA: Decimal("1.08")},
        hs_codes={AA: "2915.24"},
        names={AA: "Acetic anhydride"},
        table_ii_pen_countries=frozenset(),
        no_licit_need=frozenset(),
        users={},
        references={},
    )


class TestJourney:
    @pytest.mark.parametrize("seed", range(40))
    def test_every_incident_replays_to_a_valid_status(self, seed: int) -> None:
        ctx = _context(seed)
        for lane in LANES:
            for incident in (None, "stopped", "released", "seized"):
                plan = ShipmentPlan(
                    exporting=lane.exporting,
                    importing=lane.importing,
                    transit=lane.transit,
                    exporter=Party("e", lane.exporting, "manufacturer", None),
                    importer=Party("i", lane.importing, "end_user", None),
                    consignee=None,
                    cas=AA,
                    quantity=Decimal(4400),
                    unit="l",
                    mode=lane.mode,
                    means_of_payment="letter_of_credit",
                    departure=date(2026, 1, 1) + timedelta(days=ctx.rng.randint(0, 120)),
                    incident=incident,
                    incident_at=ctx.rng.choice(("exporting", "transit", "importing")),
                )
                events = journey(ctx, plan)
                times = [e.at for e in events]
                assert times == sorted(times)
                status = replay(events)  # raises if the state machine refuses an event
                expected = {None: "delivered", "seized": "seized", "released": "delivered"}
                if incident in expected:
                    assert status.value == expected[incident]
                elif events[-1].type == EventType.STOPPED:
                    assert status.value == "stopped"
