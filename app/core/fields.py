"""Validated field types shared by request schemas."""

from decimal import Decimal
from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator, Field, StringConstraints

from app.reference.cas import validate_cas

CountryCode = Annotated[
    str,
    StringConstraints(strip_whitespace=True, to_upper=True, pattern=r"^[A-Za-z]{2}$"),
    Field(description="ISO 3166-1 alpha-2 code", examples=["DE"]),
]
CasNumber = Annotated[
    str, Field(max_length=14, examples=["108-24-7"]), AfterValidator(validate_cas)
]
Quantity = Annotated[
    Decimal,
    Field(gt=0, le=Decimal("1000000000"), max_digits=15, decimal_places=3, examples=[5000]),
]
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
LongText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]


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
