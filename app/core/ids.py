"""Opaque, time-ordered identifiers (so that cursor pagination follows creation order)."""

import os
import time


def new_id() -> str:
    """A 26-character Crockford base32 id: 48 bits of milliseconds, then 80 random bits (ULID)."""
    value = (int(time.time() * 1000) << 80) | int.from_bytes(os.urandom(10), "big")
    alphabet = "0123456789abcdefghjkmnpqrstvwxyz"
    chars = []
    for _ in range(26):
        value, rest = divmod(value, 32)
        chars.append(alphabet[rest])
    return "".join(reversed(chars))
