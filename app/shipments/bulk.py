"""Shipments recorded many at a time (bulk imports): the single endpoint's checks
(`checks.new_shipment`) over lookups loaded once per batch, and set-based writes."""

from collections.abc import Iterable
from typing import Any

from sqlmodel import Session, col, select

from app.audit import service as audit
from app.auth.service import Principal
from app.core.bulk import among, insert_rows
from app.shipments.checks import creation_audit
from app.shipments.models import Shipment, ShipmentRouteCountry

SHIPMENT_TABLE = Shipment.__table__  # type: ignore[attr-defined]
ROUTE_TABLE = ShipmentRouteCountry.__table__  # type: ignore[attr-defined]


def recorded_references(session: Session, country: str, references: Iterable[str]) -> set[str]:
    """Which of `references` are already recorded in `country` (the shipment's natural key is
    the customs reference within the recording country)."""
    wanted = set(references)
    if not wanted:
        return set()
    return set(
        session.exec(
            select(Shipment.customs_reference).where(
                Shipment.recorded_country == country,
                among(session, col(Shipment.customs_reference), wanted),
            )
        )
    )


def insert_shipments(
    session: Session, actor: Principal, new: list[tuple[dict[str, Any], dict[str, set[str]]]]
) -> None:
    """Write checked shipments `(row, route roles)` with their route rows and audit rows, as
    `service.create_shipment` writes one."""
    insert_rows(session, SHIPMENT_TABLE, [row for row, _ in new])
    insert_rows(
        session,
        ROUTE_TABLE,
        [
            {"shipment_id": row["id"], "country": country, "role": role}
            for row, roles in new
            for country, country_roles in roles.items()
            for role in country_roles
        ],
    )
    audit.record_many(
        session,
        actor,
        "shipment.created",
        "shipment",
        [(row["id"], creation_audit(row)) for row, _ in new],
    )
