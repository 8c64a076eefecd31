"""Who gets what: routing rules applied to one event (pure: plain values in, plain values out).

Recipients are chosen by their role on the route (exporting, importing, transit,
consignee_country; for incidents and backtracking requests also `recording`, the country that
recorded the incident or asks, and `addressed`, the country a backtracking request asks) and
their kind, by name, or as "every international authority". Countries
hosted by a peer node are reached through that node, never through local authority rows.
Each choice and each refusal carries a reason, stored as the routing decision.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from app.alerts.sharing import narrowest
from app.events.types import EXPORTING_SIDE_PEN_EVENTS, IMPORTING_SIDE_PEN_EVENTS, SubjectType

SEVERITIES = ("low", "medium", "high", "critical")
ROUTE_ROLES = ("exporting", "importing", "transit", "consignee_country", "recording", "addressed")
COMPETENT_KINDS = ("regulator", "customs", "law_enforcement")
INTERNATIONAL = "international"
DRAFT_STAYS_HOME = "a draft PEN is the exporting country's alone until it is sent"


@dataclass(frozen=True)
class RuleSpec:
    code: str
    priority: int = 100
    event_types: tuple[str, ...] = ()
    min_severity: str | None = None
    substances: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    rule_codes: tuple[str, ...] = ()
    route_roles: tuple[str, ...] = ()
    authority_kinds: tuple[str, ...] = ()
    authority_ids: tuple[str, ...] = ()
    include_international: bool = False
    exclude_actor: bool = True
    scope: str = "full"
    redact: tuple[str, ...] = ()


@dataclass(frozen=True)
class AuthorityRef:
    id: str
    country: str
    kind: str


@dataclass(frozen=True)
class EventFacts:
    type: str
    route: Mapping[str, Any]
    severity: str | None = None
    substance: str | None = None
    # Every substance of an event about several (an incident's); `substance` is the first.
    substances: tuple[str, ...] = ()
    rule_code: str | None = None
    actor_authority_id: str | None = None
    # A draft PEN's events stay in its exporting country (route["private_to"]).
    private_to: str | None = None
    # Countries whose authorities heard of this already (a draft's flags, when it is sent).
    already_told: tuple[str, ...] = ()
    # The widest sharing scope the subject allows (an incident's own scope, route["scope"]):
    # a rule's scope is narrowed to it, never widened.
    scope_limit: str | None = None
    # The participating authorities of an active controlled delivery of the shipment the event
    # is about: when set, they alone hear of it, whatever the rules say (Article 11).
    confined_to: tuple[str, ...] | None = None

    @classmethod
    def of(
        cls,
        type: str,
        route: Mapping[str, Any],
        payload: Mapping[str, Any],
        actor_authority_id: str | None = None,
    ) -> "EventFacts":
        """Facts of an event: flag events carry {flag, subject}; others carry the subject."""
        flag = payload.get("flag") if isinstance(payload.get("flag"), dict) else None
        subject = payload.get("subject") if isinstance(payload.get("subject"), dict) else payload
        listed = subject.get("substances") if subject else None
        substances = tuple(
            s["cas_number"]
            for s in (listed if isinstance(listed, list) else [])
            if isinstance(s, dict) and isinstance(s.get("cas_number"), str)
        )
        limit = route.get("scope")
        return cls(
            type=type,
            route=route,
            severity=(flag or {}).get("severity") or payload.get("severity"),
            substance=(subject.get("substance") if subject else None)
            or (substances[0] if substances else None),
            substances=substances,
            rule_code=(flag or {}).get("rule"),
            actor_authority_id=actor_authority_id,
            private_to=route.get("private_to")
            if isinstance(route.get("private_to"), str)
            else None,
            already_told=tuple(c for c in route.get("already_told") or () if isinstance(c, str)),
            scope_limit=limit if isinstance(limit, str) else None,
        )

    def scope(self, rule_scope: str) -> str:
        """The scope a rule shares this event at: its own, narrowed to the subject's limit."""
        return narrowest(rule_scope, self.scope_limit) if self.scope_limit else rule_scope


@dataclass(frozen=True)
class Recipient:
    authority_id: str
    country: str
    kind: str
    rule: str
    scope: str
    redact: tuple[str, ...]
    reason: str


@dataclass(frozen=True)
class RemoteRecipient:
    node_id: str
    rule: str
    scope: str
    redact: tuple[str, ...]
    countries: tuple[str, ...]
    kinds: tuple[str, ...]
    reason: str


@dataclass
class Decision:
    matched: list[str] = field(default_factory=list)
    recipients: list[Recipient] = field(default_factory=list)
    remote: list[RemoteRecipient] = field(default_factory=list)
    skipped: list[dict[str, str]] = field(default_factory=list)


def severity_rank(severity: str | None) -> int:
    return SEVERITIES.index(severity) if severity in SEVERITIES else -1


def route_countries(route: Mapping[str, Any], roles: Iterable[str]) -> dict[str, list[str]]:
    """Country → the roles it holds on the route, for the roles asked."""
    found: dict[str, list[str]] = {}
    for role in roles:
        value = route.get(role)
        for country in value if isinstance(value, list) else [value]:
            if isinstance(country, str) and country:
                found.setdefault(country, []).append(role)
    return found


@lru_cache(maxsize=4096)
def _not_in(what: str, value: str, allowed: tuple[str, ...]) -> str:
    """A reason, built once per distinct one (a bulk import routes thousands of events)."""
    return f"{what} {value} not in {list(allowed)}"


def mismatch(rule: RuleSpec, facts: EventFacts) -> str | None:
    """Why `rule` does not match the event, or None when it does."""
    if rule.event_types and facts.type not in rule.event_types:
        return _not_in("event type", facts.type, rule.event_types)
    if rule.min_severity and severity_rank(facts.severity) < severity_rank(rule.min_severity):
        return f"severity {facts.severity or 'none'} below {rule.min_severity}"
    if rule.substances and not ({facts.substance, *facts.substances} & set(rule.substances)):
        return _not_in("substance", facts.substance or "none", rule.substances)
    if rule.rule_codes and facts.rule_code not in rule.rule_codes:
        return _not_in("flag rule", facts.rule_code or "none", rule.rule_codes)
    if rule.countries:
        on_route = route_countries(facts.route, ROUTE_ROLES)
        if not set(on_route) & set(rule.countries):
            return f"no country of {list(rule.countries)} on the route"
    return None


def decide(
    facts: EventFacts,
    rules: Sequence[RuleSpec],
    authorities: Iterable[AuthorityRef],
    hosted_by: Mapping[str, str] | None = None,
    origin_node: str | None = None,
) -> Decision:
    """Apply `rules` (in priority order) to the event; the first rule to choose someone wins.
    An event under a controlled delivery goes to its participants alone (`confined`)."""
    hosted_by = hosted_by or {}
    known = list(authorities)
    if facts.confined_to is not None:
        return confined(facts, known)
    decision = Decision()
    chosen: set[str] = set()
    remote_chosen: set[tuple[str, str, str]] = set()
    for rule in sorted(rules, key=lambda r: (r.priority, r.code)):
        reason = mismatch(rule, facts)
        if reason:
            decision.skipped.append({"rule": rule.code, "reason": reason})
            continue
        decision.matched.append(rule.code)
        countries = route_countries(facts.route, rule.route_roles)
        _choose_local(decision, rule, facts, known, countries, hosted_by, chosen)
        _choose_remote(decision, rule, facts, countries, hosted_by, origin_node, remote_chosen)
    return decision


CONTROLLED_DELIVERY = "controlled-delivery"


def confined(facts: EventFacts, authorities: Iterable[AuthorityRef]) -> Decision:
    """The decision for an event about a shipment under controlled delivery: every
    participating authority but the one that caused it hears of it in full, and nobody else —
    no route country, no international authority, no peer node, whatever the rules say."""
    participants = facts.confined_to or ()
    decision = Decision(matched=[CONTROLLED_DELIVERY])
    by_id = {a.id: a for a in authorities}
    for authority_id in participants:
        authority = by_id.get(authority_id)
        if authority is None or authority_id == facts.actor_authority_id:
            continue
        decision.recipients.append(
            Recipient(
                authority.id,
                authority.country,
                authority.kind,
                CONTROLLED_DELIVERY,
                "full",
                (),
                "participant in the controlled delivery",
            )
        )
    return decision


def shipments_concerned(
    subject_type: str, subject_id: str, payload: Mapping[str, Any]
) -> tuple[str, ...]:
    """The shipments an event is about: the shipment itself, a flag's shipment, the shipment
    an incident (or a backtracking request's incident) is linked to."""
    found: list[str] = []
    if subject_type == SubjectType.SHIPMENT:
        found.append(subject_id)
    flag = payload.get("flag")
    if isinstance(flag, dict) and flag.get("subject_type") == SubjectType.SHIPMENT:
        found.append(str(flag.get("subject_id")))
    incident = payload.get("incident")
    for holder in (payload, incident if isinstance(incident, dict) else {}):
        if isinstance(holder.get("shipment_id"), str):
            found.append(holder["shipment_id"])
    return tuple(dict.fromkeys(found))


def _choose_local(
    decision: Decision,
    rule: RuleSpec,
    facts: EventFacts,
    known: list[AuthorityRef],
    countries: Mapping[str, list[str]],
    hosted_by: Mapping[str, str],
    chosen: set[str],
) -> None:
    """The local authorities `rule` chooses, each once across rules, with why (or why not)."""
    kinds = rule.authority_kinds or COMPETENT_KINDS
    for authority in known:
        why = _why_chosen(rule, authority, countries, kinds)
        if why is None:
            continue
        withheld = _withheld(facts, authority) or _not_here(rule, facts, authority, hosted_by)
        if withheld is not None:
            decision.skipped.append(
                {"rule": rule.code, "authority_id": authority.id, "reason": withheld}
            )
            continue
        if authority.id in chosen:
            continue
        chosen.add(authority.id)
        decision.recipients.append(
            Recipient(
                authority.id,
                authority.country,
                authority.kind,
                rule.code,
                facts.scope(rule.scope),
                rule.redact,
                why,
            )
        )


def _not_here(
    rule: RuleSpec, facts: EventFacts, authority: AuthorityRef, hosted_by: Mapping[str, str]
) -> str | None:
    node = hosted_by.get(authority.country)
    if node is not None and authority.id not in rule.authority_ids:
        return f"{authority.country} is hosted on node {node}"
    if rule.exclude_actor and authority.id == facts.actor_authority_id:
        return "caused the event"
    return None


def _choose_remote(
    decision: Decision,
    rule: RuleSpec,
    facts: EventFacts,
    countries: Mapping[str, list[str]],
    hosted_by: Mapping[str, str],
    origin_node: str | None,
    remote_chosen: set[tuple[str, str, str]],
) -> None:
    """The peer nodes hosting the route countries `rule` names, one message per node."""
    kinds = rule.authority_kinds or COMPETENT_KINDS
    remote: dict[str, dict[str, set[str]]] = {}
    for country in countries:
        node = hosted_by.get(country)
        if node is None or country in facts.already_told:
            continue
        if facts.private_to is not None or node == origin_node:
            why_not = DRAFT_STAYS_HOME if facts.private_to else "the event came from that node"
            decision.skipped.append({"rule": rule.code, "node": node, "reason": why_not})
            continue
        for kind in kinds:
            if (node, country, kind) not in remote_chosen:
                remote_chosen.add((node, country, kind))
                remote.setdefault(node, {}).setdefault(country, set()).add(kind)
    for node, by_country in sorted(remote.items()):
        roles = sorted({r for c in by_country for r in countries[c]})
        decision.remote.append(
            RemoteRecipient(
                node_id=node,
                rule=rule.code,
                scope=facts.scope(rule.scope),
                redact=rule.redact,
                countries=tuple(sorted(by_country)),
                kinds=tuple(sorted({k for ks in by_country.values() for k in ks})),
                reason=f"{', '.join(roles)} on the route, hosted on node {node}",
            )
        )


def _withheld(facts: EventFacts, authority: AuthorityRef) -> str | None:
    """Why `authority` must not hear of this event although a rule chose it, if it must not."""
    if facts.private_to is not None and authority.country != facts.private_to:
        return DRAFT_STAYS_HOME
    if authority.country in facts.already_told:
        return "heard of it while the PEN was a draft"
    return None


def _why_chosen(
    rule: RuleSpec,
    authority: AuthorityRef,
    countries: Mapping[str, list[str]],
    kinds: Sequence[str],
) -> str | None:
    if authority.id in rule.authority_ids:
        return "named by the rule"
    if rule.include_international and authority.kind == INTERNATIONAL:
        return "international authority (copy)"
    roles = countries.get(authority.country)
    if roles and authority.kind in kinds:
        return f"{authority.kind} of {authority.country}, {'/'.join(roles)} on the route"
    return None


def pen_counterpart(event_type: str, route: Mapping[str, Any]) -> str | None:
    """The country whose node must hear of a PEN action: the other side of the exchange."""
    if event_type in EXPORTING_SIDE_PEN_EVENTS:
        value = route.get("importing")
    elif event_type in IMPORTING_SIDE_PEN_EVENTS:
        value = route.get("exporting")
    else:
        return None
    return value if isinstance(value, str) else None


# What an inbox title calls the subject of each family of events.
NOUNS = {
    "pen": "PEN",
    "shipment": "Shipment",
    "incident": "Incident",
    "backtracking": "Backtracking request",
    "industry_report": "Industry report",
}


def title_of(event_type: str, payload: Mapping[str, Any]) -> str:
    """A one-line title for an inbox."""
    flag = payload.get("flag") if isinstance(payload.get("flag"), dict) else None
    subject: Mapping[str, Any] = (
        payload["subject"] if isinstance(payload.get("subject"), dict) else payload
    )
    nested = subject.get("incident")
    incident: Mapping[str, Any] = nested if isinstance(nested, dict) else {}
    ref = (
        subject.get("reference")
        or subject.get("customs_reference")
        or incident.get("reference")
        or subject.get("id")
        or "(unknown)"
    )
    if flag:
        what = event_type.split(".", 1)[-1]
        return f"{str(flag.get('severity', '')).capitalize()} flag {what}: {flag.get('rule')} on {ref}"[
            :300
        ]
    noun = NOUNS.get(event_type.split(".", 1)[0], "Shipment")
    verb = event_type.split(".", 1)[-1].replace("_", " ")
    return f"{noun} {ref} {verb}"[:300]
