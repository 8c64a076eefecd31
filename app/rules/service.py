"""Rules: versions, evaluation of subjects, flags raised without duplicates, dry runs."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from types import MappingProxyType
from typing import Any, NamedTuple

from sqlalchemy import bindparam
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from app.audit import service as audit
from app.auth.service import Principal
from app.core import cache
from app.core.conflicts import unique_or_conflict
from app.core.ids import new_id
from app.core.types import utcnow
from app.notifications.models import PreExportNotification
from app.notifications.states import PenStatus
from app.rules import gather
from app.rules.builtin import BUILTIN_RULES
from app.rules.engine import (
    CompiledRule,
    Hit,
    RuleDefinition,
    compile_rule,
    evaluate,
    parse_condition,
)
from app.rules.exceptions import DuplicateRuleCode, RuleNotFound
from app.rules.models import Flag, Rule
from app.rules.schemas import DryRunHit, DryRunRequest, DryRunResult, RuleCreate, RuleDefinitionIn
from app.rules.states import LIVE, FlagStatus
from app.shipments.models import Shipment, ShipmentEvent

SHIPMENT = "shipment"
PEN = "pre_export_notification"

# Rule versions never change once written (only `enabled`, which is read per evaluation),
# so their compiled form is cached by id for the life of the process.


def _compile(rule: Rule) -> CompiledRule:
    return compile_rule(
        RuleDefinition(
            id=rule.id,
            code=rule.code,
            version=rule.version,
            severity=rule.severity,
            weight=float(rule.weight),
            condition=parse_condition(rule.condition),
            explanation=rule.explanation,
        )
    )


def _snapshot(rule: Rule) -> dict[str, Any]:
    return {
        "code": rule.code,
        "version": rule.version,
        "enabled": rule.enabled,
        "severity": rule.severity,
        "weight": str(rule.weight),
        "condition": rule.condition,
    }


# --- rules -------------------------------------------------------------------------------


def current_rules(session: Session, subject_type: str | None = None) -> list[Rule]:
    rules = session.exec(
        select(Rule).where(Rule.is_current == True).order_by(Rule.code)  # noqa: E712
    ).all()
    return [r for r in rules if subject_type is None or subject_type in r.subjects]


def get_rule_or_raise(session: Session, code: str) -> Rule:
    rule = session.exec(
        select(Rule).where(Rule.code == code, Rule.is_current == True)  # noqa: E712
    ).first()
    if rule is None:
        raise RuleNotFound(f"No rule with code {code!r}.")
    return rule


def versions_of(session: Session, code: str) -> list[Rule]:
    return list(
        session.exec(select(Rule).where(Rule.code == code).order_by(col(Rule.version).desc()))
    )


def create_rule(
    session: Session, actor: Principal | None, data: RuleCreate, *, builtin: bool = False
) -> Rule:
    """Add a new rule (version 1)."""
    if session.exec(select(Rule.id).where(Rule.code == data.code)).first():
        raise DuplicateRuleCode(f"code: a rule {data.code!r} exists; add a version instead.")
    taken = DuplicateRuleCode(f"code: a rule {data.code!r} exists; add a version instead.")
    with unique_or_conflict(session, taken):
        rule = _new_version(session, actor, data.code, 1, data, builtin=builtin)
    audit.record(session, actor, "rule.created", "rule", rule.id, after=_snapshot(rule))
    return rule


def add_version(
    session: Session,
    actor: Principal | None,
    code: str,
    data: RuleDefinitionIn,
    *,
    builtin: bool = False,
) -> Rule:
    """Edit a rule: the new definition becomes the current version; old versions stay."""
    previous = get_rule_or_raise(session, code)
    previous.is_current = False
    session.add(previous)
    session.flush()
    rule = _new_version(
        session, actor, code, previous.version + 1, data, builtin=builtin or previous.builtin
    )
    audit.record(
        session,
        actor,
        "rule.versioned",
        "rule",
        rule.id,
        before=_snapshot(previous),
        after=_snapshot(rule),
    )
    return rule


def _new_version(
    session: Session,
    actor: Principal | None,
    code: str,
    version: int,
    data: RuleDefinitionIn,
    *,
    builtin: bool,
) -> Rule:
    rule = Rule(
        id=new_id(),
        code=code,
        version=version,
        is_current=True,
        title=data.title,
        description=data.description,
        severity=data.severity.value,
        weight=data.weight,
        enabled=data.enabled,
        subjects=list(data.subjects),
        condition=data.condition,
        explanation=data.explanation,
        source=data.source,
        builtin=builtin,
        created_by_user_id=actor.user_id if actor else None,
    )
    session.add(rule)
    session.flush()
    return rule


def set_enabled(session: Session, actor: Principal, code: str, enabled: bool) -> Rule:
    """Enable or disable a rule's current version."""
    rule = get_rule_or_raise(session, code)
    before = _snapshot(rule)
    rule.enabled = enabled
    session.add(rule)
    session.flush()
    audit.record(
        session,
        actor,
        "rule.enabled" if enabled else "rule.disabled",
        "rule",
        rule.id,
        before=before,
        after=_snapshot(rule),
    )
    return rule


def seed_builtin_rules(session: Session) -> dict[str, int]:
    """Load the built-in rules: new codes are created, changed built-ins get a version; rules
    an admin edited (a current version not written by the seed) are left alone."""
    created = versioned = 0
    for raw in BUILTIN_RULES:
        data = RuleCreate(**raw)
        existing = session.exec(
            select(Rule).where(Rule.code == data.code, Rule.is_current == True)  # noqa: E712
        ).first()
        if existing is None:
            create_rule(session, None, data, builtin=True)
            created += 1
            continue
        if existing.created_by_user_id is not None:
            continue
        definition = RuleDefinitionIn(
            **data.model_dump(exclude={"code", "enabled"}), enabled=existing.enabled
        )
        if _differs(existing, definition):
            add_version(session, None, data.code, definition, builtin=True)
            versioned += 1
    return {"rules created": created, "rules versioned": versioned}


def _differs(rule: Rule, data: RuleDefinitionIn) -> bool:
    return (
        rule.title,
        rule.description,
        rule.severity,
        Decimal(rule.weight),
        sorted(rule.subjects),
        rule.condition,
        rule.explanation,
        rule.source,
    ) != (
        data.title,
        data.description,
        data.severity.value,
        data.weight,
        sorted(data.subjects),
        data.condition,
        data.explanation,
        data.source,
    )


# --- evaluation --------------------------------------------------------------------------


def facts_for(
    session: Session,
    subject: Shipment | PreExportNotification,
    rules: Sequence[CompiledRule],
    events: list[ShipmentEvent] | None = None,
    statements: Mapping[tuple[gather.Window, ...], Any] | None = None,
    *,
    as_of: datetime | None = None,
) -> dict[str, Any]:
    """The facts the rules judge `subject` by; its links to confirmed flags and seizures as of
    `as_of` (unset: now; the demo replays each subject as of its last write)."""
    facts = (
        gather.shipment_facts(session, subject, events, as_of=as_of)
        if isinstance(subject, Shipment)
        else gather.notification_facts(session, subject, as_of=as_of)
    )
    aggregates = (a for r in rules for a in r.aggregates)
    gather.add_aggregates(session, facts, subject, aggregates, statements)
    return facts


def get_subject(
    session: Session, subject_type: str, subject_id: str
) -> Shipment | PreExportNotification | None:
    """The shipment or notification a flag or an evaluation is about, or None."""
    if subject_type == SHIPMENT:
        return session.get(Shipment, subject_id)
    return session.get(PreExportNotification, subject_id)


@dataclass(frozen=True)
class EnabledRules:
    """A kind of subject's enabled current rules, compiled, and the history statements they
    need (one per set of aggregate windows a subject can ask for), built once per rules
    version."""

    rules: tuple[CompiledRule, ...]
    statements: Mapping[tuple[gather.Window, ...], Any]


def _enabled_for(rules: tuple[CompiledRule, ...]) -> EnabledRules:
    windows = gather.windows_of(a for r in rules for a in r.aggregates)
    without_pen = tuple(w for w in windows if w[0] != "pen_shipments")
    statements = {key: gather.aggregate_statement(key) for key in {windows, without_pen} if key}
    return EnabledRules(rules, MappingProxyType(statements))


def _load_enabled(session: Session) -> Mapping[str, EnabledRules]:
    enabled = [r for r in current_rules(session) if r.enabled]
    return MappingProxyType(
        {
            subject_type: _enabled_for(
                tuple(_compile(r) for r in enabled if subject_type in r.subjects)
            )
            for subject_type in (SHIPMENT, PEN)
        }
    )


def _enabled(session: Session, subject_type: str) -> EnabledRules:
    """Read again only when a rule has changed (app/core/cache.py)."""
    found = cache.cached(session, cache.RULES, "enabled", _load_enabled).get(subject_type)
    return found if found is not None else EnabledRules((), MappingProxyType({}))


def enabled_rules(session: Session, subject_type: str) -> tuple[CompiledRule, ...]:
    """The enabled current rules for a kind of subject, compiled."""
    return _enabled(session, subject_type).rules


_FLAG = Flag.__table__  # type: ignore[attr-defined]
_SUBJECT_FLAGS = select(_FLAG.c.rule_id, _FLAG.c.status, _FLAG.c.weight).where(
    _FLAG.c.subject_type == bindparam("subject_type"),
    _FLAG.c.subject_id == bindparam("subject_id"),
)


# INSERT … ON CONFLICT DO NOTHING RETURNING id, for SQLite [False] and PostgreSQL [True].
_INSERT_FLAG = {
    postgres: (postgresql.insert if postgres else sqlite.insert)(_FLAG)
    .on_conflict_do_nothing(index_elements=["rule_id", "subject_type", "subject_id"])
    .returning(_FLAG.c.id)
    for postgres in (False, True)
}


class Judgement(NamedTuple):
    """The flags an evaluation raised, and the subject's score after it (the weights of its
    live flags)."""

    raised: list[Flag]
    score: Decimal


def evaluate_subject(
    session: Session,
    subject_type: str,
    subject_id: str,
    events: list[ShipmentEvent] | None = None,
    *,
    new: bool = False,
    known: Sequence[Flag] | None = None,
) -> Judgement:
    """Evaluate every enabled current rule against the subject, in the caller's transaction,
    and raise the flags not raised before for the same rule version (a shipment's `events`,
    in recorded order, when the caller has them). The subject's flags are looked up when a rule
    hits, unless the caller knows them: `new`, a subject created in this transaction, has none;
    `known` are all of them, read in this transaction (then the score is given even when no
    rule hits)."""
    enabled = _enabled(session, subject_type)
    rules = enabled.rules
    subject = get_subject(session, subject_type, subject_id)
    hits = (
        evaluate(rules, facts_for(session, subject, rules, events, enabled.statements))
        if rules and subject is not None
        else []
    )
    if not hits and known is None:
        return Judgement([], Decimal(0))
    existing: Sequence[tuple[str | None, str, Any]]
    if known is not None:
        existing = [(f.rule_id, f.status, f.weight) for f in known]
    elif new:
        existing = []
    else:
        existing = (
            session.connection()
            .execute(_SUBJECT_FLAGS, {"subject_type": subject_type, "subject_id": subject_id})
            .all()
        )
    raised_before = {rule_id for rule_id, _, _ in existing}
    raised = [
        flag
        for hit in hits
        if hit.rule_id not in raised_before
        and subject is not None  # (hits come only from a subject that exists)
        and (flag := insert_flag(session, subject_type, subject, hit)) is not None
    ]
    live = [Decimal(weight) for _, status, weight in existing if status in LIVE]
    return Judgement(raised, sum((*live, *(f.weight for f in raised)), Decimal(0)))


def flag_values(subject_type: str, subject: Any, hit: Hit) -> dict[str, Any]:
    """The row of a new open flag for a hit on `subject` (a shipment or PEN, or a row of one)."""
    now = utcnow()
    return {
        "id": new_id(),
        "rule": hit.code,
        "rule_id": hit.rule_id,
        "rule_version": hit.version,
        "severity": hit.severity,
        "status": FlagStatus.OPEN.value,
        "subject_type": subject_type,
        "subject_id": subject.id,
        "importer_id": subject.importer_id,
        "consignee_id": subject.consignee_id,
        "explanation": hit.explanation[:2000],
        "evidence": hit.evidence,
        "weight": Decimal(str(hit.weight)),
        "created_at": now,
        "updated_at": now,
    }


def flag_audit(values: Mapping[str, Any]) -> dict[str, Any]:
    """What the audit trail keeps of a raised flag."""
    return {
        "rule": values["rule"],
        "rule_version": values["rule_version"],
        "severity": values["severity"],
        "subject_id": values["subject_id"],
    }


def insert_flag(
    session: Session, subject_type: str, subject: Shipment | PreExportNotification, hit: Hit
) -> Flag | None:
    """Insert unless a concurrent transaction raised the same flag first (no duplicates)."""
    values = flag_values(subject_type, subject, hit)
    statement = _INSERT_FLAG[session.get_bind().dialect.name == "postgresql"]
    if session.connection().execute(statement, values).scalar_one_or_none() is None:
        return None
    audit.record(session, None, "flag.raised", "flag", values["id"], after=flag_audit(values))
    return Flag(**values)  # as written; not attached to the session


def _recent(
    session: Session, subject_type: str, since: datetime | None, limit: int
) -> list[Shipment] | list[PreExportNotification]:
    if subject_type == SHIPMENT:
        query = select(Shipment).order_by(col(Shipment.id).desc()).limit(limit)
        if since:
            query = query.where(Shipment.created_at >= since)
        return list(session.exec(query).all())
    # Drafts are the exporting country's alone, admins included: a dry run never reads them.
    pens = (
        select(PreExportNotification)
        .where(PreExportNotification.status != PenStatus.DRAFT.value)
        .order_by(col(PreExportNotification.id).desc())
        .limit(limit)
    )
    if since:
        pens = pens.where(PreExportNotification.created_at >= since)
    return list(session.exec(pens).all())


def dry_run(session: Session, request: DryRunRequest) -> DryRunResult:
    """Which stored PENs or shipments a rule would have flagged (nothing is written)."""
    if request.code:
        rule = get_rule_or_raise(session, request.code)
        definition = RuleDefinitionIn(
            title=rule.title,
            description=rule.description,
            severity=rule.severity,
            weight=rule.weight,
            subjects=rule.subjects,
            condition=rule.condition,
            explanation=rule.explanation,
        )
    else:
        assert request.rule is not None
        definition = request.rule
    compiled = compile_rule(
        RuleDefinition(
            id="dry-run",
            code=request.code or "dry-run",
            version=0,
            severity=definition.severity.value,
            weight=float(definition.weight),
            condition=parse_condition(definition.condition),
            explanation=definition.explanation,
        )
    )
    subject_types = [request.subject_type] if request.subject_type else definition.subjects
    evaluated, hits = 0, []
    for subject_type in subject_types:
        if subject_type not in definition.subjects:
            continue
        for subject in _recent(session, subject_type, request.since, request.limit - evaluated):
            evaluated += 1
            for hit in evaluate([compiled], facts_for(session, subject, [compiled])):
                hits.append(
                    DryRunHit(
                        subject_type=subject_type,
                        subject_id=subject.id,
                        explanation=hit.explanation,
                        evidence=hit.evidence,
                    )
                )
    return DryRunResult(evaluated=evaluated, hits=hits)
