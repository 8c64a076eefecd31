"""The pure resolution: normalising names, reasons, blocking and investigators' decisions."""

from app.investigations.resolution import PartyRecord, normalise_name, resolve


class TestNormalise:
    def test_legal_forms_case_punctuation_and_scripts_fold_away(self) -> None:
        assert normalise_name("AL-NOOR CHEMICALS F.Z.E.") == "al noor chemicals"
        assert normalise_name("Al Noor Chemicals Pvt. Ltd.") == "al noor chemicals"
        assert normalise_name("Müller Chemie GmbH & Co. KG") == "muller chemie"
        assert normalise_name("ООО Химпром") == "khimprom"

    def test_a_name_that_is_only_a_legal_form_keeps_its_words(self) -> None:
        assert normalise_name("Co. Ltd") == "co ltd"


class TestResolve:
    def test_reasons_name_what_matched(self) -> None:
        found = resolve(
            [
                PartyRecord("a", "Indus Solvents (Pvt) Ltd", "PK", "7 Port Road", "PK-0042"),
                PartyRecord("b", "INDUS SOLVENT LLC", "AE", "PO Box 9", "pk 0042"),
            ]
        )
        assert found.clusters == [["a", "b"]]
        assert found.reasons["a"][0] == "same_registration_number"

    def test_the_same_name_abroad_at_another_address_is_another_company(self) -> None:
        found = resolve(
            [
                PartyRecord("a", "Summit Solvents LLC", "IR", "Tehran"),
                PartyRecord("b", "Summit Solvents Co.", "UZ", "Tashkent"),
                PartyRecord("c", "Summit Solvents", "IR", "Isfahan"),
            ]
        )
        assert found.clusters == [["a", "c"], ["b"]]
        assert found.reasons["a"] == ["same_name"]

    def test_names_that_differ_in_their_telling_word_stay_apart(self) -> None:
        found = resolve(
            [
                PartyRecord("a", "Oxus Chemical Distribution Ltd", "GB", "London"),
                PartyRecord("b", "Lotus Chemical Distribution Ltd", "GB", "Leeds"),
            ]
        )
        assert found.clusters == [["a"], ["b"]]

    def test_decisions_win_over_scores(self) -> None:
        records = [
            PartyRecord("a", "Al-Noor Chemicals FZE", "AE", "Plot 12, Jebel Ali"),
            PartyRecord("b", "Al Noor Chemical LLC", "AF", "Plot 12 Jebel Ali"),
            PartyRecord("c", "Helmand Agro Supplies", "AF", "Lashkar Gah"),
        ]
        found = resolve(records, same=[("a", "c")], different=[("a", "b")])
        assert found.clusters == [["a", "c"], ["b"]]
        assert found.reasons["c"] == ["confirmed_by_investigator"]
