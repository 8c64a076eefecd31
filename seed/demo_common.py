"""What every part of the demo generator shares: the clock, the dice, the writer, the parties."""

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from itertools import accumulate
from typing import Any, TypeVar

from app.core.fields import Unit
from app.reference.quantities import to_kg
from seed.bulk import BulkWriter, TimeOrderedIds
from seed.demo_world import AA, EPHEDRINE, KMNO4, NOREPHEDRINE, PSEUDOEPHEDRINE

T = TypeVar("T")
# id(weights table) → (the table, kept alive so the id stays its own; values; cumulative weights)
_CUMULATIVE: dict[int, tuple[Any, list[Any], list[int]]] = {}
DAY = timedelta(days=1)


@dataclass(frozen=True)
class Party:
    id: str
    country: str
    kind: str
    licence_valid_until: date | None


@dataclass
class Parties:
    """Operators by country and by side of the trade."""

    exporters: dict[str, list[Party]] = field(default_factory=dict)
    importers: dict[str, list[Party]] = field(default_factory=dict)
    intermediaries: dict[str, list[Party]] = field(default_factory=dict)
    # Front companies: registered a few weeks or months ago, unlicensed, trading in nothing but
    # the planted diversions (as in the real cases), so that a seizure names no legitimate buyer.
    fronts: dict[str, list[Party]] = field(default_factory=dict)

    def add(self, side: str, party: Party) -> None:
        getattr(self, side).setdefault(party.country, []).append(party)


@dataclass
class Context:
    now: datetime
    rng: random.Random
    ids: TimeOrderedIds
    writer: BulkWriter
    parties: Parties
    # Reference data, read from the database the demo writes into.
    densities: dict[str, Decimal | None]
    hs_codes: dict[str, str]
    names: dict[str, str]
    table_ii_pen_countries: frozenset[str]
    # (country, CAS) pairs a government declared it has no licit need for.
    no_licit_need: frozenset[tuple[str, str]]
    # Demo users: authority id → user id.
    users: dict[str, str]
    # Readable numbering: `DE-2026` → last number used; customs country → last sequence number.
    references: dict[str, int]
    customs_sequence: dict[str, int] = field(default_factory=dict)
    # Ground truth for bench/detection.py: (subject type, id) → the planted diversion pattern
    # it belongs to. Everything not here is legitimate trade.
    truth: dict[tuple[str, str], str] = field(default_factory=dict)
    # Each substance's kind (table_i, …, special_surveillance), for voluntary PENs.
    kinds: dict[str, str] = field(default_factory=dict)
    # (importer, CAS) → the quantity and unit the importer usually orders.
    habits: dict[tuple[str, str], tuple[Decimal, str]] = field(default_factory=dict)

    @property
    def today(self) -> date:
        return self.now.date()

    def ago(self, low_days: float, high_days: float) -> datetime:
        """A moment between `high_days` and `low_days` before now, to the second."""
        return (self.now - timedelta(days=self.rng.uniform(low_days, high_days))).replace(
            microsecond=0
        )

    def later(self, at: datetime, low_days: float, high_days: float) -> datetime:
        return (at + timedelta(days=self.rng.uniform(low_days, high_days))).replace(microsecond=0)

    def pick(self, weighted: Sequence[tuple[T, int]]) -> T:
        """A value drawn with its weight (the tables are constants, so their sums are cached)."""
        key = id(weighted)
        if key not in _CUMULATIVE:
            _CUMULATIVE[key] = (
                weighted,
                [v for v, _ in weighted],
                list(accumulate(w for _, w in weighted)),
            )
        _, values, cumulative = _CUMULATIVE[key]
        return self.rng.choices(values, cum_weights=cumulative)[0]

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def user(self, authority_id: str) -> str | None:
        return self.users.get(authority_id)

    def quantity(self, cas: str) -> tuple[Decimal, str]:
        """A plausible consignment of `cas`: drums, ISO tanks or bags, in the unit traders use."""
        rng = self.rng
        if self.densities.get(cas) is not None:
            r = rng.random()
            if cas == AA and r < 0.55:
                return Decimal(220 * rng.randint(4, 80)), "l"  # 220-litre drums
            if r < 0.75:
                return Decimal(500 * rng.randint(2, 42)), "l"  # IBCs up to an ISO tank
            if r < 0.9:
                return Decimal(500 * rng.randint(2, 50)), "kg"
            return Decimal(rng.randint(5, 40)), "t"
        if cas in (EPHEDRINE, PSEUDOEPHEDRINE, NOREPHEDRINE):
            return Decimal(25 * rng.randint(1, 80)), "kg"
        if cas == KMNO4 and rng.random() < 0.3:
            return Decimal(rng.randint(2, 25)), "t"
        return Decimal(50 * rng.randint(10, 400)), "kg"

    def kg(self, cas: str, quantity: Decimal, unit: str) -> Decimal:
        return to_kg(quantity, Unit(unit), self.densities.get(cas))


def ms(at: datetime) -> int:
    return int(at.timestamp() * 1000)


_ISO6346 = {
    letter: value
    for letter, value in zip(
        "ABCDEFGHIJKLMNOPQRSTUVWXYZ",
        [v for v in range(10, 39) if v % 11 != 0],
        strict=True,
    )
}


def container_id(owner: str, serial: int) -> str:
    """An ISO 6346 container number with its check digit (owner code ends in U)."""
    body = f"{owner}{serial:06d}"
    total = sum((_ISO6346[c] if c.isalpha() else int(c)) * 2**i for i, c in enumerate(body))
    return f"{body}{total % 11 % 10}"
