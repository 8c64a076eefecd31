"""Forensic samples: added by the recording country, shared per the incident's scope."""

import pytest

from tests.factories import AUDIT, Api, walk
from tests.incidents.conftest import World
from tests.incidents.helpers import INCIDENTS, record_incident

SAMPLE = {
    "laboratory": "Iranian Drug Control HQ laboratory",
    "sample_reference": "LAB-2026-0042",
    "substance_identified": "Acetic anhydride",
    "purity_percent": 98.2,
    "impurity_profile": {"acetic_acid_percent": 1.1, "markers": ["ketene dimer"]},
    "method": "GC-MS",
}


def _add(actor, incident, **body):  # type: ignore[no-untyped-def]
    return actor.post(f"{INCIDENTS}/{incident['id']}/samples", json={**SAMPLE, **body})


class TestSamples:
    @pytest.mark.parametrize("kind", ["regulator", "customs", "law_enforcement"])
    def test_the_recording_countrys_officers_add_samples(
        self, world: World, api: Api, kind: str
    ) -> None:
        incident = record_incident(world.officer("IR", "law_enforcement"))
        response = _add(world.officer("IR", kind), incident)
        assert response.status_code == 201, response.text
        (sample,) = response.json()["samples"]
        assert sample["purity_percent"] == 98.2
        assert sample["impurity_profile"] == SAMPLE["impurity_profile"]
        (row,) = walk(api.admin, AUDIT, subject_id=incident["id"], action="incident.sample_added")
        assert row["after"]["laboratory"] == SAMPLE["laboratory"]

    def test_other_countries_may_not_add_samples(self, world: World, api: Api) -> None:
        incident = record_incident(world.officer("IR", "law_enforcement"))
        assert _add(world.officer("DE", "law_enforcement"), incident).status_code == 403
        assert _add(world.officer("FR", "law_enforcement"), incident).status_code == 404
        assert _add(api.analyst(), incident).status_code == 403
        assert (
            world.officer("IR", "customs").get(f"{INCIDENTS}/{incident['id']}").json()["samples"]
            == []
        )

    def test_a_text_profile_is_kept_and_bad_purity_refused(self, world: World) -> None:
        police = world.officer("IR", "law_enforcement")
        incident = record_incident(police)
        assert _add(police, incident, impurity_profile="trace acetic acid").status_code == 201
        assert _add(police, incident, purity_percent=120).status_code == 422

    def test_the_summary_scope_hides_the_impurity_profile(self, world: World) -> None:
        police = world.officer("IR", "law_enforcement")
        incident = record_incident(police, scope="summary")
        _add(police, incident)
        (seen,) = (
            world.officer("DE", "regulator").get(f"{INCIDENTS}/{incident['id']}").json()["samples"]
        )
        assert seen["substance_identified"] == "Acetic anhydride"
        assert seen["purity_percent"] == 98.2
        assert seen["impurity_profile"] is None
        (own,) = police.get(f"{INCIDENTS}/{incident['id']}").json()["samples"]
        assert own["impurity_profile"] == SAMPLE["impurity_profile"]
