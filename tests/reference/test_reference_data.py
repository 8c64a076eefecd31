"""Countries and substances: seeded reference data, readable by any authenticated user."""

import pytest

from tests.factories import AA, KMNO4, Actor, Api

PROBLEM = "https://pentrack.org/problems/"


@pytest.fixture
def customs(api: Api) -> Actor:
    return api.customs("AE")


class TestCountries:
    def test_every_iso_country_is_listed(self, customs: Actor) -> None:
        page = customs.get("/api/v1/countries").json()
        codes = [c["iso2"] for c in page["items"]]
        assert len(codes) == 249
        assert codes == sorted(codes)
        assert {"AF", "DE", "PK", "AE", "IR"} <= set(codes)
        assert page["next_cursor"] is None

    def test_one_country_by_code(self, customs: Actor) -> None:
        country = customs.get("/api/v1/countries/pk").json()
        assert (country["iso2"], country["iso3"], country["name"]) == ("PK", "PAK", "Pakistan")

    def test_unknown_country_is_404(self, customs: Actor) -> None:
        response = customs.get("/api/v1/countries/XX")
        assert response.status_code == 404
        assert response.json()["type"] == PROBLEM + "country-not-found"

    @pytest.mark.parametrize("path", ["/api/v1/countries", "/api/v1/substances"])
    def test_reference_data_needs_a_token(self, api: Api, path: str) -> None:
        assert api.client.get(path).status_code == 401


class TestSubstances:
    def test_acetic_anhydride_is_table_i_liquid(self, customs: Actor) -> None:
        aa = customs.get(f"/api/v1/substances/{AA}").json()
        assert aa["name"] == "Acetic anhydride"
        assert aa["convention_table"] == "I"
        assert aa["hs_code"] == "2915.24"
        assert aa["density_kg_per_l"] == 1.08

    def test_potassium_permanganate_has_no_density(self, customs: Actor) -> None:
        assert customs.get(f"/api/v1/substances/{KMNO4}").json()["density_kg_per_l"] is None

    @pytest.mark.parametrize("table", ["I", "II"])
    def test_list_filters_by_table(self, customs: Actor, table: str) -> None:
        items = customs.get("/api/v1/substances", params={"table": table}).json()["items"]
        assert items
        assert {s["convention_table"] for s in items} == {table}

    def test_both_tables_are_seeded(self, customs: Actor) -> None:
        items = customs.get("/api/v1/substances").json()["items"]
        cas = {s["cas_number"] for s in items}
        assert {AA, KMNO4, "67-64-1"} <= cas  # acetic anhydride, potassium permanganate, acetone

    def test_unknown_substance_is_404(self, customs: Actor) -> None:
        response = customs.get("/api/v1/substances/7732-18-5")
        assert response.status_code == 404
        assert response.json()["type"] == PROBLEM + "substance-not-found"

    def test_unknown_table_is_422(self, customs: Actor) -> None:
        assert customs.get("/api/v1/substances", params={"table": "III"}).status_code == 422


class TestReferencePages:
    """The contract's list conventions hold for reference data too: `limit` and `cursor`."""

    @pytest.mark.parametrize(
        ("path", "key"),
        [
            ("/api/v1/countries", "iso2"),
            ("/api/v1/substances", "cas_number"),
            ("/api/v1/pen-requirements", "id"),
        ],
    )
    def test_pages_walk_the_whole_list_once(self, customs: Actor, path: str, key: str) -> None:
        everything = customs.get(path).json()
        assert everything["next_cursor"] is None  # small lists: one page unless asked
        walked: list[str] = []
        cursor = None
        while True:
            params = {"limit": 7, **({"cursor": cursor} if cursor else {})}
            page = customs.get(path, params=params).json()
            assert len(page["items"]) <= 7
            walked += [item[key] for item in page["items"]]
            cursor = page["next_cursor"]
            if cursor is None:
                break
        assert walked == [item[key] for item in everything["items"]]

    def test_limit_is_bounded(self, customs: Actor) -> None:
        assert customs.get("/api/v1/countries", params={"limit": 501}).status_code == 422
        assert customs.get("/api/v1/countries", params={"limit": 0}).status_code == 422

    def test_a_forged_cursor_is_a_400_problem(self, customs: Actor) -> None:
        response = customs.get("/api/v1/substances", params={"cursor": "bm90IGpzb24"})
        assert response.status_code == 400
        assert response.json()["type"] == PROBLEM + "bad-cursor"
