"""The routing rules a new installation starts with (loaded by `pentrack seed`).

- Critical flags and confirmed flags go to every competent authority on the route (Article
  12(9)(c): exporting, transit, importing, and the consignee's country), means of payment
  included.
- Stopped and seized shipments go to the same authorities (PICS-style incident sharing).
- PEN events go to the counterpart regulator: the importing one hears of a sent, answered or
  withdrawn notification; the exporting one of an acknowledgement, a reply or an overdue reply.
- International authorities (INCB-style oversight) get a copy of flags, incidents and replies,
  without the commercial terms (Article 12(11) confidentiality).
- A recorded incident goes to the competent authorities of the countries it names (recording,
  origin, transit, destination) and to international authorities, cut to the incident's scope.
- An industry report goes to the regulator of the reporting company's country, and nowhere else.
- A backtracking request goes to the addressed country's regulator and law enforcement; its
  answer to the requesting country; an overdue one to both.
"""

from sqlmodel import Session, select

from app.alerts.models import RoutingRule
from app.alerts.schemas import RoutingRuleCreate
from app.alerts.service import create_routing_rule

ALL_ROUTE = ["exporting", "importing", "transit", "consignee_country"]
INCIDENT_COUNTRIES = ["recording", "exporting", "importing", "transit"]
COMPETENT = ["regulator", "customs", "law_enforcement"]

DEFAULT_ROUTING_RULES: list[dict[str, object]] = [
    {
        "code": "critical-flag-route",
        "description": "A critical flag goes to every competent authority on the route.",
        "priority": 10,
        "event_types": ["flag.raised"],
        "min_severity": "critical",
        "route_roles": ALL_ROUTE,
        "authority_kinds": COMPETENT,
        "scope": "full",
    },
    {
        "code": "confirmed-flag-route",
        "description": "A confirmed flag goes to every competent authority on the route.",
        "priority": 10,
        "event_types": ["flag.confirmed"],
        "route_roles": ALL_ROUTE,
        "authority_kinds": COMPETENT,
        "scope": "full",
    },
    {
        "code": "shipment-incident-route",
        "description": "A stopped or seized shipment goes to every competent authority on the route.",
        "priority": 20,
        "event_types": ["shipment.stopped", "shipment.seized"],
        "route_roles": ALL_ROUTE,
        "authority_kinds": COMPETENT,
        "scope": "full",
    },
    {
        "code": "pen-to-importing-regulator",
        "description": "The importing regulator hears of a PEN sent, answered or withdrawn.",
        "priority": 30,
        "event_types": ["pen.sent", "pen.answered", "pen.withdrawn"],
        "route_roles": ["importing"],
        "authority_kinds": ["regulator"],
        "scope": "full",
    },
    {
        "code": "pen-to-exporting-regulator",
        "description": "The exporting regulator hears of an acknowledgement, a reply or silence.",
        "priority": 30,
        "event_types": [
            "pen.acknowledged",
            "pen.responded",
            "pen.reply_overdue",
            "pen.arrival_confirmed",
        ],
        "route_roles": ["exporting"],
        "authority_kinds": ["regulator"],
        "scope": "full",
    },
    {
        "code": "international-copy-critical",
        "description": "International authorities get a copy of critical flags, without the "
        "commercial terms.",
        "priority": 90,
        "event_types": ["flag.raised"],
        "min_severity": "critical",
        "include_international": True,
        "scope": "confidential",
    },
    {
        "code": "international-copy",
        "description": "International authorities get a copy of confirmed flags, incidents "
        "and PEN replies, without the commercial terms.",
        "priority": 90,
        "event_types": ["flag.confirmed", "shipment.stopped", "shipment.seized", "pen.responded"],
        "include_international": True,
        "scope": "confidential",
    },
    {
        "code": "incident-named-countries",
        "description": "An incident goes to every competent authority of the countries it "
        "names, at the incident's scope.",
        "priority": 20,
        "event_types": ["incident.recorded"],
        "route_roles": INCIDENT_COUNTRIES,
        "authority_kinds": COMPETENT,
        "scope": "full",
    },
    {
        "code": "international-copy-incident",
        "description": "International authorities get a copy of incidents, without the "
        "operators and free text.",
        "priority": 90,
        "event_types": ["incident.recorded"],
        "include_international": True,
        "scope": "confidential",
    },
    {
        "code": "industry-report-to-regulator",
        "description": "The regulator of a reporting company's country hears of its report "
        "(INCB voluntary code of practice).",
        "priority": 30,
        "event_types": ["industry_report.filed"],
        "route_roles": ["recording"],
        "authority_kinds": ["regulator"],
        "scope": "full",
    },
    {
        "code": "backtracking-to-addressed",
        "description": "The addressed country's regulator and law enforcement hear of a "
        "backtracking request, and when its reply date has passed.",
        "priority": 30,
        "event_types": ["backtracking.requested", "backtracking.overdue"],
        "route_roles": ["addressed"],
        "authority_kinds": ["regulator", "law_enforcement"],
        "scope": "full",
    },
    {
        "code": "backtracking-to-requester",
        "description": "The requesting country hears of the answer to its backtracking "
        "request, or of its silence.",
        "priority": 30,
        "event_types": ["backtracking.answered", "backtracking.overdue"],
        "route_roles": ["recording"],
        "authority_kinds": COMPETENT,
        "scope": "full",
    },
]


def seed_default_routing(session: Session) -> int:
    """Add the default routing rules that are missing (by code); how many were added.

    Rules already present are left as they are: an admin may have changed or disabled them.
    """
    present = set(session.exec(select(RoutingRule.code)).all())
    added = 0
    for spec in DEFAULT_ROUTING_RULES:
        if spec["code"] in present:
            continue
        create_routing_rule(session, None, RoutingRuleCreate.model_validate(spec), builtin=True)
        added += 1
    return added
