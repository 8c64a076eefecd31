from app.core.problems import Conflict, NotFound, Problem


class NotificationNotFound(NotFound):
    type = "notification-not-found"
    title = "Pre-export notification not found"


class TransitionNotAllowed(Conflict):
    type = "transition-not-allowed"
    title = "Transition not allowed in the current status"


class PartyCountryMismatch(Problem):
    type = "party-country-mismatch"
    title = "Operator is not in the country it is named for"


class ReplyByInPast(Problem):
    type = "reply-by-in-past"
    title = "Reply deadline already passed"


class NotExportingRegulator(Problem):
    status = 403
    type = "not-exporting-authority"
    title = "Only the exporting country's regulator may do this"


class NotImportingRegulator(Problem):
    status = 403
    type = "not-importing-authority"
    title = "Only the importing country's regulator may do this"


class ArrivalNotAllowed(Conflict):
    type = "arrival-not-allowed"
    title = "Arrival cannot be confirmed now"
