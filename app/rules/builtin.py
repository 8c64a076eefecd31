"""The built-in rules: indicators of a suspicious transaction (shared/DOMAIN.md) as data.

`pentrack seed` loads them; admins may edit them afterwards (each edit is a new version). A
built-in rule whose definition here changes gets a new version at the next seed; one an admin
edited is left alone.
"""

from typing import Any

SHIPMENT = "shipment"
PEN = "pre_export_notification"
AA = "108-24-7"

# The countries of concern (Afghanistan and its neighbours on the acetic anhydride routes) and
# the words naming free zones are risk lists admins keep (PUT /api/v1/risk-lists/{code};
# seed/risk_lists.csv): the rules read them as the facts countries_of_concern and free_zones.
#
# Chemicals outside the tables used in place of a scheduled one: acetyl chloride for acetic
# anhydride (INCB precursors report 2022, chapter on heroin; special surveillance list).
AA_SUBSTITUTES = ["75-36-5"]
UNUSUAL_PAYMENTS = ["cash", "third_party", "hawala", "other"]
INTERMEDIARIES = ["forwarder", "broker", "trader"]
QUANTITY_TOLERANCE = 1.05  # 5 %

ART_12_10 = "1988 Convention, art. 12(10)(a) (pre-export notification)"
INCB_INDICATORS = (
    "INCB, Guidelines for a Voluntary Code of Practice for the Chemical Industry (2009), "
    "indicators of suspicious orders"
)
INCB_PRECURSORS = "INCB, Precursors report (annual), chapter on the diversion of acetic anhydride"


def fact(name: str) -> dict[str, Any]:
    return {"fact": name}


def value(v: Any) -> dict[str, Any]:
    return {"value": v}


def over_pen(name: str) -> dict[str, Any]:
    return {
        "cmp": "gt",
        "left": fact(name),
        "right": {"op": "mul", "args": [fact("pen_quantity_kg"), value(QUANTITY_TOLERANCE)]},
    }


BUILTIN_RULES: list[dict[str, Any]] = [
    {
        "code": "party-in-incident",
        "title": "A party was named in an incident",
        "severity": "medium",
        "weight": 3,
        "subjects": [SHIPMENT, PEN],
        "description": "An officer named the exporter, importer, consignee or another party in "
        "an earlier incident (seizure, stopped shipment, diversion attempt, laboratory, theft), "
        "or traced it by a backtracking answer (Vienna Declaration III.5: from a seizure back "
        "to the network). The parties a border event copies from a declaration do not count: "
        "the supplier of a stopped consignment is often its first victim.",
        "condition": {"cmp": "eq", "left": fact("party_in_incident"), "right": value(True)},
        "explanation": "A party to this consignment was named in {party_incident_count} "
        "earlier incident(s).",
        "source": "Vienna Declaration 2012, section III.1 and III.5 (exchange of data on "
        "suspicious transactions; from seizures back to the networks); INCB PICS incident "
        "communication",
    },
    {
        "code": "linked-to-confirmed",
        "title": "A party is linked to a confirmed flag or a seizure",
        "severity": "high",
        "weight": 5,
        "subjects": [SHIPMENT, PEN],
        "description": "The exporter, importer, consignee or another party, or an operator "
        "resolved into the same entity (the same company registered again, under a variant "
        "name or in another country, at the same address or number), was a party to another "
        "PEN or shipment whose flag an officer confirmed, or was named in a seizure, its "
        "declared parties included (the Port Qasim 2016 consignee, traced to other importers "
        "at the same address).",
        "condition": {"cmp": "eq", "left": fact("linked_to_confirmed"), "right": value(True)},
        "explanation": "A party to this consignment, or the same party under another record, "
        "is linked to {linked_confirmed_count} confirmed flag(s) or seizure(s).",
        "source": "Vienna Declaration 2012, section III.5 (detect and dismantle organized "
        "crime networks involved in illicit traffic); 1988 Convention, art. 9(1)(b)(i) "
        "(enquiries into persons suspected of involvement)",
    },
    {
        "code": "watchlist-hit",
        "title": "A party is on a watch list",
        "severity": "high",
        "weight": 5,
        "subjects": [SHIPMENT, PEN],
        "description": "A watch-list entry whose scope names a country of the route matches a "
        "party, or an operator resolved into the same entity, by name, registration or licence "
        "number or address, or one of the shipment's containers.",
        "condition": {"cmp": "eq", "left": fact("watchlist_hit"), "right": value(True)},
        "explanation": "A party to this consignment matches {watchlist_hit_count} watch-list "
        "entry(ies).",
        "source": "Vienna Declaration 2012, section III.1 and III.5 (exchange of information on "
        "suspect operators); INCB, Guidelines for a Voluntary Code of Practice for the Chemical "
        "Industry (2009), know your customer",
    },
    {
        "code": "arrival-quantity-mismatch",
        "source": "1988 Convention, art. 12(9)(a) (monitoring of trade); CONTRACT v1.1 confirm-arrival: a difference beyond 5 % is a discrepancy to explain",
        "title": "Arrived quantity differs from the notified one",
        "severity": "high",
        "weight": 5,
        "subjects": [PEN],
        "description": "The importing authority confirmed receipt of more than 5 % more or less "
        "than was notified: goods were added, or part of the consignment left the legal trade "
        "on the way (CONTRACT v1.1, confirm-arrival).",
        "condition": {
            "any": [
                {"cmp": "gt", "left": fact("arrival_difference_percent"), "right": value(5)},
                {"cmp": "lt", "left": fact("arrival_difference_percent"), "right": value(-5)},
            ]
        },
        "explanation": "The quantity that arrived differs by {arrival_difference_percent} % "
        "from the {quantity_kg} kg notified.",
    },
    {
        "code": "no-licit-need-destination",
        "source": "Government of Afghanistan declaration of no licit need for acetic anhydride; Vienna Declaration 2012, section III; INCB Precursors report",
        "title": "Destination declared no licit need",
        "severity": "critical",
        "weight": 10,
        "subjects": [SHIPMENT, PEN],
        "description": "The importing or consignee country declared that it has no licit need "
        "for the substance (e.g. Afghanistan and acetic anhydride): every quantity is diverted.",
        "condition": {
            "any": [
                {"in": fact("importing_country"), "list": fact("no_licit_need_countries")},
                {"in": fact("consignee_country"), "list": fact("no_licit_need_countries")},
            ]
        },
        "explanation": "{no_licit_need_destination_name} declared no licit need for "
        "{substance_name} ({substance}).",
    },
    {
        "code": "pen-missing",
        "source": ART_12_10 + "; INCB Annex on governments invoking art. 12(10)(a)",
        "title": "No pre-export notification",
        "severity": "high",
        "weight": 5,
        "subjects": [SHIPMENT],
        "description": "A shipment of a substance for which the importing country requires a "
        "pre-export notification (Article 12(10)(a)) cites none.",
        "condition": {
            "all": [
                {"cmp": "eq", "left": fact("has_pen"), "right": value(False)},
                {"cmp": "eq", "left": fact("importing_requires_pen"), "right": value(True)},
            ]
        },
        "explanation": "{importing_country_name} requires a pre-export notification for "
        "{substance_name} ({substance}); this shipment cites none.",
    },
    {
        "code": "shipped-despite-objection",
        "source": ART_12_10 + "; INCB PEN Online: an objection means the shipment must not proceed",
        "title": "Shipped despite an objection",
        "severity": "critical",
        "weight": 10,
        "subjects": [SHIPMENT],
        "description": "The shipment was cleared for export or departed under a PEN that the "
        "importing authority objected to, or that the exporter withdrew.",
        "condition": {
            "all": [
                {"intersects": [fact("event_types"), ["export_cleared", "departed"]]},
                {
                    "any": [
                        {"cmp": "eq", "left": fact("pen_decision"), "right": value("objection")},
                        {"cmp": "eq", "left": fact("pen_status"), "right": value("withdrawn")},
                    ]
                },
            ]
        },
        "explanation": "Shipment left under {pen_reference}, which is {pen_status} "
        "(decision: {pen_decision}).",
    },
    {
        "code": "shipped-before-reply",
        "source": ART_12_10
        + " (the importing country may reply; silence is not consent where the importing country invoked the article)",
        "title": "Shipped before the importing country replied",
        "severity": "high",
        "weight": 5,
        "subjects": [SHIPMENT],
        "description": "The shipment departed before the importing authority decided on the PEN "
        "(silence is never consent), including after reply_by passed with no reply.",
        "condition": {
            "all": [
                # Silence is never consent where the importing country invoked article
                # 12(10)(a); elsewhere (a courtesy PEN) the rule below applies, at low severity.
                {"cmp": "eq", "left": fact("importing_requires_pen"), "right": value(True)},
                {"cmp": "eq", "left": fact("has_pen"), "right": value(True)},
                {"not": {"is_null": "first_departure_at"}},
                {
                    "any": [
                        {"is_null": "pen_decided_at"},
                        {
                            "cmp": "gt",
                            "left": fact("pen_decided_at"),
                            "right": fact("first_departure_at"),
                        },
                    ]
                },
            ]
        },
        "explanation": "Shipment left on {first_departure_at} but {importing_country_name} had not "
        "decided on {pen_reference} (status {pen_status}, reply due {pen_reply_by}).",
    },
    {
        "code": "shipped-before-reply-courtesy",
        "source": ART_12_10 + " (a PEN to a country that did not invoke the article is a "
        "courtesy: its silence may be taken as consent)",
        "title": "Shipped before a reply to a courtesy PEN",
        "severity": "low",
        "weight": 1,
        "subjects": [SHIPMENT],
        "description": "The shipment departed before the importing authority replied to a PEN "
        "it did not require (no art. 12(10)(a) invocation for the substance). An admin makes a "
        "lane strict by recording the importing country's requirement (POST /pen-requirements).",
        "condition": {
            "all": [
                {"cmp": "ne", "left": fact("importing_requires_pen"), "right": value(True)},
                {"cmp": "eq", "left": fact("has_pen"), "right": value(True)},
                {"not": {"is_null": "first_departure_at"}},
                {
                    "any": [
                        {"is_null": "pen_decided_at"},
                        {
                            "cmp": "gt",
                            "left": fact("pen_decided_at"),
                            "right": fact("first_departure_at"),
                        },
                    ]
                },
            ]
        },
        "explanation": "Shipment left on {first_departure_at} but {importing_country_name} had not "
        "decided on {pen_reference} (status {pen_status}, reply due {pen_reply_by}).",
    },
    {
        "code": "quantity-exceeds-notified",
        "source": ART_12_10 + " (the quantity notified is the quantity authorised)",
        "title": "Quantity exceeds the notified quantity",
        "severity": "high",
        "weight": 5,
        "subjects": [SHIPMENT],
        "description": "Declared or observed quantity, or the sum of shipments under one PEN, "
        "exceeds the notified quantity by more than 5 %.",
        "condition": {
            "all": [
                {"cmp": "eq", "left": fact("has_pen"), "right": value(True)},
                {
                    "any": [
                        over_pen("quantity_kg"),
                        over_pen("observed_quantity_kg"),
                        {
                            "cmp": "gt",
                            "left": {
                                "op": "add",
                                "args": [
                                    {"aggregate": "sum", "over": "pen_shipments"},
                                    fact("quantity_kg"),
                                ],
                            },
                            "right": {
                                "op": "mul",
                                "args": [fact("pen_quantity_kg"), value(QUANTITY_TOLERANCE)],
                            },
                        },
                    ]
                },
            ]
        },
        "explanation": "{pen_reference} notified {pen_quantity_kg} kg; declared {quantity_kg} kg, "
        "observed {observed_quantity_kg} kg, other shipments under it "
        "{agg_pen_shipments_all_sum} kg.",
    },
    {
        "code": "party-mismatch",
        "source": ART_12_10 + " (names and addresses of exporter, importer and consignee; route)",
        "title": "Parties or route differ from the PEN",
        "severity": "high",
        "weight": 5,
        "subjects": [SHIPMENT],
        "description": "Exporter, importer, consignee, countries or transit route of the shipment "
        "differ from the pre-export notification it cites.",
        "condition": {
            "all": [
                {"cmp": "eq", "left": fact("has_pen"), "right": value(True)},
                {
                    "any": [
                        {
                            "cmp": "ne",
                            "left": fact("exporter_id"),
                            "right": fact("pen_exporter_id"),
                        },
                        {
                            "cmp": "ne",
                            "left": fact("importer_id"),
                            "right": fact("pen_importer_id"),
                        },
                        {
                            "all": [
                                {"not": {"is_null": "pen_consignee_id"}},
                                {
                                    "cmp": "ne",
                                    "left": fact("consignee_id"),
                                    "right": fact("pen_consignee_id"),
                                },
                            ]
                        },
                        {
                            "cmp": "ne",
                            "left": fact("exporting_country"),
                            "right": fact("pen_exporting_country"),
                        },
                        {
                            "cmp": "ne",
                            "left": fact("importing_country"),
                            "right": fact("pen_importing_country"),
                        },
                        {
                            "cmp": "ne",
                            "left": fact("transit_countries"),
                            "right": fact("pen_transit_countries"),
                        },
                    ]
                },
            ]
        },
        "explanation": "Shipment differs from {pen_reference}: route {exporting_country}→"
        "{importing_country} via {transit_countries} (notified {pen_exporting_country}→"
        "{pen_importing_country} via {pen_transit_countries}), or exporter, importer or consignee.",
    },
    {
        "code": "hs-code-mismatch",
        "source": "Port Qasim, January 2016: acetic anhydride declared as glacial acetic acid (INCB Precursors report 2016); World Customs Organization HS 2022, 2915.24",
        "title": "HS code or description is not the substance's",
        "severity": "high",
        "weight": 5,
        "subjects": [SHIPMENT],
        "description": "Mis-declaration: the declared HS code or description does not match the "
        "substance (acetic anhydride declared as glacial acetic acid, 2915.21; Port Qasim 2016).",
        "condition": {
            "any": [
                {"cmp": "ne", "left": fact("declared_hs_code"), "right": fact("substance_hs_code")},
                {
                    "all": [
                        {"not": {"is_null": "declared_description"}},
                        {
                            "not": {
                                "contains": fact("declared_description"),
                                "any_of": fact("substance_names"),
                            }
                        },
                    ]
                },
            ]
        },
        "explanation": 'Declared as "{declared_description}" under HS {declared_hs_code}; '
        "{substance_name} is HS {substance_hs_code}.",
    },
    {
        "code": "unusual-payment",
        "source": "1988 Convention, art. 12(9)(c) (means of payment among the essential elements); "
        + INCB_INDICATORS,
        "title": "Unusual means of payment",
        "severity": "medium",
        "weight": 2,
        "subjects": [SHIPMENT, PEN],
        "description": "Cash, third-party, hawala or other unusual payment (Article 12(9)(c) "
        "names the means of payment among the essential elements).",
        "condition": {"in": fact("means_of_payment"), "list": UNUSUAL_PAYMENTS},
        "explanation": "Paid by {means_of_payment}.",
    },
    {
        "code": "new-counterparty",
        "source": INCB_INDICATORS + " (new customer, no licence or registration)",
        "title": "First trade of an unregistered or unknown importer",
        # Low: a first trade is a reason to verify the customer, not a suspicion by itself
        # (a medium flag here fell on most legitimate demo PENs and drowned the real signals).
        "severity": "low",
        "weight": 1,
        "subjects": [SHIPMENT, PEN],
        "description": "The importer has neither a registration nor a licence number, or "
        "nothing this node can see shows it trading in the substance before: no earlier shipment to it and "
        "no earlier PEN sent for it, from any exporter. Quiet on established lanes.",
        "condition": {
            "any": [
                {
                    "all": [
                        {"is_null": "importer_registration_number"},
                        {"is_null": "importer_licence_number"},
                    ]
                },
                {
                    "all": [
                        {
                            "cmp": "eq",
                            "left": {"aggregate": "count", "over": "importer_substance"},
                            "right": value(0),
                        },
                        {
                            "cmp": "eq",
                            "left": {"aggregate": "count", "over": "importer_substance_pens"},
                            "right": value(0),
                        },
                    ]
                },
            ]
        },
        "explanation": "{importer_name}: registration {importer_registration_number}, licence "
        "{importer_licence_number}; {agg_importer_substance_all_count} earlier shipments and "
        "{agg_importer_substance_pens_all_count} earlier PENs of {substance_name}.",
    },
    {
        "code": "licence-expired",
        "source": "EU Regulation (EC) 111/2005, art. 6 and 12 (licences and authorisations); "
        + INCB_INDICATORS,
        "title": "Licence expired by the dispatch date",
        "severity": "high",
        "weight": 5,
        "subjects": [SHIPMENT, PEN],
        "description": "The importer's or consignee's licence to handle the substance ends "
        "before the goods are dispatched (a PEN's expected dispatch date; a shipment's "
        "recording date).",
        "condition": {
            "any": [
                {"cmp": "eq", "left": fact("importer_licence_expired"), "right": value(True)},
                {"cmp": "eq", "left": fact("consignee_licence_expired"), "right": value(True)},
            ]
        },
        "explanation": "Licence expired by dispatch: importer {importer_licence_expired}, "
        "consignee {consignee_licence_expired}.",
    },
    {
        "code": "consignee-intermediary",
        "source": INCB_INDICATORS + " (goods to be delivered to a forwarder or a third party)",
        "title": "Consignee is a forwarder, broker or trader",
        "severity": "medium",
        "weight": 2,
        "subjects": [SHIPMENT, PEN],
        "description": "The goods go to an intermediary rather than to the end user, so the "
        "real recipient is one step removed from the notification.",
        "condition": {"in": fact("consignee_kind"), "list": INTERMEDIARIES},
        "explanation": "Consignee is a {consignee_kind} in {consignee_country_name}.",
    },
    {
        "code": "no-licit-need-final-destination",
        "source": "Government of Afghanistan declaration of no licit need for acetic anhydride; "
        + INCB_PRECURSORS
        + " (import into a neighbour, then onward)",
        "title": "Final destination declared no licit need",
        "severity": "critical",
        "weight": 10,
        "subjects": [SHIPMENT, PEN],
        "description": "The PEN (or the PEN a shipment cites) names a final destination beyond "
        "the importing country that declared no licit need for the substance: the diversion pattern of importing into a "
        "neighbour, then onward.",
        "condition": {
            "in": fact("final_destination_country"),
            "list": fact("no_licit_need_countries"),
        },
        "explanation": "Final destination {final_destination_country} declared no licit need "
        "for {substance_name}; imported into {importing_country_name}.",
    },
    {
        "code": "known-substitute",
        "source": INCB_PRECURSORS + "; INCB limited international special surveillance list",
        "title": "Known substitute towards a destination of concern",
        "severity": "high",
        "weight": 5,
        "subjects": [SHIPMENT, PEN],
        "description": "A chemical known to replace a scheduled one (acetyl chloride for acetic "
        "anhydride) is routed to or through Afghanistan or its neighbours.",
        "condition": {
            "all": [
                {"in": fact("substance"), "list": AA_SUBSTITUTES},
                {
                    "any": [
                        {"in": fact("importing_country"), "list": fact("countries_of_concern")},
                        {"intersects": [fact("transit_countries"), fact("countries_of_concern")]},
                    ]
                },
            ]
        },
        "explanation": "{substance_name}, a substitute for acetic anhydride, to "
        "{importing_country_name} via {transit_countries}.",
    },
    {
        "code": "quantity-anomaly",
        "source": INCB_INDICATORS
        + " (order quantities out of line with the customer's usual needs)",
        "title": "Extraordinary quantity",
        "severity": "medium",
        "weight": 2,
        "subjects": [SHIPMENT, PEN],
        "description": "Quantity above 2× the importer's trailing 12-month average for the "
        "substance (3× is extraordinary).",
        "condition": {
            "all": [
                {
                    "cmp": "gt",
                    "left": {"aggregate": "count", "over": "importer_substance", "days": 365},
                    "right": value(0),
                },
                {
                    "cmp": "gt",
                    "left": fact("quantity_kg"),
                    "right": {
                        "op": "mul",
                        "args": [
                            {"aggregate": "avg", "over": "importer_substance", "days": 365},
                            value(2),
                        ],
                    },
                },
            ]
        },
        "explanation": "{quantity_kg} kg is more than twice {importer_name}'s 12-month average of "
        "{agg_importer_substance_365d_avg} kg of {substance_name}.",
    },
    {
        "code": "split-shipments",
        "source": INCB_INDICATORS + "; EU Regulation (EC) 273/2004, Annex II thresholds",
        "title": "Split shipments under the substance's threshold",
        "severity": "medium",
        "weight": 2,
        "subjects": [SHIPMENT],
        "description": "Several shipments of one substance to the same importer within 30 "
        "days, from any supplier, each under the substance's threshold and together over it "
        "(company shopping across suppliers included).",
        "condition": {
            "all": [
                {"cmp": "lt", "left": fact("quantity_kg"), "right": fact("substance_threshold_kg")},
                {
                    "cmp": "ge",
                    "left": {"aggregate": "count", "over": "importer_substance", "days": 30},
                    "right": value(1),
                },
                {
                    "cmp": "lt",
                    "left": {"aggregate": "max", "over": "importer_substance", "days": 30},
                    "right": fact("substance_threshold_kg"),
                },
                {
                    "cmp": "gt",
                    "left": {
                        "op": "add",
                        "args": [
                            {"aggregate": "sum", "over": "importer_substance", "days": 30},
                            fact("quantity_kg"),
                        ],
                    },
                    "right": fact("substance_threshold_kg"),
                },
            ]
        },
        "explanation": "{quantity_kg} kg now and {agg_importer_substance_30d_count} shipments "
        "({agg_importer_substance_30d_sum} kg) to {importer_name} in 30 days: each under "
        "{substance_threshold_kg} kg, together over it.",
    },
    {
        "code": "beyond-alr",
        "source": "Commission on Narcotic Drugs resolution 49/3 (2006): annual legitimate "
        "requirements for ATS precursors, published by INCB",
        "title": "Imports beyond the annual legitimate requirement",
        "severity": "high",
        "weight": 5,
        "subjects": [PEN],
        "description": "With this PEN, the PENs sent to the importing country for the substance "
        "over the last 12 months exceed the annual legitimate requirement it declared.",
        "condition": {
            "all": [
                {"not": {"is_null": "importing_alr_kg"}},
                {
                    "cmp": "gt",
                    "left": {
                        "op": "add",
                        "args": [
                            {"aggregate": "sum", "over": "country_substance_pens", "days": 365},
                            fact("quantity_kg"),
                        ],
                    },
                    "right": fact("importing_alr_kg"),
                },
            ]
        },
        "explanation": "{quantity_kg} kg of {substance_name} after "
        "{agg_country_substance_pens_365d_sum} kg notified to {importing_country_name} in 12 "
        "months; its annual legitimate requirement is {importing_alr_kg} kg.",
    },
    {
        "code": "transit-never-left",
        "source": INCB_INDICATORS + "; Bandar Abbas 2016 (acetic anhydride stopped in transit)",
        "title": "Entered transit and never left",
        "severity": "high",
        "weight": 5,
        "subjects": [SHIPMENT],
        "description": "The shipment entered a transit country more than 14 days ago and no "
        "later event shows it leaving: goods that stop moving in transit are where diversion "
        "happens. The worker judges waiting shipments again every day.",
        "condition": {
            "all": [
                {"cmp": "eq", "left": fact("last_event_type"), "right": value("transit_entered")},
                {"cmp": "gt", "left": fact("days_since_last_event"), "right": value(14)},
            ]
        },
        "explanation": "Entered transit {days_since_last_event} days ago and not seen leaving.",
    },
    {
        "code": "not-arrived",
        "source": "1988 Convention, art. 12(9)(a); CONTRACT v1.1 confirm-arrival (the "
        "importing authority closes the loop)",
        "title": "Not arrived by the expected date",
        "severity": "medium",
        "weight": 2,
        "subjects": [PEN],
        "description": "More than 30 days after the expected arrival date, the importing "
        "authority has not confirmed receipt. The worker judges waiting PENs again every day.",
        "condition": {"cmp": "gt", "left": fact("days_past_expected_arrival"), "right": value(30)},
        "explanation": "{days_past_expected_arrival} days after the expected arrival, no arrival "
        "confirmed in {importing_country_name}.",
    },
    {
        "code": "free-zone-transit",
        "source": "FATF, Money Laundering Vulnerabilities of Free Trade Zones (2010); "
        + INCB_PRECURSORS
        + " (transshipment through free zones)",
        "title": "Routed through a free zone",
        "severity": "medium",
        "weight": 2,
        "subjects": [SHIPMENT, PEN],
        "description": "A place on the route is a free zone, where goods can be relabelled and "
        "re-exported with little customs oversight.",
        "condition": {"contains": fact("route_places"), "any_of": fact("free_zones")},
        "explanation": "Route through {route_places}.",
    },
    {
        "code": "high-risk-route",
        "source": INCB_PRECURSORS + "; Operation TARCET (2008)",
        "title": "High-risk route",
        "severity": "high",
        "weight": 5,
        "subjects": [SHIPMENT, PEN],
        "description": "Acetic anhydride routed through a country of concern (the risk list "
        "countries-of-concern: Afghanistan and its neighbours on the routes).",
        "condition": {
            "all": [
                {"cmp": "eq", "left": fact("substance"), "right": value(AA)},
                {"intersects": [fact("transit_countries"), fact("countries_of_concern")]},
            ]
        },
        "explanation": "{substance_name} routed via {transit_countries}, next to the destination "
        "of concern.",
    },
]
