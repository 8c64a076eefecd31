"""The built-in rules: indicators of a suspicious transaction (shared/DOMAIN.md) as data.

`pentrack seed` loads them; admins may edit them afterwards (each edit is a new version). A
built-in rule whose definition here changes gets a new version at the next seed; one an admin
edited is left alone.
"""

from typing import Any

SHIPMENT = "shipment"
PEN = "pre_export_notification"
AA = "108-24-7"

# Countries bordering Afghanistan, the destination of concern for acetic anhydride.
AA_HIGH_RISK_TRANSIT = ["AF", "CN", "IR", "PK", "TJ", "TM", "UZ"]
UNUSUAL_PAYMENTS = ["cash", "third_party", "hawala", "other"]
QUANTITY_TOLERANCE = 1.05  # 5 %
SPLIT_THRESHOLD_KG = 1000


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
    },
    {
        "code": "arrival-quantity-mismatch",
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
        "title": "Shipped before the importing country replied",
        "severity": "high",
        "weight": 5,
        "subjects": [SHIPMENT],
        "description": "The shipment departed before the importing authority decided on the PEN "
        "(silence is never consent), including after reply_by passed with no reply.",
        "condition": {
            "all": [
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
        "title": "New or unverified counterparty",
        "severity": "medium",
        "weight": 2,
        "subjects": [SHIPMENT, PEN],
        "description": "The importer has no prior trade in the substance or no registration, or "
        "the importer's or consignee's licence has expired.",
        "condition": {
            "any": [
                {
                    "cmp": "eq",
                    "left": {"aggregate": "count", "over": "importer_substance"},
                    "right": value(0),
                },
                {"is_null": "importer_registration_number"},
                {"cmp": "eq", "left": fact("importer_licence_expired"), "right": value(True)},
                {"cmp": "eq", "left": fact("consignee_licence_expired"), "right": value(True)},
            ]
        },
        "explanation": "{importer_name}: {agg_importer_substance_all_count} earlier shipments of "
        "{substance_name}; registration {importer_registration_number}; licence expired: "
        "{importer_licence_expired}.",
    },
    {
        "code": "quantity-anomaly",
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
        "title": "Split shipments under a threshold",
        "severity": "medium",
        "weight": 2,
        "subjects": [SHIPMENT],
        "description": "Several shipments of one substance between the same parties within 30 "
        "days, each under 1,000 kg, together over it.",
        "condition": {
            "all": [
                {"cmp": "lt", "left": fact("quantity_kg"), "right": value(SPLIT_THRESHOLD_KG)},
                {
                    "cmp": "ge",
                    "left": {"aggregate": "count", "over": "parties_substance", "days": 30},
                    "right": value(1),
                },
                {
                    "cmp": "lt",
                    "left": {"aggregate": "max", "over": "parties_substance", "days": 30},
                    "right": value(SPLIT_THRESHOLD_KG),
                },
                {
                    "cmp": "gt",
                    "left": {
                        "op": "add",
                        "args": [
                            {"aggregate": "sum", "over": "parties_substance", "days": 30},
                            fact("quantity_kg"),
                        ],
                    },
                    "right": value(SPLIT_THRESHOLD_KG),
                },
            ]
        },
        "explanation": "{quantity_kg} kg now and {agg_parties_substance_30d_count} shipments "
        "({agg_parties_substance_30d_sum} kg) between the same parties in 30 days: each under "
        "1,000 kg, together over it.",
    },
    {
        "code": "high-risk-route",
        "title": "High-risk route",
        "severity": "medium",
        "weight": 2,
        "subjects": [SHIPMENT, PEN],
        "description": "Acetic anhydride routed through a country bordering Afghanistan. Edit the "
        "list (a new version) to add free zones or other substances and destinations.",
        "condition": {
            "all": [
                {"cmp": "eq", "left": fact("substance"), "right": value(AA)},
                {"intersects": [fact("transit_countries"), AA_HIGH_RISK_TRANSIT]},
            ]
        },
        "explanation": "{substance_name} routed via {transit_countries}, next to the destination "
        "of concern.",
    },
]
