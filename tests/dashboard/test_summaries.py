"""Every summary figure against the same figure computed in plain Python from the scenario."""

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy.engine import Engine

from app.core.types import utcnow
from app.dashboard.regions import REGION_OF_CONCERN
from app.dashboard.schemas import Overview
from app.dashboard.summaries import HEADLINE
from app.rules.models import Flag
from tests.dashboard.scenario import (
    DENSITY,
    YEAR,
    Ship,
    World,
    at,
    build,
    by_key,
    expected_pens,
    in_period,
    litres,
    matches,
    quantile,
    reply_figures,
)
from tests.factories import AA, KMNO4, Actor, Api

FULL_YEAR = (date(YEAR, 1, 1), date(YEAR, 12, 31))


@pytest.fixture
def world(api: Api) -> World:
    return build(api)


def close(actual: float | None, expected: float | Decimal | None) -> bool:
    if expected is None or actual is None:
        return actual is None and expected is None
    return abs(float(actual) - float(expected)) < 0.01


def check_pens(summary: dict[str, Any], pens: list[Any]) -> None:
    assert summary["totals"]["pens"] == len(pens)
    assert close(summary["totals"]["quantity_kg"], sum(p.kg for p in pens))
    assert close(summary["totals"]["quantity_l"], litres(pens))
    for field, key in (
        ("by_exporting_country", "exporting"),
        ("by_importing_country", "importing"),
    ):
        groups = by_key(pens, lambda p, key=key: getattr(p, key))
        got = {row["country"]: row for row in summary[field]}
        assert set(got) == set(groups)
        for country, rows in groups.items():
            assert got[country]["pens"] == len(rows)
            assert close(got[country]["quantity_kg"], sum(p.kg for p in rows))
            assert close(got[country]["quantity_l"], litres(rows))
    pairs = by_key(pens, lambda p: (p.exporting, p.importing))
    got_pairs = {(r["exporting_country"], r["importing_country"]): r for r in summary["matrix"]}
    assert set(got_pairs) == set(pairs)
    for pair, rows in pairs.items():
        assert got_pairs[pair]["pens"] == len(rows)
        assert close(got_pairs[pair]["quantity_kg"], sum(p.kg for p in rows))
    substances = by_key(pens, lambda p: p.cas)
    assert {r["cas_number"]: r["pens"] for r in summary["by_substance"]} == {
        cas: len(rows) for cas, rows in substances.items()
    }


class TestPens:
    def test_year_matches_scenario(self, world: World, api: Api) -> None:
        response = api.analyst().get("/api/v1/summaries/pens", params={"year": YEAR})
        assert response.status_code == 200, response.text
        check_pens(response.json(), expected_pens(world, *FULL_YEAR))

    @pytest.mark.parametrize(
        ("start", "end"),
        [
            (date(YEAR, 1, 15), date(YEAR, 4, 1)),  # partial months at both ends
            (date(YEAR, 2, 1), date(YEAR, 3, 31)),  # whole months only
            (date(YEAR, 3, 31), date(YEAR, 3, 31)),  # a single day
            (date(YEAR, 1, 1), date(YEAR, 6, 30)),
        ],
    )
    def test_periods_with_partial_months(
        self, world: World, api: Api, start: date, end: date
    ) -> None:
        response = api.analyst().get(
            "/api/v1/summaries/pens", params={"from": start.isoformat(), "to": end.isoformat()}
        )
        assert response.status_code == 200, response.text
        check_pens(response.json(), expected_pens(world, start, end))

    @pytest.mark.parametrize(
        "filters",
        [
            {"substance": AA},
            {"substance": KMNO4},
            {"exporting_country": "DE"},
            {"importing_country": "PK"},
            {"transit_country": "AE"},
            {"region": "concern"},
            {"region": "150"},  # Europe
            {"exporting_country": "NL", "importing_country": "PK", "substance": AA},
        ],
    )
    def test_filters(self, world: World, api: Api, filters: dict[str, str]) -> None:
        response = api.analyst().get("/api/v1/summaries/pens", params={"year": YEAR, **filters})
        assert response.status_code == 200, response.text
        region = None
        if "region" in filters:
            region = (
                set(REGION_OF_CONCERN) if filters["region"] == "concern" else {"DE", "NL", "BE"}
            )
        criteria = {k: v for k, v in filters.items() if k != "region"}
        check_pens(
            response.json(),
            [p for p in expected_pens(world, *FULL_YEAR, **criteria) if matches(p, region=region)],
        )

    def test_empty_period_is_zero(self, world: World, api: Api) -> None:
        body = api.analyst().get("/api/v1/summaries/pens", params={"year": 2019}).json()
        assert body["totals"] == {
            "pens": 0,
            "quantity_kg": 0.0,
            "quantity_l": None,
            "exporting_countries": 0,
            "importing_countries": 0,
        }
        assert body["matrix"] == [] and body["by_exporting_country"] == []

    def test_drafts_never_count(self, world: World, api: Api) -> None:
        body = api.analyst().get("/api/v1/summaries/pens", params={"year": utcnow().year}).json()
        assert body["totals"]["pens"] == 0


class TestScope:
    def test_regulator_sees_rows_its_country_is_party_to(self, world: World, api: Api) -> None:
        for country in ("AE", "PK", "IR", "BE", "FR"):
            body = (
                api.regulator(country).get("/api/v1/summaries/pens", params={"year": YEAR}).json()
            )
            assert body["filters"]["scope_country"] == country
            check_pens(body, expected_pens(world, *FULL_YEAR, party=country))

    def test_regulator_scope_limits_shipments(self, world: World, api: Api) -> None:
        body = api.regulator("AE").get("/api/v1/summaries/shipments", params={"year": YEAR}).json()
        expected = [s for s in world.ships if matches(s, party="AE")]
        assert body["totals"]["shipments"] == len(expected)
        assert {(r["event"], r["country"]) for r in body["stopped_and_seized"]} == {
            ("stopped", "AE"),
            ("seized", "AE"),
        }

    def test_customs_is_refused(self, world: World, api: Api) -> None:
        response = api.customs("DE").get("/api/v1/summaries/pens")
        assert response.status_code == 403
        assert response.headers["content-type"].startswith("application/problem+json")

    def test_anonymous_is_refused(self, api: Api) -> None:
        response = api.client.get("/api/v1/summaries/pens")
        assert response.status_code == 401
        assert response.json()["type"].endswith("/unauthorized")

    def test_admin_sees_everything(self, world: World, api: Api) -> None:
        body = api.admin.get("/api/v1/summaries/pens", params={"year": YEAR}).json()
        check_pens(body, expected_pens(world, *FULL_YEAR))


class TestHeadline:
    @pytest.mark.parametrize(
        "params",
        [
            {"year": YEAR},
            {"year": YEAR, "substance": AA},
            {"year": YEAR, "importing_country": "PK"},
        ],
    )
    @pytest.mark.parametrize("reader", ["analyst", "regulator"])
    def test_each_figure_is_the_total_its_summary_details(
        self, world: World, api: Api, params: dict[str, Any], reader: str
    ) -> None:
        """/dashboard shows the headline from the panels' totals (HEADLINE says where each
        figure is): each equals the overview's figure."""
        client = api.analyst() if reader == "analyst" else api.regulator("AE")
        overview = client.get("/api/v1/summaries/overview", params=params).json()
        assert set(HEADLINE) == set(Overview.model_fields) - {"filters"}
        answers: dict[str, Any] = {}
        for figure, (summary, total) in HEADLINE.items():
            if summary not in answers:
                answers[summary] = client.get(f"/api/v1/summaries/{summary}", params=params).json()
            assert overview[figure] == answers[summary]["totals"][total], figure
        assert overview["pens_sent"] > 0 or "substance" in params


class TestReplies:
    def test_figures_per_importing_country(self, world: World, api: Api) -> None:
        body = api.analyst().get("/api/v1/summaries/replies", params={"year": YEAR}).json()
        today = date.fromisoformat(body["filters"]["as_of"])
        pens = expected_pens(world, *FULL_YEAR)
        self._check(body["totals"], reply_figures(pens, today))
        groups = by_key(pens, lambda p: p.importing)
        got = {row["country"]: row for row in body["by_importing_country"]}
        assert set(got) == set(groups)
        for country, rows in groups.items():
            self._check(got[country], reply_figures(rows, today))

    def test_silence_before_reply_by_is_awaiting_not_unanswered(self, api: Api) -> None:
        world = World(api)
        sent = datetime.now(UTC) - timedelta(days=2)
        world.pen("DE", "PK", sent=sent)  # reply_by 13 days ahead
        body = (
            api.analyst()
            .get("/api/v1/summaries/replies", params={"from": sent.date().isoformat()})
            .json()
        )
        assert body["totals"]["awaiting"] == 1
        assert body["totals"]["unanswered"] == 0

    @staticmethod
    def _check(got: dict[str, Any], expected: dict[str, Any]) -> None:
        for key, value in expected.items():
            if isinstance(value, float) or value is None:
                assert close(got[key], value), (key, got[key], value)
            else:
                assert got[key] == value, (key, got[key], value)


def expected_interdictions(ships: list[Ship]) -> dict[tuple[str, str, str, str], list[Decimal]]:
    """Per (type, country, origin, substance), each shipment's largest stopped or seized
    quantity in the year (the declared one when nothing was observed)."""
    interdictions: dict[tuple[str, str, str, str], list[Decimal]] = {}
    for ship in ships:
        per_place: dict[tuple[str, str, str, str], Decimal] = {}
        for event in ship.events:
            if event["type"] in ("stopped", "seized") and in_period(event["occurred"], *FULL_YEAR):
                key = (event["type"], event["country"], ship.exporting, ship.cas)
                amount = event["observed_kg"] if event["observed_kg"] is not None else ship.kg
                per_place[key] = max(per_place.get(key, Decimal(0)), amount)
        for key, amount in per_place.items():
            interdictions.setdefault(key, []).append(amount)
    return interdictions


def expected_gaps(ships: list[Ship]) -> list[tuple[Ship, Decimal]]:
    """Shipments citing a PEN with an observation: the latest observed minus the notified kg."""
    gaps = []
    for ship in ships:
        observed = [e for e in ship.events if e["observed_kg"] is not None]
        if ship.pen is None or not observed:
            continue
        gaps.append((ship, observed[-1]["observed_kg"] - ship.pen.kg))
    return gaps


class TestShipments:
    def test_status_stops_seizures_and_gaps(self, world: World, api: Api) -> None:
        body = api.analyst().get("/api/v1/summaries/shipments", params={"year": YEAR}).json()
        ships = [s for s in world.ships if in_period(s.created_at, *FULL_YEAR)]
        assert body["totals"]["shipments"] == len(ships)
        assert close(body["totals"]["quantity_kg"], sum(s.kg for s in ships))
        statuses = {row["status"]: row["shipments"] for row in body["by_status"]}
        for status, rows in by_key(ships, lambda s: s.status).items():
            assert statuses[status] == len(rows)
        assert sum(statuses.values()) == len(ships)

        interdictions = expected_interdictions(world.ships)
        got = {
            (r["event"], r["country"], r["origin"], r["cas_number"]): r
            for r in body["stopped_and_seized"]
        }
        assert set(got) == set(interdictions)
        for key, amounts in interdictions.items():
            assert got[key]["shipments"] == len(amounts)
            assert close(got[key]["quantity_kg"], sum(amounts))
            density = DENSITY[key[3]]
            assert close(got[key]["quantity_l"], sum(amounts) / density if density else None)
        assert body["totals"]["stopped"] == 2 and body["totals"]["seized"] == 2

        gaps = expected_gaps(world.ships)
        assert body["gap_totals"]["shipments_observed"] == len(gaps)
        assert body["gap_totals"]["observed_differs"] == sum(1 for _, g in gaps if g != 0)
        assert close(body["gap_totals"]["observed_excess_kg"], sum(g for _, g in gaps if g > 0))
        assert close(body["gap_totals"]["observed_shortfall_kg"], -sum(g for _, g in gaps if g < 0))
        rows = {r["shipment_id"]: r for r in body["gaps"]}
        for ship, gap in gaps:
            assert close(rows[ship.id]["observed_minus_notified_kg"], gap)
        # The largest gap first.
        assert [r["shipment_id"] for r in body["gaps"]] == [
            s.id for s, _ in sorted(gaps, key=lambda x: -abs(x[1]))
        ]

    def test_stops_and_gaps_follow_the_route_filters(self, world: World, api: Api) -> None:
        """Stops, seizures and gaps are counted on the route of their shipment, whichever
        country, substance or party the view is narrowed to."""
        analyst = api.analyst()
        countries = {c for ship in world.ships for c in (ship.exporting, ship.importing)}
        countries |= {c for ship in world.ships for c in ship.transit}
        views: list[tuple[dict[str, str], Callable[[Ship], bool], Actor]] = []
        for country in sorted(countries):
            views.append(
                ({"exporting_country": country}, lambda s, c=country: s.exporting == c, analyst)
            )
            views.append(
                ({"importing_country": country}, lambda s, c=country: s.importing == c, analyst)
            )
            views.append(
                ({"transit_country": country}, lambda s, c=country: c in s.transit, analyst)
            )
        for country in ("DE", "PK", "AE"):
            on_route = lambda s, c=country: c in (s.exporting, s.importing, *s.transit)  # noqa: E731
            views.append(({}, on_route, world.regulator(country)))
        for params, keep, reader in views:
            ships = [ship for ship in world.ships if keep(ship)]
            body = reader.get("/api/v1/summaries/shipments", params={"year": YEAR, **params})
            assert body.status_code == 200, body.text
            got = {
                (r["event"], r["country"], r["origin"], r["cas_number"]): r["shipments"]
                for r in body.json()["stopped_and_seized"]
            }
            expected = expected_interdictions(ships)
            assert got == {key: len(amounts) for key, amounts in expected.items()}, params
            gaps = body.json()["gap_totals"]["shipments_observed"]
            assert gaps == len(expected_gaps(ships)), params

    def test_empty_period(self, world: World, api: Api) -> None:
        body = api.analyst().get("/api/v1/summaries/shipments", params={"year": 2019}).json()
        assert body["totals"]["shipments"] == 0
        assert body["stopped_and_seized"] == [] and body["gaps"] == []


class TestFlags:
    def test_by_rule_severity_and_triage(self, world: World, api: Api) -> None:
        de = world.regulator("DE")
        subjects = [("shipment", world.ships[0].id), ("pre_export_notification", world.pens[0].id)]
        subjects += [("shipment", world.ships[0].id)]
        created = []
        for i, (kind, subject) in enumerate(subjects):
            response = de.post(
                "/api/v1/flags",
                json={
                    "subject_type": kind,
                    "subject_id": subject,
                    "severity": ("high", "critical", "high")[i],
                    "explanation": "Customs officer's suspicion",
                },
            )
            assert response.status_code == 201, response.text
            created.append(response.json()["id"])
        for flag_id, status in zip(created[:2], ("confirmed", "dismissed"), strict=True):
            for step in ("under_review", status):
                response = de.post(
                    f"/api/v1/flags/{flag_id}/triage", json={"status": step, "note": "Checked"}
                )
                assert response.status_code == 200, response.text
        # Every flag in the world (manual ones and any the rules raised), moved into 2025.
        flags = api.admin.get("/api/v1/flags", params={"limit": 500}).json()["items"]
        hours = {}
        for index, flag in enumerate(flags):
            raised = at(2, 1) + timedelta(hours=index)
            triaged = (
                raised + timedelta(hours=5 + 7 * index)
                if flag["status"] in ("confirmed", "dismissed", "under_review")
                else None
            )
            world.move(Flag, flag["id"], created_at=raised, triaged_at=triaged)
            if triaged:
                hours[flag["id"]] = (triaged - raised) // timedelta(hours=1)
        # An analyst sees no flag on a draft, in the flag list as in the summary.
        analyst = api.analyst()
        visible = {
            f["id"] for f in analyst.get("/api/v1/flags", params={"limit": 500}).json()["items"]
        }
        flags = [f for f in flags if f["id"] in visible]
        body = analyst.get("/api/v1/summaries/flags", params={"year": YEAR}).json()
        assert body["totals"]["flags"] == len(flags)
        for status in ("open", "under_review", "confirmed", "dismissed"):
            assert body["totals"][status] == sum(1 for f in flags if f["status"] == status)
        groups = by_key(flags, lambda f: (f["rule"], f["severity"]))
        got = {(r["rule"], r["severity"]): r for r in body["by_rule"]}
        assert set(got) == set(groups)
        for key, rows in groups.items():
            assert got[key]["flags"] == len(rows)
            values = sorted(float(hours[f["id"]]) for f in rows if f["id"] in hours)
            assert close(got[key]["median_triage_hours"], quantile(values, 0.5))
            assert close(got[key]["p90_triage_hours"], quantile(values, 0.9))
        values = sorted(float(h) for h in hours.values())
        assert close(body["totals"]["median_triage_hours"], quantile(values, 0.5))
        # A substance filter keeps the flags whose subject carries it.
        kmno4 = (
            api.analyst()
            .get("/api/v1/summaries/flags", params={"year": YEAR, "substance": KMNO4})
            .json()
        )
        cas_of = {x.id: x.cas for x in [*world.pens, *world.ships]}
        assert kmno4["totals"]["flags"] == sum(
            1 for f in flags if cas_of.get(f["subject_id"]) == KMNO4
        )
        # A regulator far from these routes sees none of them.
        far = api.regulator("FR").get("/api/v1/summaries/flags", params={"year": YEAR}).json()
        assert far["totals"]["flags"] == 0


class TestRequirementsAndFlows:
    def test_requirements(self, api: Api) -> None:
        body = (
            api.analyst().get("/api/v1/summaries/pen-requirements", params={"substance": AA}).json()
        )
        rows = api.analyst().get("/api/v1/pen-requirements").json()
        rows = rows["items"] if isinstance(rows, dict) else rows
        relevant = [
            r
            for r in rows
            if r["cas_number"] == AA or (r["cas_number"] is None and r["table"] == "I")
        ]
        assert body["totals"]["governments_requiring_pens"] == len(
            {r["country"] for r in relevant if r["requires_pen"]}
        )
        assert body["totals"]["governments_no_licit_need"] == len(
            {r["country"] for r in relevant if r["no_licit_need"]}
        )
        assert any(r["country"] == "AF" and r["no_licit_need"] for r in body["requirements"])

    def test_flows_towards_region_of_concern(self, world: World, api: Api) -> None:
        body = api.analyst().get("/api/v1/summaries/region-flows", params={"year": YEAR}).json()
        pens = [p for p in expected_pens(world, *FULL_YEAR) if p.importing in REGION_OF_CONCERN]
        ships = [s for s in world.ships if s.importing in REGION_OF_CONCERN]
        assert body["totals"]["pens"] == len(pens)
        assert body["totals"]["shipments"] == len(ships)
        assert close(body["totals"]["shipment_kg"], sum(s.kg for s in ships))
        months = by_key(pens, lambda p: f"{p.sent_at:%Y-%m}")
        got = {m["month"]: m for m in body["by_month"]}
        for month, rows in months.items():
            assert got[month]["pens"] == len(rows)
            assert close(got[month]["pen_kg"], sum(p.kg for p in rows))
        routes = by_key(ships, lambda s: " → ".join([s.exporting, *s.transit, s.importing]))
        got_routes = {r["route"]: r for r in body["by_route"]}
        for route, rows in routes.items():
            assert got_routes[route]["shipments"] == len(rows)
            assert close(got_routes[route]["shipment_kg"], sum(s.kg for s in rows))


class TestBadFilters:
    @pytest.mark.parametrize(
        "params",
        [
            {"year": "20x5"},
            {"year": 1200},
            {"year": 2025, "from": "2025-01-01"},
            {"from": "2025-05-01", "to": "2025-01-01"},
            {"from": "yesterday"},
            {"substance": "108-24-8"},  # bad check digit
            {"substance": "64-17-5"},  # ethanol: valid CAS, not a scheduled substance
            {"exporting_country": "XX"},
            {"importing_country": "Germany"},
            {"region": "atlantis"},
        ],
    )
    def test_is_422_problem(self, api: Api, params: dict[str, Any]) -> None:
        response = api.analyst().get("/api/v1/summaries/pens", params=params)
        assert response.status_code == 422, response.text
        body = response.json()
        assert response.headers["content-type"].startswith("application/problem+json")
        assert body["errors"] and body["errors"][0]["loc"][0] == "query"


class TestConnections:
    """A summary ends its read transaction in its own worker-thread call (the session dependency
    then closes a session that holds nothing): each connection goes back to the pool."""

    def test_more_summaries_than_connections_are_answered_and_none_is_kept(
        self, world: World, api: Api, engine: Engine
    ) -> None:
        analyst = api.analyst()
        held = engine.pool.checkedout()  # type: ignore[attr-defined]
        names = ["overview", "pens", "replies", "shipments", "flags", "pen-requirements"]
        for round_ in range(engine.pool.size() + 5):  # type: ignore[attr-defined]
            name = names[round_ % len(names)]
            response = analyst.get(f"/api/v1/summaries/{name}", params={"year": YEAR})
            assert response.status_code == 200, response.text
        refused = analyst.get("/api/v1/summaries/pens", params={"substance": "64-17-5"})
        assert refused.status_code == 422
        assert engine.pool.checkedout() == held  # type: ignore[attr-defined]
