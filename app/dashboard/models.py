"""The indexes the summaries read through, on other domains' tables.

The summaries have no tables of their own: every figure is a query over the raw tables
(app/dashboard/figures.py). These indexes make those queries read only the period's rows, and on
PostgreSQL read them from the index alone (the indexes hold every column a summary needs,
so a year of shipments is an index-only scan, not a visit to a million heap rows). They are
declared here so that each domain's model stays as its owner wrote it; `migrations/versions/
2026-12-06_dashboard_indexes.py` creates them. Figures: bench/README.md, "Dashboard summaries".
"""

from sqlalchemy import Index

from app.incidents.models import Incident, IncidentSubstance
from app.notifications.models import PreExportNotification
from app.rules.models import Flag
from app.shipments.models import Shipment, ShipmentEvent

_PEN = PreExportNotification.__table__  # type: ignore[attr-defined]
_SHIPMENT = Shipment.__table__  # type: ignore[attr-defined]
_EVENT = ShipmentEvent.__table__  # type: ignore[attr-defined]
_FLAG = Flag.__table__  # type: ignore[attr-defined]
_INCIDENT = Incident.__table__  # type: ignore[attr-defined]
_INCIDENT_SUBSTANCE = IncidentSubstance.__table__  # type: ignore[attr-defined]

# The columns a summary reads are key columns (SQLite has no INCLUDE, and a key column serves
# PostgreSQL's index-only scans as well); the transit list, JSON without a btree order, is an
# INCLUDE column on PostgreSQL.
ROUTE = ["exporting_country", "importing_country", "cas_number"]

# Notifications by sending time: the PEN, reply and flow summaries.
PEN_SENT_INDEX = Index(
    "ix_dashboard_pen_sent",
    _PEN.c.sent_at,
    *ROUTE,
    "status",
    "decision",
    "decided_at",
    "reply_by",
    "quantity_kg",
    postgresql_include=["transit_countries"],
)
# Shipments by declaration time: the shipment and flow summaries.
SHIPMENT_CREATED_INDEX = Index(
    "ix_dashboard_shipment_created",
    _SHIPMENT.c.created_at,
    *ROUTE,
    "status",
    "quantity_kg",
    postgresql_include=["transit_countries"],
)
# A substance's shipments by time (acetic anhydride is one click away): only its rows are read.
SHIPMENT_SUBSTANCE_CREATED_INDEX = Index(
    "ix_dashboard_shipment_cas_created",
    _SHIPMENT.c.cas_number,
    _SHIPMENT.c.created_at,
    "exporting_country",
    "importing_country",
    "status",
    "quantity_kg",
)
# Shipments by destination and time: the flows towards a region (about one shipment in twenty is
# bound for the region of concern) and a view of one importing country read only their rows.
SHIPMENT_IMPORTING_CREATED_INDEX = Index(
    "ix_dashboard_shipment_importing_created",
    _SHIPMENT.c.importing_country,
    _SHIPMENT.c.created_at,
    "exporting_country",
    "cas_number",
    "status",
    "quantity_kg",
    postgresql_include=["transit_countries"],
)
# A shipment's route, substance, quantities and notification by its id, and a notification's
# quantity, status and exporting country by its id: the stops, seizures, observations and flags
# found by time look their subject up here, reading the index alone (the heap rows are wide).
SHIPMENT_ROUTE_INDEX = Index(
    "ix_dashboard_shipment_route",
    _SHIPMENT.c.id,
    *ROUTE,
    "quantity_kg",
    "notification_id",
)
PEN_SUBJECT_INDEX = Index(
    "ix_dashboard_pen_subject",
    _PEN.c.id,
    "exporting_country",
    "status",
    "quantity_kg",
)
# Stops and seizures by type and time, with the route each event copies from its shipment.
EVENT_TYPE_INDEX = Index(
    "ix_dashboard_event_type_occurred",
    _EVENT.c.type,
    _EVENT.c.occurred_at,
    "shipment_id",
    "country",
    "quantity_observed_kg",
    *ROUTE,
    postgresql_include=["transit_countries"],
)
# Observations of shipments citing a notification (about one observed shipment in eight), by
# time; and a shipment's observations by recording time (is there a later one?).
_CITED_OBSERVATION = _EVENT.c.quantity_observed_kg.is_not(None) & _EVENT.c.notification_id.is_not(
    None
)
OBSERVED_OCCURRED_INDEX = Index(
    "ix_dashboard_event_observed_occurred",
    _EVENT.c.occurred_at,
    "shipment_id",
    "created_at",
    "id",
    "quantity_observed_kg",
    "notification_id",
    *ROUTE,
    postgresql_include=["transit_countries"],
    postgresql_where=_CITED_OBSERVATION,
    sqlite_where=_CITED_OBSERVATION,
)
OBSERVED_SHIPMENT_INDEX = Index(
    "ix_dashboard_event_observed_shipment",
    _EVENT.c.shipment_id,
    _EVENT.c.created_at,
    _EVENT.c.id,
    postgresql_where=_EVENT.c.quantity_observed_kg.is_not(None),
    sqlite_where=_EVENT.c.quantity_observed_kg.is_not(None),
)
# Flags by raising time, with what the flags summary groups by.
FLAG_CREATED_INDEX = Index(
    "ix_dashboard_flag_created",
    _FLAG.c.created_at,
    "subject_type",
    "status",
    "rule",
    "severity",
    "triaged_at",
    "subject_id",
)
# Incidents by date, with what the incidents summary groups by and its route filters; and a
# seizure's substances by incident, for the seizures-by-substance join: both read the index alone.
INCIDENT_OCCURRED_INDEX = Index(
    "ix_dashboard_incident_occurred",
    _INCIDENT.c.occurred_on,
    "kind",
    "country",
    "origin_country",
    "destination_country",
    "method",
    "quantity_kg",
    "id",
)
INCIDENT_SUBSTANCE_INDEX = Index(
    "ix_dashboard_incident_substance",
    _INCIDENT_SUBSTANCE.c.incident_id,
    "cas_number",
    "name",
    "quantity_kg",
)
