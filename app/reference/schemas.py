from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from app.core.fields import CasNumber, CountryCode, LongText, PlausibleDate, ShortText
from app.core.types import JSONDecimal


class SubstanceKind(StrEnum):
    TABLE_I = "table_i"
    TABLE_II = "table_ii"
    SPECIAL_SURVEILLANCE = "special_surveillance"
    NATIONAL = "national"


HsCode = Annotated[
    str,
    StringConstraints(strip_whitespace=True, pattern=r"^\d{4}(\.\d{2}){0,2}$"),
    Field(description="HS code, e.g. 2915.90", examples=["2915.90"]),
]


class CountryPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    iso2: str
    iso3: str
    numeric: str
    name: str
    official_name: str | None


class SubstancePublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    cas_number: str = Field(description="CAS number, or a group entry's code (G-…)")
    name: str
    convention_table: str | None = Field(description="I or II; null outside the tables")
    kind: SubstanceKind
    hs_code: str
    density_kg_per_l: JSONDecimal | None
    scheduled_year: int | None
    base_cas_number: str | None = Field(description="A salt: the substance it is a salt of")
    base_factor: JSONDecimal | None = Field(description="A salt: kg of base per kg of salt")
    effective_from: date | None = Field(description="When control took effect, where known")
    source: str | None
    list_country: str | None = Field(description="A national list chemical: whose list")
    threshold_kg: JSONDecimal | None = Field(
        description="Above this a single consignment draws attention (split-shipments)"
    )
    synonyms: list[str]
    notes: str | None

    @field_validator("convention_table", mode="before")
    @classmethod
    def _outside_the_tables(cls, value: str | None) -> str | None:
        return value or None


class SubstanceCreate(BaseModel):
    """A chemical outside Tables I and II that an authority watches: INCB's special
    surveillance list, or a national control list (PENs for it are voluntary)."""

    model_config = ConfigDict(extra="forbid")

    cas_number: CasNumber
    name: ShortText
    kind: Literal[SubstanceKind.SPECIAL_SURVEILLANCE, SubstanceKind.NATIONAL]
    hs_code: HsCode
    density_kg_per_l: Decimal | None = Field(default=None, gt=0, le=30, decimal_places=4)
    list_country: CountryCode | None = None
    threshold_kg: Decimal | None = Field(default=None, gt=0, le=10**9, decimal_places=3)
    effective_from: PlausibleDate | None = None
    source: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
    synonyms: list[ShortText] = Field(default_factory=list, max_length=20)
    notes: LongText | None = None

    @model_validator(mode="after")
    def _national_lists_name_their_country(self) -> "SubstanceCreate":
        if (self.kind == SubstanceKind.NATIONAL) != (self.list_country is not None):
            raise ValueError("list_country is given for a national list chemical, and only then")
        return self


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


class LegitimateRequirementCreate(BaseModel):
    """A country's annual legitimate requirement for a substance (INCB's ALR)."""

    model_config = ConfigDict(extra="forbid")

    country: CountryCode
    cas_number: CasNumber
    quantity_kg: Decimal = Field(gt=0, le=10**12, decimal_places=3)
    valid_from: PlausibleDate | None = None
    source: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]


class LegitimateRequirementPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    country: str
    cas_number: str
    quantity_kg: JSONDecimal
    valid_from: date | None
    source: str
