from app.auth.roles import Role
from tests.factories import Api, pen_body, shipment_body


def test_de_to_pk_via_ae_end_to_end(api: Api) -> None:
    de, pk = api.regulator("DE"), api.regulator("PK")
    exporter = api.operator("DE", "Rheinchemie GmbH")
    importer = api.operator("PK", "Indus Textiles Ltd")
    created = de.post(
        "/api/v1/pre-export-notifications",
        json=pen_body(exporter, importer, transit_countries=["AE"]),
    )
    assert created.status_code == 201, created.text
    pen = created.json()
    assert pen["status"] == "draft"
    assert pen["quantity_kg"] == 5400.0
    assert pen["reference"].startswith("DE-")
    assert pk.get(f"/api/v1/pre-export-notifications/{pen['id']}").status_code == 404

    sent = de.post(f"/api/v1/pre-export-notifications/{pen['id']}/send")
    assert sent.status_code == 200, sent.text
    assert sent.json()["reply_by"]
    assert pk.post(f"/api/v1/pre-export-notifications/{pen['id']}/acknowledge").status_code == 200
    objected = pk.post(
        f"/api/v1/pre-export-notifications/{pen['id']}/respond",
        json={"decision": "objection", "reason": "Importer unknown"},
    )
    assert objected.status_code == 200, objected.text
    assert objected.json()["status"] == "objection"

    ae = api.customs("AE")
    found = ae.get("/api/v1/pre-export-notifications", params={"reference": pen["reference"]})
    assert found.json()["items"][0]["id"] == pen["id"]
    shipment = ae.post("/api/v1/shipments", json=shipment_body(pen))
    assert shipment.status_code == 201, shipment.text
    event = ae.post(
        f"/api/v1/shipments/{shipment.json()['id']}/events",
        json={
            "type": "stopped",
            "country": "AE",
            "occurred_at": "2026-01-05T10:00:00+04:00",
            "quantity_observed": 5600,
            "unit": "l",
        },
    )
    assert event.status_code == 201, event.text
    body = event.json()
    assert body["status"] == "stopped"
    assert body["observed_minus_notified_kg"] == 648.0
    assert api.actor(Role.ANALYST).get("/api/v1/audit-events").json()["items"]
