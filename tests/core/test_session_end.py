"""The request's session ends as the handler left it (app/core/db.py): a session with nothing to
write is closed on the event loop, one holding a transaction or unwritten changes is committed in
a worker thread. Routes added to a fresh app, so that each way a handler can leave its session is
exercised through HTTP."""

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import select

from app.core.db import SessionDep, open_session
from app.core.ids import new_id
from app.operators.models import Operator


@pytest.fixture
def routes(fresh_app: FastAPI) -> Iterator[TestClient]:
    @fresh_app.post("/test/added-not-flushed", status_code=204)
    def added_not_flushed(session: SessionDep, name: str) -> None:
        # Added, never flushed: nothing is written until the session's end commits it.
        session.add(Operator(id=new_id(), name=name, country="DE", address="Hamburg"))

    @fresh_app.get("/test/read-and-ended")
    def read_and_ended(session: SessionDep) -> int:
        count = len(session.exec(select(Operator.id)).all())
        session.rollback()
        return count

    @fresh_app.get("/test/untouched")
    def untouched(session: SessionDep) -> str:
        return "ok"

    with TestClient(fresh_app) as client:
        yield client


def _names(engine: Engine) -> list[str]:
    with open_session(engine) as session:
        return list(session.exec(select(Operator.name)).all())


def test_changes_added_but_not_flushed_are_committed(routes: TestClient, engine: Engine) -> None:
    assert (
        routes.post("/test/added-not-flushed", params={"name": "Elbe Solvents AG"}).status_code
        == 204
    )
    assert _names(engine) == ["Elbe Solvents AG"]


def test_sessions_left_without_a_transaction_give_their_connection_back(
    routes: TestClient, engine: Engine
) -> None:
    held = engine.pool.checkedout()  # type: ignore[attr-defined]
    for _ in range(engine.pool.size() + 3):  # type: ignore[attr-defined]
        assert routes.get("/test/read-and-ended").json() == 0
        assert routes.get("/test/untouched").json() == "ok"
    assert engine.pool.checkedout() == held  # type: ignore[attr-defined]
