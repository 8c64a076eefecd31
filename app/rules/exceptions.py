from app.core.problems import Conflict, NotFound, Problem


class RuleNotFound(NotFound):
    type = "rule-not-found"
    title = "Rule not found"


class DuplicateRuleCode(Conflict):
    type = "duplicate-rule-code"
    title = "A rule with this code exists"


class FlagNotFound(NotFound):
    type = "flag-not-found"
    title = "Flag not found"


class SubjectNotFound(Problem):
    status = 404
    type = "subject-not-found"
    title = "Flag subject not found"


class TriageNotAllowed(Conflict):
    type = "triage-not-allowed"
    title = "Flag cannot move to that status"


class NotOnSubjectRoute(Problem):
    status = 403
    type = "not-on-route"
    title = "Only officers of the countries concerned may do this"
