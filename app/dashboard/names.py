"""Country and substance names and densities, read once per summary."""

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlmodel import Session, col

from app.reference.models import Country, Substance


@dataclass(frozen=True)
class Names:
    """Country and substance names, and densities for litres."""

    countries: dict[str, str]
    substances: dict[str, str]
    tables: dict[str, str]
    densities: dict[str, Decimal | None]

    def country(self, iso2: str) -> str:
        return self.countries.get(iso2, iso2)

    def substance(self, cas_number: str) -> str:
        return self.substances.get(cas_number, cas_number)


def names(session: Session) -> Names:
    countries = dict(
        [(row[0], row[1]) for row in session.execute(select(col(Country.iso2), col(Country.name)))]
    )
    substances = session.execute(
        select(
            col(Substance.cas_number),
            col(Substance.name),
            col(Substance.convention_table),
            col(Substance.density_kg_per_l),
        )
    ).all()
    return Names(
        countries=countries,
        substances={s[0]: s[1] for s in substances},
        tables={s[0]: s[2] for s in substances},
        densities={s[0]: s[3] for s in substances},
    )


def dialect_of(session: Session) -> str:
    return session.get_bind().dialect.name
