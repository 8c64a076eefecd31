"""Unit conversion to kilograms (pure)."""

from decimal import Decimal

from app.core.fields import Unit

MASS_FACTORS = {Unit.KG: Decimal(1), Unit.G: Decimal("0.001"), Unit.T: Decimal(1000)}
VOLUME_LITRES = {Unit.L: Decimal(1), Unit.ML: Decimal("0.001")}
KG = Decimal("0.001")


class DensityRequired(ValueError):
    """A volume was given for a substance whose density we do not know (a solid)."""


def to_kg(quantity: Decimal, unit: Unit, density_kg_per_l: Decimal | None) -> Decimal:
    """`quantity` in `unit` as kilograms, rounded to the gram."""
    if unit in MASS_FACTORS:
        return (quantity * MASS_FACTORS[unit]).quantize(KG)
    if density_kg_per_l is None:
        raise DensityRequired(unit.value)
    return (quantity * VOLUME_LITRES[unit] * density_kg_per_l).quantize(KG)


def kg_to_litres(quantity_kg: Decimal, density_kg_per_l: Decimal | None) -> Decimal | None:
    if density_kg_per_l is None or density_kg_per_l == 0:
        return None
    return (quantity_kg / density_kg_per_l).quantize(KG)
