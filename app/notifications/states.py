"""The PEN state machine and who may read a notification (pure: plain values in and out)."""

from dataclasses import dataclass
from enum import StrEnum


class PenStatus(StrEnum):
    DRAFT = "draft"
    SENT = "sent"
    ACKNOWLEDGED = "acknowledged"
    NO_OBJECTION = "no_objection"
    OBJECTION = "objection"
    INFORMATION_REQUESTED = "information_requested"
    WITHDRAWN = "withdrawn"


class Decision(StrEnum):
    NO_OBJECTION = "no_objection"
    OBJECTION = "objection"
    INFORMATION_REQUESTED = "information_requested"


class Action(StrEnum):
    SEND = "send"
    ACKNOWLEDGE = "acknowledge"
    RESPOND = "respond"
    ANSWER = "answer"
    WITHDRAW = "withdraw"


class Side(StrEnum):
    EXPORTING = "exporting"
    IMPORTING = "importing"


@dataclass(frozen=True)
class Transition:
    allowed_from: frozenset[PenStatus]
    side: Side  # whose regulator performs it


TRANSITIONS: dict[Action, Transition] = {
    Action.SEND: Transition(frozenset({PenStatus.DRAFT}), Side.EXPORTING),
    Action.ACKNOWLEDGE: Transition(frozenset({PenStatus.SENT}), Side.IMPORTING),
    Action.RESPOND: Transition(
        frozenset({PenStatus.SENT, PenStatus.ACKNOWLEDGED, PenStatus.INFORMATION_REQUESTED}),
        Side.IMPORTING,
    ),
    Action.ANSWER: Transition(frozenset({PenStatus.INFORMATION_REQUESTED}), Side.EXPORTING),
    Action.WITHDRAW: Transition(frozenset(PenStatus) - {PenStatus.WITHDRAWN}, Side.EXPORTING),
}

# Statuses in which the importing authority still owes a reply.
AWAITING_REPLY = frozenset({PenStatus.SENT, PenStatus.ACKNOWLEDGED})
DECIDED = frozenset({PenStatus.NO_OBJECTION, PenStatus.OBJECTION})


class TransitionRefused(ValueError):
    def __init__(self, action: Action, status: PenStatus) -> None:
        allowed = ", ".join(sorted(s.value for s in TRANSITIONS[action].allowed_from))
        super().__init__(
            f"Cannot {action.value} a notification in status {status.value!r} "
            f"(allowed from: {allowed})."
        )


def next_status(status: PenStatus, action: Action, decision: Decision | None = None) -> PenStatus:
    """The status after `action`, or TransitionRefused."""
    if status not in TRANSITIONS[action].allowed_from:
        raise TransitionRefused(action, status)
    match action:
        case Action.SEND | Action.ANSWER:
            return PenStatus.SENT
        case Action.ACKNOWLEDGE:
            return PenStatus.ACKNOWLEDGED
        case Action.RESPOND:
            if decision is None:
                raise ValueError("respond needs a decision")
            return PenStatus(decision.value)
        case Action.WITHDRAW:
            return PenStatus.WITHDRAWN


def side_of(country: str | None, exporting: str, importing: str) -> Side | None:
    if country == exporting:
        return Side.EXPORTING
    if country == importing:
        return Side.IMPORTING
    return None


def country_may_read(
    country: str | None, status: PenStatus, exporting: str, importing: str, transit: list[str]
) -> bool:
    """Drafts are the exporting country's alone; once sent, every country on the route reads it."""
    if country is None:
        return False
    if country == exporting:
        return True
    return status != PenStatus.DRAFT and (country == importing or country in transit)
