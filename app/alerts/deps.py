"""Path ids loaded into alerts, routing rules and routing decisions (404 when invisible)."""

from typing import Annotated

from fastapi import Depends

from app.alerts import service
from app.alerts.models import Alert, RoutingDecision, RoutingRule
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


AlertDep = Annotated[Alert, Depends(load_alert)]
LockedAlertDep = Annotated[Alert, Depends(lock_alert)]
RoutingRuleDep = Annotated[RoutingRule, Depends(load_routing_rule)]
RoutingDecisionDep = Annotated[RoutingDecision, Depends(load_decision)]
