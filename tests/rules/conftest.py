import pytest

from tests.factories import Api
from tests.rules.trade import Trade, trade


@pytest.fixture
def de_pk(api: Api) -> Trade:
    """Germany → Pakistan through the UAE, between known parties with one earlier shipment."""
    return trade(api)


@pytest.fixture
def first_time(api: Api) -> Trade:
    """Germany → Pakistan through the UAE, to an importer that never took acetic anhydride."""
    return trade(api, history=0)
