"""Flags for the demo: raised by the real built-in rules, then triaged as officers would.

Every demo notification (drafts included, as the API judges drafts too) and shipment is judged
by the current enabled rules with the real engine (app/rules/engine.py: the same predicates,
explanations and evidence as a live evaluation), on its final state:
- default demo: facts from app/rules/service.py `facts_for`, one subject at a time, as the API
  gathers them;
- `--scale N`: facts from seed/demo_facts.py, gathered for all subjects at once by window
  functions and ordered scans (the same values; a test compares them on the default demo).
A flag is dated when its evidence first held: its subject's creation, or the shipment's first
clearance or departure for rules that read border events. Then a share of the flags is
triaged (open → under_review → confirmed | dismissed) by an officer of the exporting country,
with notes and times that depend on severity and age; the rest stay open.
"""

import math
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlmodel import Session, col, func, select

from app.notifications.models import PreExportNotification
from app.rules import service as rules
from app.rules.engine import CompiledRule, Hit, evaluate
from app.rules.models import Flag, FlagTriage
from app.shipments.models import Shipment
from seed import demo_facts
from seed.demo_common import Context
from seed.demo_world import customs_id, regulator_id

SHIPMENT = "shipment"
PEN = "pre_export_notification"
# Facts that come from border events: a flag reading them is raised at the first departure.
EVENT_FACTS = frozenset({"event_types", "first_departure_at", "last_event_type"})

# Chance that a flag is taken up for review once old enough, and median hours until then.
REVIEW = {"critical": (0.97, 4), "high": (0.85, 18), "medium": (0.55, 60), "low": (0.4, 96)}
# Chance that a reviewed flag is decided, and median days from review to decision.
DECIDE = {"critical": (0.9, 2), "high": (0.8, 4), "medium": (0.7, 7), "low": (0.6, 10)}
# Share of decided flags that are confirmed, by rule (the rest are dismissed).
CONFIRMED = {
    "no-licit-need-destination": 0.8,
    "shipped-despite-objection": 0.75,
    "pen-missing": 0.45,
    "shipped-before-reply": 0.4,
    "quantity-exceeds-notified": 0.4,
    "party-mismatch": 0.35,
    "hs-code-mismatch": 0.5,
    "split-shipments": 0.35,
    "high-risk-route": 0.2,
    "unusual-payment": 0.2,
    "quantity-anomaly": 0.15,
    "new-counterparty": 0.08,
    "party-in-incident": 0.3,
}
REVIEW_NOTES = (
    "Taken up for review; documents requested from the exporter.",
    "Under review: cross-checking the declaration with the licence register.",
    "Assigned to the precursor desk; importing authority contacted.",
    "Reviewing with the notified quantities and the operator's history.",
)
CONFIRM_NOTES = (
    "Confirmed after verification with the importing authority; partners informed.",
    "Confirmed: the documents do not support the declared end use.",
    "Confirmed on inspection; case opened with law enforcement.",
)
DISMISS_NOTES = {
    "new-counterparty": "Dismissed: importer registered and licensed, first order verified.",
    "quantity-anomaly": "Dismissed: seasonal demand confirmed by the importer's licence.",
    "unusual-payment": "Dismissed: payment arrangement verified with the bank.",
    "high-risk-route": "Dismissed: regular liner route, consignee verified on arrival.",
    "hs-code-mismatch": "Dismissed: clerical error in the HS code, corrected declaration filed.",
}
DISMISS_DEFAULT = "Dismissed after checks: explanation and documents accepted."


@dataclass(frozen=True)
class Raised:
    subject_type: str
    subject_id: str
    hit: Hit
    raised_at: datetime
    exporting_country: str
    importer_id: str | None
    consignee_id: str | None


def _raised_at(hit: Hit, created_at: datetime, facts: dict[str, Any], now: datetime) -> datetime:
    at = created_at
    departure = facts.get("first_departure_at")
    if departure is not None and EVENT_FACTS & set(hit.evidence):
        at = max(at, departure)
    return min(at, now)


def _judge(
    subjects: Iterable[tuple[Any, dict[str, Any]]],
    subject_type: str,
    compiled: Sequence[CompiledRule],
    now: datetime,
    progress: Callable[[int], Any] | None = None,
) -> Iterator[Raised]:
    for judged, (subject, facts) in enumerate(subjects, start=1):
        if progress is not None:
            progress(judged)
        for hit in evaluate(compiled, facts):
            yield Raised(
                subject_type,
                subject.id,
                hit,
                _raised_at(hit, subject.created_at, facts, now),
                subject.exporting_country,
                subject.importer_id,
                subject.consignee_id,
            )


def raised_one_by_one(session: Session, now: datetime) -> Iterator[Raised]:
    """Every subject judged with the facts the API gathers (one subject at a time)."""
    models: tuple[tuple[str, type[Shipment] | type[PreExportNotification]], ...] = (
        (PEN, PreExportNotification),
        (SHIPMENT, Shipment),
    )
    for subject_type, model in models:
        compiled = rules.enabled_rules(session, subject_type)
        if not compiled:
            continue
        subjects: list[Shipment | PreExportNotification] = list(
            session.exec(select(model).order_by(col(model.id))).all()  # type: ignore[arg-type]
        )
        yield from _judge(
            # As the API judged it: at its last write, before what was recorded later.
            ((s, rules.facts_for(session, s, compiled, as_of=s.updated_at)) for s in subjects),
            subject_type,
            compiled,
            now,
        )


def raised_in_bulk(
    session: Session, now: datetime, echo: Callable[[str], Any] = print
) -> Iterator[Raised]:
    """Every subject judged with facts gathered for all subjects at once (seed/demo_facts.py);
    `echo` hears how far the judging is, ten times a kind of subject."""
    lookups = demo_facts.Lookups(session, now.date())
    for subject_type, gather, model, label in (
        (PEN, demo_facts.notification_facts, PreExportNotification, "pre-export notifications"),
        (SHIPMENT, demo_facts.shipment_facts, Shipment, "shipments"),
    ):
        compiled = rules.enabled_rules(session, subject_type)
        if not compiled:
            continue
        total = session.scalar(select(func.count()).select_from(model)) or 0
        windows: list[tuple[str, int | None]] = sorted(
            {(str(a.over), a.days) for rule in compiled for a in rule.aggregates},
            key=lambda w: (w[0], w[1] or 0),
        )
        maxed = {
            window
            for window in windows
            for rule in compiled
            if any((a.over, a.days) == window and a.aggregate == "max" for a in rule.aggregates)
            or _fact_name(window, "max") in rule.definition.explanation
        }
        yield from _judge(
            gather(session, lookups, windows, maxed),
            subject_type,
            compiled,
            now,
            _reporter(echo, label, total),
        )


def _reporter(echo: Callable[[str], Any], label: str, total: int) -> Callable[[int], None]:
    """Tells `echo` of every tenth of `total` subjects judged, and of the last."""
    every = max(1, total // 10)

    def report(judged: int) -> None:
        if judged % every == 0 or judged == total:
            echo(f"  rules: {label} judged {judged}/{total}")

    return report


def _fact_name(window: tuple[str, int | None], aggregate: str) -> str:
    over, days = window
    return f"agg_{over}_{f'{days}d' if days else 'all'}_{aggregate}"


def _hours(ctx: Context, median: float) -> float:
    """A log-normal delay in hours around `median` (officers are mostly quick, sometimes not)."""
    return median * math.exp(ctx.rng.gauss(0, 0.9))


def write_flags(ctx: Context, raised: Iterable[Raised]) -> int:
    """Write the flags with a realistic triage; returns how many."""
    rng, now, written = ctx.rng, ctx.now, 0
    for r in raised:
        hit = r.hit
        status, triaged_at, steps = "open", None, []
        review_p, review_h = REVIEW.get(hit.severity, REVIEW["low"])
        reviewed = r.raised_at + timedelta(hours=_hours(ctx, review_h))
        if reviewed < now and rng.random() < review_p:
            status, triaged_at = "under_review", reviewed
            steps.append(("open", "under_review", rng.choice(REVIEW_NOTES), reviewed))
            decide_p, decide_d = DECIDE.get(hit.severity, DECIDE["low"])
            decided = reviewed + timedelta(hours=_hours(ctx, 24 * decide_d))
            if decided < now and rng.random() < decide_p:
                confirmed = rng.random() < CONFIRMED.get(hit.code, 0.3)
                status = "confirmed" if confirmed else "dismissed"
                note = (
                    rng.choice(CONFIRM_NOTES)
                    if confirmed
                    else DISMISS_NOTES.get(hit.code, DISMISS_DEFAULT)
                )
                triaged_at = decided
                steps.append(("under_review", status, note, decided))
        authority = (
            regulator_id(r.exporting_country)
            if r.subject_type == PEN
            else customs_id(r.exporting_country)
        )
        user = ctx.user(authority)
        flag_id = ctx.ids(r.raised_at)
        ctx.writer.add(
            Flag,
            {
                "id": flag_id,
                "rule": hit.code,
                "rule_id": hit.rule_id,
                "rule_version": hit.version,
                "severity": hit.severity,
                "status": status,
                "subject_type": r.subject_type,
                "subject_id": r.subject_id,
                "explanation": hit.explanation[:2000],
                "evidence": hit.evidence,
                "weight": Decimal(str(hit.weight)),
                "raised_by_user_id": None,
                "created_at": r.raised_at,
                "updated_at": triaged_at or r.raised_at,
                "triaged_at": triaged_at,
                "importer_id": r.importer_id,
                "consignee_id": r.consignee_id,
            },
        )
        for from_status, to_status, note, at in steps:
            ctx.writer.add(
                FlagTriage,
                {
                    "id": ctx.ids(at),
                    "flag_id": flag_id,
                    "from_status": from_status,
                    "to_status": to_status,
                    "note": note,
                    "user_id": user,
                    "authority_id": authority if user else None,
                    "created_at": at,
                },
            )
        written += 1
    return written


def write_demo_flags(
    ctx: Context, session: Session, *, one_by_one: bool, echo: Callable[[str], Any] = print
) -> int:
    """Judge every demo subject and write the flags (the caller flushes the writer); a large
    demo tells `echo` how far the judging is."""
    ctx.writer.flush()  # the subjects must be in the database to be judged
    raised = (
        raised_one_by_one(session, ctx.now)
        if one_by_one
        else raised_in_bulk(session, ctx.now, echo)
    )
    return write_flags(ctx, raised)
