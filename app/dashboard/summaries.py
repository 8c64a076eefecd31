"""The summaries by name, the headline figures, and the tables each summary exports."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel
from sqlalchemy import text
from sqlmodel import Session

from app.dashboard import flag_summaries, incident_summaries, pen_summaries, shipment_summaries
from app.dashboard.deps import Summarised
from app.dashboard.schemas import Overview


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
                "by_exporting_country": "PENs sent, by exporting country",
                "by_importing_country": "PENs received, by importing country",
                "matrix": "PENs, exporting → importing country",
                "by_substance": "PENs by substance",
            },
        ),
        SummaryKind(
            "replies",
            "Replies to pre-export notifications",
            pen_summaries.reply_summary,
            {"by_importing_country": "Replies by importing country"},
        ),
        SummaryKind(
            "shipments",
            "Shipments, stops, seizures and quantity gaps",
            shipment_summaries.shipment_summary,
            {
                "by_status": "Shipments by status",
                "stopped_and_seized": "Stopped and seized shipments",
                "gaps": "Observed vs notified quantities",
            },
        ),
        SummaryKind(
            "flags",
            "Suspicious-transaction flags",
            flag_summaries.flag_summary,
            {"by_rule": "Flags by rule and severity", "by_severity": "Flags by severity"},
        ),
        SummaryKind(
            "incidents",
            "Incidents: seizures, stopped shipments, diversions, laboratories, thefts",
            incident_summaries.incident_summary,
            {
                "by_kind": "Incidents by kind",
                "seizures_by_substance": "Seizures by substance",
                "seizures_by_country": "Seizures by recording country",
                "seizures_by_origin": "Seizures by country of origin",
                "by_method": "Methods of concealment and diversion",
            },
        ),
        SummaryKind(
            "backtracking",
            "Backtracking requests",
            incident_summaries.backtracking_summary,
            {"by_addressed_country": "Backtracking requests by addressed country"},
        ),
        SummaryKind(
            "pen-requirements",
            "Governments requiring PENs (Article 12(10)(a)) and no-licit-need declarations",
            pen_summaries.requirement_summary,
            {"requirements": "PEN requirements and no-licit-need declarations"},
        ),
        SummaryKind(
            "region-flows",
            "Flows towards the region of concern",
            pen_summaries.region_flow_summary,
            {"by_month": "Flows by month", "by_route": "Flows by route"},
        ),
    )
}


def without_jit(session: Session) -> None:
    """PostgreSQL: no JIT compilation for the rest of the transaction. The summaries are short
    GROUP BYs whose plans cost enough to trigger JIT (~100 ms of compiling at 1,000,000
    shipments) but run in tens of milliseconds; SET LOCAL ends with the transaction."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SET LOCAL jit = off"))


def compute(session: Session, name: str, filters: Summarised) -> BaseModel:
    without_jit(session)
    return KINDS[name].compute(session, filters.scope, filters.applied)


def overview(session: Session, filters: Summarised) -> Overview:
    """Headline figures, each taken from the summary that details it."""
    scope, applied = filters.scope, filters.applied
    without_jit(session)
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
