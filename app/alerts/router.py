"""Alerts (each authority's inbox), routing rules and routing decisions."""

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from app.alerts import service
from app.alerts.deps import AlertDep, LockedAlertDep, RoutingDecisionDep, RoutingRuleDep
from app.alerts.models import RoutingDecision, RoutingRule
from app.alerts.schemas import (
    AcknowledgeRequest,
    AlertPublic,
    AlertStatus,
    RoutingDecisionPublic,
    RoutingRuleCreate,
    RoutingRulePublic,
    RoutingRuleUpdate,
)
from app.auth.deps import AdminUser, CurrentUser
from app.core.db import SessionDep
from app.core.headers import IfMatch, check_if_match, locate, tag
from app.core.pagination import Cursor, Limit, ListResponse
from app.core.problems import problem_responses

alerts_router = APIRouter(prefix="/alerts", tags=["alerts"], responses=problem_responses(401))
routing_rules_router = APIRouter(
    prefix="/routing-rules",
    tags=["routing"],
    responses=problem_responses(401),
)
decisions_router = APIRouter(
    prefix="/routing-decisions",
    tags=["routing"],
    responses=problem_responses(401, 403),
)
ShortQuery = Annotated[str | None, Query(max_length=64)]


@alerts_router.get("", response_model=ListResponse[AlertPublic], summary="The inbox")
def list_alerts(
    session: SessionDep,
    principal: CurrentUser,
    status: AlertStatus | None = None,
    event_type: ShortQuery = None,
    subject_id: ShortQuery = None,
    authority_id: ShortQuery = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> dict:
    """Alerts for the caller's authority, newest first (admins see every inbox)."""
    page = service.list_alerts(
        session,
        principal,
        status=status,
        event_type=event_type,
        subject_id=subject_id,
        authority_id=authority_id,
        limit=limit,
        cursor=cursor,
    )
    return {"items": [service.to_public(a) for a in page.items], "next_cursor": page.next_cursor}


@alerts_router.get(
    "/{alert_id}",
    response_model=AlertPublic,
    responses=problem_responses(404),
    summary="Get an alert",
)
def get_alert(alert: AlertDep) -> AlertPublic:
    """One alert of the caller's inbox."""
    return service.to_public(alert)


@alerts_router.post(
    "/{alert_id}/acknowledge",
    response_model=AlertPublic,
    responses=problem_responses(403, 404, 422),
    summary="Acknowledge an alert",
)
def acknowledge_alert(
    alert: LockedAlertDep,
    session: SessionDep,
    principal: CurrentUser,
    data: AcknowledgeRequest | None = None,
) -> AlertPublic:
    """Mark the alert handled (a 2xx from a webhook does not count as handled)."""
    note = data.note if data else None
    return service.to_public(service.acknowledge_alert(session, principal, alert, note))


@routing_rules_router.get(
    "", response_model=ListResponse[RoutingRulePublic], summary="Routing rules"
)
def list_routing_rules(
    session: SessionDep,
    _: CurrentUser,
    enabled: bool | None = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> object:
    """Who hears about which events, and which fields leave the country."""
    return service.list_routing_rules(session, enabled=enabled, limit=limit, cursor=cursor)


@routing_rules_router.post(
    "",
    response_model=RoutingRulePublic,
    status_code=201,
    responses=problem_responses(403, 409, 422),
    summary="Add a routing rule",
)
def create_routing_rule(
    data: RoutingRuleCreate,
    session: SessionDep,
    admin: AdminUser,
    request: Request,
    response: Response,
) -> RoutingRule:
    """Add a routing rule; it applies to events from now on."""
    rule = service.create_routing_rule(session, admin, data)
    locate(response, request, "get_routing_rule", rule_id=rule.id)
    return rule


@routing_rules_router.get(
    "/{rule_id}",
    response_model=RoutingRulePublic,
    responses=problem_responses(404),
    summary="Get a routing rule",
)
def get_routing_rule(rule: RoutingRuleDep, response: Response) -> RoutingRule:
    """One routing rule, by id or code."""
    tag(response, RoutingRulePublic.model_validate(rule))
    return rule


@routing_rules_router.patch(
    "/{rule_id}",
    response_model=RoutingRulePublic,
    responses=problem_responses(400, 403, 404, 412, 422),
    summary="Change a routing rule",
)
def update_routing_rule(
    data: RoutingRuleUpdate,
    rule: RoutingRuleDep,
    session: SessionDep,
    admin: AdminUser,
    response: Response,
    if_match: IfMatch = None,
) -> RoutingRule:
    """Change fields of a routing rule (e.g. `enabled: false`)."""
    check_if_match(if_match, RoutingRulePublic.model_validate(rule))
    updated = service.update_routing_rule(session, admin, rule, data)
    tag(response, RoutingRulePublic.model_validate(updated))
    return updated


@routing_rules_router.delete(
    "/{rule_id}",
    status_code=204,
    responses=problem_responses(403, 404),
    summary="Delete a routing rule",
)
def delete_routing_rule(rule: RoutingRuleDep, session: SessionDep, admin: AdminUser) -> Response:
    """Remove a routing rule."""
    service.delete_routing_rule(session, admin, rule)
    return Response(status_code=204)


@decisions_router.get(
    "", response_model=ListResponse[RoutingDecisionPublic], summary="Routing decisions"
)
def list_decisions(
    session: SessionDep,
    _: AdminUser,
    event_type: ShortQuery = None,
    subject_id: ShortQuery = None,
    event_id: ShortQuery = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> object:
    """What the router decided for each event: rules matched, recipients and why."""
    return service.list_decisions(
        session,
        event_type=event_type,
        subject_id=subject_id,
        event_id=event_id,
        limit=limit,
        cursor=cursor,
    )


@decisions_router.get(
    "/{decision_id}",
    response_model=RoutingDecisionPublic,
    responses=problem_responses(404),
    summary="Get a routing decision",
)
def get_decision(decision: RoutingDecisionDep) -> RoutingDecision:
    """One routing decision."""
    return decision
