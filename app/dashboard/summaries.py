"""The summaries by name, the headline figures, and the tables each summary exports."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel
from sqlmodel import Session

from app.dashboard import flag_summaries, incident_summaries, pen_summaries, shipment_summaries
from app.dashboard.deps import Filters
from app.dashboard.schemas import Overview
from app.i18n import N_


@dataclass(frozen=True)
class SummaryKind:
    name: str  # the URL segment
    title: str
    compute: Callable[[Session, Any, Any], BaseModel]
    # Attribute → sheet title, for the list-valued fields that are tables.
    tables: dict[str, str]


KINDS: dict[str, SummaryKind] = {
    kind.name: kind
    for kind in (
        SummaryKind(
            "pens",
            "Pre-export notifications sent and received",
            pen_summaries.pen_summary,
            {
                "by_exporting_country": N_("PENs sent, by exporting country"),
                "by_importing_country": N_("PENs received, by importing country"),
                "matrix": N_("PENs, exporting → importing country"),
                "by_substance": N_("PENs by substance"),
            },
        ),
        SummaryKind(
            "replies",
            "Replies to pre-export notifications",
            pen_summaries.reply_summary,
            {"by_importing_country": N_("Replies by importing country")},
        ),
        SummaryKind(
            "shipments",
            "Shipments, stops, seizures and quantity gaps",
            shipment_summaries.shipment_summary,
            {
                "by_status": N_("Shipments by status"),
                "stopped_and_seized": N_("Stopped and seized shipments"),
                "gaps": N_("Observed vs notified quantities"),
            },
        ),
        SummaryKind(
            "flags",
            "Suspicious-transaction flags",
            flag_summaries.flag_summary,
            {"by_rule": N_("Flags by rule and severity"), "by_severity": N_("Flags by severity")},
        ),
        SummaryKind(
            "incidents",
            "Incidents: seizures, stopped shipments, diversions, laboratories, thefts",
            incident_summaries.incident_summary,
            {
                "by_kind": N_("Incidents by kind"),
                "seizures_by_substance": N_("Seizures by substance"),
                "seizures_by_country": N_("Seizures by recording country"),
                "seizures_by_origin": N_("Seizures by country of origin"),
                "by_method": N_("Methods of concealment and diversion"),
            },
        ),
        SummaryKind(
            "backtracking",
            "Backtracking requests",
            incident_summaries.backtracking_summary,
            {"by_addressed_country": N_("Backtracking requests by addressed country")},
        ),
        SummaryKind(
            "pen-requirements",
            "Governments requiring PENs (Article 12(10)(a)) and no-licit-need declarations",
            pen_summaries.requirement_summary,
            {"requirements": N_("PEN requirements and no-licit-need declarations")},
        ),
        SummaryKind(
            "region-flows",
            "Flows towards the region of concern",
            pen_summaries.region_flow_summary,
            {"by_month": N_("Flows by month"), "by_route": N_("Flows by route")},
        ),
    )
}


# Where each headline figure (a field of Overview) is found in the detailed summaries: the
# summary's name and the field of its `totals`. The overview computes them itself (for API
# clients); the /dashboard page, which loads every detailed summary anyway, reads them from there
# instead of asking the server to compute them a second time.
HEADLINE: dict[str, tuple[str, str]] = {
    "pens_sent": ("pens", "pens"),
    "pen_quantity_kg": ("pens", "quantity_kg"),
    "pen_quantity_l": ("pens", "quantity_l"),
    "objections": ("replies", "objection"),
    "objection_rate": ("replies", "objection_rate"),
    "unanswered": ("replies", "unanswered"),
    "share_unanswered": ("replies", "share_unanswered"),
    "shipments": ("shipments", "shipments"),
    "stopped": ("shipments", "stopped"),
    "seized": ("shipments", "seized"),
    "seized_kg": ("shipments", "seized_kg"),
    "flags": ("flags", "flags"),
    "flags_confirmed": ("flags", "confirmed"),
    "governments_requiring_pens": ("pen-requirements", "governments_requiring_pens"),
    "incidents": ("incidents", "incidents"),
    "backtracking_sent": ("backtracking", "sent"),
    "backtracking_response_rate": ("backtracking", "response_rate"),
}


def compute(session: Session, name: str, filters: Filters) -> BaseModel:
    """Summary `name` with `filters`, their countries and substance looked up first."""
    checked = filters.checked(session)
    return KINDS[name].compute(session, checked.scope, checked.applied)


def overview(session: Session, filters: Filters) -> Overview:
    """Headline figures, each taken from the summary that details it."""
    checked = filters.checked(session)
    scope, applied = checked.scope, checked.applied
    pens = pen_summaries.pen_summary(session, scope, applied)
    replies = pen_summaries.reply_summary(session, scope, applied)
    shipments = shipment_summaries.shipment_totals(session, scope)
    flags = flag_summaries.flag_counts(session, scope)
    requirements = pen_summaries.requirement_summary(session, scope, applied)
    backtracking = incident_summaries.backtracking_summary(session, scope, applied)
    return Overview(
        filters=applied,
        pens_sent=pens.totals.pens,
        pen_quantity_kg=pens.totals.quantity_kg,
        pen_quantity_l=pens.totals.quantity_l,
        objections=replies.totals.objection,
        objection_rate=replies.totals.objection_rate,
        unanswered=replies.totals.unanswered,
        share_unanswered=replies.totals.share_unanswered,
        shipments=shipments.shipments,
        stopped=shipments.stopped,
        seized=shipments.seized,
        seized_kg=shipments.seized_kg,
        flags=sum(flags.values()),
        flags_confirmed=flags.get("confirmed", 0),
        governments_requiring_pens=requirements.totals.governments_requiring_pens,
        incidents=incident_summaries.incident_count(session, scope),
        backtracking_sent=backtracking.totals.sent,
        backtracking_response_rate=backtracking.totals.response_rate,
    )
