"""The indicators of a suspicious order or enquiry that an industry report may name (pure).

After INCB's "Guidelines for a voluntary code of practice for the chemical industry" (know your
customer; report suspicious orders and enquiries to the national authority). No single
indicator proves diversion: they are what made the company look twice. Documented in README.md
("Industry reports"); the list is served at GET /api/v1/industry-reports/indicators.
"""

INDICATORS: dict[str, str] = {
    "unusual_payment": "Cash, payment through a third party or an unusual channel, or a price "
    "that does not matter to the buyer",
    "unknown_customer": "A new or unknown customer, or one that cannot or will not show who it is",
    "unusual_packaging_or_labelling": "Requests for unusual packaging, labelling or relabelling",
    "unusual_route": "A route or transshipment that makes no commercial sense",
    "unusual_quantity": "Quantities beyond the customer's apparent needs or usual orders",
    "urgency": "Pressure for speed, or indifference to delivery dates and terms",
    "vague_end_use": "A vague end use, or reluctance to give end-user information",
    "free_zone_destination": "Delivery to a free trade zone, or a destination of concern",
    "intermediary": "A broker, forwarder or other intermediary instead of the end user",
    "no_licence": "No licence or registration where one is needed, or one that does not fit",
    "inconsistent_documents": "Documents that do not match each other or the order",
    "unusual_delivery": "Collection by the buyer, delivery to a private address or a PO box",
    "other": "Something else (say what in the narrative)",
}
