"""The annual report for one year and substance, laid out as INCB's annual precursors report."""

from dataclasses import dataclass, replace
from typing import Any

from sqlmodel import Session

from app.dashboard import flag_summaries, pen_summaries, shipment_summaries
from app.dashboard.deps import Summarised
from app.dashboard.exports import Table, table_of
from app.dashboard.names import names
from app.dashboard.schemas import (
    CountryReplies,
    FlagSummary,
    Interdiction,
    PenSummary,
    RegionFlowSummary,
    ReplySummary,
    Requirement,
    RequirementSummary,
    ShipmentSummary,
)

ACETIC_ANHYDRIDE = "108-24-7"


@dataclass(frozen=True)
class AnnualReport:
    title: str
    subtitle: str
    headline: list[tuple[str, Any]]
    sections: list[Table]


def annual_report(session: Session, filters: Summarised) -> AnnualReport:
    """Every table of the report, computed with the same filters."""
    scope, applied = filters.scope, filters.applied
    if scope.substance is None:
        scope = replace(scope, substance=ACETIC_ANHYDRIDE)
        applied = applied.model_copy(update={"substance": ACETIC_ANHYDRIDE})
    lookup = names(session)
    substance = lookup.substance(scope.substance or ACETIC_ANHYDRIDE)
    pens = pen_summaries.pen_summary(session, scope, applied)
    replies = pen_summaries.reply_summary(session, scope, applied)
    shipments = shipment_summaries.shipment_summary(session, scope, applied)
    flags = flag_summaries.flag_summary(session, scope, applied)
    requirements = pen_summaries.requirement_summary(session, scope, applied)
    flows = pen_summaries.region_flow_summary(session, scope, applied)
    period = (
        str(applied.year)
        if applied.year is not None
        else f"{applied.date_from.isoformat()} to {applied.date_to.isoformat()}"
    )
    sections = _sections(_Summaries(pens, replies, shipments, flags, requirements, flows))
    scope_note = f" — rows {applied.scope_country} is party to" if applied.scope_country else ""
    return AnnualReport(
        title=f"{substance}: pre-export notifications, stopped shipments and seizures, {period}",
        subtitle=f"Substance {scope.substance}; period {applied.date_from} to {applied.date_to}"
        f"{scope_note}; replies judged as of {applied.as_of}.",
        headline=[
            ("PENs sent", pens.totals.pens),
            ("Notified quantity (kg)", pens.totals.quantity_kg),
            ("Notified quantity (l)", pens.totals.quantity_l),
            ("Objections", replies.totals.objection),
            ("Not replied to after the reply date", replies.totals.unanswered),
            ("Shipments stopped", shipments.totals.stopped),
            ("Shipments seized", shipments.totals.seized),
            ("Seized quantity (kg)", shipments.totals.seized_kg),
            ("Governments invoking 12(10)(a)", requirements.totals.governments_requiring_pens),
        ],
        sections=sections,
    )


@dataclass(frozen=True)
class _Summaries:
    pens: PenSummary
    replies: ReplySummary
    shipments: ShipmentSummary
    flags: FlagSummary
    requirements: RequirementSummary
    flows: RegionFlowSummary


def _sections(s: _Summaries) -> list[Table]:
    """Tables 1 to 9 of the report."""
    return _notification_tables(s) + _activity_tables(s)


def _notification_tables(s: _Summaries) -> list[Table]:
    """Tables 1 to 5: requirements, notifications and replies."""
    return [
        table_of(
            "Table 1. Governments that have invoked article 12, paragraph 10 (a), "
            "and declarations of no licit need",
            list(s.requirements.requirements),
            Requirement,
        ),
        _table(
            "Table 2. Pre-export notifications sent, by exporting country",
            ["Exporting country", "Country name", "PENs", "Quantity (kg)", "Quantity (l)"],
            [
                [r.country, r.country_name, r.pens, r.quantity_kg, r.quantity_l]
                for r in s.pens.by_exporting_country
            ],
        ),
        _table(
            "Table 3. Pre-export notifications received, by importing country",
            ["Importing country", "Country name", "PENs", "Quantity (kg)", "Quantity (l)"],
            [
                [r.country, r.country_name, r.pens, r.quantity_kg, r.quantity_l]
                for r in s.pens.by_importing_country
            ],
        ),
        _table(
            "Table 4. Pre-export notifications, exporting → importing country",
            ["Exporting country", "Importing country", "PENs", "Quantity (kg)", "Quantity (l)"],
            [
                [r.exporting_country, r.importing_country, r.pens, r.quantity_kg, r.quantity_l]
                for r in s.pens.matrix
            ],
        ),
        table_of(
            "Table 5. Replies: objections and notifications not replied to, by importing country",
            list(s.replies.by_importing_country),
            CountryReplies,
        ),
    ]


def _activity_tables(s: _Summaries) -> list[Table]:
    """Tables 6 to 9: stops, seizures, flows and flags."""
    stopped = [row for row in s.shipments.stopped_and_seized if row.event == "stopped"]
    seized = [row for row in s.shipments.stopped_and_seized if row.event == "seized"]
    return [
        table_of("Table 6. Stopped and suspended shipments", stopped, Interdiction),
        table_of("Table 7. Seizures, by country, with origin", seized, Interdiction),
        _table(
            f"Table 8. Flows towards {s.flows.totals.region_name}, by month",
            [
                "Month",
                "PENs",
                "PENs (kg)",
                "PENs (l)",
                "Shipments",
                "Shipments (kg)",
                "Shipments (l)",
            ],
            [
                [m.month, m.pens, m.pen_kg, m.pen_l, m.shipments, m.shipment_kg, m.shipment_l]
                for m in s.flows.by_month
            ],
        ),
        _table(
            "Table 9. Suspicious-transaction flags, by rule",
            ["Rule", "Severity", "Flags", "Confirmed", "Dismissed", "Median time to triage (h)"],
            [
                [f.rule, f.severity, f.flags, f.confirmed, f.dismissed, f.median_triage_hours]
                for f in s.flags.by_rule
            ],
        ),
    ]


def _table(title: str, headings: list[str], rows: list[list[Any]]) -> Table:
    return Table(title, headings, rows)
