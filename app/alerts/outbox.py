"""The transactional outbox: a domain event becomes a routing decision, alerts and deliveries,
written in the transaction that emitted the event. No HTTP here: `pentrack worker` sends.

The flows call `route(session, event)` right after emitting the event (app/flows.py).
"""

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from sqlalchemy import Table, insert
from sqlmodel import Session, SQLModel, col, select

from app.alerts import routing
from app.alerts.models import Alert, RoutingDecision, RoutingRule
from app.alerts.routing import AuthorityRef, EventFacts, RemoteRecipient, RuleSpec
from app.alerts.sharing import shape
from app.alerts.webhooks import webhook_body
from app.audit import service as audit
from app.auth.service import authority_of
from app.authorities.models import Authority
from app.core import cache
from app.core.bulk import insert_rows
from app.core.ids import new_id
from app.core.types import utcnow
from app.delivery import service as deliveries
from app.delivery.bodies import pending_row
from app.events.models import DomainEvent
from app.events.types import SubjectType
from app.federation import messages
from app.federation.models import Peer
from app.shipments import controlled

# Set in session.info while applying a peer's message: nothing is echoed back to that peer.
ORIGIN_NODE = "pentrack.origin_node"


def rule_spec(rule: RoutingRule) -> RuleSpec:
    return RuleSpec(
        code=rule.code,
        priority=rule.priority,
        event_types=tuple(rule.event_types),
        min_severity=rule.min_severity,
        substances=tuple(rule.substances),
        countries=tuple(rule.countries),
        rule_codes=tuple(rule.rule_codes),
        route_roles=tuple(rule.route_roles),
        authority_kinds=tuple(rule.authority_kinds),
        authority_ids=tuple(rule.authority_ids),
        include_international=rule.include_international,
        exclude_actor=rule.exclude_actor,
        scope=rule.scope,
        redact=tuple(rule.redact),
    )


@dataclass(frozen=True)
class PeerRef:
    """An enabled peer node, as routing needs it."""

    id: str
    node_id: str
    countries: tuple[str, ...]
    inbox_url: str


@dataclass(frozen=True)
class Listener:
    """An authority as routing needs it: who it is, where it is, where its webhook is."""

    id: str
    country: str
    kind: str
    webhook_url: str | None


@dataclass(frozen=True)
class Configuration:
    """Enabled routing rules (in priority order), enabled peers, and every authority."""

    rules: tuple[RuleSpec, ...]
    peers: tuple[PeerRef, ...]
    authorities: tuple[Listener, ...]


# id(configuration) → (the configuration, kept alive so that its id stays its own, and its
# candidates by route countries).
CandidateMemo = dict[int, tuple[Configuration, dict[frozenset[str], list[Listener]]]]


def _candidates(
    config: Configuration, route: dict[str, Any], memo: CandidateMemo | None = None
) -> list[Listener]:
    """The authorities routing may choose from: those of the route's countries, those rules
    name, and international ones when a rule includes them (kept in `memo` by configuration and
    countries: an import's thousands of events share a few routes)."""
    countries = frozenset(routing.route_countries(route, routing.ROUTE_ROLES))
    if memo is None:
        return _candidates_of(config, countries)
    by_countries = memo.setdefault(id(config), (config, {}))[1]
    found = by_countries.get(countries)
    if found is None:
        found = by_countries[countries] = _candidates_of(config, countries)
    return found


def _candidates_of(config: Configuration, countries: frozenset[str]) -> list[Listener]:
    named = {a for r in config.rules for a in r.authority_ids}
    international = any(r.include_international for r in config.rules)
    return [
        a
        for a in config.authorities
        if a.country in countries
        or a.id in named
        or (international and a.kind == routing.INTERNATIONAL)
    ]


def _hosted_by(peers: tuple[PeerRef, ...]) -> dict[str, str]:
    hosted: dict[str, str] = {}
    for peer in sorted(peers, key=lambda p: p.node_id):
        for country in peer.countries:
            hosted.setdefault(country, peer.node_id)
    return hosted


def _load_configuration(session: Session) -> Configuration:
    rules = session.exec(
        select(RoutingRule)
        .where(RoutingRule.enabled == True)  # noqa: E712
        .order_by(col(RoutingRule.priority), col(RoutingRule.code))
    )
    peers = session.exec(select(Peer).where(Peer.enabled == True))  # noqa: E712
    authorities = session.exec(select(Authority).order_by(col(Authority.id)))
    return Configuration(
        rules=tuple(rule_spec(r) for r in rules),
        peers=tuple(PeerRef(p.id, p.node_id, tuple(p.countries), p.inbox_url()) for p in peers),
        authorities=tuple(Listener(a.id, a.country, a.kind, a.webhook_url) for a in authorities),
    )


def _configuration(session: Session) -> Configuration:
    """Enabled rules, peers and the authorities' directory, read again only when one of them
    has changed (app/core/cache.py)."""
    return cache.cached(session, cache.ROUTING, "configuration", _load_configuration)


def forget_configuration(session: Session) -> None:
    """Called when rules or peers change, so the next event in this transaction sees it."""
    session.flush()
    cache.forget(session)


@dataclass
class _Writes:
    """The rows routing decided on, written together (one statement per table)."""

    decisions: list[dict[str, Any]] = field(default_factory=list)
    audited: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    alerts: list[dict[str, Any]] = field(default_factory=list)
    queued: list[dict[str, Any]] = field(default_factory=list)
    candidates: CandidateMemo = field(default_factory=dict)
    # Actor → the authority it acts for (an import's thousands of events share one actor).
    actors: dict[str | None, str | None] = field(default_factory=dict)
    handovers: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    def write(self, session: Session, bulk: bool = False) -> None:
        """Core inserts: one round trip per table, not per row (the outbox is on every write
        path); `bulk` (an import's thousands of rows): `insert_rows` (COPY on PostgreSQL)."""
        if bulk:
            insert_rows(session, _table(RoutingDecision), self.decisions)
            insert_rows(session, _table(Alert), self.alerts)
        else:
            if self.decisions:
                session.connection().execute(insert(_table(RoutingDecision)), self.decisions)
            if self.alerts:
                session.connection().execute(insert(_table(Alert)), self.alerts)
        audit.record_many(session, None, "alerts.routed", "routing_decision", self.audited)
        audit.record_many(
            session, None, controlled.HANDOVER, audit.CONTROLLED_DELIVERY, self.handovers
        )
        deliveries.queue(session, self.queued, bulk=bulk)


def route(session: Session, event: DomainEvent) -> None:
    """Decide who hears of `event`; write the decision, alerts and deliveries (no I/O)."""
    route_many(session, [event], bulk=False)


def route_many(session: Session, events: Iterable[DomainEvent], bulk: bool = True) -> None:
    """`route` for many events (bulk imports): the same decisions, alerts and deliveries,
    written in one statement per table."""
    writes = _Writes()
    events = list(events)
    confined = _confinements(session, events)
    for event in events:
        _route(session, event, writes, confined.get(event.id))
    writes.write(session, bulk=bulk)


def _confinements(session: Session, events: list[DomainEvent]) -> dict[str, controlled.Confinement]:
    """Event id → the active controlled delivery of the shipment it is about, for the events
    about such a shipment (one query for the lot)."""
    concerned = {
        e.id: routing.shipments_concerned(e.subject_type, e.subject_id, e.payload) for e in events
    }
    active = controlled.confinements(session, (s for ids in concerned.values() for s in ids))
    if not active:
        return {}
    found: dict[str, controlled.Confinement] = {}
    for event_id, shipment_ids in concerned.items():
        hit = next((active[s] for s in shipment_ids if s in active), None)
        if hit is not None:
            found[event_id] = hit
    return found


def _route(
    session: Session,
    event: DomainEvent,
    writes: _Writes,
    confinement: controlled.Confinement | None = None,
) -> None:
    config = _configuration(session)
    origin = session.info.get(ORIGIN_NODE)
    hosted = _hosted_by(config.peers)
    pen_node = _pen_exchange_node(event, hosted, origin)
    if not config.rules and pen_node is None and confinement is None:
        return
    authorities = _candidates(config, event.route, writes.candidates) if config.rules else []
    actor = event.actor_user_id
    if actor not in writes.actors:
        writes.actors[actor] = authority_of(session, actor)
    facts = EventFacts.of(event.type, event.route, event.payload, writes.actors[actor])
    if confinement is not None:
        # Under a controlled delivery the participants are the only candidates (Article 11).
        authorities = [a for a in config.authorities if a.id in confinement.participants]
        facts = replace(facts, confined_to=confinement.participants)
    decision = routing.decide(
        facts,
        config.rules,
        [AuthorityRef(a.id, a.country, a.kind) for a in authorities],
        hosted,
        origin,
    )
    remote = _remote_besides_pen_exchange(decision, pen_node)
    if not decision.recipients and not remote and pen_node is None:
        if decision.matched or decision.skipped:
            _store_decision(writes, event, decision, [], [], new_id(), confinement)
        return
    now, decision_id = utcnow(), new_id()
    title = routing.title_of(event.type, event.payload)
    alerts, queued = _alerts(event, decision, facts, authorities, title, decision_id, now)
    remote_log: list[dict[str, Any]] = []
    peer_by_node = {p.node_id: p for p in config.peers}
    for r in remote:
        body = messages.alert_message(
            event,
            rule=r.rule,
            scope=r.scope,
            countries=list(r.countries),
            kinds=list(r.kinds),
            title=title,
            severity=facts.severity,
            payload=shape(event.payload, r.scope, r.redact),
        )
        queued.append(_node_delivery(peer_by_node[r.node_id], event, body, now))
        remote_log.append(_remote_entry(r, queued[-1]["id"]))
    if pen_node is not None:
        body = messages.pen_message(session, event)
        queued.append(_node_delivery(peer_by_node[pen_node], event, body, now))
        remote_log.append(_pen_exchange_entry(event, pen_node, queued[-1]["id"]))
    _store_decision(writes, event, decision, alerts, remote_log, decision_id, confinement)
    writes.alerts += alerts
    writes.queued += queued


def _remote_besides_pen_exchange(
    decision: routing.Decision, pen_node: str | None
) -> list[RemoteRecipient]:
    """Remote recipients, less the node the PEN itself travels to (it routes it there)."""
    if pen_node is None:
        return decision.remote
    for r in decision.remote:
        if r.node_id == pen_node:
            decision.skipped.append(
                {"rule": r.rule, "node": r.node_id, "reason": "the PEN itself goes there"}
            )
    return [r for r in decision.remote if r.node_id != pen_node]


def _alerts(
    event: DomainEvent,
    decision: routing.Decision,
    facts: EventFacts,
    authorities: list[Listener],
    title: str,
    decision_id: str,
    now: datetime,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """One alert per local recipient, cut to its scope, and a webhook delivery for each
    authority with a webhook."""
    by_id = {a.id: a for a in authorities}
    alerts: list[dict[str, Any]] = []
    queued: list[dict[str, Any]] = []
    for recipient in decision.recipients:
        alert = Alert(
            id=new_id(),
            authority_id=recipient.authority_id,
            event_id=event.id,
            decision_id=decision_id,
            rule=recipient.rule,
            event_type=event.type,
            subject_type=event.subject_type,
            subject_id=event.subject_id,
            severity=facts.severity,
            title=title,
            scope=recipient.scope,
            route=dict(event.route),
            payload=shape(event.payload, recipient.scope, recipient.redact),
            created_at=now,
        )
        alerts.append(alert.model_dump())
        authority = by_id[recipient.authority_id]
        if authority.webhook_url:
            queued.append(
                pending_row(
                    "webhook",
                    event.type,
                    authority.webhook_url,
                    webhook_body(alert),
                    now,
                    alert_id=alert.id,
                    authority_id=authority.id,
                )
            )
    return alerts, queued


def _node_delivery(peer: PeerRef, event: DomainEvent, body: str, now: datetime) -> dict[str, Any]:
    return pending_row("node", event.type, peer.inbox_url, body, now, peer_id=peer.id)


def _remote_entry(r: RemoteRecipient, delivery_id: str) -> dict[str, Any]:
    return {
        "node_id": r.node_id,
        "rule": r.rule,
        "scope": r.scope,
        "countries": list(r.countries),
        "kinds": list(r.kinds),
        "reason": r.reason,
        "delivery_id": delivery_id,
    }


def _pen_exchange_entry(event: DomainEvent, node: str, delivery_id: str) -> dict[str, Any]:
    return {
        "node_id": node,
        "rule": "pen-exchange",
        "scope": "full",
        "countries": [routing.pen_counterpart(event.type, event.route)],
        "reason": "the other side of the PEN is hosted on that node (Article 12(10)(a))",
        "delivery_id": delivery_id,
    }


def _store_decision(
    writes: _Writes,
    event: DomainEvent,
    decision: routing.Decision,
    alerts: list[dict[str, Any]],
    remote_log: list[dict[str, Any]],
    decision_id: str,
    confinement: controlled.Confinement | None = None,
) -> None:
    alert_of = {a["authority_id"]: a["id"] for a in alerts}
    recipients = [
        {
            "authority_id": r.authority_id,
            "country": r.country,
            "kind": r.kind,
            "rule": r.rule,
            "scope": r.scope,
            "reason": r.reason,
            "alert_id": alert_of.get(r.authority_id),
        }
        for r in decision.recipients
    ]
    writes.decisions.append(
        {
            "id": decision_id,
            "event_id": event.id,
            "event_type": event.type,
            "subject_type": event.subject_type,
            "subject_id": event.subject_id,
            "matched_rules": decision.matched,
            "recipients": recipients,
            "remote": remote_log,
            "skipped": decision.skipped,
            "created_at": utcnow(),
        }
    )
    entry = {
        "event_id": event.id,
        "event_type": event.type,
        "authorities": [r["authority_id"] for r in recipients],
        "nodes": [r["node_id"] for r in remote_log],
    }
    if confinement is not None:
        # The handover is audited under the controlled delivery (its participants' trail).
        writes.handovers.append((confinement.id, {**entry, "decision_id": decision_id}))
    elif recipients or remote_log:
        writes.audited.append((decision_id, entry))


def _table(model: type[SQLModel]) -> Table:
    table: Table = model.__table__  # type: ignore[attr-defined]
    return table


def _pen_exchange_node(
    event: DomainEvent, hosted: dict[str, str], origin: str | None
) -> str | None:
    if event.subject_type != SubjectType.PEN:
        return None
    counterpart = routing.pen_counterpart(event.type, event.route)
    node = hosted.get(counterpart) if counterpart else None
    return None if node is None or node == origin else node
