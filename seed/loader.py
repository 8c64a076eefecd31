"""Idempotent loader for reference data: countries, substances, PEN requirements.

Upserts on natural keys (iso2, cas_number, and country+substance/table for requirements),
so running it twice changes nothing and running it after an edit of the files applies the edit.
"""

import csv
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pycountry
from sqlalchemy.engine import Engine
from sqlmodel import select

from app.core.db import open_session
from app.core.fields import is_substance_key
from app.core.ids import new_id
from app.reference.models import Country, PenRequirement, Substance

SEED_DIR = Path(__file__).parent


def _read_csv(name: str) -> list[dict[str, str]]:
    with (SEED_DIR / name).open(newline="", encoding="utf-8") as handle:
        return [row for row in csv.DictReader(handle) if not row[next(iter(row))].startswith("#")]


def country_rows() -> list[Country]:
    """Every ISO 3166-1 country, from pycountry (the Debian iso-codes data)."""
    return [
        Country(
            iso2=c.alpha_2,
            iso3=c.alpha_3,
            numeric=c.numeric,
            name=getattr(c, "common_name", None) or c.name,
            official_name=getattr(c, "official_name", None),
        )
        for c in pycountry.countries
    ]


def substance_rows() -> list[Substance]:
    rows = []
    for line, row in enumerate(_read_csv("substances.csv"), start=2):
        cas = row["cas_number"].strip()
        if not is_substance_key(cas):
            raise ValueError(
                f"substances.csv line {line}: cas_number {cas} fails its check digit "
                "(and is not a group entry's code, G-…)"
            )
        rows.append(
            Substance(
                cas_number=cas,
                name=row["name"].strip(),
                convention_table=row["table"].strip(),
                hs_code=row["hs_code"].strip(),
                density_kg_per_l=Decimal(row["density_kg_per_l"])
                if row["density_kg_per_l"].strip()
                else None,
                scheduled_year=int(row["scheduled_year"])
                if row["scheduled_year"].strip()
                else None,
                synonyms=[s.strip() for s in row["synonyms"].split(";") if s.strip()],
                notes=row["notes"].strip() or None,
                kind=row["kind"].strip(),
                base_cas_number=row["base_cas_number"].strip() or None,
                base_factor=Decimal(row["base_factor"]) if row["base_factor"].strip() else None,
                effective_from=date.fromisoformat(row["effective_from"])
                if row["effective_from"].strip()
                else None,
                source=row["source"].strip() or None,
                threshold_kg=Decimal(row["threshold_kg"]) if row["threshold_kg"].strip() else None,
            )
        )
    known = {substance.cas_number for substance in rows}
    for substance in rows:
        if substance.base_cas_number and substance.base_cas_number not in known:
            raise ValueError(f"substances.csv: {substance.cas_number} is a salt of an unknown base")
    return rows


def requirement_rows() -> list[dict[str, Any]]:
    rows = []
    for row in _read_csv("pen_requirements.csv"):
        rows.append(
            {
                "country": row["country"].strip(),
                "cas_number": row["cas_number"].strip() or None,
                "table": row["table"].strip() or None,
                "requires_pen": row["requires_pen"].strip().lower() == "true",
                "no_licit_need": row["no_licit_need"].strip().lower() == "true",
                "since": date.fromisoformat(row["since"]) if row["since"].strip() else None,
                "source": row["source"].strip() or None,
            }
        )
    return rows


def seed_reference(engine: Engine) -> dict[str, int]:
    """Upsert every reference row; returns how many of each the files hold."""
    countries = country_rows()
    substances = substance_rows()
    requirements = requirement_rows()
    with open_session(engine, write=True) as session:
        for model in (*countries, *substances):
            session.merge(model)
        session.flush()
        existing = {
            (r.country, r.cas_number, r.table): r
            for r in session.exec(select(PenRequirement)).all()
        }
        for data in requirements:
            key = (data["country"], data["cas_number"], data["table"])
            row = existing.get(key)
            if row is None:
                session.add(PenRequirement(id=new_id(), **data))
            else:
                for name, value in data.items():
                    setattr(row, name, value)
                session.add(row)
        session.commit()
    return {
        "countries": len(countries),
        "substances": len(substances),
        "PEN requirements": len(requirements),
    }
