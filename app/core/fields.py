"""Validated field types shared by request schemas."""

import math
import re
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any

from pydantic import AfterValidator, AwareDatetime, Field, StringConstraints

# CAS Registry Numbers (how the contract names substances): format and check digit.
CAS_PATTERN = re.compile(r"^(\d{2,7})-(\d{2})-(\d)$")
# A group entry of the reference data: a scheduled substance with no CAS number we could confirm
# (the esters of PMK and BMK glycidic acid added in 2024), named by a code of its own.
GROUP_CODE_PATTERN = re.compile(r"^G-[A-Z0-9]{2,4}-[A-Z0-9]{2,4}$")


def cas_check_digit(digits: str) -> int:
    """The check digit for the digits before it: sum of digit × position from the right, mod 10."""
    return sum(int(d) * i for i, d in enumerate(reversed(digits), start=1)) % 10


def is_valid_cas(value: str) -> bool:
    match = CAS_PATTERN.match(value)
    if match is None:
        return False
    return cas_check_digit(match.group(1) + match.group(2)) == int(match.group(3))


def is_substance_key(value: str) -> bool:
    """A CAS number that passes its check digit, or a group entry's code."""
    return is_valid_cas(value) or GROUP_CODE_PATTERN.match(value) is not None


def validate_cas(value: str) -> str:
    """Pydantic validator: the value, stripped, if it is a well-formed CAS number (or the code
    of a group entry of the reference data, such as G-PMK-PR)."""
    value = value.strip()
    if GROUP_CODE_PATTERN.match(value):
        return value
    if not CAS_PATTERN.match(value):
        raise ValueError("a CAS number looks like 108-24-7 (digits-2 digits-check digit)")
    if not is_valid_cas(value):
        raise ValueError(f"CAS number {value} fails its check digit")
    return value


CountryCode = Annotated[
    str,
    StringConstraints(strip_whitespace=True, to_upper=True, pattern=r"^[A-Za-z]{2}$"),
    Field(description="ISO 3166-1 alpha-2 code", examples=["DE"]),
]
# What the OpenAPI document tells clients (the check digit is checked by the server alone).
SUBSTANCE_KEY_PATTERN = (
    f"^(?:{CAS_PATTERN.pattern.strip('^$')}|{GROUP_CODE_PATTERN.pattern.strip('^$')})$"
)
CasNumber = Annotated[
    str,
    Field(
        max_length=14,
        examples=["108-24-7"],
        description="A CAS number with a valid check digit, or a group entry's code (G-PMK-PR)",
        json_schema_extra={"pattern": SUBSTANCE_KEY_PATTERN},
    ),
    AfterValidator(validate_cas),
]
Quantity = Annotated[
    Decimal,
    Field(gt=0, le=Decimal("1000000000"), max_digits=15, decimal_places=3, examples=[5000]),
]
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
LongText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
# What a column of 500 characters holds (a declaration's goods description, a PEN's intended use).
MediumText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]


class Unit(StrEnum):
    KG = "kg"
    G = "g"
    T = "t"
    L = "l"
    ML = "ml"


class ModeOfTransport(StrEnum):
    SEA = "sea"
    AIR = "air"
    ROAD = "road"
    RAIL = "rail"
    POST = "post"
    MULTIMODAL = "multimodal"


class MeansOfPayment(StrEnum):
    BANK_TRANSFER = "bank_transfer"
    LETTER_OF_CREDIT = "letter_of_credit"
    DOCUMENTARY_COLLECTION = "documentary_collection"
    OPEN_ACCOUNT = "open_account"
    CASH = "cash"
    THIRD_PARTY = "third_party"
    HAWALA = "hawala"
    OTHER = "other"


def json_depth(value: object) -> int:
    """How deeply a JSON value nests (a scalar is 0, `{}` and `[]` are 1), iteratively, so a
    hostile document cannot exhaust the stack while it is measured."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        current, depth = stack.pop()
        if isinstance(current, dict):
            children = list(current.values())
        elif isinstance(current, list):
            children = current
        else:
            continue
        deepest = max(deepest, depth)
        stack.extend((child, depth + 1) for child in children)
    return deepest


# Dates a precursor record can plausibly carry: from 1990 (the 1988 Convention's entry into
# force) to ten years ahead. Anything else is a typo or a probe, refused with 422 before any
# date arithmetic could overflow.
EARLIEST_YEAR = 1990
YEARS_AHEAD = 10


def _latest() -> date:
    today = datetime.now(UTC).date()
    return today.replace(year=today.year + YEARS_AHEAD, day=min(today.day, 28))


def plausible_date(value: date) -> date:
    if value.year < EARLIEST_YEAR or value > _latest():
        raise ValueError(f"must be between {EARLIEST_YEAR}-01-01 and {_latest().isoformat()}")
    return value


def plausible_datetime(value: datetime) -> datetime:
    # Checked on the wall-clock fields first: converting year 1 or 9999 to UTC can overflow.
    if not EARLIEST_YEAR <= value.year <= _latest().year:
        raise ValueError(f"must be between {EARLIEST_YEAR}-01-01 and {_latest().isoformat()}")
    plausible_date(value.astimezone(UTC).date())
    return value


PlausibleDate = Annotated[date, AfterValidator(plausible_date)]
PlausibleDateTime = Annotated[AwareDatetime, AfterValidator(plausible_datetime)]

# Free-form JSON objects (flag evidence, rule conditions) nest at most this deep and hold only
# finite numbers, so every database stores them as they came.
MAX_JSON_DEPTH = 20


def bounded_json(value: dict[str, Any]) -> dict[str, Any]:
    if json_depth(value) > MAX_JSON_DEPTH:
        raise ValueError(f"nests deeper than {MAX_JSON_DEPTH} levels")
    stack: list[Any] = [value]
    while stack:
        current = stack.pop()
        if isinstance(current, float) and not math.isfinite(current):
            raise ValueError("numbers must be finite (no NaN or Infinity)")
        if isinstance(current, dict):
            stack.extend(current.values())
        elif isinstance(current, list):
            stack.extend(current)
    return value


JSONObject = Annotated[dict[str, Any], AfterValidator(bounded_json)]
