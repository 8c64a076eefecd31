"""Operations: planned with numeric objectives, records tagged to them, and outcomes that equal
the figures counted by hand from the tagged records, beside the same metric over the
same-length period before the operation."""

import io
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import pytest
from openpyxl import load_workbook

from tests.factories import AA, KMNO4, SHIPMENTS, Actor, Api, event_body, lane, record_shipment
from tests.incidents.helpers import INCIDENTS, REQUESTS, ask, record_incident

OPERATIONS = "/api/v1/operations"
TODAY = date.today()


def day(offset: int) -> date:
    return TODAY + timedelta(days=offset)


def operation_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": "TARCET IV",
        "starts_on": day(-10).isoformat(),
        "ends_on": day(10).isoformat(),
        "countries": ["IR", "AF"],
        "substances": [AA],
        "objectives": [
            {"metric": "kg_seized", "target": 3000},
            {"metric": "seizures", "target": 5},
            {"metric": "incidents_recorded", "target": 2},
            {"metric": "shipments_stopped", "target": 1},
            {"metric": "backtracking_requested", "target": 2},
            {"metric": "backtracking_answered", "target": 2},
            {"metric": "pens_notified", "target": 1},
            {"metric": "pens_reviewed_within_days", "target": 1, "days": 5},
        ],
    }
    body.update(overrides)
    return body


def plan(actor: Actor, **overrides: Any) -> dict[str, Any]:
    response = actor.post(OPERATIONS, json=operation_body(**overrides))
    assert response.status_code == 201, response.text
    return dict(response.json())


def tag(actor: Actor, operation: dict[str, Any], type_: str, id_: str) -> None:
    response = actor.post(f"{OPERATIONS}/{operation['id']}/items", json={"type": type_, "id": id_})
    assert response.status_code == 201, response.text


def seizure(
    officer: Actor, offset: int, quantity: float, unit: str, cas: str = AA, **extra: Any
) -> dict[str, Any]:
    return record_incident(
        officer,
        occurred_on=day(offset).isoformat(),
        substances=[{"cas_number": cas, "quantity": quantity, "unit": unit}],
        **extra,
    )


def stopped_shipment(api: Api, reference: str, offset: int, substance: str = AA) -> dict[str, Any]:
    trade = lane(api, "DE", "IR", ("AE",))
    body = trade.shipment_body(customs_reference=reference, substance=substance)
    if substance == KMNO4:
        body.update(unit="kg", quantity=2000, declared_hs_code="2841.61")
    shipment = record_shipment(api.customs("DE"), None, **body)
    when = datetime.combine(day(offset), time(12), UTC)
    response = api.customs("IR").post(
        f"{SHIPMENTS}/{shipment['id']}/events", json=event_body("stopped", "IR", when)
    )
    assert response.status_code == 201, response.text
    return shipment


class TestOutcomes:
    def test_outcomes_equal_the_figures_counted_from_the_tagged_records(self, api: Api) -> None:
        police, customs, regulator = (
            api.law_enforcement("IR"),
            api.customs("IR"),
            api.regulator("IR"),
        )
        operation = plan(police)
        # Incidents: two tagged seizures of acetic anhydride, a tagged one of another chemical,
        # an untagged one; a seizure and an attempted diversion in the baseline period; one
        # seizure before it.
        a = seizure(police, -3, 2380, "l")
        b = seizure(police, -2, 1000, "kg")
        c = seizure(police, -5, 500, "kg")
        d = seizure(police, -4, 700, "kg", cas=KMNO4)
        seizure(police, -20, 300, "kg")
        seizure(police, -40, 400, "kg")
        seizure(police, -15, 50, "kg", kind="attempted_diversion")
        for incident in (a, b, d):
            tag(police, operation, "incident", incident["id"])
        # Shipments stopped in Iran: one tagged, one not, one in the baseline period, one of
        # another chemical in it (each stop opens a stopped_shipment incident too).
        s1 = stopped_shipment(api, "S-1", -2)
        stopped_shipment(api, "S-2", -1)
        stopped_shipment(api, "S-3", -18)
        stopped_shipment(api, "S-4", -19, substance=KMNO4)
        tag(customs, operation, "shipment", s1["id"])
        # Backtracking: two tagged requests (one answered), an untagged answered one.
        germany = api.law_enforcement("DE")
        r1, r2, r3 = ask(police, a, "DE"), ask(police, b, "DE"), ask(police, c, "DE")
        for request in (r1, r3):
            answered = germany.post(
                f"{REQUESTS}/{request['id']}/answer", json={"findings": "Broker"}
            )
            assert answered.status_code == 200, answered.text
        tag(police, operation, "backtracking_request", r1["id"])
        tag(police, operation, "backtracking_request", r2["id"])
        # PENs to Iran: one acknowledged at once (tagged), one unanswered (tagged), one untagged.
        trade = lane(api, "DE", "IR", ("AE",))
        p1, p2 = trade.pen_in("acknowledged"), trade.pen_in("sent")
        trade.pen_in("acknowledged")
        tag(regulator, operation, "pre_export_notification", p1["id"])
        tag(regulator, operation, "pre_export_notification", p2["id"])

        response = police.get(f"{OPERATIONS}/{operation['id']}/outcomes")
        assert response.status_code == 200, response.text
        outcomes = response.json()
        got = {
            o["metric"]: (Decimal(str(o["achieved"])), Decimal(str(o["baseline"])))
            for o in outcomes["objectives"]
        }

        # By hand, from the tagged records as the API shows them.
        tagged = [police.get(f"{INCIDENTS}/{i['id']}").json() for i in (a, b, d)]
        aa_seizures = [
            i
            for i in tagged
            if i["kind"] == "seizure" and any(s["cas_number"] == AA for s in i["substances"])
        ]
        kg = sum(
            Decimal(str(s["quantity_kg"]))
            for i in aa_seizures
            for s in i["substances"]
            if s["cas_number"] == AA
        )
        assert kg == Decimal("3570.4")  # 2,380 l × 1.08 kg/l + 1,000 kg
        assert got["kg_seized"] == (kg, Decimal(300))
        assert got["seizures"] == (len(aa_seizures), 1)
        # Baseline incidents: the seizure and the diversion, and S-3's stop (S-4's is not AA).
        assert got["incidents_recorded"] == (2, 3)
        assert got["shipments_stopped"] == (1, 1)
        assert got["backtracking_requested"] == (2, 0)
        assert got["backtracking_answered"] == (1, 0)
        assert got["pens_notified"] == (2, 0)
        assert got["pens_reviewed_within_days"] == (1, 0)
        met = {o["metric"]: o["met"] for o in outcomes["objectives"]}
        assert met["kg_seized"] is True and met["seizures"] is False
        assert outcomes["baseline_period"] == {
            "starts_on": day(-31).isoformat(),
            "ends_on": day(-11).isoformat(),
        }
        assert outcomes["items"] == 8

    def test_the_xlsx_export_holds_the_same_figures(self, api: Api) -> None:
        police = api.law_enforcement("IR")
        operation = plan(police)
        tag(police, operation, "incident", seizure(police, -3, 1000, "kg")["id"])
        seizure(police, -20, 300, "kg")
        as_json = police.get(f"{OPERATIONS}/{operation['id']}/outcomes").json()
        response = api.analyst().get(
            f"{OPERATIONS}/{operation['id']}/outcomes", params={"format": "xlsx"}
        )
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].startswith(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
        rows = {
            r[0]: r
            for r in sheet.iter_rows(values_only=True)
            if r and r[0] in {o["metric"] for o in as_json["objectives"]}
        }
        for objective in as_json["objectives"]:
            row = rows[objective["metric"]]
            assert row[3] == pytest.approx(float(objective["target"]))
            assert row[4] == pytest.approx(float(objective["achieved"]))
            assert row[5] == pytest.approx(float(objective["baseline"]))
        assert rows["kg_seized"][4] == 1000 and rows["kg_seized"][5] == 300


class TestPlanning:
    def test_planned_by_law_enforcement_of_a_participant(self, api: Api) -> None:
        police = api.law_enforcement("IR")
        response = police.post(OPERATIONS, json=operation_body())
        assert response.status_code == 201, response.text
        assert response.headers["Location"] == f"{OPERATIONS}/{response.json()['id']}"
        assert response.json()["countries"] == ["AF", "IR"]

    def test_customs_may_not_plan_and_planners_name_their_country(self, api: Api) -> None:
        assert api.customs("IR").post(OPERATIONS, json=operation_body()).status_code == 403
        assert api.regulator("FR").post(OPERATIONS, json=operation_body()).status_code == 403

    @pytest.mark.parametrize(
        "overrides",
        [
            {"objectives": [{"metric": "arrests", "target": 3}]},
            {"objectives": [{"metric": "pens_reviewed_within_days", "target": 3}]},
            {"objectives": [{"metric": "kg_seized", "target": 3, "days": 4}]},
            {"ends_on": day(-20).isoformat()},
            {"objectives": [{"metric": "kg_seized", "target": -1}]},
        ],
    )
    def test_bad_plans_are_refused(self, api: Api, overrides: dict[str, Any]) -> None:
        response = api.law_enforcement("IR").post(OPERATIONS, json=operation_body(**overrides))
        assert response.status_code == 422, response.text

    def test_the_metric_list_is_served(self, api: Api) -> None:
        codes = [m["code"] for m in api.regulator("IR").get(f"{OPERATIONS}/metrics").json()]
        assert "kg_seized" in codes and "pens_reviewed_within_days" in codes


class TestVisibility:
    def test_participants_and_analysts_read_it_others_do_not(self, api: Api) -> None:
        operation = plan(api.law_enforcement("IR"))
        for reader in (api.customs("AF"), api.analyst(), api.regulator("IR")):
            assert reader.get(f"{OPERATIONS}/{operation['id']}").status_code == 200
            assert [o["id"] for o in reader.get(OPERATIONS).json()["items"]] == [operation["id"]]
        outsider = api.regulator("FR")
        assert outsider.get(f"{OPERATIONS}/{operation['id']}").status_code == 404
        assert outsider.get(f"{OPERATIONS}/{operation['id']}/outcomes").status_code == 404
        assert outsider.get(OPERATIONS).json()["items"] == []

    def test_only_records_the_tagger_may_read_are_tagged(self, api: Api) -> None:
        police = api.law_enforcement("IR")
        operation = plan(police)
        french = record_incident(
            api.law_enforcement("FR"),
            origin_country="FR",
            transit_countries=[],
            destination_country="FR",
        )
        response = police.post(
            f"{OPERATIONS}/{operation['id']}/items", json={"type": "incident", "id": french["id"]}
        )
        assert response.status_code == 422
        mine = seizure(police, -1, 10, "kg")
        tag(police, operation, "incident", mine["id"])
        again = police.post(
            f"{OPERATIONS}/{operation['id']}/items", json={"type": "incident", "id": mine["id"]}
        )
        assert again.status_code == 409
        analyst = api.analyst().post(
            f"{OPERATIONS}/{operation['id']}/items", json={"type": "incident", "id": mine["id"]}
        )
        assert analyst.status_code == 403
