"""The problems of investigations: entities, watch lists and cases."""

from app.core.problems import Conflict, Forbidden, NotFound, Problem


class EntityNotFound(NotFound):
    type = "entity-not-found"
    title = "Entity not found"


class CaseNotFound(NotFound):
    type = "case-not-found"
    title = "Case not found"


class NotAMember(Problem):
    status = 422
    type = "not-an-entity-member"
    title = "The operator is not a member of this entity"


class SameOperator(Problem):
    status = 422
    type = "same-operator"
    title = "A decision is about two different operators"


class EmptyWatchlistEntry(Problem):
    status = 422
    type = "empty-watchlist-entry"
    title = "A watch-list entry needs a name or an identifier"


class UnknownCaseItem(Problem):
    """An item that does not exist, that the caller may not read, or a draft PEN: the same
    answer either way, so nothing is revealed."""

    status = 422
    type = "unknown-case-item"
    title = "Unknown case item"


class UnknownAuthority(Problem):
    status = 422
    type = "unknown-authority"
    title = "No such investigating authority"


class AlreadyMember(Conflict):
    type = "already-a-case-member"
    title = "This authority is a member of the case already"


class OwnerOnly(Forbidden):
    type = "case-owner-only"
    title = "Only the authority that opened the case invites others"


class DuplicateCaseItem(Conflict):
    type = "case-item-exists"
    title = "The case holds this record already"


class WatchlistEntryNotFound(NotFound):
    type = "watchlist-entry-not-found"
    title = "Watch-list entry not found"
