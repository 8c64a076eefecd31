"""Country and substance names and densities, from the reference data cache."""

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from types import MappingProxyType

from sqlmodel import Session

from app.core import cache
from app.reference.service import reference


@dataclass(frozen=True)
class Names:
    """Country and substance names, and densities for litres."""

    countries: Mapping[str, str]
    substances: Mapping[str, str]
    tables: Mapping[str, str]
    densities: Mapping[str, Decimal | None]

    def country(self, iso2: str) -> str:
        return self.countries.get(iso2, iso2)

    def substance(self, cas_number: str) -> str:
        return self.substances.get(cas_number, cas_number)


def names(session: Session) -> Names:
    """The names as the caller's transaction sees them: built once per version of the reference
    data (no query, no rebuilding, while its cache is current: app/core/cache.py)."""
    return cache.cached(session, cache.REFERENCE, "dashboard-names", _load_names)


def _load_names(session: Session) -> Names:
    ref = reference(session)
    substances = ref.substances.values()
    return Names(
        countries=ref.country_names,
        substances=MappingProxyType({s.cas_number: s.name for s in substances}),
        tables=MappingProxyType({s.cas_number: s.convention_table for s in substances}),
        densities=MappingProxyType({s.cas_number: s.density_kg_per_l for s in substances}),
    )


def dialect_of(session: Session) -> str:
    return session.get_bind().dialect.name
