"""The annual report for one year and substance, laid out as INCB's annual precursors report."""

from dataclasses import dataclass, replace
from typing import Any

from sqlmodel import Session

from app.dashboard import activity, service
from app.dashboard.deps import Summarised
from app.dashboard.exports import Table, table_of
from app.dashboard.schemas import CountryReplies, Interdiction, Requirement

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
    lookup = service.names(session)
    substance = lookup.substance(scope.substance or ACETIC_ANHYDRIDE)
    pens = service.pen_summary(session, scope, applied)
    replies = service.reply_summary(session, scope, applied)
    shipments = activity.shipment_summary(session, scope, applied)
    flags = activity.flag_summary(session, scope, applied)
    requirements = service.requirement_summary(session, scope, applied)
    flows = service.region_flow_summary(session, scope, applied)
    period = (
        str(applied.year)
        if applied.year is not None
        else f"{applied.date_from.isoformat()} to {applied.date_to.isoformat()}"
    )
    stopped = [row for row in shipments.stopped_and_seized if row.event == "stopped"]
    seized = [row for row in shipments.stopped_and_seized if row.event == "seized"]
    sections = [
        table_of(
            "Table 1. Governments that have invoked article 12, paragraph 10 (a), "
            "and declarations of no licit need",
            list(requirements.requirements),
            Requirement,
        ),
        _table(
            "Table 2. Pre-export notifications sent, by exporting country",
            ["Exporting country", "Country name", "PENs", "Quantity (kg)", "Quantity (l)"],
            [
                [r.country, r.country_name, r.pens, r.quantity_kg, r.quantity_l]
                for r in pens.by_exporting_country
            ],
        ),
        _table(
            "Table 3. Pre-export notifications received, by importing country",
            ["Importing country", "Country name", "PENs", "Quantity (kg)", "Quantity (l)"],
            [
                [r.country, r.country_name, r.pens, r.quantity_kg, r.quantity_l]
                for r in pens.by_importing_country
            ],
        ),
        _table(
            "Table 4. Pre-export notifications, exporting → importing country",
            ["Exporting country", "Importing country", "PENs", "Quantity (kg)", "Quantity (l)"],
            [
                [r.exporting_country, r.importing_country, r.pens, r.quantity_kg, r.quantity_l]
                for r in pens.matrix
            ],
        ),
        table_of(
            "Table 5. Replies: objections and notifications not replied to, by importing country",
            list(replies.by_importing_country),
            CountryReplies,
        ),
        table_of("Table 6. Stopped and suspended shipments", stopped, Interdiction),
        table_of("Table 7. Seizures, by country, with origin", seized, Interdiction),
        _table(
            f"Table 8. Flows towards {flows.totals.region_name}, by month",
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
                for m in flows.by_month
            ],
        ),
        _table(
            "Table 9. Suspicious-transaction flags, by rule",
            ["Rule", "Severity", "Flags", "Confirmed", "Dismissed", "Median time to triage (h)"],
            [
                [f.rule, f.severity, f.flags, f.confirmed, f.dismissed, f.median_triage_hours]
                for f in flags.by_rule
            ],
        ),
    ]
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


def _table(title: str, headings: list[str], rows: list[list[Any]]) -> Table:
    return Table(title, headings, rows)
