"""How an incident reads to each caller: at its reading scope (the recording country in full;
the countries named, analysts and admins at the incident's scope; countries asked to backtrack
it at their requests' scope), with its substances, operators and forensic samples."""

from typing import Any

from sqlmodel import Session, col, select

from app.auth.service import Principal
from app.core.pagination import Page
from app.incidents.models import (
    NAMED_IN_INCIDENT,
    BacktrackingRequest,
    ForensicSample,
    Incident,
    IncidentOperator,
    IncidentSubstance,
)
from app.incidents.schemas import (
    IncidentDetail,
    IncidentPublic,
    IncidentSubstancePublic,
    OperatorNamed,
    SamplePublic,
)
from app.incidents.scopes import IncidentScope, shape_incident, widest
from app.notifications import service as notifications
from app.notifications.models import PreExportNotification
from app.operators.models import Operator
from app.shipments import service as shipments
from app.shipments.models import Shipment


def incident_countries(incident: Incident) -> dict[str, set[str]]:
    """Country → its roles in the incident (recording, origin, transit, destination)."""
    roles: dict[str, set[str]] = {incident.country: {"recording"}}
    for country, role in [
        (incident.origin_country, "origin"),
        (incident.destination_country, "destination"),
        *((c, "transit") for c in incident.transit_countries),
    ]:
        if country:
            roles.setdefault(country, set()).add(role)
    return roles


def _asked_scopes(session: Session, country: str, incident_ids: set[str]) -> dict[str, list[str]]:
    """Incident → the scopes of the backtracking requests addressed to `country` about it."""
    rows = session.exec(
        select(BacktrackingRequest.incident_id, BacktrackingRequest.scope).where(
            BacktrackingRequest.to_country == country,
            col(BacktrackingRequest.incident_id).in_(incident_ids),
        )
    ).all()
    found: dict[str, list[str]] = {}
    for incident_id, scope in rows:
        found.setdefault(incident_id, []).append(scope)
    return found


def reading_scopes(
    session: Session, principal: Principal, incidents: list[Incident]
) -> dict[str, str | None]:
    """Incident → the scope at which `principal` reads it (None: not at all). The recording
    country reads everything; countries named and global readers read at the incident's
    scope; a country asked to backtrack reads at its requests' widest scope."""
    asked = (
        _asked_scopes(session, principal.country, {i.id for i in incidents})
        if principal.country
        else {}
    )
    scopes: dict[str, str | None] = {}
    for incident in incidents:
        if principal.country == incident.country:
            scopes[incident.id] = IncidentScope.FULL.value
            continue
        granted = list(asked.get(incident.id, []))
        if principal.is_global_reader or principal.country in incident_countries(incident):
            granted.append(incident.scope)
        scopes[incident.id] = widest(*granted) if granted else None
    return scopes


def substances_by_incident(session: Session, ids: set[str]) -> dict[str, list[IncidentSubstance]]:
    rows = session.exec(
        select(IncidentSubstance)
        .where(col(IncidentSubstance.incident_id).in_(ids))
        .order_by(col(IncidentSubstance.position))
    ).all()
    found: dict[str, list[IncidentSubstance]] = {}
    for row in rows:
        found.setdefault(row.incident_id, []).append(row)
    return found


def operators_of(session: Session, incident_id: str) -> list[Operator]:
    return list(
        session.exec(
            select(Operator)
            .join(IncidentOperator, col(IncidentOperator.operator_id) == Operator.id)
            .where(
                IncidentOperator.incident_id == incident_id,
                col(IncidentOperator.source).in_(NAMED_IN_INCIDENT),
            )
            .order_by(col(Operator.name))
        ).all()
    )


def _links_for(session: Session, principal: Principal, incident: Incident) -> dict[str, Any]:
    """The shipment and PEN ids, each only for a reader who may read the record itself."""
    shipment = session.get(Shipment, incident.shipment_id) if incident.shipment_id else None
    pen = (
        session.get(PreExportNotification, incident.notification_id)
        if incident.notification_id
        else None
    )
    return {
        "shipment_id": shipment.id
        if shipment and shipments.principal_may_read(principal, shipment)
        else None,
        "pen_id": pen.id if pen and notifications.principal_may_read(principal, pen) else None,
    }


def _full(
    session: Session,
    principal: Principal,
    incident: Incident,
    substances: list[IncidentSubstance],
) -> dict[str, Any]:
    data = incident.model_dump(
        exclude={"notification_id", "recorded_by_user_id", "recorded_by_authority_id"}
    )
    data["operator_ids"] = sorted(
        session.exec(
            select(IncidentOperator.operator_id).where(
                IncidentOperator.incident_id == incident.id,
                col(IncidentOperator.source).in_(NAMED_IN_INCIDENT),
            )
        ).all()
    )
    data["substances"] = [
        IncidentSubstancePublic.model_validate(s).model_dump() for s in substances
    ]
    return {**data, **_links_for(session, principal, incident)}


def to_public_page(session: Session, principal: Principal, page: Page[Incident]) -> dict[str, Any]:
    ids = {i.id for i in page.items}
    substances = substances_by_incident(session, ids)
    scopes = reading_scopes(session, principal, page.items)
    items = []
    for incident in page.items:
        scope = scopes[incident.id] or IncidentScope.SUMMARY.value
        full = _full(session, principal, incident, substances.get(incident.id, []))
        items.append(
            IncidentPublic.model_validate({**shape_incident(full, scope), "shared_scope": scope})
        )
    return {"items": items, "next_cursor": page.next_cursor}


def to_detail(session: Session, principal: Principal, incident: Incident) -> IncidentDetail:
    """The incident with its operators and samples, at the caller's reading scope."""
    scope = reading_scopes(session, principal, [incident])[incident.id]
    scope = scope or IncidentScope.SUMMARY.value
    full = _full(
        session,
        principal,
        incident,
        substances_by_incident(session, {incident.id}).get(incident.id, []),
    )
    full["operators"] = [
        OperatorNamed(id=o.id, name=o.name, country=o.country).model_dump()
        for o in operators_of(session, incident.id)
    ]
    full["samples"] = [
        SamplePublic.model_validate(s, from_attributes=True).model_dump()
        for s in samples_of(session, incident.id)
    ]
    return IncidentDetail.model_validate({**shape_incident(full, scope), "shared_scope": scope})


def samples_of(session: Session, incident_id: str) -> list[ForensicSample]:
    return list(
        session.exec(
            select(ForensicSample)
            .where(ForensicSample.incident_id == incident_id)
            .order_by(col(ForensicSample.created_at), col(ForensicSample.id))
        ).all()
    )


def substances_of(session: Session, incident_id: str) -> list[IncidentSubstance]:
    return substances_by_incident(session, {incident_id}).get(incident_id, [])
