"""The annual report for one year and substance, laid out as INCB's annual precursors report."""

from dataclasses import dataclass, replace
from typing import Any

from sqlmodel import Session

from app.dashboard import flag_summaries, pen_summaries, shipment_summaries
from app.dashboard.deps import Summarised
from app.dashboard.exports import Table, table_of
from app.dashboard.names import names
from app.dashboard.regions import get_region
from app.dashboard.schemas import (
    Applied,
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
from app.i18n import N_, Language, language_for

ACETIC_ANHYDRIDE = "108-24-7"


@dataclass(frozen=True)
class AnnualReport:
    title: str
    subtitle: str
    # (label, value): every filter that made the report, so a filtered report never looks global.
    filters: list[tuple[str, str]]
    # (label, value, kind): kind as in exports.Table ("count", "quantity", "share").
    headline: list[tuple[str, Any, str]]
    sections: list[Table]


def annual_report(
    session: Session, filters: Summarised, language: Language | None = None
) -> AnnualReport:
    """Every table of the report, computed with the same filters, in the reader's language."""
    language = language or language_for(None)
    _ = language.gettext
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
        else _("%(start)s to %(end)s")
        % {"start": language.date(applied.date_from), "end": language.date(applied.date_to)}
    )
    summaries = _Summaries(pens, replies, shipments, flags, requirements, flows)
    return AnnualReport(
        title=_(
            "%(substance)s: pre-export notifications, stopped shipments and seizures, %(period)s"
        )
        % {"substance": substance, "period": period},
        subtitle=_("Replies judged as of %(day)s.") % {"day": language.date(applied.as_of)},
        filters=report_filters(applied, substance, language),
        headline=[
            (_("PENs sent"), pens.totals.pens, "count"),
            (_("Notified quantity (kg)"), pens.totals.quantity_kg, "quantity"),
            (_("Notified quantity (l)"), pens.totals.quantity_l, "quantity"),
            (_("Objections"), replies.totals.objection, "count"),
            (_("Objection rate"), replies.totals.objection_rate, "share"),
            (_("Not replied to after the reply date"), replies.totals.unanswered, "count"),
            (_("Shipments stopped"), shipments.totals.stopped, "count"),
            (_("Shipments seized"), shipments.totals.seized, "count"),
            (_("Seized quantity (kg)"), shipments.totals.seized_kg, "quantity"),
            (
                _("Governments invoking 12(10)(a)"),
                requirements.totals.governments_requiring_pens,
                "count",
            ),
        ],
        sections=_sections(summaries, language),
    )


def report_filters(applied: Applied, substance: str, language: Language) -> list[tuple[str, str]]:
    """The filters in words, each named: period, substance, route, region, the reader's scope."""
    _ = language.gettext
    found = [
        (
            _("Period"),
            _("%(start)s to %(end)s")
            % {"start": language.date(applied.date_from), "end": language.date(applied.date_to)},
        ),
        (_("Substance"), f"{substance} ({applied.substance})"),
    ]
    for label, code in (
        (_("Exporting country"), applied.exporting_country),
        (_("Importing country"), applied.importing_country),
        (_("Transit country"), applied.transit_country),
    ):
        if code:
            found.append((label, f"{language.country(code)} ({code})"))
    if applied.region:
        region = get_region(applied.region)
        found.append((_("Region"), region.name if region else applied.region))
    if applied.scope_country:
        found.append(
            (
                _("Scope"),
                _("only rows %(country)s is party to")
                % {"country": language.country(applied.scope_country)},
            )
        )
    else:
        found.append((_("Scope"), _("all countries")))
    return found


@dataclass(frozen=True)
class _Summaries:
    pens: PenSummary
    replies: ReplySummary
    shipments: ShipmentSummary
    flags: FlagSummary
    requirements: RequirementSummary
    flows: RegionFlowSummary


def _sections(s: _Summaries, language: Language) -> list[Table]:
    """Tables 1 to 9 of the report, headings in the reader's language."""
    tables = _notification_tables(s, language) + _activity_tables(s, language)
    return [_country_names(table, language) for table in tables]


def _country_names(table: Table, language: Language) -> Table:
    """The "Country name" column in the reader's language (pycountry's translations), from
    the ISO code in the column before it."""
    heading = language.gettext("Country name")
    if heading not in table.headings or table.headings.index(heading) == 0:
        return table
    name = table.headings.index(heading)
    rows = [
        [*row[:name], language.country(row[name - 1]) or row[name], *row[name + 1 :]]
        for row in table.rows
    ]
    return Table(table.title, table.headings, rows, table.kinds)


def _requirements_table(s: _Summaries, language: Language) -> Table:
    """Table 1; the "Since" column only when some date is known (the public list gives few)."""
    table = table_of(
        N_(
            "Table 1. Governments that have invoked article 12, paragraph 10 (a), "
            "and declarations of no licit need"
        ),
        list(s.requirements.requirements),
        Requirement,
        language.gettext,
    )
    since = list(Requirement.model_fields).index("since")
    if all(row[since] is None for row in table.rows):
        return table.without_column(since)
    return table


def _notification_tables(s: _Summaries, language: Language) -> list[Table]:
    """Tables 1 to 5: requirements, notifications and replies."""
    quantities = ["text", "text", "count", "quantity", "quantity"]
    return [
        _requirements_table(s, language),
        _table(
            language,
            N_("Table 2. Pre-export notifications sent, by exporting country"),
            ["Exporting country", "Country name", "PENs", "Quantity (kg)", "Quantity (l)"],
            [
                [r.country, r.country_name, r.pens, r.quantity_kg, r.quantity_l]
                for r in s.pens.by_exporting_country
            ],
            quantities,
        ),
        _table(
            language,
            N_("Table 3. Pre-export notifications received, by importing country"),
            ["Importing country", "Country name", "PENs", "Quantity (kg)", "Quantity (l)"],
            [
                [r.country, r.country_name, r.pens, r.quantity_kg, r.quantity_l]
                for r in s.pens.by_importing_country
            ],
            quantities,
        ),
        _table(
            language,
            N_("Table 4. Pre-export notifications, exporting → importing country"),
            ["Exporting country", "Importing country", "PENs", "Quantity (kg)", "Quantity (l)"],
            [
                [r.exporting_country, r.importing_country, r.pens, r.quantity_kg, r.quantity_l]
                for r in s.pens.matrix
            ],
            quantities,
        ),
        table_of(
            N_(
                "Table 5. Replies: objections and notifications not replied to, by importing country"
            ),
            list(s.replies.by_importing_country),
            CountryReplies,
            language.gettext,
        ),
    ]


def _activity_tables(s: _Summaries, language: Language) -> list[Table]:
    """Tables 6 to 9: stops, seizures, flows and flags."""
    stopped = [row for row in s.shipments.stopped_and_seized if row.event == "stopped"]
    seized = [row for row in s.shipments.stopped_and_seized if row.event == "seized"]
    return [
        table_of(
            N_("Table 6. Stopped and suspended shipments"), stopped, Interdiction, language.gettext
        ),
        table_of(
            N_("Table 7. Seizures, by country, with origin"), seized, Interdiction, language.gettext
        ),
        _table(
            language,
            language.gettext("Table 8. Flows towards %(region)s, by month")
            % {"region": s.flows.totals.region_name},
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
            ["text", "count", "quantity", "quantity", "count", "quantity", "quantity"],
        ),
        _table(
            language,
            N_("Table 9. Suspicious-transaction flags, by rule"),
            ["Rule", "Severity", "Flags", "Confirmed", "Dismissed", "Median time to triage (h)"],
            [
                [f.rule, f.severity, f.flags, f.confirmed, f.dismissed, f.median_triage_hours]
                for f in s.flags.by_rule
            ],
            ["text", "text", "count", "count", "count", "quantity"],
        ),
    ]


def _table(
    language: Language,
    title: str,
    headings: list[str],
    rows: list[list[Any]],
    kinds: list[str] | None = None,
) -> Table:
    """A table with its title and headings in the reader's language."""
    return Table(
        language.gettext(title), [language.gettext(h) for h in headings], rows, kinds or []
    )
