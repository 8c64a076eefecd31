"""Summary responses. Every list is a table of the dashboard and of the exports; field titles
are the column headings."""

from datetime import date

from pydantic import BaseModel, Field


class Applied(BaseModel):
    """The filters the summary was computed with, as the server understood them."""

    date_from: date = Field(title="From")
    date_to: date = Field(title="To")
    year: int | None = None
    substance: str | None = None
    exporting_country: str | None = None
    importing_country: str | None = None
    transit_country: str | None = None
    region: str | None = None
    scope_country: str | None = Field(
        default=None, description="Set for a regulator: only rows its country is party to."
    )
    as_of: date = Field(description="The day against which reply deadlines are judged.")


class CountryPens(BaseModel):
    country: str = Field(title="Country")
    country_name: str = Field(title="Country name")
    pens: int = Field(title="PENs")
    quantity_kg: float = Field(title="Quantity (kg)")
    quantity_l: float | None = Field(
        default=None,
        title="Quantity (l)",
        description="Liquid substances in litres (by density); null when the row has none.",
    )


class PenFlow(BaseModel):
    exporting_country: str = Field(title="Exporting country")
    importing_country: str = Field(title="Importing country")
    pens: int = Field(title="PENs")
    quantity_kg: float = Field(title="Quantity (kg)")
    quantity_l: float | None = Field(
        default=None,
        title="Quantity (l)",
        description="Liquid substances in litres (by density); null when the row has none.",
    )


class SubstancePens(BaseModel):
    cas_number: str = Field(title="CAS number")
    substance: str = Field(title="Substance")
    pens: int = Field(title="PENs")
    quantity_kg: float = Field(title="Quantity (kg)")
    quantity_l: float | None = Field(
        default=None,
        title="Quantity (l)",
        description="Liquid substances in litres (by density); null when the row has none.",
    )


class PenTotals(BaseModel):
    pens: int = Field(title="PENs sent")
    exporting_countries: int = Field(title="Exporting countries")
    importing_countries: int = Field(title="Importing countries")
    quantity_kg: float = Field(title="Quantity (kg)")
    quantity_l: float | None = Field(
        default=None,
        title="Quantity (l)",
        description="Liquid substances in litres (by density); null when the row has none.",
    )


class PenSummary(BaseModel):
    filters: Applied
    totals: PenTotals
    by_exporting_country: list[CountryPens]
    by_importing_country: list[CountryPens]
    matrix: list[PenFlow]
    by_substance: list[SubstancePens]


class ReplyFigures(BaseModel):
    pens: int = Field(title="PENs sent")
    no_objection: int = Field(title="No objection")
    objection: int = Field(title="Objection")
    information_requested: int = Field(title="Information requested")
    unanswered: int = Field(title="Unanswered after reply_by")
    awaiting: int = Field(title="Awaiting reply (not yet due)")
    withdrawn: int = Field(title="Withdrawn before reply")
    replied_late: int = Field(title="Replied after reply_by")
    objection_rate: float | None = Field(title="Objection rate", description="objection / pens")
    share_unanswered: float | None = Field(
        title="Share unanswered", description="unanswered / pens"
    )
    median_reply_days: float | None = Field(title="Median reply time (days)")
    p90_reply_days: float | None = Field(title="90th percentile reply time (days)")


class _ImportingCountry(BaseModel):
    country: str = Field(title="Importing country")
    country_name: str = Field(title="Country name")


class CountryReplies(ReplyFigures, _ImportingCountry):
    """One importing country's replies; the country comes first (pydantic orders fields from
    the last base to the first)."""


class ReplySummary(BaseModel):
    filters: Applied
    totals: ReplyFigures
    by_importing_country: list[CountryReplies]


class StatusCount(BaseModel):
    status: str = Field(title="Status")
    shipments: int = Field(title="Shipments")
    quantity_kg: float = Field(title="Quantity (kg)")
    quantity_l: float | None = Field(
        default=None,
        title="Quantity (l)",
        description="Liquid substances in litres (by density); null when the row has none.",
    )


class Interdiction(BaseModel):
    event: str = Field(title="Event", description="stopped or seized")
    country: str = Field(title="Country of the event")
    country_name: str = Field(title="Country name")
    origin: str = Field(title="Origin (exporting country)")
    cas_number: str = Field(title="CAS number")
    substance: str = Field(title="Substance")
    shipments: int = Field(title="Shipments")
    quantity_kg: float = Field(title="Quantity (kg)")
    quantity_l: float | None = Field(
        default=None,
        title="Quantity (l)",
        description="Liquid substances in litres (by density); null when the row has none.",
    )


class QuantityGap(BaseModel):
    shipment_id: str = Field(title="Shipment id")
    customs_reference: str = Field(title="Customs reference")
    pen_reference: str = Field(title="PEN reference")
    exporting_country: str = Field(title="Exporting country")
    importing_country: str = Field(title="Importing country")
    cas_number: str = Field(title="CAS number")
    notified_kg: float = Field(title="Notified (kg)")
    declared_kg: float = Field(title="Declared (kg)")
    observed_kg: float | None = Field(title="Observed (kg)")
    declared_minus_notified_kg: float = Field(title="Declared − notified (kg)")
    observed_minus_notified_kg: float | None = Field(title="Observed − notified (kg)")


class GapTotals(BaseModel):
    shipments_observed: int = Field(title="Shipments citing a PEN, observed in the period")
    declared_differs: int = Field(title="Declared ≠ notified")
    observed_differs: int = Field(title="Observed ≠ notified")
    observed_excess_kg: float = Field(title="Observed above notified (kg)")
    observed_shortfall_kg: float = Field(title="Observed below notified (kg)")


class ShipmentTotals(BaseModel):
    shipments: int = Field(title="Shipments")
    stopped: int = Field(title="Stopped (events)")
    seized: int = Field(title="Seized (events)")
    seized_kg: float = Field(title="Seized (kg)")
    quantity_kg: float = Field(title="Quantity (kg)")
    quantity_l: float | None = Field(
        default=None,
        title="Quantity (l)",
        description="Liquid substances in litres (by density); null when the row has none.",
    )


class ShipmentSummary(BaseModel):
    filters: Applied
    totals: ShipmentTotals
    by_status: list[StatusCount]
    stopped_and_seized: list[Interdiction]
    gap_totals: GapTotals
    gaps: list[QuantityGap] = Field(description="The largest gaps first (at most 200).")


class FlagGroup(BaseModel):
    rule: str = Field(title="Rule")
    severity: str = Field(title="Severity")
    flags: int = Field(title="Flags")
    open: int = Field(title="Open")
    under_review: int = Field(title="Under review")
    confirmed: int = Field(title="Confirmed")
    dismissed: int = Field(title="Dismissed")
    median_triage_hours: float | None = Field(title="Median time to triage (h)")
    p90_triage_hours: float | None = Field(title="90th percentile time to triage (h)")


class FlagTotals(BaseModel):
    flags: int = Field(title="Flags")
    open: int = Field(title="Open")
    under_review: int = Field(title="Under review")
    confirmed: int = Field(title="Confirmed")
    dismissed: int = Field(title="Dismissed")
    confirmed_share: float | None = Field(
        title="Confirmed share of decided", description="confirmed / (confirmed + dismissed)"
    )
    median_triage_hours: float | None = Field(title="Median time to triage (h)")
    p90_triage_hours: float | None = Field(title="90th percentile time to triage (h)")


class SeverityCount(BaseModel):
    severity: str = Field(title="Severity")
    flags: int = Field(title="Flags")
    confirmed: int = Field(title="Confirmed")
    dismissed: int = Field(title="Dismissed")


class FlagSummary(BaseModel):
    filters: Applied
    totals: FlagTotals
    by_rule: list[FlagGroup]
    by_severity: list[SeverityCount]


class Requirement(BaseModel):
    country: str = Field(title="Country")
    country_name: str = Field(title="Country name")
    cas_number: str | None = Field(title="CAS number")
    table: str | None = Field(title="Table")
    substance: str = Field(title="Substance(s)")
    requires_pen: bool = Field(title="Requires PEN (12(10)(a))")
    no_licit_need: bool = Field(title="No licit need declared")
    since: date | None = Field(title="Since")


class RequirementTotals(BaseModel):
    governments_requiring_pens: int = Field(title="Governments invoking 12(10)(a)")
    incidents: int = Field(default=0, title="Incidents")
    backtracking_sent: int = Field(default=0, title="Backtracking requests")
    backtracking_response_rate: float | None = Field(
        default=None, title="Backtracking response rate"
    )
    governments_no_licit_need: int = Field(title="Governments declaring no licit need")


class RequirementSummary(BaseModel):
    filters: Applied
    totals: RequirementTotals
    requirements: list[Requirement]


class MonthFlow(BaseModel):
    month: str = Field(title="Month")
    pens: int = Field(title="PENs")
    pen_kg: float = Field(title="PENs (kg)")
    pen_l: float | None = Field(title="PENs (l)")
    shipments: int = Field(title="Shipments")
    shipment_kg: float = Field(title="Shipments (kg)")
    shipment_l: float | None = Field(title="Shipments (l)")


class RouteFlow(BaseModel):
    route: str = Field(title="Route")
    exporting_country: str = Field(title="Exporting country")
    transit_countries: list[str] = Field(title="Transit")
    importing_country: str = Field(title="Importing country")
    pens: int = Field(title="PENs")
    pen_kg: float = Field(title="PENs (kg)")
    pen_l: float | None = Field(title="PENs (l)")
    shipments: int = Field(title="Shipments")
    shipment_kg: float = Field(title="Shipments (kg)")
    shipment_l: float | None = Field(title="Shipments (l)")


class FlowTotals(BaseModel):
    region: str = Field(title="Destination region")
    region_name: str = Field(title="Region name")
    countries: list[str] = Field(title="Countries")
    pens: int = Field(title="PENs")
    pen_kg: float = Field(title="PENs (kg)")
    pen_l: float | None = Field(title="PENs (l)")
    shipments: int = Field(title="Shipments")
    shipment_kg: float = Field(title="Shipments (kg)")
    shipment_l: float | None = Field(title="Shipments (l)")


class RegionFlowSummary(BaseModel):
    filters: Applied
    totals: FlowTotals
    by_month: list[MonthFlow]
    by_route: list[RouteFlow]


class Overview(BaseModel):
    """The dashboard's headline figures."""

    filters: Applied
    pens_sent: int = Field(title="PENs sent")
    pen_quantity_kg: float = Field(title="Notified (kg)")
    pen_quantity_l: float | None = Field(title="Notified (l)")
    objections: int = Field(title="Objections")
    objection_rate: float | None = Field(title="Objection rate")
    unanswered: int = Field(title="Unanswered after reply_by")
    share_unanswered: float | None = Field(title="Share unanswered")
    shipments: int = Field(title="Shipments")
    stopped: int = Field(title="Stopped")
    seized: int = Field(title="Seized")
    seized_kg: float = Field(title="Seized (kg)")
    flags: int = Field(title="Flags")
    flags_confirmed: int = Field(title="Flags confirmed")
    governments_requiring_pens: int = Field(title="Governments invoking 12(10)(a)")
    incidents: int = Field(default=0, title="Incidents")
    backtracking_sent: int = Field(default=0, title="Backtracking requests")
    backtracking_response_rate: float | None = Field(
        default=None, title="Backtracking response rate"
    )


class IncidentKindCount(BaseModel):
    kind: str = Field(title="Kind")
    incidents: int = Field(title="Incidents")
    quantity_kg: float = Field(title="Quantity (kg)")


class SubstanceSeizures(BaseModel):
    substance: str = Field(title="Substance")
    cas_number: str | None = Field(title="CAS number")
    table: str | None = Field(title="Table", description="I or II; null for unscheduled")
    seizures: int = Field(title="Seizures")
    quantity_kg: float = Field(title="Quantity (kg)")


class CountrySeizures(BaseModel):
    country: str = Field(title="Country", description="`unknown` when not recorded")
    country_name: str = Field(title="Country name")
    seizures: int = Field(title="Seizures")
    quantity_kg: float = Field(title="Quantity (kg)")


class MethodCount(BaseModel):
    method: str = Field(title="Method", description="`not stated` when not recorded")
    incidents: int = Field(title="Incidents")
    seizures: int = Field(title="Seizures")


class IncidentTotals(BaseModel):
    incidents: int = Field(title="Incidents")
    seizures: int = Field(title="Seizures")
    seized_kg: float = Field(title="Seized (kg)")


class IncidentSummary(BaseModel):
    filters: Applied
    totals: IncidentTotals
    by_kind: list[IncidentKindCount]
    seizures_by_substance: list[SubstanceSeizures]
    seizures_by_country: list[CountrySeizures]
    seizures_by_origin: list[CountrySeizures]
    by_method: list[MethodCount]


class _AddressedCountry(BaseModel):
    country: str = Field(title="Addressed country")
    country_name: str = Field(title="Country name")


class BacktrackingFigures(BaseModel):
    sent: int = Field(title="Sent")
    answered: int = Field(title="Answered")
    open: int = Field(title="Open")
    overdue: int = Field(title="Overdue")
    response_rate: float | None = Field(title="Response rate", description="answered / sent")
    median_days_to_answer: float | None = Field(title="Median days to answer")
    p90_days_to_answer: float | None = Field(title="90th percentile days to answer")


class BacktrackingByCountry(BacktrackingFigures, _AddressedCountry):
    """The addressed country first, then its figures (pydantic orders fields base-first)."""


class BacktrackingSummary(BaseModel):
    filters: Applied
    totals: BacktrackingFigures
    by_addressed_country: list[BacktrackingByCountry]


class RegionInfo(BaseModel):
    code: str
    name: str
    level: str
    countries: list[str]
