from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, model_validator

from app.core.fields import CasNumber, CountryCode
from app.core.types import JSONDecimal


class CountryPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    iso2: str
    iso3: str
    numeric: str
    name: str
    official_name: str | None


class SubstancePublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    cas_number: str
    name: str
    convention_table: str
    hs_code: str
    density_kg_per_l: JSONDecimal | None
    scheduled_year: int | None
    synonyms: list[str]
    notes: str | None


class PenRequirementCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    country: CountryCode
    cas_number: CasNumber | None = None
    table: Literal["I", "II"] | None = None
    requires_pen: bool = True
    no_licit_need: bool = False
    since: date | None = None
    source: str | None = None

    @model_validator(mode="after")
    def _names_what_it_covers(self) -> "PenRequirementCreate":
        if (self.cas_number is None) == (self.table is None):
            raise ValueError("give either cas_number (one substance) or table (all of a table)")
        if not (self.requires_pen or self.no_licit_need):
            raise ValueError("requires_pen or no_licit_need must be true")
        return self


class PenRequirementPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    country: str
    cas_number: str | None
    table: str | None
    requires_pen: bool
    no_licit_need: bool
    since: date | None
    source: str | None
