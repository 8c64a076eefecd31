"""The substance reference data of the second wave: every Table I and II entry in force (the
2024 glycidic-acid esters included), salts with their base factors, a kind, a source and an
effective date per entry; chemicals outside the tables that admins add; voluntary PENs."""

from typing import Any

import pytest

from tests.factories import AA, PENS, Actor, Api, Lane, lane, walk

PROBLEM = "https://pentrack.org/problems/"
SUBSTANCES = "/api/v1/substances"
ACETYL_CHLORIDE = "75-36-5"
PSEUDOEPHEDRINE_HCL = "345-78-8"
PSEUDOEPHEDRINE = "90-82-4"


@pytest.fixture
def customs(api: Api) -> Actor:
    return api.customs("AE")


def national(**overrides: Any) -> dict[str, Any]:
    """A national-list chemical (gamma-valerolactone, which is not on any list we seed)."""
    body: dict[str, Any] = {
        "cas_number": "108-29-2",
        "name": "gamma-Valerolactone",
        "kind": "national",
        "list_country": "DE",
        "hs_code": "2932.20",
        "density_kg_per_l": 1.05,
        "source": "test",
        "synonyms": ["GVL"],
    }
    body.update(overrides)
    return body


class TestTables:
    def test_table_i_has_all_43_entries_in_force(self, customs: Actor) -> None:
        items = walk(customs, SUBSTANCES, kind="table_i")
        entries = [s for s in items if s["base_cas_number"] is None]
        assert len(entries) == 43
        assert {s["convention_table"] for s in items} == {"I"}

    def test_the_2024_esters_can_be_named(self, customs: Actor, api: Api) -> None:
        items = walk(customs, SUBSTANCES, kind="table_i")
        esters = [s for s in items if s["cas_number"].startswith("G-")]
        assert len(esters) == 12
        assert {s["cas_number"][:5] for s in esters} == {"G-PMK", "G-BMK"}
        tert_butyl = customs.get(f"{SUBSTANCES}/G-PMK-TBU").json()
        assert "tert-butyl" in tert_butyl["name"]
        assert "2024" in tert_butyl["source"]

    def test_every_entry_says_where_it_comes_from(self, customs: Actor) -> None:
        for substance in walk(customs, SUBSTANCES):
            assert substance["source"], substance["cas_number"]
            assert substance["kind"] in {"table_i", "table_ii", "special_surveillance"}

    def test_the_1988_tables_took_effect_with_the_convention(self, customs: Actor) -> None:
        aa = customs.get(f"{SUBSTANCES}/{AA}").json()
        assert aa["effective_from"] == "1990-11-11"
        assert aa["kind"] == "table_i"
        acetone = customs.get(f"{SUBSTANCES}/67-64-1").json()
        assert (acetone["kind"], acetone["convention_table"]) == ("table_ii", "II")

    def test_a_salt_names_its_base_and_factor(self, customs: Actor) -> None:
        salt = customs.get(f"{SUBSTANCES}/{PSEUDOEPHEDRINE_HCL}").json()
        assert salt["base_cas_number"] == PSEUDOEPHEDRINE
        assert salt["base_factor"] == pytest.approx(0.8192)
        assert salt["convention_table"] == "I"

    def test_list_filters_by_kind(self, customs: Actor) -> None:
        watched = walk(customs, SUBSTANCES, kind="special_surveillance")
        assert ACETYL_CHLORIDE in {s["cas_number"] for s in watched}
        assert {s["convention_table"] for s in watched} == {None}

    def test_an_unknown_kind_is_422(self, customs: Actor) -> None:
        response = customs.get(SUBSTANCES, params={"kind": "table_iii"})
        assert response.status_code == 422


class TestBaseQuantity:
    def test_a_salt_counts_as_its_base(self, api: Api) -> None:
        de_pk = lane(api)
        draft = de_pk.draft(substance=PSEUDOEPHEDRINE_HCL, quantity=1000, unit="kg")
        assert draft["quantity_kg"] == 1000.0
        assert draft["quantity_base_kg"] == pytest.approx(819.2)

    def test_a_solution_of_a_salt_counts_both(self, api: Api) -> None:
        de_pk = lane(api)
        draft = de_pk.draft(
            substance=PSEUDOEPHEDRINE_HCL,
            quantity=1000,
            unit="kg",
            form="solution",
            concentration_percent=50,
        )
        assert draft["quantity_base_kg"] == pytest.approx(409.6)


class TestVoluntaryPens:
    def test_a_pen_for_a_special_surveillance_chemical_is_voluntary(self, api: Api) -> None:
        de_pk: Lane = lane(api)
        draft = de_pk.draft(substance=ACETYL_CHLORIDE, quantity=2000, unit="l")
        assert draft["voluntary"] is True
        assert draft["quantity_kg"] == 2200.0  # 1.10 kg/l
        sent = de_pk.act(draft, "send").json()
        assert de_pk.importing.get(f"{PENS}/{sent['id']}").json()["voluntary"] is True

    def test_a_pen_for_a_table_i_substance_is_not(self, api: Api) -> None:
        assert lane(api).draft()["voluntary"] is False

    def test_a_pen_for_a_national_list_chemical_is_voluntary(self, api: Api) -> None:
        assert api.admin.post(SUBSTANCES, json=national()).status_code == 201
        draft = lane(api).draft(substance="108-29-2", quantity=100, unit="kg")
        assert draft["voluntary"] is True


class TestAddSubstance:
    def test_admin_adds_a_national_list_chemical(self, api: Api, customs: Actor) -> None:
        response = api.admin.post(SUBSTANCES, json=national())
        assert response.status_code == 201, response.text
        created = response.json()
        assert created["kind"] == "national"
        assert created["list_country"] == "DE"
        assert created["convention_table"] is None
        assert customs.get(f"{SUBSTANCES}/108-29-2").json()["name"] == "gamma-Valerolactone"
        audit = api.admin.get("/api/v1/audit-events", params={"action": "substance.created"})
        assert [e["subject_id"] for e in audit.json()["items"]] == ["108-29-2"]

    def test_a_second_time_is_409(self, api: Api) -> None:
        assert api.admin.post(SUBSTANCES, json=national()).status_code == 201
        response = api.admin.post(SUBSTANCES, json=national(name="GVL again"))
        assert response.status_code == 409
        assert response.json()["type"] == PROBLEM + "duplicate-substance"

    def test_a_scheduled_substance_cannot_be_added_again(self, api: Api) -> None:
        response = api.admin.post(SUBSTANCES, json=national(cas_number=AA))
        assert response.status_code == 409

    @pytest.mark.parametrize(
        ("overrides", "field"),
        [
            ({"kind": "table_i"}, "kind"),
            ({"list_country": None}, None),
            ({"kind": "special_surveillance"}, None),
            ({"cas_number": "108-29-3"}, "cas_number"),
            ({"hs_code": "29x"}, "hs_code"),
            ({"source": ""}, "source"),
        ],
    )
    def test_bad_bodies_are_422(
        self, api: Api, overrides: dict[str, Any], field: str | None
    ) -> None:
        response = api.admin.post(SUBSTANCES, json=national(**overrides))
        assert response.status_code == 422, response.text
        assert response.headers["content-type"] == "application/problem+json"
        if field:
            assert field in response.text

    def test_an_unknown_list_country_is_refused(self, api: Api) -> None:
        response = api.admin.post(SUBSTANCES, json=national(list_country="XX"))
        assert response.status_code in (400, 422)
        assert api.admin.get(f"{SUBSTANCES}/108-29-2").status_code == 404

    def test_only_admins_add(self, api: Api) -> None:
        response = api.regulator("DE").post(SUBSTANCES, json=national())
        assert response.status_code == 403
        assert api.admin.get(f"{SUBSTANCES}/108-29-2").status_code == 404


ALR = "/api/v1/legitimate-requirements"


def alr(country: str = "PK", cas: str = PSEUDOEPHEDRINE, kg: float = 10_000) -> dict[str, Any]:
    return {"country": country, "cas_number": cas, "quantity_kg": kg, "source": "test ALR"}


class TestLegitimateRequirements:
    def test_admin_records_and_anyone_reads(self, api: Api, customs: Actor) -> None:
        response = api.admin.post(ALR, json=alr())
        assert response.status_code == 201, response.text
        created = response.json()
        assert (created["country"], created["quantity_kg"]) == ("PK", 10000.0)
        [listed] = customs.get(ALR, params={"country": "pk"}).json()["items"]
        assert listed["id"] == created["id"]
        assert customs.get(ALR, params={"country": "DE"}).json()["items"] == []
        audit = api.admin.get("/api/v1/audit-events", params={"subject_id": created["id"]})
        assert [e["action"] for e in audit.json()["items"]] == ["legitimate_requirement.created"]

    def test_one_per_country_and_substance(self, api: Api) -> None:
        assert api.admin.post(ALR, json=alr()).status_code == 201
        response = api.admin.post(ALR, json=alr(kg=5))
        assert response.status_code == 409
        assert response.json()["type"] == PROBLEM + "duplicate-legitimate-requirement"

    def test_removing_it(self, api: Api, customs: Actor) -> None:
        created = api.admin.post(ALR, json=alr()).json()
        assert api.admin.delete(f"{ALR}/{created['id']}").status_code == 204
        assert customs.get(ALR).json()["items"] == []
        assert api.admin.delete(f"{ALR}/{created['id']}").status_code == 404

    @pytest.mark.parametrize(
        "body",
        [alr(kg=0), alr(country="XX"), alr(cas="108-29-3"), {**alr(), "source": ""}],
    )
    def test_bad_bodies_are_refused(self, api: Api, body: dict[str, Any]) -> None:
        response = api.admin.post(ALR, json=body)
        assert response.status_code in (400, 422), response.text
        assert response.headers["content-type"] == "application/problem+json"

    def test_only_admins_record(self, api: Api) -> None:
        assert api.regulator("PK").post(ALR, json=alr()).status_code == 403


class TestBeyondAlr:
    def test_a_pen_taking_the_year_over_the_alr_is_flagged(self, api: Api) -> None:
        api.admin.post(ALR, json=alr(kg=3000))
        de_pk = lane(api)
        first = de_pk.pen_in("sent", substance=PSEUDOEPHEDRINE, quantity=2000, unit="kg")
        assert "beyond-alr" not in _rules(de_pk.exporting, first["id"])
        second = de_pk.draft(substance=PSEUDOEPHEDRINE, quantity=1500, unit="kg")
        flags = {
            f["rule"]: f for f in walk(de_pk.exporting, "/api/v1/flags", subject_id=second["id"])
        }
        flag = flags["beyond-alr"]
        assert flag["severity"] == "high"
        assert flag["evidence"]["importing_alr_kg"] == 3000.0
        assert flag["evidence"]["agg_country_substance_pens_365d_sum"] == 2000.0

    def test_a_salt_counts_against_its_base_alr(self, api: Api) -> None:
        api.admin.post(ALR, json=alr(kg=1000))
        de_pk = lane(api)
        # 1,200 kg of the hydrochloride is 983 kg of base: within the 1,000 kg requirement.
        within = de_pk.draft(substance=PSEUDOEPHEDRINE_HCL, quantity=1200, unit="kg")
        assert "beyond-alr" not in _rules(de_pk.exporting, within["id"])
        over = de_pk.draft(substance=PSEUDOEPHEDRINE_HCL, quantity=1300, unit="kg")
        assert "beyond-alr" in _rules(de_pk.exporting, over["id"])

    def test_twin_without_an_alr_is_quiet(self, api: Api) -> None:
        de_pk = lane(api)
        draft = de_pk.draft(substance=PSEUDOEPHEDRINE, quantity=90_000, unit="kg")
        assert "beyond-alr" not in _rules(de_pk.exporting, draft["id"])


def _rules(actor: Actor, subject_id: str) -> set[str]:
    return {f["rule"] for f in walk(actor, "/api/v1/flags", subject_id=subject_id)}
