from app.core.problems import Conflict, Forbidden, NotFound, Problem


class IncidentNotFound(NotFound):
    type = "incident-not-found"
    title = "Incident not found"


class BacktrackingNotFound(NotFound):
    type = "backtracking-request-not-found"
    title = "Backtracking request not found"


class NotYourCountry(Forbidden):
    type = "not-your-country"
    title = "You record and act for your own authority's country only"


class NotAllowed(Forbidden):
    type = "incident-action-not-allowed"
    title = "Your role may not do this with an incident"


class UnknownLinkedRecord(Problem):
    """A linked shipment or PEN that does not exist or that the caller may not read: the same
    answer either way, so nothing is revealed."""

    status = 422
    type = "unknown-linked-record"
    title = "Unknown linked record"


class BacktrackingToOwnCountry(Problem):
    type = "backtracking-to-own-country"
    title = "A backtracking request goes to another country"


class ReplyByInPast(Problem):
    type = "reply-by-in-past"
    title = "reply_by is in the past"


class AlreadyAnswered(Conflict):
    type = "backtracking-already-answered"
    title = "This backtracking request is answered already"
