"""Every PEN transition through HTTP, allowed and refused, and the rules around replies."""

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update
from sqlalchemy.engine import Engine

from app.core.config import Settings
from app.main import create_app
from app.notifications.models import PreExportNotification
from tests.factories import AUDIT, PENS, Api, Lane, lane, walk
from tests.notifications.transitions import DECISIONS, PAIRS, expected_status

PROBLEM = "https://pentrack.org/problems/"
# The body each action needs (respond picks a decision that needs a reason, to exercise it).
BODIES: dict[str, dict[str, Any] | None] = {
    "send": None,
    "acknowledge": None,
    "respond": {"decision": "objection", "reason": "Consignee unknown to us"},
    "answer": {"message": "The end user is Indus Textiles, Faisalabad"},
    "withdraw": {"reason": "Contract cancelled"},
}
# A draft is invisible to the importing country: its regulator gets 404, not 409.
INVISIBLE = {("draft", "acknowledge"), ("draft", "respond")}
ALLOWED = [p for p in PAIRS if expected_status(*p, "objection") is not None]
REFUSED = [p for p in PAIRS if expected_status(*p, "objection") is None and p not in INVISIBLE]


@pytest.fixture
def de_pk(api: Api) -> Lane:
    return lane(api)


def _read(lane: Lane, pen: dict[str, Any]) -> dict[str, Any]:
    response = lane.exporting.get(f"{PENS}/{pen['id']}")
    assert response.status_code == 200, response.text
    return dict(response.json())


def _audit(api: Api, pen: dict[str, Any]) -> list[dict[str, Any]]:
    return walk(api.admin, AUDIT, subject_id=pen["id"])


def _today() -> date:
    return datetime.now(UTC).date()


class TestCreate:
    def test_draft_gets_a_readable_reference_and_kilograms(self, de_pk: Lane) -> None:
        pen = de_pk.draft()
        assert pen["status"] == "draft"
        assert pen["reference"] == f"DE-{_today().year}-000001"
        assert pen["quantity_kg"] == 5400.0  # 5,000 l of acetic anhydride at 1.08 kg/l
        assert pen["sent_at"] is None
        assert pen["history"] == []

    def test_references_count_up_per_exporting_country(self, de_pk: Lane) -> None:
        references = [de_pk.draft()["reference"] for _ in range(3)]
        year = _today().year
        assert references == [f"DE-{year}-00000{n}" for n in (1, 2, 3)]

    def test_creation_is_audited_and_shown_once_the_pen_is_sent(
        self, api: Api, de_pk: Lane
    ) -> None:
        pen = de_pk.draft()
        assert _audit(api, pen) == []  # a draft's trail is the exporting country's alone
        assert de_pk.act(pen, "send").status_code == 200
        event = next(e for e in _audit(api, pen) if e["action"] == "pen.created")
        assert event["action"] == "pen.created"
        assert event["actor_role"] == "regulator"
        assert event["actor_authority_id"] == de_pk.exporting.authority_id
        assert event["after"]["status"] == "draft"


class TestTransitions:
    @pytest.mark.parametrize(("status", "action"), ALLOWED)
    def test_allowed_move_changes_status_and_keeps_history(
        self, api: Api, de_pk: Lane, status: str, action: str
    ) -> None:
        pen = de_pk.pen_in(status)
        response = de_pk.act(pen, action, BODIES[action])
        assert response.status_code == 200, response.text
        moved = response.json()
        assert moved["status"] == expected_status(status, action, "objection")
        assert len(moved["history"]) == len(pen["history"]) + 1
        assert moved["history"][-1]["kind"] == action
        assert _read(de_pk, pen)["status"] == moved["status"]
        if status == "draft" and action == "withdraw":
            # Never sent: its trail stays with the exporting country, unread by anyone else.
            assert _audit(api, pen) == []
            return
        latest = _audit(api, pen)[0]
        assert latest["action"] == f"pen.{action}"
        assert latest["before"]["status"] == status
        assert latest["after"]["status"] == moved["status"]

    @pytest.mark.parametrize(("status", "action"), REFUSED)
    def test_refused_move_is_409_and_changes_nothing(
        self, api: Api, de_pk: Lane, status: str, action: str
    ) -> None:
        pen = de_pk.pen_in(status)
        audit_before = _audit(api, pen)
        response = de_pk.act(pen, action, BODIES[action])
        assert response.status_code == 409, response.text
        assert response.headers["content-type"] == "application/problem+json"
        problem = response.json()
        assert problem["type"] == PROBLEM + "transition-not-allowed"
        assert problem["current_status"] == status
        stored = _read(de_pk, pen)
        assert (stored["status"], stored["history"]) == (status, pen["history"])
        assert _audit(api, pen) == audit_before

    @pytest.mark.parametrize(("status", "action"), sorted(INVISIBLE))
    def test_importing_side_cannot_act_on_a_draft_it_cannot_see(
        self, de_pk: Lane, status: str, action: str
    ) -> None:
        pen = de_pk.pen_in(status)
        response = de_pk.act(pen, action, BODIES[action])
        assert response.status_code == 404, response.text
        assert response.json()["type"] == PROBLEM + "notification-not-found"
        assert _read(de_pk, pen)["status"] == "draft"

    def test_unknown_notification_is_404(self, de_pk: Lane) -> None:
        response = de_pk.exporting.post(f"{PENS}/01nonexistent0000000000000/send")
        assert response.status_code == 404
        assert response.json()["type"] == PROBLEM + "notification-not-found"


class TestRespond:
    @pytest.mark.parametrize("decision", DECISIONS)
    def test_status_and_decision_become_the_decision(self, de_pk: Lane, decision: str) -> None:
        pen = de_pk.pen_in("acknowledged")
        response = de_pk.act(pen, "respond", {"decision": decision, "reason": "Checked"})
        assert response.status_code == 200, response.text
        assert response.json()["status"] == decision
        assert response.json()["decision"] == decision
        assert response.json()["decided_at"] is not None

    @pytest.mark.parametrize("decision", ["objection", "information_requested"])
    @pytest.mark.parametrize("reason", [None, "", "   "])
    def test_objection_and_information_request_require_a_reason(
        self, api: Api, de_pk: Lane, decision: str, reason: str | None
    ) -> None:
        pen = de_pk.pen_in("sent")
        audit_before = _audit(api, pen)
        body = (
            {"decision": decision} if reason is None else {"decision": decision, "reason": reason}
        )
        response = de_pk.act(pen, "respond", body)
        assert response.status_code == 422, response.text
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["errors"]
        assert _read(de_pk, pen)["status"] == "sent"
        assert _audit(api, pen) == audit_before

    def test_no_objection_needs_no_reason(self, de_pk: Lane) -> None:
        pen = de_pk.pen_in("sent")
        response = de_pk.act(pen, "respond", {"decision": "no_objection"})
        assert response.status_code == 200, response.text
        assert response.json()["status"] == "no_objection"

    @pytest.mark.parametrize("body", [None, {}, {"decision": "approve"}])
    def test_missing_or_unknown_decision_is_422(
        self, de_pk: Lane, body: dict[str, Any] | None
    ) -> None:
        pen = de_pk.pen_in("sent")
        response = de_pk.act(pen, "respond", body)
        assert response.status_code == 422, response.text
        assert _read(de_pk, pen)["status"] == "sent"

    def test_a_reply_counts_as_acknowledgement(self, de_pk: Lane) -> None:
        pen = de_pk.pen_in("sent")
        replied = de_pk.act(pen, "respond", {"decision": "no_objection"}).json()
        assert replied["acknowledged_at"] is not None

    def test_history_is_kept_and_the_latest_decision_decides(self, de_pk: Lane) -> None:
        pen = de_pk.pen_in("information_requested")
        assert de_pk.act(pen, "answer", BODIES["answer"]).json()["decision"] == (
            "information_requested"
        )
        final = de_pk.act(pen, "respond", {"decision": "objection", "reason": "End user fake"})
        assert final.status_code == 200, final.text
        body = final.json()
        assert body["status"] == "objection"
        assert body["decision"] == "objection"
        assert [(m["kind"], m["decision"]) for m in body["history"]] == [
            ("send", None),
            ("respond", "information_requested"),
            ("answer", None),
            ("respond", "objection"),
        ]
        assert body["history"][1]["text"] == "Name the end user"
        assert body["history"][1]["country"] == "PK"
        assert body["history"][2]["text"] == BODIES["answer"]["message"]  # type: ignore[index]
        assert body["history"][3]["author_authority_id"] == de_pk.importing.authority_id

    def test_a_request_for_information_may_be_followed_by_a_decision(self, de_pk: Lane) -> None:
        pen = de_pk.pen_in("information_requested")
        response = de_pk.act(pen, "respond", {"decision": "no_objection"})
        assert response.status_code == 200, response.text
        assert response.json()["decision"] == "no_objection"


class TestAnswer:
    def test_answer_returns_the_notification_to_sent(self, de_pk: Lane) -> None:
        pen = de_pk.pen_in("information_requested")
        response = de_pk.act(pen, "answer", BODIES["answer"])
        assert response.status_code == 200, response.text
        assert response.json()["status"] == "sent"

    @pytest.mark.parametrize("body", [None, {}, {"message": ""}, {"text": "hello"}])
    def test_answer_requires_a_message(self, de_pk: Lane, body: dict[str, Any] | None) -> None:
        pen = de_pk.pen_in("information_requested")
        response = de_pk.act(pen, "answer", body)
        assert response.status_code == 422, response.text
        assert _read(de_pk, pen)["status"] == "information_requested"


class TestWithdraw:
    @pytest.mark.parametrize("body", [None, {}, {"reason": " "}])
    def test_withdraw_requires_a_reason(self, de_pk: Lane, body: dict[str, Any] | None) -> None:
        pen = de_pk.pen_in("sent")
        response = de_pk.act(pen, "withdraw", body)
        assert response.status_code == 422, response.text
        assert _read(de_pk, pen)["status"] == "sent"

    def test_withdrawal_keeps_the_last_decision(self, de_pk: Lane) -> None:
        pen = de_pk.pen_in("objection")
        response = de_pk.act(pen, "withdraw", BODIES["withdraw"])
        assert response.status_code == 200, response.text
        body = response.json()
        assert (body["status"], body["decision"]) == ("withdrawn", "objection")
        assert body["withdrawn_at"] is not None


class TestSend:
    def test_reply_by_defaults_to_15_days_after_sending(self, de_pk: Lane) -> None:
        sent = de_pk.pen_in("sent")
        sent_on = datetime.fromisoformat(sent["sent_at"]).astimezone(UTC).date()
        assert date.fromisoformat(sent["reply_by"]) == sent_on + timedelta(days=15)

    def test_a_reply_by_given_at_drafting_is_kept(self, de_pk: Lane) -> None:
        reply_by = (_today() + timedelta(days=7)).isoformat()
        assert de_pk.pen_in("sent", reply_by=reply_by)["reply_by"] == reply_by

    def test_reply_window_follows_the_setting(self, settings: Settings, engine: Engine) -> None:
        app = create_app(settings.model_copy(update={"reply_window_days": 5}), engine=engine)
        with TestClient(app) as client:
            sent = lane(Api(client, engine)).pen_in("sent")
        sent_on = datetime.fromisoformat(sent["sent_at"]).astimezone(UTC).date()
        assert date.fromisoformat(sent["reply_by"]) == sent_on + timedelta(days=5)


def _move_reply_by_to_yesterday(engine: Engine, pen: dict[str, Any]) -> None:
    """Setup only: time travel is not an API feature, so the deadline is moved in the row."""
    yesterday = _today() - timedelta(days=1)
    with engine.begin() as connection:
        connection.execute(
            update(PreExportNotification)
            .where(PreExportNotification.id == pen["id"])
            .values(reply_by=yesterday)
        )


class TestReplyOverdue:
    def test_not_overdue_before_reply_by(self, de_pk: Lane) -> None:
        assert de_pk.pen_in("sent")["reply_overdue"] is False

    def test_overdue_once_reply_by_passed_without_decision(
        self, engine: Engine, de_pk: Lane
    ) -> None:
        pen = de_pk.pen_in("acknowledged", reply_by=_today().isoformat())
        _move_reply_by_to_yesterday(engine, pen)
        assert _read(de_pk, pen)["reply_overdue"] is True
        overdue = walk(de_pk.importing, PENS, reply_overdue="true")
        assert [p["id"] for p in overdue] == [pen["id"]]

    def test_a_decision_ends_the_overdue(self, engine: Engine, de_pk: Lane) -> None:
        pen = de_pk.pen_in("sent", reply_by=_today().isoformat())
        _move_reply_by_to_yesterday(engine, pen)
        replied = de_pk.act(pen, "respond", {"decision": "no_objection"})
        assert replied.status_code == 200, replied.text
        assert replied.json()["reply_overdue"] is False
        assert walk(de_pk.importing, PENS, reply_overdue="true") == []


class TestVisibility:
    def test_drafts_are_invisible_to_the_importing_country(self, de_pk: Lane) -> None:
        pen = de_pk.draft()
        assert de_pk.importing.get(f"{PENS}/{pen['id']}").status_code == 404
        assert walk(de_pk.importing, PENS) == []

    def test_sent_notifications_reach_the_importing_country(self, de_pk: Lane) -> None:
        pen = de_pk.pen_in("sent")
        assert de_pk.importing.get(f"{PENS}/{pen['id']}").status_code == 200
        assert [p["id"] for p in walk(de_pk.importing, PENS)] == [pen["id"]]

    def test_list_filters_by_status_and_reference(self, de_pk: Lane) -> None:
        draft, sent = de_pk.draft(), de_pk.pen_in("sent")
        by_status = walk(de_pk.exporting, PENS, status="draft")
        assert [p["id"] for p in by_status] == [draft["id"]]
        by_reference = walk(de_pk.exporting, PENS, reference=sent["reference"].lower())
        assert [p["id"] for p in by_reference] == [sent["id"]]
