"""What each sharing scope withholds of an incident (pure: plain values in, plain values out).

One definition for both doors an incident leaves by: the alerts, webhooks and peer messages
about it (`app/alerts/sharing.py` adds these keys to its own) and the incident as other
countries read it (`service.to_detail`).

- `full`: everything, the operators named and the free text included.
- `confidential`: without the operators (`operators`, `operator_ids`) and the free-text
  `description`: who is suspected, and how the investigation reads, stay with the recorder.
- `summary`: only what identifies the case and feeds the statistics (kind, country, date,
  substances and kg, method, the countries named, the forensic identity and purity of samples);
  no impurity profile, no links to shipments or PENs.
"""

from enum import StrEnum
from typing import Any

from app.core.keys import drop_keys, keep_keys


class IncidentScope(StrEnum):
    FULL = "full"
    CONFIDENTIAL = "confidential"
    SUMMARY = "summary"


ORDER = (IncidentScope.FULL, IncidentScope.CONFIDENTIAL, IncidentScope.SUMMARY)

# Keys `confidential` (and so `summary`) withholds, at any depth.
CONFIDENTIAL_KEYS = frozenset({"operators", "operator_ids", "description"})

# Keys `summary` keeps (besides the generic ones of app/alerts/sharing.py), at any depth.
SUMMARY_KEYS = frozenset(
    {
        "id",
        "reference",
        "kind",
        "country",
        "occurred_on",
        "substances",
        "cas_number",
        "name",
        "quantity_kg",
        "method",
        "origin_country",
        "transit_countries",
        "destination_country",
        "scope",
        "status",
        "samples",
        "laboratory",
        "sample_reference",
        "substance_identified",
        "purity_percent",
        "incident",
        "from_country",
        "to_country",
        "question",
        "reply_by",
        "created_at",
        "recorded_at",
        "shared_scope",
        "backtracking",
    }
)


def widest(*scopes: str) -> str:
    """The scope that shares most among `scopes`."""
    return min((IncidentScope(s) for s in scopes), key=ORDER.index).value


def narrowest(*scopes: str) -> str:
    """The scope that shares least among `scopes`."""
    return max((IncidentScope(s) for s in scopes), key=ORDER.index).value


def shape_incident(data: dict[str, Any], scope: str) -> dict[str, Any]:
    """The part of an incident (as a dict) that `scope` lets another country read."""
    match IncidentScope(scope):
        case IncidentScope.FULL:
            return data
        case IncidentScope.CONFIDENTIAL:
            return dict(drop_keys(data, CONFIDENTIAL_KEYS))
        case IncidentScope.SUMMARY:
            return dict(keep_keys(data, SUMMARY_KEYS))
