"""The alerts domain's problems."""

from app.core.problems import Conflict, Forbidden, NotFound, Problem, Unauthorized


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


class DeliveryNotFound(NotFound):
    type = "delivery-not-found"
    title = "Delivery not found"


class DeliveryInFlight(Conflict):
    type = "delivery-in-flight"
    title = "A worker is sending this delivery now"


class PeerNotFound(NotFound):
    type = "peer-not-found"
    title = "Peer node not found"


class PeerExists(Conflict):
    type = "peer-exists"
    title = "A peer with this node id exists"


class UnknownPeer(Unauthorized):
    type = "unknown-peer"
    title = "Message from an unknown or disabled peer node"


class InvalidSignature(Unauthorized):
    type = "invalid-signature"
    title = "Message signature does not verify"


class StaleMessage(Unauthorized):
    type = "stale-message"
    title = "Message timestamp outside the replay window"


class PeerNotAuthoritative(Forbidden):
    type = "peer-not-authoritative"
    title = "The peer does not host the country it speaks for"


class BadMessage(Problem):
    status = 400
    type = "bad-message"
    title = "Message body is not a pentrack node message"


class UnknownSubject(Conflict):
    type = "unknown-subject"
    title = "The message refers to a record this node does not have"


class PeerReferenceConflict(Conflict):
    type = "peer-reference-conflict"
    title = "The peer's reference is not its own or is taken here"
