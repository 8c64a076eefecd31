"""Incident and backtracking summaries and the Form D-style export, through the API."""

import csv
import io
from datetime import date, timedelta
from typing import Any

from openpyxl import load_workbook
from sqlalchemy.engine import Engine

from tests.factories import AA, KMNO4, Api
from tests.incidents.conftest import World
from tests.incidents.helpers import REQUESTS, ask, record_incident

SUMMARIES = "/api/v1/summaries"
YEAR = date.today().year


def _seed(world: World) -> dict[str, Any]:
    """Three seizures (two of acetic anhydride from DE, one of KMnO4 from FR), a laboratory,
    an incident last year, and two backtracking requests (one answered, one overdue)."""
    iran, afghanistan = world.officer("IR", "law_enforcement"), world.officer("AF", "customs")
    this_year = date(YEAR, 1, 15).isoformat()
    made = {
        "aa1": record_incident(iran, occurred_on=this_year),  # 2,570.4 kg, fuel tanks
        "aa2": record_incident(
            afghanistan,
            occurred_on=this_year,
            substances=[{"cas_number": AA, "quantity": 1000, "unit": "kg"}],
            method="mis-declared as acetic acid",
            transit_countries=[],
            destination_country="AF",
        ),
        "kmno4": record_incident(
            iran,
            occurred_on=this_year,
            substances=[
                {"cas_number": KMNO4, "quantity": 2, "unit": "t"},
                # Listed for special surveillance, in no Table: Form D part 2.
                {"cas_number": "75-36-5", "quantity": 30, "unit": "kg"},
            ],
            method=None,
            origin_country="FR",
            transit_countries=[],
            destination_country="IR",
        ),
        "lab": record_incident(afghanistan, kind="illicit_laboratory", occurred_on=this_year),
        "old": record_incident(iran, occurred_on=date(YEAR - 1, 6, 1).isoformat()),
    }
    soon = (date.today() + timedelta(days=1)).isoformat()
    made["answered"] = ask(iran, made["aa1"], "DE")
    made["silent"] = ask(iran, made["kmno4"], "FR", reply_by=soon)
    response = world.officer("DE", "regulator").post(
        f"{REQUESTS}/{made['answered']['id']}/answer", json={"findings": "Sold to a broker"}
    )
    assert response.status_code == 200, response.text
    return made


def _get(actor: Any, name: str, **params: Any) -> dict[str, Any]:
    response = actor.get(f"{SUMMARIES}/{name}", params={"year": YEAR, **params})
    assert response.status_code == 200, response.text
    return dict(response.json())


class TestIncidentSummary:
    def test_seizures_by_substance_country_origin_and_method(self, world: World, api: Api) -> None:
        _seed(world)
        body = _get(api.analyst(), "incidents")
        assert body["totals"] == {"incidents": 4, "seizures": 3, "seized_kg": 5600.4}
        kinds = {k["kind"]: k["incidents"] for k in body["by_kind"]}
        assert kinds["seizure"] == 3 and kinds["illicit_laboratory"] == 1 and kinds["theft"] == 0
        substances = {
            (s["cas_number"], s["substance"]): (s["seizures"], s["quantity_kg"], s["table"])
            for s in body["seizures_by_substance"]
        }
        assert substances == {
            (AA, "Acetic anhydride"): (2, 3570.4, "I"),
            (KMNO4, "Potassium permanganate"): (1, 2000.0, "I"),
            ("75-36-5", "Acetyl chloride"): (1, 30.0, None),
        }
        countries = {
            c["country"]: (c["seizures"], c["quantity_kg"]) for c in body["seizures_by_country"]
        }
        assert countries == {"IR": (2, 4600.4), "AF": (1, 1000.0)}
        origins = {c["country"]: c["seizures"] for c in body["seizures_by_origin"]}
        assert origins == {"DE": 2, "FR": 1}
        methods = {m["method"]: (m["incidents"], m["seizures"]) for m in body["by_method"]}
        assert methods["mis-declared as acetic acid"] == (1, 1)
        assert methods["not stated"] == (1, 1)
        assert methods["concealed in fuel tanks among auto parts"] == (2, 1)  # the lab too

    def test_filters_by_substance_and_origin(self, world: World, api: Api) -> None:
        _seed(world)
        assert _get(api.analyst(), "incidents", substance=KMNO4)["totals"]["seizures"] == 1
        assert _get(api.analyst(), "incidents", exporting_country="FR")["totals"]["seizures"] == 1
        assert _get(api.analyst(), "incidents", year=YEAR - 1)["totals"]["incidents"] == 1

    def test_a_country_sees_the_incidents_it_is_named_in(self, world: World, api: Api) -> None:
        _seed(world)
        assert _get(world.officer("FR", "regulator"), "incidents")["totals"]["seizures"] == 1
        assert _get(world.officer("AF", "law_enforcement"), "incidents")["totals"]["incidents"] == 3
        assert world.officer("IR", "customs").get(f"{SUMMARIES}/incidents").status_code == 403

    def test_the_overview_counts_incidents_and_backtracking(self, world: World, api: Api) -> None:
        _seed(world)
        overview = _get(api.analyst(), "overview")
        assert overview["incidents"] == 4
        assert overview["backtracking_sent"] == 2
        assert overview["backtracking_response_rate"] == 0.5

    def test_a_table_exports_as_csv(self, world: World, api: Api) -> None:
        _seed(world)
        response = api.analyst().get(
            f"{SUMMARIES}/incidents/export", params={"year": YEAR, "table": "seizures_by_origin"}
        )
        assert response.status_code == 200
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
        assert rows[0][:3] == ["Country", "Country name", "Seizures"]
        assert [r[0] for r in rows[1:]] == ["DE", "FR"]


class TestBacktrackingSummary:
    def test_sent_answered_overdue_and_time_to_answer(
        self, world: World, api: Api, engine: Engine
    ) -> None:
        made = _seed(world)
        body = _get(api.analyst(), "backtracking")
        assert body["totals"] == {
            "sent": 2,
            "answered": 1,
            "open": 1,
            "overdue": 0,
            "response_rate": 0.5,
            "median_days_to_answer": 0.0,
            "p90_days_to_answer": 0.0,
        }
        with engine.begin() as connection:
            connection.exec_driver_sql(
                "UPDATE backtracking_request SET reply_by = '2020-01-01' "
                f"WHERE id = '{made['silent']['id']}'"
            )
        body = _get(api.analyst(), "backtracking")
        assert body["totals"]["overdue"] == 1
        by_country = {
            r["country"]: (r["sent"], r["answered"], r["overdue"])
            for r in body["by_addressed_country"]
        }
        assert by_country == {"DE": (1, 1, 0), "FR": (1, 0, 1)}
        assert _get(world.officer("DE", "law_enforcement"), "backtracking")["totals"]["sent"] == 1
        assert _get(world.officer("AE", "regulator"), "backtracking")["totals"]["sent"] == 0


class TestFormD:
    def test_seizures_of_scheduled_and_other_substances_and_methods(
        self, world: World, api: Api
    ) -> None:
        _seed(world)
        response = api.analyst().get(f"{SUMMARIES}/form-d", params={"year": YEAR})
        assert response.status_code == 200
        assert "form-d" in response.headers["content-disposition"]
        workbook = load_workbook(io.BytesIO(response.content))
        assert [s.title for s in workbook.worksheets][:1] and len(workbook.worksheets) == 4
        text = [
            [v for v in row if v is not None]
            for sheet in workbook.worksheets
            for row in sheet.iter_rows(values_only=True)
        ]
        assert ["Acetic anhydride", AA, "I", 2, 3570.4, 3305.926, "DE"] in text
        assert ["Potassium permanganate", KMNO4, "I", 1, 2000, "FR"] in text
        assert ["Acetyl chloride", "75-36-5", 1, 30] in text
        assert ["mis-declared as acetic acid", 1, 1] in text

    def test_as_json(self, world: World, api: Api) -> None:
        _seed(world)
        body = (
            api.analyst().get(f"{SUMMARIES}/form-d", params={"year": YEAR, "format": "json"}).json()
        )
        assert body["title"] == f"Form D: seizures and methods of diversion, {YEAR}"
        part_1 = body["sections"][0]["title"]
        assert part_1 == "Part 1. Seizures of substances in Tables I and II"
