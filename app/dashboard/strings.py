"""The words the dashboard's script writes (status lines, chart legends, enum values), in the
page's language: the script receives them as JSON, keyed by their English text."""

from app.i18n import N_, Language

SCRIPT_STRINGS = (
    N_("All substances"),
    N_("{from} to {to}"),
    N_("exporting country"),
    N_("importing country"),
    N_("transit country"),
    N_("region"),
    N_("yes"),
    N_("no"),
    N_("download"),
    N_("The first {shown} of {all} rows are shown; download the table for all of them."),
    N_("Nothing in this period and scope."),
    N_("Not shown: the filters are not valid."),
    N_("Choose the first and last day of the period."),
    N_("The first day ({from}) is after the last day ({to})."),
    N_("Loading…"),
    N_("Showing {filters}."),
    N_("Could not load:"),
    N_("PENs sent"),
    N_("Shipments"),
    N_("Not decided"),
    N_("Notified (kg)"),
    N_("Shipped (kg)"),
    N_("Incidents"),
    N_("Answered"),
    N_("Open, not overdue"),
    N_("Overdue"),
    N_("Require PENs"),
    N_("No licit need"),
    N_("Governments"),
)

# Values of the summaries' enums, shown as chart labels.
ENUM_LABELS = {
    "no_objection": N_("No objection"),
    "objection": N_("Objection"),
    "information_requested": N_("Information requested"),
    "unanswered": N_("Unanswered"),
    "awaiting": N_("Awaiting"),
    "confirmed": N_("Confirmed"),
    "dismissed": N_("Dismissed"),
    "low": N_("low"),
    "medium": N_("medium"),
    "high": N_("high"),
    "critical": N_("critical"),
    "declared": N_("declared"),
    "in_transit": N_("in transit"),
    "arrived": N_("arrived"),
    "cleared": N_("cleared"),
    "stopped": N_("stopped"),
    "seized": N_("seized"),
    "delivered": N_("delivered"),
    "seizure": N_("seizure"),
    "stopped_shipment": N_("stopped shipment"),
    "attempted_diversion": N_("attempted diversion"),
    "illicit_laboratory": N_("illicit laboratory"),
    "theft": N_("theft"),
}


# Values of the workspace's enums: PEN statuses and history, transport, payment, events.
VALUE_LABELS = {
    **ENUM_LABELS,
    "draft": N_("draft"),
    "sent": N_("sent"),
    "acknowledged": N_("acknowledged"),
    "withdrawn": N_("withdrawn"),
    "send": N_("Sent"),
    "acknowledge": N_("Receipt acknowledged"),
    "respond": N_("Reply"),
    "answer": N_("Answer"),
    "withdraw": N_("Withdrawn"),
    "sea": N_("sea"),
    "air": N_("air"),
    "road": N_("road"),
    "rail": N_("rail"),
    "post": N_("post"),
    "multimodal": N_("multimodal"),
    "bank_transfer": N_("bank transfer"),
    "letter_of_credit": N_("letter of credit"),
    "documentary_collection": N_("documentary collection"),
    "open_account": N_("open account"),
    "cash": N_("cash"),
    "third_party": N_("third-party payment"),
    "hawala": N_("hawala"),
    "other": N_("other"),
    "export_cleared": N_("export cleared"),
    "departed": N_("departed"),
    "transit_entered": N_("entered transit"),
    "transit_exited": N_("left transit"),
    "import_cleared": N_("import cleared"),
    "open": N_("open"),
    "under_review": N_("under review"),
    # Cases, backtracking requests and industry reports.
    "full": N_("full"),
    "confidential": N_("confidential"),
    "summary": N_("summary"),
    "flag": N_("flag"),
    "incident": N_("incident"),
    "shipment": N_("shipment"),
    "pre_export_notification": N_("pre-export notification"),
    "entity": N_("entity"),
    "answered": N_("answered"),
    "submitted": N_("submitted"),
    "escalated": N_("escalated"),
    "closed": N_("closed"),
    "order": N_("order"),
    "enquiry": N_("enquiry"),
    # The code of practice's indicators (app/industry/indicators.py), in a few words.
    "unusual_payment": N_("unusual payment"),
    "unknown_customer": N_("new or unknown customer"),
    "unusual_packaging_or_labelling": N_("unusual packaging or labelling"),
    "unusual_route": N_("route without commercial sense"),
    "unusual_quantity": N_("unusual quantity"),
    "urgency": N_("pressure for speed"),
    "vague_end_use": N_("vague end use"),
    "free_zone_destination": N_("free zone or destination of concern"),
    "intermediary": N_("broker or intermediary"),
    "no_licence": N_("no licence, or one that does not fit"),
    "inconsistent_documents": N_("inconsistent documents"),
    "unusual_delivery": N_("unusual collection or delivery"),
}


def value_label(language: Language, value: str) -> str:
    """An enum value in words of the language (unknown values as they are, underscores out)."""
    label = VALUE_LABELS.get(value)
    return language.gettext(label) if label else value.replace("_", " ")


# Roles, as the page header names them.
ROLE_LABELS = {
    "admin": N_("admin"),
    "analyst": N_("analyst"),
    "regulator": N_("regulator"),
    "customs": N_("customs"),
    "law_enforcement": N_("law enforcement"),
    "industry": N_("industry"),
}


def page_strings(language: Language) -> dict[str, str]:
    strings = {text: language.gettext(text) for text in SCRIPT_STRINGS}
    strings.update({value: language.gettext(label) for value, label in ENUM_LABELS.items()})
    return strings
