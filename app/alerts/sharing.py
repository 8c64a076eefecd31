"""Sharing scopes: how much of an event's payload leaves the country (pure).

Article 12(9)(c) asks that the Parties concerned be told "including the means of payment", so
the default scope is `full`. Article 12(11) lets the supplier of information require that it be
kept confidential: `confidential` drops the commercial terms, and `summary` keeps only what
identifies the case. A rule may also name extra keys to drop (`redact`), at any depth.
"""

from collections.abc import Iterable
from enum import StrEnum
from typing import Any


class Scope(StrEnum):
    FULL = "full"
    CONFIDENTIAL = "confidential"
    SUMMARY = "summary"


# Commercial terms a supplier may ask to keep confidential (Article 12(11)).
CONFIDENTIAL_KEYS = frozenset(
    {
        "means_of_payment",
        "price",
        "unit_price",
        "value",
        "invoice_value",
        "currency",
        "intended_use",
        "payment",
    }
)

# What identifies a case without its commercial or personal details.
SUMMARY_KEYS = frozenset(
    {
        "id",
        "reference",
        "customs_reference",
        "pen_reference",
        "status",
        "decision",
        "substance",
        "quantity_kg",
        "mode_of_transport",
        "expected_dispatch_date",
        "reply_by",
        "event",
        "type",
        "country",
        "occurred_at",
        "location",
        "quantity_observed_kg",
        "flag",
        "rule",
        "rule_version",
        "severity",
        "subject_type",
        "subject_id",
        "subject",
        "score",
    }
)


def _drop(value: Any, keys: frozenset[str]) -> Any:
    if isinstance(value, dict):
        return {k: _drop(v, keys) for k, v in value.items() if k not in keys}
    if isinstance(value, list):
        return [_drop(v, keys) for v in value]
    return value


def _keep(value: Any, keys: frozenset[str]) -> Any:
    if isinstance(value, dict):
        return {k: _keep(v, keys) for k, v in value.items() if k in keys}
    if isinstance(value, list):
        return [_keep(v, keys) for v in value]
    return value


def shape(payload: dict[str, Any], scope: str, redact: Iterable[str] = ()) -> dict[str, Any]:
    """The part of `payload` that `scope` lets leave, less the `redact` keys (a new dict)."""
    extra = frozenset(redact)
    match Scope(scope):
        case Scope.FULL:
            shaped = payload
        case Scope.CONFIDENTIAL:
            shaped = _drop(payload, CONFIDENTIAL_KEYS)
        case Scope.SUMMARY:
            shaped = _keep(payload, SUMMARY_KEYS)
    result: dict[str, Any] = _drop(shaped, extra)
    return result
