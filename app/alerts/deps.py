"""Path ids loaded into alerts, rules, deliveries and peers (404 when invisible)."""

from typing import Annotated

from fastapi import Depends, Request

from app.alerts import delivery, nodes, service
from app.alerts.models import Alert, Delivery, Peer, RoutingDecision, RoutingRule
from app.auth.deps import AdminUser, CurrentUser
from app.core.db import SessionDep


def load_alert(alert_id: str, session: SessionDep, principal: CurrentUser) -> Alert:
    return service.get_alert_or_raise(session, principal, alert_id)


def lock_alert(alert_id: str, session: SessionDep, principal: CurrentUser) -> Alert:
    return service.get_alert_or_raise(session, principal, alert_id, for_update=True)


def load_routing_rule(rule_id: str, session: SessionDep, _: CurrentUser) -> RoutingRule:
    return service.get_routing_rule_or_raise(session, rule_id)


def load_decision(decision_id: str, session: SessionDep, _: AdminUser) -> RoutingDecision:
    return service.get_decision_or_raise(session, decision_id)


def load_delivery(delivery_id: str, session: SessionDep, _: AdminUser) -> Delivery:
    return delivery.get_delivery_or_raise(session, delivery_id)


def load_peer(peer_id: str, session: SessionDep, _: AdminUser) -> Peer:
    return nodes.get_peer_or_raise(session, peer_id)


async def raw_body(request: Request) -> bytes:
    """The request body as sent: signatures are over these exact bytes."""
    return await request.body()


AlertDep = Annotated[Alert, Depends(load_alert)]
LockedAlertDep = Annotated[Alert, Depends(lock_alert)]
RoutingRuleDep = Annotated[RoutingRule, Depends(load_routing_rule)]
RoutingDecisionDep = Annotated[RoutingDecision, Depends(load_decision)]
DeliveryDep = Annotated[Delivery, Depends(load_delivery)]
PeerDep = Annotated[Peer, Depends(load_peer)]
RawBody = Annotated[bytes, Depends(raw_body)]
