"""The roll-ups start empty in every test (the suite's cleanup empties the raw tables in an
order that may leave the roll-ups holding the subtractions of rows deleted before them)."""

from collections.abc import Iterator

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine


@pytest.fixture(autouse=True)
def _empty_rollups(engine: Engine) -> Iterator[None]:
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM summary_pen_month"))
        connection.execute(text("DELETE FROM summary_shipment_month"))
        connection.execute(text("DELETE FROM summary_pen_month_delta"))
        connection.execute(text("DELETE FROM summary_shipment_month_delta"))
        connection.execute(text("DELETE FROM summary_shipment_observed"))
        connection.execute(text("DELETE FROM summary_shipment_interdiction"))
        connection.execute(text("DELETE FROM summary_flag"))
    yield
