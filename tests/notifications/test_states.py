"""The pure PEN state machine (app/notifications/states.py), against the contract's table."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.notifications.states import (
    AWAITING_REPLY,
    TRANSITIONS,
    Action,
    Decision,
    PenStatus,
    Side,
    TransitionRefused,
    country_may_read,
    next_status,
    side_of,
)
from tests.notifications.transitions import (
    ACTIONS,
    ALLOWED_FROM,
    DECISIONS,
    PAIRS,
    STATUSES,
    expected_status,
)

STEP = st.tuples(st.sampled_from(list(Action)), st.sampled_from(list(Decision)))


class TestVocabulary:
    def test_statuses_are_the_contracts(self) -> None:
        assert {s.value for s in PenStatus} == set(STATUSES)

    def test_actions_are_the_contracts(self) -> None:
        assert {a.value for a in Action} == set(ACTIONS)

    def test_decisions_are_the_contracts(self) -> None:
        assert {d.value for d in Decision} == set(DECISIONS)

    def test_transition_table_matches_the_contract(self) -> None:
        table = {a.value: {s.value for s in t.allowed_from} for a, t in TRANSITIONS.items()}
        assert table == {action: set(statuses) for action, statuses in ALLOWED_FROM.items()}

    def test_exporting_side_sends_answers_and_withdraws(self) -> None:
        sides = {a.value: t.side for a, t in TRANSITIONS.items()}
        assert sides == {
            "send": Side.EXPORTING,
            "answer": Side.EXPORTING,
            "withdraw": Side.EXPORTING,
            "acknowledge": Side.IMPORTING,
            "respond": Side.IMPORTING,
        }

    def test_only_sent_and_acknowledged_await_a_reply(self) -> None:
        assert {s.value for s in AWAITING_REPLY} == {"sent", "acknowledged"}


class TestNextStatus:
    @pytest.mark.parametrize(("status", "action"), PAIRS)
    def test_follows_the_contract(self, status: str, action: str) -> None:
        decision = Decision.OBJECTION if action == "respond" else None
        expected = expected_status(status, action, decision and decision.value)
        if expected is None:
            with pytest.raises(TransitionRefused):
                next_status(PenStatus(status), Action(action), decision)
        else:
            assert next_status(PenStatus(status), Action(action), decision) == expected

    @pytest.mark.parametrize("decision", list(Decision))
    def test_respond_leads_to_the_decision(self, decision: Decision) -> None:
        assert next_status(PenStatus.ACKNOWLEDGED, Action.RESPOND, decision) == decision.value

    def test_respond_without_decision_is_refused(self) -> None:
        with pytest.raises(ValueError, match="decision"):
            next_status(PenStatus.SENT, Action.RESPOND)

    def test_refusal_names_the_status_and_what_is_allowed(self) -> None:
        with pytest.raises(TransitionRefused, match=r"'withdrawn'.*allowed from: draft"):
            next_status(PenStatus.WITHDRAWN, Action.SEND)


class TestCountryMayRead:
    @pytest.mark.parametrize(
        ("country", "status", "expected"),
        [
            ("DE", PenStatus.DRAFT, True),
            ("PK", PenStatus.DRAFT, False),
            ("AE", PenStatus.DRAFT, False),
            ("FR", PenStatus.DRAFT, False),
            ("DE", PenStatus.SENT, True),
            ("PK", PenStatus.SENT, True),
            ("AE", PenStatus.SENT, True),
            ("FR", PenStatus.SENT, False),
            ("PK", PenStatus.WITHDRAWN, True),
            (None, PenStatus.SENT, False),
        ],
    )
    def test_drafts_stay_home_and_sent_pens_reach_the_route(
        self, country: str | None, status: PenStatus, expected: bool
    ) -> None:
        assert country_may_read(country, status, "DE", "PK", ["AE"]) is expected


class TestSideOf:
    @pytest.mark.parametrize(
        ("country", "expected"),
        [("DE", Side.EXPORTING), ("PK", Side.IMPORTING), ("AE", None), (None, None)],
    )
    def test_only_the_two_ends_have_a_side(
        self, country: str | None, expected: Side | None
    ) -> None:
        assert side_of(country, "DE", "PK") == expected


def _run(steps: list[tuple[Action, Decision]]) -> list[PenStatus]:
    """The statuses visited when `steps` are tried in order (refused steps change nothing)."""
    status = PenStatus.DRAFT
    visited = [status]
    for action, decision in steps:
        try:
            status = next_status(status, action, decision)
        except TransitionRefused:
            continue
        visited.append(status)
    return visited


class TestProperties:
    # database=None: no example database written into the working tree.
    @settings(max_examples=100, database=None)
    @given(st.lists(STEP, max_size=30))
    def test_random_sequences_stay_in_defined_statuses(
        self, steps: list[tuple[Action, Decision]]
    ) -> None:
        assert all(isinstance(s, PenStatus) for s in _run(steps))

    @settings(max_examples=100, database=None)
    @given(st.lists(STEP, max_size=30))
    def test_withdrawn_is_terminal(self, steps: list[tuple[Action, Decision]]) -> None:
        visited = _run(steps)
        if PenStatus.WITHDRAWN in visited:
            assert visited[visited.index(PenStatus.WITHDRAWN) :] == [PenStatus.WITHDRAWN]

    @settings(max_examples=100, database=None)
    @given(st.lists(STEP, max_size=30))
    def test_a_sent_notification_never_returns_to_draft(
        self, steps: list[tuple[Action, Decision]]
    ) -> None:
        visited = _run(steps)
        assert PenStatus.DRAFT not in visited[1:]

    @settings(max_examples=100, database=None)
    @given(st.sampled_from(list(PenStatus)), STEP)
    def test_allowed_exactly_when_the_contract_allows(
        self, status: PenStatus, step: tuple[Action, Decision]
    ) -> None:
        action, decision = step
        expected = expected_status(status.value, action.value, decision.value)
        try:
            assert next_status(status, action, decision) == expected
        except TransitionRefused:
            assert expected is None
