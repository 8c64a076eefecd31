"""Nested payloads cut to a sharing scope: keys dropped, or only some kept, at every depth
(alert payloads, `alerts/sharing.py`; incidents read by other countries, `incidents/scopes.py`)."""

from typing import Any


def drop_keys(value: Any, keys: frozenset[str]) -> Any:
    """`value` without `keys`, in every nested object."""
    if isinstance(value, dict):
        return {k: drop_keys(v, keys) for k, v in value.items() if k not in keys}
    if isinstance(value, list):
        return [drop_keys(v, keys) for v in value]
    return value


def keep_keys(value: Any, keys: frozenset[str]) -> Any:
    """`value` with only `keys`, in every nested object."""
    if isinstance(value, dict):
        return {k: keep_keys(v, keys) for k, v in value.items() if k in keys}
    if isinstance(value, list):
        return [keep_keys(v, keys) for v in value]
    return value
