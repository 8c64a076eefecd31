"""The alerts domain's problems."""

from app.core.problems import Conflict, Forbidden, NotFound, Problem


class AlertNotFound(NotFound):
    type = "alert-not-found"
    title = "Alert not found"


class NotRecipient(Forbidden):
    type = "not-alert-recipient"
    title = "Only the recipient authority acknowledges an alert"


class RoutingRuleNotFound(NotFound):
    type = "routing-rule-not-found"
    title = "Routing rule not found"


class RoutingRuleExists(Conflict):
    type = "routing-rule-exists"
    title = "A routing rule with this code exists"


class RoutingRuleNoRecipients(Problem):
    type = "routing-rule-no-recipients"
    title = "A routing rule needs recipients"


class RoutingDecisionNotFound(NotFound):
    type = "routing-decision-not-found"
    title = "Routing decision not found"
