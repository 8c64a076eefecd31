"""INCB-style summary of suspicious-transaction flags: by rule and severity, how triage ended,
time to triage; composed from app/dashboard/figures.py."""

from collections import Counter, defaultdict
from typing import Any

from sqlalchemy import func, select
from sqlmodel import Session

from app.dashboard.figures import FLAG, Scope, flags_raised, triage_hours
from app.dashboard.names import dialect_of
from app.dashboard.schemas import Applied, FlagGroup, FlagSummary, FlagTotals, SeverityCount
from app.dashboard.stats import percentile
from app.dashboard.tally import share

FLAG_STATUSES = ("open", "under_review", "confirmed", "dismissed")
SEVERITIES = ("critical", "high", "medium", "low")


class _Flags:
    def __init__(self) -> None:
        self.by_status: Counter[str] = Counter()
        self.hours: Counter[int] = Counter()

    def add(self, status: str, hours: int, n: int) -> None:
        self.by_status[status] += n
        if hours >= 0:
            self.hours[hours] += n

    def merge(self, other: "_Flags") -> None:
        self.by_status.update(other.by_status)
        self.hours.update(other.hours)

    def figures(self) -> dict[str, Any]:
        return {
            "flags": sum(self.by_status.values()),
            **{status: self.by_status.get(status, 0) for status in FLAG_STATUSES},
            "median_triage_hours": percentile(self.hours, 0.5),
            "p90_triage_hours": percentile(self.hours, 0.9),
        }


def flag_counts(session: Session, scope: Scope) -> dict[str, int]:
    """Flags raised in the period by status alone: the headline figures need no more."""
    raised = flags_raised(dialect_of(session), scope, FLAG.c.status)
    rows = session.execute(select(raised.c.status, func.count()).group_by(raised.c.status))
    return {status: int(n) for status, n in rows}


def flag_summary(session: Session, scope: Scope, applied: Applied) -> FlagSummary:
    """Flags by rule and severity, how triage ended (confirmed or dismissed), time to triage."""
    dialect = dialect_of(session)
    f = FLAG.c
    raised = flags_raised(
        dialect, scope, f.rule, f.severity, f.status, triage_hours(dialect).label("triage_hours")
    )
    keys = (raised.c.rule, raised.c.severity, raised.c.status, raised.c.triage_hours)
    rows = session.execute(select(*keys, func.count()).group_by(*keys)).all()
    # A year holds thousands of (rule, severity, status, hours) rows: each is added to its rule's
    # tally alone, and the severities and the total are the rules' tallies merged.
    groups: dict[tuple[str, str], _Flags] = defaultdict(_Flags)
    for rule, severity, status, hours, n in rows:
        groups[(rule, severity)].add(status, int(hours), int(n))
    total = _Flags()
    severities: dict[str, _Flags] = {severity: _Flags() for severity in SEVERITIES}
    for (_rule, severity), flags in groups.items():
        total.merge(flags)
        severities.setdefault(severity, _Flags()).merge(flags)
    figures = total.figures()
    decided = figures["confirmed"] + figures["dismissed"]
    return FlagSummary(
        filters=applied,
        totals=FlagTotals(**figures, confirmed_share=share(figures["confirmed"], decided)),
        by_rule=[
            FlagGroup(rule=rule, severity=severity, **flags.figures())
            for (rule, severity), flags in sorted(
                groups.items(), key=lambda item: (-item[1].figures()["flags"], item[0])
            )
        ],
        by_severity=[
            SeverityCount(
                severity=severity,
                flags=sum(flags.by_status.values()),
                confirmed=flags.by_status.get("confirmed", 0),
                dismissed=flags.by_status.get("dismissed", 0),
            )
            for severity, flags in severities.items()
        ],
    )
