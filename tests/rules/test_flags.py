"""Flags: who sees them, who triages them and how, manual flags, and the subject's score."""

import json
from typing import Any

import pytest

from app.auth.roles import Role
from tests.factories import AUDIT, Actor, Api, walk
from tests.rules.trade import FLAGS, PROBLEM, Trade, by_rule, flags_on, trade

ALLOWED = {("open", "under_review"), ("under_review", "confirmed"), ("under_review", "dismissed")}
# How a flag reaches each status.
PATH_TO = {
    "open": [],
    "under_review": ["under_review"],
    "confirmed": ["under_review", "confirmed"],
    "dismissed": ["under_review", "dismissed"],
}


@pytest.fixture
def shipment(de_pk: Trade) -> dict[str, Any]:
    """DE → PK via AE, paid in cash and without a PEN: pen-missing (5) and unusual-payment (2)."""
    return de_pk.ship(None, means_of_payment="cash")


@pytest.fixture
def flags(api: Api, shipment: dict[str, Any]) -> dict[str, dict[str, Any]]:
    flags = by_rule(api.admin, shipment["id"])
    assert set(flags) == {"pen-missing", "unusual-payment"}
    return flags


def _triage(actor: Actor, flag: dict[str, Any], status: str, note: str | None = "Checked") -> Any:
    body = {"status": status} if note is None else {"status": status, "note": note}
    return actor.post(f"{FLAGS}/{flag['id']}/triage", json=body)


def _status(api: Api, flag: dict[str, Any]) -> str:
    return str(api.admin.get(f"{FLAGS}/{flag['id']}").json()["status"])


class TestVisibility:
    @pytest.mark.parametrize("country", ["DE", "AE", "PK"])
    @pytest.mark.parametrize("role", ["regulator", "customs"])
    def test_officers_of_every_country_on_the_route_see_the_flags(
        self,
        api: Api,
        flags: dict[str, dict[str, Any]],
        shipment: dict[str, Any],
        country: str,
        role: str,
    ) -> None:
        officer = api.actor(Role(role), country)
        assert set(by_rule(officer, shipment["id"])) == set(flags)
        flag = flags["pen-missing"]
        assert officer.get(f"{FLAGS}/{flag['id']}").json()["explanation"] == flag["explanation"]

    @pytest.mark.parametrize("role", ["regulator", "customs"])
    def test_an_unrelated_country_neither_lists_nor_reads_them(
        self, api: Api, flags: dict[str, dict[str, Any]], role: str
    ) -> None:
        officer = api.actor(Role(role), "FR")
        assert walk(officer, FLAGS) == []
        response = officer.get(f"{FLAGS}/{flags['pen-missing']['id']}")
        assert response.status_code == 404
        assert response.json()["type"] == PROBLEM + "flag-not-found"

    def test_analysts_and_admins_see_every_country_s_flags(
        self, api: Api, shipment: dict[str, Any], flags: dict[str, dict[str, Any]]
    ) -> None:
        elsewhere = trade(api, "NL", "CH", transit=()).ship(None, means_of_payment="cash")
        [swiss] = flags_on(api.regulator("CH"), elsewhere["id"])
        for reader in (api.analyst(), api.admin):
            seen = {f["id"] for f in walk(reader, FLAGS)}
            assert seen >= {swiss["id"], *(f["id"] for f in flags.values())}

    def test_flags_on_a_draft_stay_with_the_exporting_country_until_it_is_sent(
        self, api: Api, de_pk: Trade
    ) -> None:
        draft = de_pk.lane.draft(means_of_payment="hawala")
        exporting, importing = de_pk.lane.exporting, de_pk.lane.importing
        [flag] = flags_on(exporting, draft["id"])
        outsiders = [importing, api.regulator("AE"), api.analyst(), api.admin]
        for reader in outsiders:
            assert flags_on(reader, draft["id"]) == []
            assert reader.get(f"{FLAGS}/{flag['id']}").status_code == 404
        assert de_pk.lane.act(draft, "send").status_code == 200
        for reader in outsiders:
            assert [f["id"] for f in flags_on(reader, draft["id"])] == [flag["id"]]

    def test_flags_are_filtered_by_status_severity_rule_and_subject(
        self, api: Api, de_pk: Trade, flags: dict[str, dict[str, Any]]
    ) -> None:
        other = de_pk.ship(None)  # pen-missing only
        pk = api.regulator("PK")
        assert _triage(pk, flags["unusual-payment"], "under_review").status_code == 200

        def ids(**params: Any) -> set[str]:
            return {f["id"] for f in walk(pk, FLAGS, **params)}

        assert ids(status="under_review") == {flags["unusual-payment"]["id"]}
        assert ids(severity="high", subject_id=other["id"]) == {
            by_rule(api.admin, other["id"])["pen-missing"]["id"]
        }
        assert ids(rule="unusual-payment") == {flags["unusual-payment"]["id"]}
        assert ids(subject_type="pre_export_notification") == set()
        assert pk.get(FLAGS, params={"severity": "urgent"}).status_code == 422


class TestTriage:
    @pytest.mark.parametrize("target", ["open", "under_review", "confirmed", "dismissed"])
    @pytest.mark.parametrize("current", ["open", "under_review", "confirmed", "dismissed"])
    def test_a_flag_moves_open_under_review_then_confirmed_or_dismissed(
        self, api: Api, flags: dict[str, dict[str, Any]], current: str, target: str
    ) -> None:
        pk = api.customs("PK")
        flag = flags["pen-missing"]
        for step in PATH_TO[current]:
            assert _triage(pk, flag, step).status_code == 200
        response = _triage(pk, flag, target, note=f"{current} → {target}")
        if (current, target) in ALLOWED:
            assert response.status_code == 200, response.text
            detail = response.json()
            assert detail["status"] == target
            assert detail["triage"][-1]["from_status"] == current
            assert detail["triage"][-1]["note"] == f"{current} → {target}"
        else:
            assert response.status_code == 409, response.text
            assert response.json()["type"] == PROBLEM + "triage-not-allowed"
            assert _status(api, flag) == current

    @pytest.mark.parametrize("note", [None, "", "   "], ids=["missing", "empty", "blank"])
    def test_a_note_is_required(
        self, api: Api, flags: dict[str, dict[str, Any]], note: str | None
    ) -> None:
        response = _triage(api.regulator("PK"), flags["pen-missing"], "under_review", note)
        assert response.status_code == 422
        assert _status(api, flags["pen-missing"]) == "open"

    def test_an_unknown_status_is_422(self, api: Api, flags: dict[str, dict[str, Any]]) -> None:
        response = _triage(api.regulator("PK"), flags["pen-missing"], "closed")
        assert response.status_code == 422

    def test_officers_of_any_country_on_the_route_triage_and_each_step_is_kept(
        self, api: Api, flags: dict[str, dict[str, Any]]
    ) -> None:
        flag = flags["pen-missing"]
        transit_customs, importing_regulator = api.customs("AE"), api.regulator("PK")
        assert (
            _triage(transit_customs, flag, "under_review", "Held at Jebel Ali").status_code == 200
        )
        response = _triage(importing_regulator, flag, "confirmed", "No PEN was ever sent")
        assert response.status_code == 200
        detail = api.admin.get(f"{FLAGS}/{flag['id']}").json()
        assert detail["triaged_at"] is not None
        assert [
            (t["from_status"], t["to_status"], t["note"], t["authority_id"])
            for t in detail["triage"]
        ] == [
            ("open", "under_review", "Held at Jebel Ali", transit_customs.authority_id),
            ("under_review", "confirmed", "No PEN was ever sent", importing_regulator.authority_id),
        ]
        audit = walk(api.admin, AUDIT, subject_id=flag["id"])
        assert [(a["action"], a["after"].get("note")) for a in audit][:2] == [
            ("flag.confirmed", "No PEN was ever sent"),
            ("flag.under_review", "Held at Jebel Ali"),
        ]

    @pytest.mark.parametrize("who", ["analyst", "admin"])
    def test_analysts_and_admins_may_not_triage(
        self, api: Api, flags: dict[str, dict[str, Any]], who: str
    ) -> None:
        actor = api.analyst() if who == "analyst" else api.admin
        response = _triage(actor, flags["pen-missing"], "under_review")
        assert response.status_code == 403
        assert response.json()["type"] == PROBLEM + "not-on-route"
        assert _status(api, flags["pen-missing"]) == "open"

    def test_an_unrelated_country_cannot_triage_what_it_cannot_see(
        self, api: Api, flags: dict[str, dict[str, Any]]
    ) -> None:
        response = _triage(api.customs("FR"), flags["pen-missing"], "under_review")
        assert response.status_code == 404
        assert _status(api, flags["pen-missing"]) == "open"


class TestManualFlags:
    def test_an_officer_on_the_route_raises_one(
        self, api: Api, shipment: dict[str, Any], flags: dict[str, dict[str, Any]]
    ) -> None:
        ae = api.customs("AE")
        body = {
            "subject_type": "shipment",
            "subject_id": shipment["id"],
            "severity": "high",
            "explanation": "Drums welded into the fuel tanks of the truck.",
            "evidence": {"containers": ["MSKU1234565"]},
            "weight": 3,
        }
        response = ae.post(FLAGS, json=body)
        assert response.status_code == 201, response.text
        flag = response.json()
        assert (flag["rule"], flag["rule_version"], flag["status"]) == ("manual", None, "open")
        assert (flag["severity"], flag["weight"], flag["score"]) == ("high", 3, 10)
        assert flag["evidence"] == {"containers": ["MSKU1234565"]}
        assert flag["id"] in {f["id"] for f in flags_on(api.regulator("DE"), shipment["id"])}
        [audit] = walk(api.admin, AUDIT, subject_id=flag["id"])
        assert (audit["action"], audit["actor_role"]) == ("flag.raised", "customs")

    def test_manual_flags_on_one_subject_do_not_collide(
        self, api: Api, shipment: dict[str, Any]
    ) -> None:
        ae = api.customs("AE")
        for n in range(2):
            body = {
                "subject_type": "shipment",
                "subject_id": shipment["id"],
                "severity": "low",
                "explanation": f"Observation {n}",
            }
            assert ae.post(FLAGS, json=body).status_code == 201
        assert [f["rule"] for f in flags_on(api.admin, shipment["id"])].count("manual") == 2

    @pytest.mark.parametrize(
        ("who", "status", "problem"),
        [
            ("FR regulator", 404, "subject-not-found"),
            ("analyst", 403, "not-on-route"),
            ("admin", 403, "not-on-route"),
        ],
    )
    def test_others_may_not_raise_one(
        self, api: Api, shipment: dict[str, Any], who: str, status: int, problem: str
    ) -> None:
        actor = {
            "FR regulator": lambda: api.regulator("FR"),
            "analyst": api.analyst,
            "admin": lambda: api.admin,
        }[who]()
        body = {
            "subject_type": "shipment",
            "subject_id": shipment["id"],
            "severity": "low",
            "explanation": "Looks odd",
        }
        response = actor.post(FLAGS, json=body)
        assert response.status_code == status, response.text
        assert response.json()["type"] == PROBLEM + problem
        assert "manual" not in {f["rule"] for f in flags_on(api.admin, shipment["id"])}

    def test_a_draft_is_flagged_only_by_the_exporting_country(self, api: Api, de_pk: Trade) -> None:
        draft = de_pk.lane.draft()
        body = {
            "subject_type": "pre_export_notification",
            "subject_id": draft["id"],
            "severity": "medium",
            "explanation": "Importer asked to pay through a third party.",
        }
        assert de_pk.lane.importing.post(FLAGS, json=body).status_code == 404
        assert de_pk.lane.exporting.post(FLAGS, json=body).status_code == 201

    @pytest.mark.parametrize(
        "change",
        [{"subject_id": "nothing-here"}, {"subject_type": "container"}, {"severity": "dire"}],
        ids=["unknown-subject", "unknown-subject-type", "unknown-severity"],
    )
    def test_a_bad_manual_flag_is_refused(
        self, api: Api, shipment: dict[str, Any], change: dict[str, str]
    ) -> None:
        body = {
            "subject_type": "shipment",
            "subject_id": shipment["id"],
            "severity": "low",
            "explanation": "Looks odd",
            **change,
        }
        response = api.customs("PK").post(FLAGS, json=body)
        assert response.status_code == (404 if "subject_id" in change else 422)

    @pytest.mark.parametrize(
        "evidence",
        [
            '{"x": NaN}',
            '{"x": Infinity}',
            '{"x": -Infinity}',
            '{"x": 1e309}',
            '{"x": [1e999]}',
            '{"k":' * 25 + "1" + "}" * 25,
            '{"k":' * 300 + "1" + "}" * 300,
        ],
        ids=[
            "nan",
            "infinity",
            "minus-infinity",
            "overflow",
            "overflow-in-list",
            "depth-25",
            "depth-300",
        ],
    )
    def test_evidence_that_a_database_cannot_keep_is_422_and_writes_nothing(
        self, api: Api, shipment: dict[str, Any], evidence: str
    ) -> None:
        customs = api.customs("PK")
        before = flags_on(api.admin, shipment["id"])
        head = {
            "subject_type": "shipment",
            "subject_id": shipment["id"],
            "severity": "low",
            "explanation": "Looks odd",
        }
        body = json.dumps(head)[:-1] + ', "evidence": ' + evidence + "}"
        response = customs.post(FLAGS, content=body, headers={"content-type": "application/json"})
        assert response.status_code == 422, response.text
        assert response.headers["content-type"] == "application/problem+json"
        assert flags_on(api.admin, shipment["id"]) == before


class TestScore:
    def test_the_score_sums_the_weights_of_the_subject_s_flags_that_are_not_dismissed(
        self, api: Api, shipment: dict[str, Any], flags: dict[str, dict[str, Any]]
    ) -> None:
        pk = api.regulator("PK")

        def scores() -> set[float]:
            return {f["score"] for f in flags_on(pk, shipment["id"])}

        assert scores() == {7}  # pen-missing 5 + unusual-payment 2
        manual = {
            "subject_type": "shipment",
            "subject_id": shipment["id"],
            "severity": "high",
            "explanation": "Importer unknown at the registered address",
            "weight": 4.5,
        }
        assert pk.post(FLAGS, json=manual).status_code == 201
        assert scores() == {11.5}
        for status in ("under_review", "dismissed"):
            assert _triage(pk, flags["unusual-payment"], status).status_code == 200
        assert scores() == {9.5}
        for status in ("under_review", "confirmed"):
            assert _triage(pk, flags["pen-missing"], status).status_code == 200
        assert scores() == {9.5}
        assert pk.get(f"{FLAGS}/{flags['pen-missing']['id']}").json()["score"] == 9.5
