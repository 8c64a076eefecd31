"""CAS check digits and conversion to kilograms (pure modules)."""

from decimal import Decimal

import pytest

from app.core.fields import Unit, cas_check_digit, is_valid_cas, validate_cas
from app.reference.quantities import DensityRequired, kg_to_litres, to_kg


class TestCas:
    @pytest.mark.parametrize(
        "cas", ["108-24-7", "7722-64-7", "67-64-1", "7664-93-9", "125541-22-2", "4676-39-5"]
    )
    def test_table_substances_pass_their_check_digit(self, cas: str) -> None:
        assert is_valid_cas(cas)

    @pytest.mark.parametrize(
        "cas", ["108-24-8", "108-24", "108247", "1-24-7", "12345678-24-7", "abc"]
    )
    def test_wrong_digit_or_shape_fails(self, cas: str) -> None:
        assert not is_valid_cas(cas)

    def test_check_digit_weights_digits_from_the_right(self) -> None:
        # 7732-18-5 (water): 8·1 + 1·2 + 2·3 + 3·4 + 7·5 + 7·6 = 105 → 5
        assert cas_check_digit("773218") == 5

    def test_validator_strips_and_explains(self) -> None:
        assert validate_cas(" 108-24-7 ") == "108-24-7"
        with pytest.raises(ValueError, match="check digit"):
            validate_cas("108-24-8")


class TestToKg:
    @pytest.mark.parametrize(
        ("quantity", "unit", "expected"),
        [
            ("5000", Unit.L, "5400.000"),
            ("500", Unit.ML, "0.540"),
            ("2.5", Unit.T, "2500.000"),
            ("1500", Unit.G, "1.500"),
            ("12.345", Unit.KG, "12.345"),
        ],
    )
    def test_converts_with_the_density_of_acetic_anhydride(
        self, quantity: str, unit: Unit, expected: str
    ) -> None:
        assert to_kg(Decimal(quantity), unit, Decimal("1.08")) == Decimal(expected)

    def test_rounds_to_the_gram(self) -> None:
        assert to_kg(Decimal("0.0004"), Unit.KG, None) == Decimal("0.000")

    @pytest.mark.parametrize("unit", [Unit.L, Unit.ML])
    def test_volume_of_a_substance_without_density_is_refused(self, unit: Unit) -> None:
        with pytest.raises(DensityRequired):
            to_kg(Decimal(1), unit, None)

    def test_kilograms_back_to_litres(self) -> None:
        assert kg_to_litres(Decimal("5400"), Decimal("1.08")) == Decimal("5000.000")
        assert kg_to_litres(Decimal("5400"), None) is None
