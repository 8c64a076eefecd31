"""The audit trail is tamper-evident: `pentrack audit verify` passes on an untouched trail and
names the first row that was changed, removed or inserted with SQL behind the application's back."""

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine

from tests.factories import AUDIT, Api, lane, walk
from tests.test_cli import run


def _trail(api: Api) -> list[dict[str, object]]:
    """Some history through the API: operators, a PEN drafted, sent and answered."""
    de_pk = lane(api)
    de_pk.pen_in("no_objection")
    events = list(reversed(walk(api.admin, AUDIT)))
    assert len(events) >= 5
    return events


def _verify(database_url: str) -> tuple[int, str]:
    result = run(["audit", "verify"], database_url)
    return result.returncode, result.stdout + result.stderr


class TestAuditChain:
    def test_an_untouched_trail_verifies(self, api: Api, database_url: str) -> None:
        events = _trail(api)
        code, said = _verify(database_url)
        assert code == 0, said
        assert f"intact: {len(events)} rows" in said

    def test_a_changed_row_is_named(self, api: Api, engine: Engine, database_url: str) -> None:
        events = _trail(api)
        victim = events[2]["id"]
        with engine.begin() as connection:
            connection.execute(
                text("UPDATE audit_event SET action = 'pen.nothing' WHERE id = :id"), {"id": victim}
            )
        code, said = _verify(database_url)
        assert code == 1
        assert victim in said and "changed" in said

    def test_a_removed_row_is_noticed_at_the_next_one(
        self, api: Api, engine: Engine, database_url: str
    ) -> None:
        events = _trail(api)
        with engine.begin() as connection:
            connection.execute(
                text("DELETE FROM audit_event WHERE id = :id"), {"id": events[1]["id"]}
            )
        code, said = _verify(database_url)
        assert code == 1
        assert events[2]["id"] in said and "removed" in said

    def test_a_row_inserted_out_of_band_is_named(
        self, api: Api, engine: Engine, database_url: str
    ) -> None:
        _trail(api)
        with engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO audit_event (id, occurred_at, action, subject_type, subject_id) "
                    "VALUES ('forged', :at, 'pen.send', 'pre_export_notification', 'x')"
                ),
                {"at": "2026-01-01 00:00:00+00:00"},
            )
        code, said = _verify(database_url)
        assert code == 1
        assert "forged" in said and "out of band" in said

    @pytest.mark.parametrize("role", ["analyst", "admin"])
    def test_user_and_token_changes_join_the_chain(
        self, api: Api, database_url: str, role: str
    ) -> None:
        created = run(["token", "create", "--role", role], database_url)
        assert created.returncode == 0, created.stderr
        code, said = _verify(database_url)
        assert code == 0, said
        actions = [e["action"] for e in walk(api.admin, AUDIT)]
        assert "user.created" in actions
