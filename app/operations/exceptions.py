from app.core.problems import Conflict, Forbidden, NotFound, Problem


class OperationNotFound(NotFound):
    type = "operation-not-found"
    title = "Operation not found"


class NotAParticipant(Forbidden):
    type = "not-a-participant"
    title = "Your country does not take part in this operation"


class UnknownItem(Problem):
    """A record that does not exist or that the caller may not read: the same answer either
    way, so nothing is revealed."""

    status = 422
    type = "unknown-operation-item"
    title = "Unknown record"


class AlreadyTagged(Conflict):
    type = "already-tagged"
    title = "This record is tagged to the operation already"
