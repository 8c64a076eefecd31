"""`pentrack seed`: countries from pycountry, substances and PEN requirements from seed/."""

import re

import pycountry
import pytest
from sqlalchemy import create_engine, text

from app.core.fields import is_substance_key, is_valid_cas
from seed.loader import requirement_rows, substance_rows
from tests.factories import AA, Api
from tests.seed.conftest import pentrack

# The substances of Tables I and II that DOMAIN.md names, with their HS 2022 subheadings.
TABLE_I = {
    AA: "2915.24",
    "7722-64-7": "2841.61",
    "89-52-1": "2924.23",
    "299-42-3": "2939.41",
    "90-82-4": "2939.42",
    "60-79-7": "2939.61",
    "113-15-5": "2939.62",
    "82-58-6": "2939.63",
    "103-79-7": "2914.31",
    "4676-39-5": "2932.92",
    "103-82-2": "2916.34",
    "4468-48-8": "2926.40",
    "120-58-1": "2932.91",
    "120-57-0": "2932.93",
    "94-59-7": "2932.94",
    "21409-26-7": "2933.36",
    "39742-60-4": "2933.37",
    "23056-29-3": "2933.39",
    "125541-22-2": "2933.39",
}
TABLE_II = {
    "67-64-1": "2914.11",
    "118-92-3": "2922.43",
    "60-29-7": "2909.11",
    "7647-01-0": "2806.10",
    "78-93-3": "2914.12",
    "110-89-4": "2933.32",
    "7664-93-9": "2807.00",
    "108-88-3": "2902.30",
}


def _snapshot(url: str) -> dict[str, object]:
    engine = create_engine(url)
    with engine.connect() as connection:
        snapshot: dict[str, object] = {
            "countries": connection.execute(text("SELECT iso2, iso3, name FROM country")).all(),
            "substances": connection.execute(
                text("SELECT cas_number, name, hs_code, density_kg_per_l FROM substance")
            ).all(),
            "requirements": connection.execute(
                text('SELECT id, country, cas_number, "table", source FROM pen_requirement')
            ).all(),
        }
    engine.dispose()
    return {key: sorted(rows) for key, rows in snapshot.items()}  # type: ignore[call-overload]


class TestSeedCommand:
    def test_seeding_twice_changes_nothing_and_loads_every_country(self, fresh_url: str) -> None:
        assert pentrack(["migrate"], fresh_url).returncode == 0
        first = pentrack(["seed"], fresh_url)
        assert first.returncode == 0, first.stderr
        after_first = _snapshot(fresh_url)
        second = pentrack(["seed"], fresh_url)
        assert second.returncode == 0, second.stderr
        assert _snapshot(fresh_url) == after_first
        assert len(after_first["countries"]) == len(pycountry.countries) == 249  # type: ignore[arg-type]
        assert len(after_first["substances"]) == len(substance_rows())  # type: ignore[arg-type]
        assert len(after_first["requirements"]) == len(requirement_rows())  # type: ignore[arg-type]


class TestSubstanceFile:
    def test_every_cas_number_passes_its_check_digit_and_is_listed_once(self) -> None:
        rows = substance_rows()
        group_entries = [s for s in rows if not is_valid_cas(s.cas_number)]
        # Only the twelve 2024 glycidic-acid esters go by a code of their own (no CAS confirmed).
        assert len(group_entries) == 12
        assert all(re.fullmatch(r"G-(PMK|BMK)-[A-Z]{2,3}", s.cas_number) for s in group_entries)
        assert len({s.cas_number for s in rows}) == len(rows)

    def test_salts_name_a_listed_base_in_their_table(self) -> None:
        rows = {s.cas_number: s for s in substance_rows()}
        salts = [s for s in rows.values() if s.base_cas_number]
        assert len(salts) >= 6
        for salt in salts:
            base = rows[salt.base_cas_number]  # type: ignore[index]
            assert salt.convention_table == base.convention_table, salt.cas_number
            assert salt.base_factor is not None and 0 < salt.base_factor < 1, salt.cas_number

    def test_acetic_anhydride_is_a_table_i_liquid_of_density_1_08(self) -> None:
        aa = next(s for s in substance_rows() if s.cas_number == AA)
        assert (aa.convention_table, aa.hs_code, str(aa.density_kg_per_l)) == (
            "I",
            "2915.24",
            "1.08",
        )
        assert aa.scheduled_year == 1988
        # Glacial acetic acid is another substance: a mis-declaration, noted but not a synonym.
        names = {name.lower() for name in aa.synonyms}
        assert names.isdisjoint({"acetic acid", "acetic acid glacial", "glacial acetic acid"})
        assert "acetic acid glacial" in (aa.notes or "")

    @pytest.mark.parametrize(("table", "expected"), [("I", TABLE_I), ("II", TABLE_II)])
    def test_the_tables_hold_the_convention_substances(
        self, table: str, expected: dict[str, str]
    ) -> None:
        rows = {s.cas_number: s for s in substance_rows() if s.convention_table == table}
        assert {cas: rows[cas].hs_code for cas in expected if cas in rows} == expected
        if table == "II":
            assert set(rows) == set(TABLE_II)

    def test_fields_are_well_formed(self) -> None:
        for s in substance_rows():
            table = {"table_i": "I", "table_ii": "II"}.get(s.kind, "")
            assert s.convention_table == table, s.cas_number
            assert s.source, s.cas_number
            assert re.fullmatch(r"\d{4}\.\d{2}", s.hs_code), s.cas_number
            assert s.density_kg_per_l is None or 0.5 < s.density_kg_per_l < 2.5, s.cas_number
            assert s.scheduled_year is None or 1988 <= s.scheduled_year <= 2026, s.cas_number


class TestRequirementFile:
    def test_each_row_names_a_country_and_a_substance_or_a_table_and_a_source(self) -> None:
        substances = {s.cas_number for s in substance_rows()}
        rows = requirement_rows()
        keys = [(r["country"], r["cas_number"], r["table"]) for r in rows]
        assert len(set(keys)) == len(keys)
        for row in rows:
            assert pycountry.countries.get(alpha_2=row["country"]) is not None, row
            assert (row["cas_number"] is None) != (row["table"] is None), row
            assert row["cas_number"] is None or row["cas_number"] in substances, row
            assert row["requires_pen"] or row["no_licit_need"], row
            assert row["source"], row


class TestThroughTheApi:
    def test_afghanistan_declared_no_licit_need_for_acetic_anhydride(self, api: Api) -> None:
        response = api.analyst().get("/api/v1/pen-requirements", params={"country": "AF"})
        assert response.status_code == 200
        [aa] = [r for r in response.json()["items"] if r["cas_number"] == AA]
        assert aa["no_licit_need"] is True
        assert aa["requires_pen"] is True

    def test_every_served_substance_passes_its_check_digit(self, api: Api) -> None:
        items = api.analyst().get("/api/v1/substances").json()["items"]
        assert len(items) == len(substance_rows())
        assert all(is_substance_key(s["cas_number"]) for s in items)
        aa = next(s for s in items if s["cas_number"] == AA)
        assert (aa["convention_table"], aa["density_kg_per_l"]) == ("I", 1.08)
