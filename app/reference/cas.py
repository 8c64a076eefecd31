"""CAS Registry Numbers: format and check digit (pure)."""

import re

CAS_PATTERN = re.compile(r"^(\d{2,7})-(\d{2})-(\d)$")


def cas_check_digit(digits: str) -> int:
    """The check digit for the digits before it: sum of digit × position from the right, mod 10."""
    return sum(int(d) * i for i, d in enumerate(reversed(digits), start=1)) % 10


def is_valid_cas(value: str) -> bool:
    match = CAS_PATTERN.match(value)
    if match is None:
        return False
    return cas_check_digit(match.group(1) + match.group(2)) == int(match.group(3))


def validate_cas(value: str) -> str:
    """Pydantic validator: the value, stripped, if it is a well-formed CAS number."""
    value = value.strip()
    if not CAS_PATTERN.match(value):
        raise ValueError("a CAS number looks like 108-24-7 (digits-2 digits-check digit)")
    if not is_valid_cas(value):
        raise ValueError(f"CAS number {value} fails its check digit")
    return value
