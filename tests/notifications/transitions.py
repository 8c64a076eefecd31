"""The PEN transitions as CONTRACT.md states them, written out independently of app code,
so that the tests of the state machine and of the HTTP lifecycle can disagree with it."""

STATUSES = (
    "draft",
    "sent",
    "acknowledged",
    "no_objection",
    "objection",
    "information_requested",
    "withdrawn",
)
ACTIONS = ("send", "acknowledge", "respond", "answer", "withdraw")
DECISIONS = ("no_objection", "objection", "information_requested")

ALLOWED_FROM: dict[str, frozenset[str]] = {
    "send": frozenset({"draft"}),
    "acknowledge": frozenset({"sent"}),
    "respond": frozenset({"sent", "acknowledged", "information_requested"}),
    "answer": frozenset({"information_requested"}),
    "withdraw": frozenset(STATUSES) - {"withdrawn"},
}
# Where each action leads; `respond` leads to its decision.
RESULT = {"send": "sent", "acknowledge": "acknowledged", "answer": "sent", "withdraw": "withdrawn"}


def expected_status(status: str, action: str, decision: str | None = None) -> str | None:
    """The status after `action`, or None when the contract refuses it."""
    if status not in ALLOWED_FROM[action]:
        return None
    return decision if action == "respond" else RESULT[action]


PAIRS = [(status, action) for status in STATUSES for action in ACTIONS]
