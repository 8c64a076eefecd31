"""The audit trail: every state change, with actor, action, subject and time; admins and
analysts read it."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.engine import Engine

from app.audit import service as audit
from app.auth.roles import Role
from app.core.db import open_session
from tests.factories import AUDIT, PENS, Api, lane, manual_flag, walk


class TestAccess:
    @pytest.mark.parametrize("role", [Role.ADMIN, Role.ANALYST])
    def test_admins_and_analysts_read_the_trail(self, api: Api, role: Role) -> None:
        assert api.actor(role).get(AUDIT).status_code == 200

    @pytest.mark.parametrize("role", [Role.REGULATOR, Role.CUSTOMS])
    def test_country_roles_may_not(self, api: Api, role: Role) -> None:
        response = api.actor(role, "DE").get(AUDIT)
        assert response.status_code == 403
        assert response.headers["content-type"] == "application/problem+json"


class TestTrail:
    def test_a_notifications_life_is_recorded_step_by_step(self, api: Api) -> None:
        de_pk = lane(api)
        started = datetime.now(UTC) - timedelta(seconds=5)
        pen = de_pk.pen_in("information_requested")
        events = list(reversed(walk(api.analyst(), AUDIT, subject_id=pen["id"])))
        assert [e["action"] for e in events] == ["pen.created", "pen.send", "pen.respond"]
        assert [e["actor_authority_id"] for e in events] == [
            de_pk.exporting.authority_id,
            de_pk.exporting.authority_id,
            de_pk.importing.authority_id,
        ]
        assert all(e["subject_type"] == "pre_export_notification" for e in events)
        assert all(datetime.fromisoformat(e["occurred_at"]) >= started for e in events)
        respond = events[-1]
        assert respond["before"]["status"] == "sent"
        assert respond["after"]["status"] == "information_requested"
        assert respond["after"]["decision"] == "information_requested"

    def test_nothing_about_a_draft_shows_until_it_is_sent(self, api: Api) -> None:
        de_pk = lane(api)
        draft = de_pk.draft(means_of_payment="hawala", intended_use="Secret dye works")
        manual = manual_flag(de_pk.exporting, draft, "critical", "Paid by hawala")
        flag_ids = {f["id"] for f in walk(de_pk.exporting, "/api/v1/flags", subject_id=draft["id"])}
        assert manual["id"] in flag_ids
        for reader in (api.analyst(), api.admin):
            trail = walk(reader, AUDIT)
            assert not [e for e in trail if e["subject_id"] in {draft["id"], *flag_ids}]
            assert "Secret dye works" not in str(trail) and "hawala" not in str(trail)
        assert de_pk.act(draft, "send").status_code == 200
        actions = [e["action"] for e in walk(api.analyst(), AUDIT, subject_id=draft["id"])]
        assert sorted(actions) == ["pen.created", "pen.send"]
        flag_rows = [e for e in walk(api.analyst(), AUDIT) if e["subject_id"] in flag_ids]
        assert flag_rows, "the draft's flags go with it once it is sent"

    def test_reads_leave_no_trace(self, api: Api) -> None:
        de_pk = lane(api)
        pen = de_pk.pen_in("sent")
        before = walk(api.admin, AUDIT)
        de_pk.importing.get(f"{PENS}/{pen['id']}")
        walk(de_pk.importing, PENS)
        assert walk(api.admin, AUDIT) == before

    def test_filters_by_action_and_actor(self, api: Api) -> None:
        de_pk = lane(api)
        de_pk.pen_in("sent")
        de_pk.pen_in("sent")
        sends = walk(api.admin, AUDIT, action="pen.send")
        assert len(sends) == 2
        actor = sends[0]["actor_user_id"]
        mine = walk(api.admin, AUDIT, actor_user_id=actor)
        assert {e["action"] for e in mine} == {"pen.created", "pen.send"}
        assert len(mine) == 4

    def test_pages_walk_the_trail_newest_first_without_duplicates(self, api: Api) -> None:
        lane(api).pen_in("acknowledged")
        everything = walk(api.admin, AUDIT)
        paged = walk(api.admin, AUDIT, limit=2)
        assert paged == everything
        assert len({e["id"] for e in paged}) == len(paged) > 2
        times = [e["occurred_at"] for e in paged]
        assert times == sorted(times, reverse=True)


OPERATORS = "/api/v1/operators"
OPERATOR = {"name": "Rheinchemie GmbH", "country": "DE", "address": "Hafenstrasse 1, Hamburg"}


class TestRequestId:
    def test_an_event_carries_the_request_id_its_write_answered_with(self, api: Api) -> None:
        created = api.admin.post(OPERATORS, json=OPERATOR)
        assert created.status_code == 201, created.text
        request_id = created.headers["x-request-id"]

        (event,) = walk(api.admin, AUDIT, subject_id=created.json()["id"])

        assert event["action"] == "operator.created"
        assert event["request_id"] == request_id

    def test_a_request_id_sent_by_the_caller_is_kept(self, api: Api) -> None:
        created = api.admin.post(
            OPERATORS, json=OPERATOR, headers={"X-Request-ID": "customs-gw-7f3a9c"}
        )
        assert created.headers["x-request-id"] == "customs-gw-7f3a9c"

        (event,) = walk(api.admin, AUDIT, subject_id=created.json()["id"])

        assert event["request_id"] == "customs-gw-7f3a9c"

    def test_each_write_has_its_own_request_id(self, api: Api) -> None:
        de_pk = lane(api)
        pen = de_pk.pen_in("sent")
        events = walk(api.analyst(), AUDIT, subject_id=pen["id"])
        ids = [e["request_id"] for e in events]
        assert len(ids) == 2 and all(ids) and len(set(ids)) == 2

    def test_an_event_written_outside_a_request_has_none(self, api: Api, engine: Engine) -> None:
        api.admin.post(OPERATORS, json=OPERATOR)  # a request before, in this process
        with open_session(engine, write=True) as session:
            audit.record(session, None, "delivery.dead", "delivery", "d-1")
            session.commit()

        (event,) = walk(api.admin, AUDIT, subject_id="d-1")

        assert event["request_id"] is None
