"""Adding up counts and quantities, with litres for liquids (pure)."""

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

KG = Decimal("0.001")


def as_decimal(value: Any) -> Decimal:
    """A database number as Decimal (SQLite returns floats for NUMERIC sums)."""
    if value is None:
        return Decimal(0)
    if isinstance(value, Decimal):
        return value
    return Decimal(str(value))


def rounded(value: Decimal | None) -> float | None:
    return None if value is None else float(value.quantize(KG))


@dataclass
class Tally:
    """A count, its mass, and the litres of its liquid part."""

    n: int = 0
    kg: Decimal = Decimal(0)
    litres: Decimal | None = None

    def add(self, n: Any, kg: Any, cas_number: str, density: Decimal | None) -> None:
        amount = as_decimal(kg)
        self.n += int(n or 0)
        self.kg += amount
        if density:
            self.litres = (self.litres or Decimal(0)) + amount / density

    @property
    def kg_out(self) -> float:
        return float(self.kg.quantize(KG))

    @property
    def litres_out(self) -> float | None:
        return rounded(self.litres)


def share(part: int, whole: int) -> float | None:
    return round(part / whole, 6) if whole else None
