"""Flag triage (pure): open → under_review → confirmed | dismissed."""

from enum import StrEnum


class FlagStatus(StrEnum):
    OPEN = "open"
    UNDER_REVIEW = "under_review"
    CONFIRMED = "confirmed"
    DISMISSED = "dismissed"


class Severity(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"


SEVERITY_RANK = {s: i for i, s in enumerate(Severity)}

TRIAGE: dict[FlagStatus, frozenset[FlagStatus]] = {
    FlagStatus.OPEN: frozenset({FlagStatus.UNDER_REVIEW}),
    FlagStatus.UNDER_REVIEW: frozenset({FlagStatus.CONFIRMED, FlagStatus.DISMISSED}),
    FlagStatus.CONFIRMED: frozenset(),
    FlagStatus.DISMISSED: frozenset(),
}

# Flags that count towards a subject's score: every suspicion not dismissed.
LIVE = frozenset({FlagStatus.OPEN, FlagStatus.UNDER_REVIEW, FlagStatus.CONFIRMED})


def may_move(current: FlagStatus, target: FlagStatus) -> bool:
    return target in TRIAGE[current]
