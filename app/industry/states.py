"""How triage moves an industry report (pure)."""

from enum import StrEnum


class ReportStatus(StrEnum):
    SUBMITTED = "submitted"
    ACKNOWLEDGED = "acknowledged"
    ESCALATED = "escalated"
    CLOSED = "closed"


class TriageStatus(StrEnum):
    """What a regulator may move a report to."""

    ACKNOWLEDGED = "acknowledged"
    ESCALATED = "escalated"
    CLOSED = "closed"


# A report can be acknowledged again (more feedback), escalated more than once (a flag, then
# an incident), and closed from any open status; a closed report stays closed.
ALLOWED: dict[ReportStatus, frozenset[TriageStatus]] = {
    ReportStatus.SUBMITTED: frozenset(TriageStatus),
    ReportStatus.ACKNOWLEDGED: frozenset(TriageStatus),
    ReportStatus.ESCALATED: frozenset({TriageStatus.ESCALATED, TriageStatus.CLOSED}),
    ReportStatus.CLOSED: frozenset(),
}


def may_move(current: ReportStatus, to: TriageStatus) -> bool:
    return to in ALLOWED[current]
