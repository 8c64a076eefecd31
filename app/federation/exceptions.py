"""Federation's problems: peers, and the messages they send us."""

from app.core.problems import Conflict, Forbidden, NotFound, Problem, Unauthorized


class PeerNotFound(NotFound):
    type = "peer-not-found"
    title = "Peer node not found"


class PeerExists(Conflict):
    type = "peer-exists"
    title = "A peer with this node id exists"


class InvalidSignature(Unauthorized):
    type = "invalid-signature"
    title = "Message signature does not verify"


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


class MessageTooDeep(Problem):
    status = 422
    type = "message-too-deep"
    title = "The message nests deeper than a node message may"
