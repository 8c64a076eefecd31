"""Industry reports: a company files, reads only its own, and reads its regulator's feedback;
the regulator of its country triages and escalates into a flag or an incident."""

import pytest
from sqlalchemy.engine import Engine

from app.alerts.defaults import seed_default_routing
from app.core.db import open_session
from tests.factories import SHIPMENTS, Api, lane, record_shipment, walk
from tests.incidents.helpers import INCIDENTS
from tests.industry.helpers import REPORTS, file, report_body, triage


@pytest.fixture(autouse=True)
def default_routing(engine: Engine) -> None:
    with open_session(engine, write=True) as session:
        seed_default_routing(session)
        session.commit()


class TestFiling:
    def test_a_company_files_a_report_on_a_scheduled_chemical(self, api: Api) -> None:
        company = api.industry("DE")
        response = company.post(REPORTS, json=report_body())
        assert response.status_code == 201, response.text
        report = response.json()
        assert response.headers["Location"] == f"{REPORTS}/{report['id']}"
        assert report["reference"].startswith("IR-DE-")
        assert report["status"] == "submitted"
        assert report["scheduled"] is True
        assert report["cas_number"] == "108-24-7"
        assert report["substance_name"] == "Acetic anhydride"
        assert float(report["quantity_kg"]) == 20000
        assert report["sector"] == "distributor"
        assert report["country"] == "DE"
        assert report["customer"]["country"] == "AE"

    def test_non_scheduled_chemicals_by_name(self, api: Api) -> None:
        company = api.industry("DE")
        listed = file(company, substance="acetyl chloride", quantity=500, unit="l")
        assert listed["cas_number"] == "75-36-5" and listed["scheduled"] is False
        assert float(listed["quantity_kg"]) == 550  # 1.10 kg/l
        unlisted = file(company, substance="Sodium acetate", quantity=200, unit="l")
        assert unlisted["cas_number"] is None and unlisted["scheduled"] is False
        assert unlisted["quantity_kg"] is None  # no density known: kept, not refused

    def test_an_unknown_indicator_is_refused(self, api: Api) -> None:
        response = api.industry("DE").post(REPORTS, json=report_body(indicators=["bad_vibes"]))
        assert response.status_code == 422
        assert "unusual_payment" in response.text  # the allowed list is named

    def test_the_indicator_list_is_served(self, api: Api) -> None:
        codes = [i["code"] for i in api.industry("DE").get(f"{REPORTS}/indicators").json()]
        for code in ("unusual_payment", "unknown_customer", "unusual_packaging_or_labelling"):
            assert code in codes

    def test_only_industry_users_file(self, api: Api) -> None:
        assert api.regulator("DE").post(REPORTS, json=report_body()).status_code == 403

    def test_the_regulator_of_the_companys_country_is_alerted(self, api: Api) -> None:
        regulator, other, customs = api.regulator("DE"), api.regulator("AE"), api.customs("DE")
        report = file(api.industry("DE"))
        inbox = regulator.get("/api/v1/alerts").json()["items"]
        assert [a["subject_id"] for a in inbox if a["event_type"] == "industry_report.filed"] == [
            report["id"]
        ]
        assert other.get("/api/v1/alerts").json()["items"] == []
        assert customs.get("/api/v1/alerts").json()["items"] == []


class TestReading:
    def test_a_company_reads_only_its_own_reports(self, api: Api) -> None:
        mine = file(api.industry("DE"))
        other_company = api.industry("DE", api.operator("DE", "Rival GmbH")["id"])
        theirs = file(other_company)
        reader = api.industry("DE")  # another user of the first company
        assert [r["id"] for r in walk(reader, REPORTS)] == [mine["id"]]
        assert reader.get(f"{REPORTS}/{theirs['id']}").status_code == 404
        assert reader.get(f"{REPORTS}/{mine['id']}").status_code == 200

    def test_the_regulator_reads_its_countrys_reports_only(self, api: Api) -> None:
        german = file(api.industry("DE"))
        french = file(api.industry("FR"))
        regulator = api.regulator("DE")
        assert [r["id"] for r in walk(regulator, REPORTS)] == [german["id"]]
        assert regulator.get(f"{REPORTS}/{french['id']}").status_code == 404

    @pytest.mark.parametrize(
        "path",
        [
            SHIPMENTS,
            "/api/v1/pre-export-notifications",
            "/api/v1/incidents",
            "/api/v1/flags",
            "/api/v1/alerts",
            "/api/v1/operators",
            "/api/v1/authorities",
            "/api/v1/audit-events",
            "/api/v1/summaries/overview",
            "/api/v1/backtracking-requests",
            "/api/v1/routing-rules",
            "/api/v1/industry-reports/summary",
        ],
    )
    def test_nothing_else_of_pentrack(self, api: Api, path: str) -> None:
        response = api.industry("DE").get(path)
        assert response.status_code == 403, response.text
        assert response.headers["content-type"] == "application/problem+json"

    def test_reference_data_is_readable(self, api: Api) -> None:
        company = api.industry("DE")
        assert company.get("/api/v1/countries").status_code == 200
        assert company.get("/api/v1/substances/108-24-7").status_code == 200
        assert company.get("/api/v1/pen-requirements").status_code == 200

    def test_an_industry_user_signs_in_to_its_reports_not_the_dashboard(self, api: Api) -> None:
        company = api.industry("DE")
        response = api.client.post(
            "/dashboard/sign-in",
            content=f"token={company.token}",
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Origin": "http://testserver",
            },
            follow_redirects=False,
        )
        assert response.status_code == 303
        assert response.headers["location"] == "/workspace/reports"
        cookie = response.cookies["pentrack_session"]
        dashboard = api.client.get("/dashboard", headers={"Cookie": f"pentrack_session={cookie}"})
        assert dashboard.status_code == 403


class TestTriage:
    def test_feedback_reaches_the_reporter(self, api: Api) -> None:
        company = api.industry("DE")
        report = file(company)
        response = triage(
            api.regulator("DE"), report, status="acknowledged", feedback="Thank you; do not ship."
        )
        assert response.status_code == 200, response.text
        seen = company.get(f"{REPORTS}/{report['id']}").json()
        assert seen["status"] == "acknowledged"
        assert seen["feedback"] == "Thank you; do not ship."
        assert seen["first_feedback_at"] is not None

    def test_escalation_raises_a_flag_on_the_shipment(self, api: Api) -> None:
        trade = lane(api, "DE", "AF", ("AE",))
        shipment = record_shipment(api.customs("DE"), None, **trade.shipment_body())
        company = api.industry("DE")
        report = file(company)
        regulator, transit_customs = api.regulator("DE"), api.customs("AE")
        response = triage(
            regulator,
            report,
            status="escalated",
            feedback="Passed to customs.",
            escalation={
                "to": "flag",
                "subject_type": "shipment",
                "subject_id": shipment["id"],
                "severity": "critical",
            },
        )
        assert response.status_code == 200, response.text
        escalated = response.json()
        assert escalated["status"] == "escalated"
        flags = walk(regulator, "/api/v1/flags", subject_id=shipment["id"])
        flag = next(f for f in flags if f["id"] == escalated["flag_id"])
        assert flag["severity"] == "critical"
        assert report["reference"] in flag["explanation"]
        # The flag travels like any other: the route's customs hear of a critical one.
        inbox = transit_customs.get("/api/v1/alerts").json()["items"]
        assert any(a["subject_id"] == flag["id"] for a in inbox)
        assert company.get(f"{REPORTS}/{report['id']}").json()["flag_id"] == flag["id"]

    def test_escalation_opens_an_incident(self, api: Api) -> None:
        report = file(api.industry("DE"))
        regulator = api.regulator("DE")
        response = triage(regulator, report, status="escalated", escalation={"to": "incident"})
        assert response.status_code == 200, response.text
        incident_id = response.json()["incident_id"]
        incident = regulator.get(f"{INCIDENTS}/{incident_id}").json()
        assert incident["kind"] == "attempted_diversion"
        assert incident["country"] == "DE"
        assert incident["destination_country"] == "AF"

    def test_a_failed_escalation_writes_nothing(self, api: Api) -> None:
        report = file(api.industry("DE"))
        regulator = api.regulator("DE")
        response = triage(
            regulator,
            report,
            status="escalated",
            feedback="x",
            escalation={"to": "flag", "subject_type": "shipment", "subject_id": "nope"},
        )
        assert response.status_code == 404
        assert regulator.get(f"{REPORTS}/{report['id']}").json()["status"] == "submitted"

    def test_escalating_needs_a_target(self, api: Api) -> None:
        report = file(api.industry("DE"))
        response = triage(api.regulator("DE"), report, status="escalated")
        assert response.status_code == 400
        assert response.json()["type"].endswith("/escalation-required")

    def test_a_closed_report_stays_closed(self, api: Api) -> None:
        report = file(api.industry("DE"))
        regulator = api.regulator("DE")
        assert triage(regulator, report, status="closed", feedback="Legitimate").status_code == 200
        response = triage(regulator, report, status="acknowledged")
        assert response.status_code == 409

    def test_only_the_countrys_regulator_triages(self, api: Api) -> None:
        company = api.industry("DE")
        report = file(company)
        assert triage(company, report, status="closed").status_code == 403
        assert triage(api.regulator("FR"), report, status="closed").status_code == 404
        assert triage(api.customs("DE"), report, status="closed").status_code == 404


class TestSummary:
    def test_figures_by_sector_indicator_feedback_and_escalation(
        self, api: Api, engine: Engine
    ) -> None:
        distributor = api.industry("DE")
        maker = api.industry("DE", api.operator("DE", "Maker AG", kind="manufacturer")["id"])
        first = file(distributor)  # unknown_customer, unusual_payment, free_zone_destination
        second = file(maker, indicators=["urgency", "unusual_payment"])
        file(distributor, indicators=["vague_end_use"])
        regulator = api.regulator("DE")
        triage(regulator, first, status="escalated", feedback="F", escalation={"to": "incident"})
        triage(regulator, second, status="acknowledged", feedback="Thanks")
        summary = regulator.get(f"{REPORTS}/summary").json()
        assert summary["reports"] == 3
        assert summary["scheduled"] == 3
        assert {c["key"]: c["reports"] for c in summary["by_sector"]} == {
            "distributor": 2,
            "manufacturer": 1,
        }
        assert {c["key"]: c["reports"] for c in summary["by_indicator"]} == {
            "unknown_customer": 1,
            "unusual_payment": 2,
            "free_zone_destination": 1,
            "urgency": 1,
            "vague_end_use": 1,
        }
        assert summary["with_feedback"] == 2
        assert summary["median_hours_to_feedback"] is not None
        assert 0 <= summary["median_hours_to_feedback"] < 1
        assert summary["escalated"] == 1
        assert summary["share_escalated"] == pytest.approx(1 / 3, abs=1e-4)
        # Another country's regulator counts none of them.
        assert api.regulator("FR").get(f"{REPORTS}/summary").json()["reports"] == 0
        assert api.analyst().get(f"{REPORTS}/summary").json()["reports"] == 3
