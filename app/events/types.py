"""The event vocabulary: what a domain event is about, and what happened to it. One home for
every subject and event type string."""

from enum import StrEnum


class SubjectType(StrEnum):
    PEN = "pre_export_notification"
    SHIPMENT = "shipment"
    FLAG = "flag"
    INCIDENT = "incident"
    BACKTRACKING = "backtracking_request"
    INDUSTRY_REPORT = "industry_report"


class EventType(StrEnum):
    PEN_SENT = "pen.sent"
    PEN_ACKNOWLEDGED = "pen.acknowledged"
    PEN_RESPONDED = "pen.responded"
    PEN_ANSWERED = "pen.answered"
    PEN_WITHDRAWN = "pen.withdrawn"
    PEN_REPLY_OVERDUE = "pen.reply_overdue"
    PEN_ARRIVAL_CONFIRMED = "pen.arrival_confirmed"
    SHIPMENT_RECORDED = "shipment.recorded"
    SHIPMENT_STOPPED = "shipment.stopped"
    SHIPMENT_SEIZED = "shipment.seized"
    SHIPMENT_RELEASED = "shipment.released"
    FLAG_RAISED = "flag.raised"
    FLAG_TRIAGED = "flag.triaged"
    FLAG_CONFIRMED = "flag.confirmed"
    FLAG_DISMISSED = "flag.dismissed"
    INCIDENT_RECORDED = "incident.recorded"
    BACKTRACKING_REQUESTED = "backtracking.requested"
    BACKTRACKING_ANSWERED = "backtracking.answered"
    BACKTRACKING_OVERDUE = "backtracking.overdue"
    INDUSTRY_REPORT_FILED = "industry_report.filed"


# PEN events that the exporting side causes, and those the importing side causes: each goes to
# the node hosting the other side, so the notification lives on both.
EXPORTING_SIDE_PEN_EVENTS = frozenset(
    {EventType.PEN_SENT, EventType.PEN_ANSWERED, EventType.PEN_WITHDRAWN}
)
IMPORTING_SIDE_PEN_EVENTS = frozenset({EventType.PEN_ACKNOWLEDGED, EventType.PEN_RESPONDED})
