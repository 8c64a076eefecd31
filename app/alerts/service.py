"""Alerts: each authority's inbox, routing rules (data, admin writes) and routing decisions."""

from typing import Any

from sqlmodel import Session, col, select

from app.alerts.exceptions import (
    AlertNotFound,
    NotRecipient,
    RoutingDecisionNotFound,
    RoutingRuleExists,
    RoutingRuleNoRecipients,
    RoutingRuleNotFound,
)
from app.alerts.models import Alert, RoutingDecision, RoutingRule
from app.alerts.outbox import forget_configuration
from app.alerts.schemas import (
    AlertPublic,
    AlertStatus,
    RoutingRuleCreate,
    RoutingRulePublic,
    RoutingRuleUpdate,
)
from app.audit import service as audit
from app.auth.roles import Role
from app.auth.service import Principal
from app.core.conflicts import unique_or_conflict
from app.core.ids import new_id
from app.core.pagination import Page, paginate
from app.core.types import utcnow

# --- inbox ---------------------------------------------------------------------------------


def _visible(principal: Principal) -> Any:
    """Admins see every inbox; everyone else their own authority's."""
    if principal.role == Role.ADMIN:
        return True
    return Alert.authority_id == (principal.authority_id or "")


def list_alerts(
    session: Session,
    principal: Principal,
    *,
    status: AlertStatus | None,
    event_type: str | None,
    subject_id: str | None,
    authority_id: str | None,
    limit: int,
    cursor: str | None,
) -> Page[Alert]:
    """The caller's authority's alerts, newest first."""
    query = select(Alert).where(_visible(principal))
    if status == AlertStatus.NEW:
        query = query.where(col(Alert.acknowledged_at).is_(None))
    elif status == AlertStatus.ACKNOWLEDGED:
        query = query.where(col(Alert.acknowledged_at).is_not(None))
    if event_type:
        query = query.where(Alert.event_type == event_type)
    if subject_id:
        query = query.where(Alert.subject_id == subject_id)
    if authority_id:
        query = query.where(Alert.authority_id == authority_id)
    return paginate(session, query, col(Alert.id), limit=limit, cursor=cursor)


def get_alert_or_raise(
    session: Session, principal: Principal, alert_id: str, *, for_update: bool = False
) -> Alert:
    """The alert, or 404 when it is not in an inbox the caller may read."""
    query = select(Alert).where(Alert.id == alert_id, _visible(principal))
    if for_update:
        query = query.with_for_update()
    alert = session.exec(query).first()
    if alert is None:
        raise AlertNotFound(f"No alert with id {alert_id!r}.")
    return alert


def to_public(alert: Alert) -> AlertPublic:
    return AlertPublic(
        **alert.model_dump(exclude={"decision_id", "inbound_message_id"}),
        status=AlertStatus.ACKNOWLEDGED if alert.acknowledged_at else AlertStatus.NEW,
    )


def acknowledge_alert(
    session: Session, principal: Principal, alert: Alert, note: str | None
) -> Alert:
    """Mark the alert handled; acknowledging twice keeps the first acknowledgement."""
    if principal.authority_id != alert.authority_id:
        raise NotRecipient("Only users of the recipient authority acknowledge its alerts.")
    if alert.acknowledged_at is not None:
        return alert
    alert.acknowledged_at = utcnow()
    alert.acknowledged_by_user_id = principal.user_id
    alert.acknowledgement_note = note
    session.add(alert)
    audit.record(
        session,
        principal,
        "alert.acknowledged",
        "alert",
        alert.id,
        before={"status": "new"},
        after={"status": "acknowledged", "note": note},
    )
    session.flush()
    return alert


# --- routing rules -------------------------------------------------------------------------


def list_routing_rules(
    session: Session, *, enabled: bool | None, limit: int, cursor: str | None
) -> Page[RoutingRule]:
    query = select(RoutingRule)
    if enabled is not None:
        query = query.where(RoutingRule.enabled == enabled)
    return paginate(session, query, col(RoutingRule.id), limit=limit, cursor=cursor)


def get_routing_rule_or_raise(session: Session, rule_id: str) -> RoutingRule:
    rule = session.get(RoutingRule, rule_id)
    if rule is None:
        rule = session.exec(select(RoutingRule).where(RoutingRule.code == rule_id)).first()
    if rule is None:
        raise RoutingRuleNotFound(f"No routing rule with id or code {rule_id!r}.")
    return rule


def _fields(data: RoutingRuleCreate | RoutingRuleUpdate) -> dict[str, Any]:
    values = data.model_dump(exclude_unset=True, exclude={"code"}, mode="json")
    return {k: v for k, v in values.items() if v is not None or k == "min_severity"}


def create_routing_rule(
    session: Session, actor: Principal | None, data: RoutingRuleCreate, *, builtin: bool = False
) -> RoutingRule:
    """Add a routing rule (codes are unique)."""
    if session.exec(select(RoutingRule).where(RoutingRule.code == data.code)).first():
        raise RoutingRuleExists(f"A routing rule with code {data.code!r} exists.")
    rule = RoutingRule(id=new_id(), code=data.code, builtin=builtin, **_fields(data))
    taken = RoutingRuleExists(f"A routing rule with code {data.code!r} exists.")
    with unique_or_conflict(session, taken):
        session.add(rule)
    forget_configuration(session)
    audit.record(
        session,
        actor,
        "routing_rule.created",
        "routing_rule",
        rule.id,
        after=RoutingRulePublic.model_validate(rule).model_dump(mode="json"),
    )
    return rule


def update_routing_rule(
    session: Session, actor: Principal, rule: RoutingRule, data: RoutingRuleUpdate
) -> RoutingRule:
    """Change a routing rule; it applies to events from now on."""
    before = RoutingRulePublic.model_validate(rule).model_dump(mode="json")
    for field, value in _fields(data).items():
        setattr(rule, field, value)
    if not (rule.route_roles or rule.authority_ids or rule.include_international):
        raise RoutingRuleNoRecipients("The rule would have no recipients.")
    rule.updated_at = utcnow()
    session.add(rule)
    forget_configuration(session)
    session.flush()
    audit.record(
        session,
        actor,
        "routing_rule.updated",
        "routing_rule",
        rule.id,
        before=before,
        after=RoutingRulePublic.model_validate(rule).model_dump(mode="json"),
    )
    return rule


def delete_routing_rule(session: Session, actor: Principal, rule: RoutingRule) -> None:
    """Remove a routing rule (its past decisions keep its code)."""
    before = RoutingRulePublic.model_validate(rule).model_dump(mode="json")
    session.delete(rule)
    forget_configuration(session)
    audit.record(session, actor, "routing_rule.deleted", "routing_rule", rule.id, before=before)
    session.flush()


# --- routing decisions ---------------------------------------------------------------------


def list_decisions(
    session: Session,
    *,
    event_type: str | None,
    subject_id: str | None,
    event_id: str | None,
    limit: int,
    cursor: str | None,
) -> Page[RoutingDecision]:
    query = select(RoutingDecision)
    if event_type:
        query = query.where(RoutingDecision.event_type == event_type)
    if subject_id:
        query = query.where(RoutingDecision.subject_id == subject_id)
    if event_id:
        query = query.where(RoutingDecision.event_id == event_id)
    return paginate(session, query, col(RoutingDecision.id), limit=limit, cursor=cursor)


def get_decision_or_raise(session: Session, decision_id: str) -> RoutingDecision:
    decision = session.get(RoutingDecision, decision_id)
    if decision is None:
        raise RoutingDecisionNotFound(f"No routing decision with id {decision_id!r}.")
    return decision
