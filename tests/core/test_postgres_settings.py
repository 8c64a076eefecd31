"""PostgreSQL connections as pentrack opens them (app/core/db.py)."""

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine

from app.core.db import open_session


def test_no_jit_on_any_connection_even_after_a_rollback(engine: Engine, is_postgres: bool) -> None:
    """JIT compiling took 100–640 ms for statements running in 5–50 ms on a large database
    (the rules' link statement on every write, the summaries): it is off for every pooled
    connection, and stays off after a transaction is rolled back and the connection reused."""
    if not is_postgres:
        pytest.skip("JIT is PostgreSQL's")
    for _ in range(3):
        with open_session(engine, write=True) as session:
            assert session.execute(text("SHOW jit")).scalar_one() == "off"
            session.rollback()
    with engine.connect() as first, engine.connect() as second:
        for connection in (first, second):
            assert connection.execute(text("SHOW jit")).scalar_one() == "off"
