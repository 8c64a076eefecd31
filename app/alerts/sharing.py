"""Sharing scopes: how much of an event's payload leaves the country (pure).

Article 12(9)(c) asks that the Parties concerned be told "including the means of payment", so
the default scope is `full`. Article 12(11) lets the supplier of information require that it be
kept confidential: `confidential` drops the commercial terms, and `summary` keeps only what
identifies the case. A rule may also name extra keys to drop (`redact`), at any depth.
"""

import re
from collections.abc import Iterable
from enum import StrEnum
from typing import Any

from app.core.keys import drop_keys, keep_keys
from app.incidents import scopes as incident_scopes


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
        "invoice",
    }
    # An incident's suspects and free text (app/incidents/scopes.py).
    | incident_scopes.CONFIDENTIAL_KEYS
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
    # An incident's identity and statistics (app/incidents/scopes.py).
    | incident_scopes.SUMMARY_KEYS
)


# Narrowest last: `summary` shares less than `confidential`, which shares less than `full`.
ORDER = (Scope.FULL, Scope.CONFIDENTIAL, Scope.SUMMARY)


def narrowest(*scopes: str) -> str:
    """The scope that shares least among `scopes`."""
    return max((Scope(s) for s in scopes), key=ORDER.index).value


def shape(payload: dict[str, Any], scope: str, redact: Iterable[str] = ()) -> dict[str, Any]:
    """The part of `payload` that `scope` lets leave, less the `redact` keys (a new dict).

    Text goes too when it tells what a dropped key held: a flag explanation that repeats a
    dropped value ("Paid by hawala.") or whose evidence was a dropped key is replaced by a
    neutral one naming only what kind of detail was withheld."""
    extra = frozenset(redact)
    match Scope(scope):
        case Scope.FULL:
            shaped = payload
        case Scope.CONFIDENTIAL:
            shaped = drop_keys(payload, CONFIDENTIAL_KEYS)
        case Scope.SUMMARY:
            shaped = keep_keys(payload, SUMMARY_KEYS)
    result: dict[str, Any] = drop_keys(shaped, extra)
    dropped = _dropped(payload, result)
    if dropped:
        _neutralise(payload, result, dropped)
    return result


# What a withheld explanation says instead, by the kind of key it referred to.
NEUTRAL = {
    "means_of_payment": "an unusual means of payment",
    "payment": "an unusual means of payment",
    "intended_use": "the intended use",
}
NEUTRAL_DEFAULT = "commercial terms"


def _dropped(original: Any, kept: Any) -> dict[str, set[str]]:
    """Key → the text values it held, for every key of `original` that `kept` lacks."""
    found: dict[str, set[str]] = {}
    if isinstance(original, dict):
        kept_dict = kept if isinstance(kept, dict) else {}
        for key, value in original.items():
            if key in kept_dict:
                for k, v in _dropped(value, kept_dict[key]).items():
                    found.setdefault(k, set()).update(v)
            else:
                found.setdefault(key, set()).update(_texts(value))
    elif isinstance(original, list) and isinstance(kept, list):
        for o, k in zip(original, kept, strict=False):
            for key, v in _dropped(o, k).items():
                found.setdefault(key, set()).update(v)
    return found


def _texts(value: Any) -> set[str]:
    if isinstance(value, str):
        return {value} if len(value.strip()) >= 3 else set()
    if isinstance(value, dict):
        return {t for v in value.values() for t in _texts(v)}
    if isinstance(value, list):
        return {t for v in value for t in _texts(v)}
    return set()


def _neutralise(
    original: dict[str, Any], shaped: dict[str, Any], dropped: dict[str, set[str]]
) -> None:
    """Replace, in `shaped`, each explanation that reveals a dropped key (in place)."""
    flag, source = shaped.get("flag"), original.get("flag")
    if not isinstance(flag, dict) or not isinstance(source, dict):
        return
    text = flag.get("explanation")
    if not isinstance(text, str):
        return
    raw_evidence = source.get("evidence")
    evidence: dict[str, Any] = raw_evidence if isinstance(raw_evidence, dict) else {}
    revealing = {key for key in dropped if key in evidence} | {
        key
        for key, values in dropped.items()
        if key != "explanation" and any(_mentions(text, v) for v in values)
    }
    if revealing:
        what = sorted({NEUTRAL.get(key, NEUTRAL_DEFAULT) for key in revealing})
        flag["explanation"] = (
            f"Flag raised on {' and '.join(what)} (withheld under this sharing scope)."
        )


def _mentions(text: str, value: str) -> bool:
    return re.search(rf"(?<!\w){re.escape(value.strip())}(?!\w)", text, re.IGNORECASE) is not None
