"""Opaque, time-ordered identifiers (so that cursor pagination follows creation order)."""

import os
import time

ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"
# Every 10-bit value as its two characters: 13 lookups per id instead of 26 divisions (bulk
# imports make several ids per row).
_PAIRS = [a + b for a in ALPHABET for b in ALPHABET]
_SHIFTS = tuple(range(120, -1, -10))


def new_id() -> str:
    """A 26-character Crockford base32 id: 48 bits of milliseconds, then 80 random bits (ULID)."""
    value = (int(time.time() * 1000) << 80) | int.from_bytes(os.urandom(10), "big")
    return "".join([_PAIRS[(value >> shift) & 1023] for shift in _SHIFTS])


def consecutive_ids(count: int) -> list[str]:
    """`count` ids that follow each other, in sorting order (the ids of rows written together,
    which a range then names: app/audit/chain.py). The start keeps 40 random bits and clears
    the 40 below them, so the count never carries into the millisecond."""
    low = (1 << 40) - 1
    start = (int(time.time() * 1000) << 80) | (int.from_bytes(os.urandom(10), "big") & ~low)
    return [
        "".join([_PAIRS[(value >> shift) & 1023] for shift in _SHIFTS])
        for value in range(start, start + count)
    ]
