"""Small typed helpers for the alerts tests."""

from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import Engine

from app.alerts import outbox
from app.core.db import open_session
from app.core.ids import new_id
from app.events import service as events
from app.events.types import EventType, SubjectType
from tests.factories import AA, Actor, Api, pen_body

PENS = "/api/v1/pre-export-notifications"


def webhook_authority(api: Api, country: str, url: str, kind: str = "regulator") -> tuple[str, str]:
    """An authority with a webhook endpoint (its users come from api.actor): (id, secret)."""
    response = api.admin.post(
        "/api/v1/authorities",
        json={
            "country": country,
            "name": f"{country} {kind} (hooks)",
            "kind": kind,
            "webhook_url": url,
        },
    )
    assert response.status_code == 201, response.text
    body = response.json()
    api._authorities[(country, kind)] = body["id"]
    return body["id"], body["webhook_secret"]


def sent_pen(
    api: Api, exporting: Actor, exporting_country: str = "DE", importing: str = "PK"
) -> dict[str, Any]:
    """A PEN drafted and sent through the API."""
    exporter = api.operator(exporting_country, f"{exporting_country} Exporter GmbH")
    importer = api.operator(importing, f"{importing} Importer Ltd")
    created = exporting.post(PENS, json=pen_body(exporter, importer))
    assert created.status_code == 201, created.text
    sent = exporting.post(f"{PENS}/{created.json()['id']}/send")
    assert sent.status_code == 200, sent.text
    return dict(sent.json())


def emit_incidents(engine: Engine, count: int, country: str, per_transaction: int = 200) -> None:
    """`count` seizures on routes into `country`, emitted as the flows do (one per subject)."""
    done = 0
    while done < count:
        with open_session(engine, write=True) as session:
            for _ in range(min(per_transaction, count - done)):
                outbox.route(
                    session,
                    events.emit(
                        session,
                        EventType.SHIPMENT_SEIZED,
                        SubjectType.SHIPMENT,
                        new_id(),
                        route={"exporting": "DE", "importing": country, "transit": []},
                        payload={"customs_reference": f"SZ-{done}", "substance": AA},
                    ),
                )
                done += 1
            session.commit()


def delivery_statuses(engine: Engine) -> dict[str, str]:
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT id, status FROM delivery")).all()
    return {row[0]: row[1] for row in rows}


def count(engine: Engine, table: str) -> int:
    with engine.connect() as connection:
        return int(connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())
