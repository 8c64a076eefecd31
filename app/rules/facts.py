"""The facts a rule may read, per subject (pure). Rules naming anything else are refused when
they are created, never at evaluation."""

from dataclasses import dataclass

from app.rules.conditions import AGGREGATE_GROUPS

SHIPMENT = "shipment"
PEN = "pre_export_notification"
BOTH = frozenset({SHIPMENT, PEN})
SHIPMENT_ONLY = frozenset({SHIPMENT})
PEN_ONLY = frozenset({PEN})


@dataclass(frozen=True)
class FactSpec:
    type: str  # number, text, bool, list, country, datetime
    description: str
    subjects: frozenset[str] = BOTH


FACTS: dict[str, FactSpec] = {
    "subject_id": FactSpec("text", "id of the PEN or shipment judged"),
    "substance": FactSpec("text", "CAS number of the substance"),
    "substance_name": FactSpec("text", "name of the substance"),
    "substance_table": FactSpec("text", "convention table of the substance: I or II"),
    "substance_hs_code": FactSpec("text", "the substance's HS code, first six digits"),
    "substance_names": FactSpec("list", "the substance's name and synonyms, lower case"),
    "quantity_kg": FactSpec("number", "declared (shipment) or notified (PEN) quantity in kg"),
    "exporting_country": FactSpec("country", "exporting country (ISO alpha-2)"),
    "exporting_country_name": FactSpec("text", "exporting country's name"),
    "importing_country": FactSpec("country", "importing country (ISO alpha-2)"),
    "importing_country_name": FactSpec("text", "importing country's name"),
    "transit_countries": FactSpec("list", "transit countries, sorted"),
    "consignee_country": FactSpec("country", "the consignee's country, if a consignee is named"),
    "consignee_country_name": FactSpec("text", "the consignee's country's name"),
    "means_of_payment": FactSpec("text", "means of payment"),
    "mode_of_transport": FactSpec("text", "mode of transport"),
    "exporter_id": FactSpec("text", "exporter's operator id"),
    "importer_id": FactSpec("text", "importer's operator id"),
    "importer_name": FactSpec("text", "importer's name"),
    "consignee_id": FactSpec("text", "consignee's operator id"),
    "consignee_kind": FactSpec("text", "consignee's kind (forwarder, broker, end_user …)"),
    "importer_registration_number": FactSpec("text", "importer's registration number"),
    "importer_licence_number": FactSpec("text", "importer's licence number"),
    "importer_licence_expired": FactSpec(
        "bool",
        "importer's licence expired by the dispatch date (a PEN's expected dispatch date; a "
        "shipment's recording date)",
    ),
    "consignee_registration_number": FactSpec("text", "consignee's registration number"),
    "consignee_licence_expired": FactSpec(
        "bool", "consignee's licence expired by the dispatch date (as the importer's)"
    ),
    "substance_kind": FactSpec(
        "text", "table_i, table_ii, special_surveillance or national (reference data)"
    ),
    "substance_threshold_kg": FactSpec(
        "number",
        "the quantity of the substance above which a single consignment draws attention "
        "(reference data; 1,000 kg where none is recorded)",
    ),
    "no_licit_need_countries": FactSpec(
        "list", "countries that declared no licit need for the substance"
    ),
    "no_licit_need_destination_name": FactSpec(
        "text", "name of the importing or consignee country that declared no licit need"
    ),
    "importing_alr_kg": FactSpec(
        "number",
        "the importing country's annual legitimate requirement for the substance, in kg of the "
        "substance as notified (a salt's ALR is its base's, divided by the base factor)",
    ),
    "countries_of_concern": FactSpec(
        "list", "the risk list countries-of-concern (admins keep it: PUT /risk-lists/{code})"
    ),
    "free_zones": FactSpec("list", "the risk list free-zones: words that name a free zone"),
    "importing_requires_pen": FactSpec(
        "bool", "the importing country requires a PEN for the substance (Article 12(10)(a))"
    ),
    # Shipments only: the declaration, the border events and the PEN cited.
    "declared_hs_code": FactSpec("text", "declared HS code, first six digits", SHIPMENT_ONLY),
    "declared_description": FactSpec("text", "declared description, lower case", SHIPMENT_ONLY),
    "observed_quantity_kg": FactSpec(
        "number", "largest quantity observed at a border", SHIPMENT_ONLY
    ),
    "event_types": FactSpec("list", "types of the border events recorded", SHIPMENT_ONLY),
    "last_event_type": FactSpec("text", "type of the latest border event", SHIPMENT_ONLY),
    "days_since_last_event": FactSpec(
        "number",
        "days since the latest recorded border event happened (judged again by the worker)",
        SHIPMENT_ONLY,
    ),
    "first_departure_at": FactSpec(
        "datetime", "when the shipment was first cleared for export or departed", SHIPMENT_ONLY
    ),
    "has_pen": FactSpec("bool", "the shipment cites a pre-export notification", SHIPMENT_ONLY),
    "pen_reference": FactSpec("text", "reference of the PEN cited", SHIPMENT_ONLY),
    "pen_status": FactSpec("text", "status of the PEN cited", SHIPMENT_ONLY),
    "pen_decision": FactSpec("text", "latest decision on the PEN cited", SHIPMENT_ONLY),
    "pen_decided_at": FactSpec(
        "datetime",
        "when the importing authority decided (no objection or objection)",
        SHIPMENT_ONLY,
    ),
    "pen_reply_by": FactSpec("text", "reply deadline of the PEN cited (YYYY-MM-DD)", SHIPMENT_ONLY),
    "pen_quantity_kg": FactSpec("number", "notified quantity in kg", SHIPMENT_ONLY),
    "pen_exporting_country": FactSpec("country", "PEN's exporting country", SHIPMENT_ONLY),
    "pen_importing_country": FactSpec("country", "PEN's importing country", SHIPMENT_ONLY),
    "pen_transit_countries": FactSpec("list", "PEN's transit countries, sorted", SHIPMENT_ONLY),
    "pen_exporter_id": FactSpec("text", "PEN's exporter", SHIPMENT_ONLY),
    "pen_importer_id": FactSpec("text", "PEN's importer", SHIPMENT_ONLY),
    "pen_consignee_id": FactSpec("text", "PEN's consignee", SHIPMENT_ONLY),
}

# PENs only: the importing authority's confirmation of arrival.
FACTS["arrival_confirmed"] = FactSpec("bool", "the importing authority confirmed arrival", PEN_ONLY)
FACTS["arrival_difference_percent"] = FactSpec(
    "number", "arrived quantity against the notified one, in percent (+ more, - less)", PEN_ONLY
)
FACTS["days_past_expected_arrival"] = FactSpec(
    "number",
    "days since the expected arrival date, while no arrival is confirmed and the PEN is live",
    PEN_ONLY,
)
FACTS["route_places"] = FactSpec(
    "text",
    "the places on the route, lower case: a PEN's point of exit, point of entry and itinerary "
    "places; a shipment's border event locations",
)
FACTS["final_destination_country"] = FactSpec(
    "country",
    "the final destination when it is not the importing country (a shipment: its PEN's)",
)

# Both: what earlier incidents (app/incidents) tell of this subject's parties and route;
# incidents opened on the subject itself (its own seizure) do not count.
FACTS["party_in_incident"] = FactSpec(
    "bool",
    "an officer named the exporter, importer, consignee or another party in an incident, or "
    "traced it by a backtracking answer",
)
FACTS["party_incident_count"] = FactSpec(
    "number", "in how many incidents an officer named or traced one of the subject's parties"
)
FACTS["route_in_incident"] = FactSpec(
    "bool", "an incident's origin and destination are this exporting and importing country"
)

# Both: what investigations (app/investigations) tell of this subject's parties. "Linked" means
# the party itself or an operator resolved into the same entity (the twin registered abroad).
FACTS["linked_to_confirmed"] = FactSpec(
    "bool",
    "a party (or an operator resolved into the same entity) was a party to another PEN or "
    "shipment whose flag an officer confirmed, or was named in a seizure",
)
FACTS["linked_confirmed_count"] = FactSpec(
    "number", "how many confirmed flags and seizures link to the subject's parties"
)
FACTS["watchlist_hit"] = FactSpec(
    "bool",
    "a watch-list entry whose scope names a country of the route matches a party (or an "
    "operator of its entity) by name or identifier, or a container",
)
FACTS["watchlist_hit_count"] = FactSpec("number", "how many watch-list entries match")

# Which aggregate groups make sense for which subject.
AGGREGATE_SUBJECTS: dict[str, frozenset[str]] = {
    "importer_substance": BOTH,
    "importer_substance_pens": BOTH,
    "country_substance_pens": BOTH,
    "parties_substance": BOTH,
    "pen_shipments": SHIPMENT_ONLY,
}
assert set(AGGREGATE_SUBJECTS) == set(AGGREGATE_GROUPS)


def unknown_facts(names: list[str], subjects: set[str]) -> list[str]:
    """The names (plain facts) that are not facts of every subject the rule judges."""
    return [
        name
        for name in names
        if not name.startswith("agg_")
        and (name not in FACTS or not subjects <= FACTS[name].subjects)
    ]
