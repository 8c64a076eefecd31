"""The best hand-written SQL for each summary endpoint's figures, over the raw tables
(PostgreSQL), with a view's filters: what bench/dashboard.py compares the endpoints with, run
bare (psycopg) and served (hand_sql_app.py)."""

from datetime import UTC, date, datetime
from typing import Any

CONCERN = ("AF", "PK", "IR", "TJ", "UZ", "TM", "CN")
AA = "108-24-7"

# The best hand-written SQL for each endpoint's figures, straight from the raw tables (every
# query an endpoint's response needs, on the same tables and indexes). {where_pen}/{where_ship}
# hold the view's filters.
PEN_SQL = """
SELECT exporting_country, importing_country, cas_number, count(*), sum(quantity_kg)
FROM pre_export_notification WHERE sent_at >= %(start)s AND sent_at < %(end)s {where_pen}
GROUP BY 1, 2, 3"""
REPLY_SQL = """
SELECT importing_country, coalesce(decision, ''), decision IS NULL AND status = 'withdrawn',
  floor(extract(epoch FROM decided_at - sent_at) / 86400), decided_at::date > reply_by,
  decision IS NULL AND reply_by < current_date, count(*)
FROM pre_export_notification WHERE sent_at >= %(start)s AND sent_at < %(end)s {where_pen}
GROUP BY 1, 2, 3, 4, 5, 6"""
SHIPMENT_SQL = [
    """SELECT status, cas_number, count(*), sum(quantity_kg) FROM shipment
       WHERE created_at >= %(start)s AND created_at < %(end)s {where_ship} GROUP BY 1, 2""",
    # Each shipment once per (type, country) with its largest quantity; then per type the
    # distinct shipments.
    # The events carry their shipment's route (the shipment is read only for a stop without
    # an observed quantity).
    """WITH per_shipment AS (
         SELECT e.type, e.country, e.shipment_id, e.exporting_country, e.cas_number,
           max(coalesce(e.quantity_observed_kg,
             (SELECT s.quantity_kg FROM shipment s WHERE s.id = e.shipment_id))) AS kg
         FROM shipment_event e
         WHERE e.type IN ('stopped', 'seized') AND e.occurred_at >= %(start)s
           AND e.occurred_at < %(end)s {where_e} GROUP BY 1, 2, 3, 4, 5)
       SELECT 1, type, country, exporting_country, cas_number, count(*), sum(kg)
       FROM per_shipment GROUP BY 2, 3, 4, 5
       UNION ALL
       SELECT 2, type, '', '', '', count(DISTINCT shipment_id), 0 FROM per_shipment GROUP BY 2""",
    # The gaps compare each shipment's latest recorded observation, counted in the period in
    # which it occurred: observations in the period with no later-recorded one; the 200
    # largest are described (customs and PEN references, route), as the endpoint returns them.
    """WITH latest AS (
         SELECT s.id, p.quantity_kg AS notified, s.quantity_kg AS declared,
           e.quantity_observed_kg AS observed
         FROM shipment_event e JOIN shipment s ON s.id = e.shipment_id
           JOIN pre_export_notification p ON p.id = e.notification_id
         WHERE e.quantity_observed_kg IS NOT NULL AND e.notification_id IS NOT NULL
           AND e.occurred_at >= %(start)s AND e.occurred_at < %(end)s {where_e}
           AND NOT EXISTS (SELECT 1 FROM shipment_event l WHERE l.shipment_id = e.shipment_id
             AND l.quantity_observed_kg IS NOT NULL
             AND (l.created_at > e.created_at OR (l.created_at = e.created_at AND l.id > e.id))))
       , largest AS (SELECT id, notified, declared, observed FROM latest
         WHERE observed <> notified ORDER BY abs(observed - notified) DESC, id LIMIT 200)
       SELECT count(*), sum(CASE WHEN declared <> notified THEN 1 ELSE 0 END),
         sum(CASE WHEN observed <> notified THEN 1 ELSE 0 END),
         sum(greatest(observed - notified, 0)), sum(greatest(notified - observed, 0)),
         (SELECT json_agg(json_build_array(g.id, s.customs_reference, p.reference,
            s.exporting_country, s.importing_country, s.cas_number, g.notified, g.declared,
            g.observed))
          FROM largest g JOIN shipment s ON s.id = g.id
            JOIN pre_export_notification p ON p.id = s.notification_id)
       FROM latest""",
]
# Flags raised in the period by rule, severity, status and whole hours to triage, on subjects
# the analyst may see (not drafts) and, in a filtered view, whose route and substance match: the
# flags on shipments join shipment only when the view filters (the default view needs no join),
# the flags on PENs always join it (drafts are hidden).
FLAG_SQL = """
SELECT f.rule, f.severity, f.status, floor(extract(epoch FROM f.triaged_at - f.created_at) / 3600),
  count(*) FROM flag f {ship_join}
WHERE f.subject_type = 'shipment' AND f.created_at >= %(start)s AND f.created_at < %(end)s
  {where_s} GROUP BY 1, 2, 3, 4
UNION ALL
SELECT f.rule, f.severity, f.status, floor(extract(epoch FROM f.triaged_at - f.created_at) / 3600),
  count(*) FROM flag f JOIN pre_export_notification p ON p.id = f.subject_id
WHERE f.subject_type = 'pre_export_notification' AND p.status <> 'draft'
  AND f.created_at >= %(start)s AND f.created_at < %(end)s {where_p} GROUP BY 1, 2, 3, 4"""
FLOW_SQL = [
    """SELECT to_char(sent_at AT TIME ZONE 'UTC', 'YYYY-MM'), exporting_country,
         transit_countries::text, importing_country, cas_number, count(*), sum(quantity_kg)
       FROM pre_export_notification WHERE sent_at >= %(start)s AND sent_at < %(end)s
         AND importing_country = ANY(%(concern)s) {where_pen} GROUP BY 1, 2, 3, 4, 5""",
    """SELECT to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM'), exporting_country,
         transit_countries::text, importing_country, cas_number, count(*), sum(quantity_kg)
       FROM shipment WHERE created_at >= %(start)s AND created_at < %(end)s
         AND importing_country = ANY(%(concern)s) {where_ship} GROUP BY 1, 2, 3, 4, 5""",
]
HAND_SQL = {
    "pens": [PEN_SQL],
    "replies": [REPLY_SQL],
    "shipments": SHIPMENT_SQL,
    "flags": [FLAG_SQL],
    "region-flows": FLOW_SQL,
    "pen-requirements": ["SELECT * FROM pen_requirement"],
}
HAND_SQL["overview"] = [
    *HAND_SQL["pens"],
    *HAND_SQL["replies"],
    *HAND_SQL["shipments"],
    *HAND_SQL["flags"],
    *HAND_SQL["pen-requirements"],
]


def sql_filters(params: dict[str, Any]) -> dict[str, str]:
    parts = []
    if "substance" in params:
        parts.append(f"AND {{t}}cas_number = '{params['substance']}'")
    if "exporting_country" in params:
        parts.append(f"AND {{t}}exporting_country = '{params['exporting_country']}'")
    if "importing_country" in params:
        parts.append(f"AND {{t}}importing_country = '{params['importing_country']}'")
    where = " ".join(parts)
    return {
        "where_pen": where.format(t=""),
        "where_ship": where.format(t=""),
        "where_s": where.format(t="s."),
        "where_e": where.format(t="e."),
        "where_p": where.format(t="p."),
        "ship_join": "JOIN shipment s ON s.id = f.subject_id" if parts else "",
    }


def bounds(params: dict[str, Any]) -> dict[str, Any]:
    if "year" in params:
        start, end = date(params["year"], 1, 1), date(params["year"] + 1, 1, 1)
    else:
        start = date.fromisoformat(params["from"])
        end = date.fromordinal(date.fromisoformat(params["to"]).toordinal() + 1)
    return {
        "start": datetime(start.year, start.month, start.day, tzinfo=UTC),
        "end": datetime(end.year, end.month, end.day, tzinfo=UTC),
        "concern": list(CONCERN),
    }
