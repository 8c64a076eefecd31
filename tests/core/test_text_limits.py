"""Text fields hold what their columns hold: a longer text is a 422 naming the field, on every
database (PostgreSQL's VARCHAR(500) would otherwise refuse it with a 500)."""

import pytest

from tests.factories import PENS, SHIPMENTS, Api, lane


@pytest.mark.parametrize("length", [500, 501])
def test_a_declarations_description_is_up_to_500_characters(api: Api, length: int) -> None:
    trade = lane(api)
    customs = api.customs("DE")
    body = trade.shipment_body(declared_description="x" * length)
    response = customs.post(SHIPMENTS, json=body)
    if length == 500:
        assert response.status_code == 201, response.text
        assert response.json()["declared_description"] == "x" * 500
    else:
        assert response.status_code == 422
        assert "declared_description" in response.text


@pytest.mark.parametrize("length", [500, 501])
def test_a_pens_intended_use_is_up_to_500_characters(api: Api, length: int) -> None:
    trade = lane(api)
    response = trade.exporting.post(PENS, json=trade.draft_body(intended_use="y" * length))
    if length == 500:
        assert response.status_code == 201, response.text
    else:
        assert response.status_code == 422
        assert "intended_use" in response.text
