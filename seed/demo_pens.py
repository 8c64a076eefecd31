"""Pre-export notifications in every status, with the message history that led there."""

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from app.notifications.models import PenMessage, PenRouteCountry, PreExportNotification
from app.notifications.service import VOLUNTARY_KINDS
from app.notifications.states import Action, PenStatus
from seed.demo_common import DAY, Context, Party
from seed.demo_shipments import (
    MORE_THAN_NOTIFIED,
    ShipmentPlan,
    expired_by,
    misdeclared,
    write_shipment,
)
from seed.demo_world import (
    ANSWERS,
    COUNTRIES,
    DEFAULT_USE,
    INFORMATION_REQUESTS,
    INTENDED_USE,
    LANES,
    OBJECTION_REASONS,
    TABLE_II,
    WITHDRAWAL_REASONS,
    Lane,
    regulator_id,
)

S = PenStatus
NORMAL_STATUSES = (
    (S.NO_OBJECTION, 62),
    (S.OBJECTION, 5),
    (S.INFORMATION_REQUESTED, 6),
    (S.SENT, 9),
    (S.ACKNOWLEDGED, 6),
    (S.WITHDRAWN, 6),
    (S.DRAFT, 6),
)
RISKY_STATUSES = (
    (S.OBJECTION, 40),
    (S.INFORMATION_REQUESTED, 18),
    (S.NO_OBJECTION, 12),
    (S.SENT, 10),
    (S.ACKNOWLEDGED, 8),
    (S.WITHDRAWN, 7),
    (S.DRAFT, 5),
)
NORMAL_PAYMENT = (
    ("letter_of_credit", 45),
    ("bank_transfer", 35),
    ("documentary_collection", 10),
    ("open_account", 8),
    ("third_party", 1),
    ("cash", 1),
)
RISKY_PAYMENT = (("cash", 3), ("third_party", 3), ("hawala", 2), ("bank_transfer", 2))
LANE_WEIGHTS = tuple((lane, lane.weight) for lane in LANES)


@dataclass(frozen=True)
class PenPlan:
    """What is decided before the notification is written: lane, status and when it began."""

    created_at: datetime
    lane: Lane
    status: PenStatus
    sent_at: datetime | None
    overdue: bool


def plan_pens(ctx: Context, count: int) -> list[PenPlan]:
    """`count` plans, oldest first (so that references number in order of creation)."""
    plans = [_plan(ctx) for _ in range(count)]
    plans.sort(key=lambda p: p.created_at)
    return plans


def _plan(ctx: Context) -> PenPlan:
    lane: Lane = ctx.pick(LANE_WEIGHTS)
    status = ctx.pick(RISKY_STATUSES if lane.risky else NORMAL_STATUSES)
    overdue = False
    if status == S.DRAFT:
        created = ctx.ago(0.05, 20) if ctx.chance(0.85) else ctx.ago(20, 300)
        return PenPlan(created, lane, status, None, False)
    if status in (S.SENT, S.ACKNOWLEDGED):
        overdue = ctx.chance(0.45)
        sent = ctx.ago(17, 150) if overdue else ctx.ago(0.5, 13.5)
    elif status == S.INFORMATION_REQUESTED:
        sent = ctx.ago(5, 330)
    else:
        sent = ctx.ago(30, 362)
    created = sent - timedelta(days=ctx.rng.uniform(0.05, 2))
    return PenPlan(created.replace(microsecond=0), lane, status, sent, overdue)


def write_pen(ctx: Context, plan: PenPlan) -> list[ShipmentPlan]:
    """Write one notification with its route and history; returns the shipments it leads to."""
    rng, lane = ctx.rng, plan.lane
    exporter = rng.choice(ctx.parties.exporters[lane.exporting])
    importer = rng.choice(ctx.parties.importers[lane.importing])
    intermediaries = ctx.parties.intermediaries.get(lane.importing, [])
    consignee = (
        rng.choice(intermediaries)
        if intermediaries and ctx.chance(0.6 if lane.risky else 0.04)
        else None
    )
    cas = _substance(ctx, lane)
    no_need = (lane.importing, cas) in ctx.no_licit_need
    if no_need and plan.status == S.NO_OBJECTION:
        plan = replace(plan, status=S.OBJECTION)  # no licit need: never cleared
    quantity, unit = habitual(ctx, importer.id, cas)
    if lane.risky and ctx.chance(0.3):
        quantity *= 3  # extraordinary quantity
    exporting_regulator = regulator_id(lane.exporting)
    importing_regulator = regulator_id(lane.importing)
    prefix = f"{lane.exporting}-{plan.created_at.year}"
    number = ctx.references.get(prefix, 0) + 1
    ctx.references[prefix] = number

    reason = (
        f"{COUNTRIES[lane.importing][0]} has no licit need for {ctx.names[cas].lower()}."
        if no_need
        else None
    )
    messages, fields = _history(ctx, plan, reason)
    sent_date = plan.sent_at.date() if plan.sent_at else None
    reply_by: date | None = None
    if ctx.chance(0.2):  # the exporter sets its own reply window
        reply_by = plan.created_at.date() + timedelta(days=rng.randint(10, 25))
        if sent_date and reply_by < sent_date:
            reply_by = sent_date + timedelta(days=15)
    elif sent_date:
        reply_by = sent_date + timedelta(days=15)
    if plan.overdue and reply_by is not None and reply_by >= ctx.today:
        reply_by = ctx.today - timedelta(days=rng.randint(1, 10))
    base = sent_date or plan.created_at.date()
    dispatch = base + timedelta(days=rng.randint(18, 60))
    if reply_by and dispatch < reply_by:
        dispatch = reply_by + timedelta(days=rng.randint(0, 10))
    pen_id = ctx.ids(plan.created_at)
    pen = {
        "id": pen_id,
        "reference": f"{prefix}-{number:06d}",
        "status": plan.status.value,
        "exporting_country": lane.exporting,
        "importing_country": lane.importing,
        "transit_countries": list(lane.transit),
        "exporter_id": exporter.id,
        "importer_id": importer.id,
        "consignee_id": consignee.id if consignee else None,
        "cas_number": cas,
        "quantity": quantity,
        "unit": unit,
        "quantity_kg": ctx.kg(cas, quantity, unit),
        "quantity_base_kg": ctx.kg(cas, quantity, unit),
        "voluntary": ctx.kinds.get(cas) in VOLUNTARY_KINDS,
        "final_destination_country": lane.final_destination,
        "expected_dispatch_date": dispatch,
        "expected_point_of_entry": COUNTRIES[lane.importing][3],
        "mode_of_transport": lane.mode,
        "means_of_payment": ctx.pick(RISKY_PAYMENT if lane.risky else NORMAL_PAYMENT),
        "intended_use": rng.choice(INTENDED_USE.get(cas, DEFAULT_USE)),
        "reply_by": reply_by,
        "created_by_user_id": ctx.user(exporting_regulator),
        "created_at": plan.created_at,
        **fields,
    }
    ctx.writer.add(PreExportNotification, pen)
    if lane.risky:
        ctx.truth[("pre_export_notification", pen_id)] = "lane of concern"
    elif expired_by(dispatch, importer, consignee):
        ctx.truth[("pre_export_notification", pen_id)] = "licence expired by dispatch"
    route = [(lane.exporting, "exporting"), (lane.importing, "importing")]
    route += [(country, "transit") for country in lane.transit]
    for country, role in route:
        ctx.writer.add(
            PenRouteCountry, {"notification_id": pen_id, "country": country, "role": role}
        )
    for kind, at, decision, text in messages:
        side = lane.exporting if kind in (Action.SEND, Action.ANSWER, Action.WITHDRAW) else None
        country = side or lane.importing
        authority = exporting_regulator if side else importing_regulator
        ctx.writer.add(
            PenMessage,
            {
                "id": ctx.ids(at),
                "notification_id": pen_id,
                "kind": kind.value,
                "decision": decision.value if decision else None,
                "text": text,
                "country": country,
                "author_user_id": ctx.user(authority),
                "author_authority_id": authority,
                "created_at": at,
            },
        )
    return _shipments(ctx, plan, pen, exporter, importer, consignee)


def habitual(ctx: Context, importer_id: str, cas: str) -> tuple[Decimal, str]:
    """An importer orders about the same quantity each time (within -30 %…+40 % of its first
    order), as a plant that consumes a steady amount does."""
    key = (importer_id, cas)
    if key not in ctx.habits:
        ctx.habits[key] = ctx.quantity(cas)
    usual, unit = ctx.habits[key]
    quantity = usual * Decimal(str(round(ctx.rng.uniform(0.7, 1.4), 2)))
    return (quantity.quantize(Decimal(1)) if unit != "t" else quantity), unit


def _substance(ctx: Context, lane: Lane) -> str:
    if not lane.risky and lane.importing in ctx.table_ii_pen_countries and ctx.chance(0.25):
        return ctx.pick(TABLE_II)
    return ctx.pick(lane.substances)


Message = tuple[Action, datetime, PenStatus | None, str | None]


def _history(
    ctx: Context, plan: PenPlan, objection: str | None
) -> tuple[list[Message], dict[str, Any]]:
    """Messages consistent with the plan's status, and the timestamps they set on the PEN."""
    rng = ctx.rng
    fields: dict[str, Any] = {
        "decision": None,
        "sent_at": plan.sent_at,
        "acknowledged_at": None,
        "decided_at": None,
        "withdrawn_at": None,
    }
    messages: list[Message] = []
    status = plan.status
    if status == S.DRAFT:
        fields["updated_at"] = plan.created_at
        return messages, fields
    if status == S.WITHDRAWN and ctx.chance(0.3):  # withdrawn before it was ever sent
        at = ctx.later(plan.created_at, 0.2, 5)
        fields.update(sent_at=None, withdrawn_at=at, updated_at=at)
        messages.append((Action.WITHDRAW, at, None, rng.choice(WITHDRAWAL_REASONS[:3])))
        return messages, fields
    assert plan.sent_at is not None
    at = plan.sent_at
    messages.append((Action.SEND, at, None, None))

    def respond(decision: PenStatus, text: str | None) -> None:
        nonlocal at
        at = ctx.later(at, 0.5, 4)
        messages.append((Action.RESPOND, at, decision, text))
        fields["decision"] = decision.value
        fields["decided_at"] = at
        if fields["acknowledged_at"] is None:
            fields["acknowledged_at"] = at

    if status != S.SENT and (status == S.ACKNOWLEDGED or ctx.chance(0.7)):
        at = ctx.later(at, 0.1, 3)
        messages.append((Action.ACKNOWLEDGE, at, None, None))
        fields["acknowledged_at"] = at
    final = status
    if status == S.WITHDRAWN:
        final = ctx.pick(((S.SENT, 5), (S.OBJECTION, 4), (S.NO_OBJECTION, 1)))
        if objection and final == S.NO_OBJECTION:
            final = S.OBJECTION
    asks_first = final in (S.NO_OBJECTION, S.OBJECTION) and ctx.chance(0.15)
    if final == S.INFORMATION_REQUESTED and (ctx.now - at).days > 15 and ctx.chance(0.3):
        asks_first = True
    if asks_first:
        respond(S.INFORMATION_REQUESTED, rng.choice(INFORMATION_REQUESTS))
        at = ctx.later(at, 0.5, 3)
        messages.append((Action.ANSWER, at, None, rng.choice(ANSWERS)))
    if final == S.NO_OBJECTION:
        respond(S.NO_OBJECTION, None)
    elif final == S.OBJECTION:
        respond(S.OBJECTION, objection or rng.choice(OBJECTION_REASONS))
    elif final == S.INFORMATION_REQUESTED:
        respond(S.INFORMATION_REQUESTED, rng.choice(INFORMATION_REQUESTS))
    if status == S.WITHDRAWN:
        at = ctx.later(at, 0.5, 6)
        reason = WITHDRAWAL_REASONS[3] if final == S.OBJECTION else rng.choice(WITHDRAWAL_REASONS)
        messages.append((Action.WITHDRAW, at, None, reason))
        fields["withdrawn_at"] = at
    # Never later than now: squeeze a history that ran past the present into the time left.
    if at > ctx.now:
        messages, fields = _squeeze(ctx, plan.sent_at, messages, fields)
        at = messages[-1][1]
    fields["updated_at"] = at
    return messages, fields


def _squeeze(
    ctx: Context, start: datetime, messages: list[Message], fields: dict[str, Any]
) -> tuple[list[Message], dict[str, Any]]:
    span = (messages[-1][1] - start).total_seconds() or 1.0
    room = max((ctx.now - start).total_seconds() - 60, 1.0)
    factor = room / span

    def moved(at: datetime) -> datetime:
        return (start + timedelta(seconds=(at - start).total_seconds() * factor)).replace(
            microsecond=0
        )

    for key in ("acknowledged_at", "decided_at", "withdrawn_at"):
        if fields[key] is not None:
            fields[key] = moved(fields[key])
    return [(kind, moved(at), d, t) for kind, at, d, t in messages], fields


def _shipments(
    ctx: Context,
    plan: PenPlan,
    pen: dict[str, Any],
    exporter: Party,
    importer: Party,
    consignee: Party | None,
) -> list[ShipmentPlan]:
    """Shipments under this notification: most cleared ones ship; a few move without clearance."""
    status, dispatch = plan.status, pen["expected_dispatch_date"]
    if dispatch > ctx.today + DAY * 3:
        return []
    if status == S.NO_OBJECTION:
        if not ctx.chance(0.92):
            return []
        incident = ctx.pick(((None, 90), ("stopped", 2), ("released", 6)))
    elif status == S.OBJECTION and ctx.chance(0.25):
        incident = ctx.pick((("stopped", 3), ("seized", 2), (None, 1)))
    elif status in (S.SENT, S.ACKNOWLEDGED) and plan.overdue and ctx.chance(0.1):
        incident = ctx.pick((("stopped", 2), (None, 3)))
    else:
        return []
    parts = 2 if ctx.chance(0.12) else 1
    quantity = pen["quantity"] / parts
    if pen["unit"] in ("l", "kg"):
        quantity = quantity.quantize(Decimal(1))
    plans = []
    for part in range(parts):
        departure = dispatch + timedelta(days=ctx.rng.randint(-3, 5) + 7 * part)
        shipment = ShipmentPlan(
            exporting=pen["exporting_country"],
            importing=pen["importing_country"],
            transit=tuple(pen["transit_countries"]),
            exporter=exporter,
            importer=importer,
            consignee=consignee,
            cas=pen["cas_number"],
            quantity=quantity,
            unit=pen["unit"],
            mode=pen["mode_of_transport"],
            means_of_payment=pen["means_of_payment"],
            departure=departure,
            pen=pen,
            incident=incident,
            incident_at=ctx.rng.choice(("exporting", "transit", "importing")),
            recorded_country=pen["exporting_country"]
            if ctx.chance(0.85)
            else pen["importing_country"],
        )
        if ctx.chance(0.06) or (incident and ctx.chance(0.5)):
            shipment.observed_factor = Decimal(str(round(ctx.rng.uniform(1.08, 1.3), 2)))
            if parts == 1:  # one part of two over by 30 % is still within the notified total
                shipment.planted = MORE_THAN_NOTIFIED
        if status == S.OBJECTION:
            shipment.planted = "shipped despite an objection"
        elif status != S.NO_OBJECTION:
            shipment.planted = "shipped before the reply"
        if plan.lane.risky:
            shipment.planted = "lane of concern"
        if plan.lane.risky and ctx.chance(0.3):
            misdeclared(ctx, shipment)
        plans.append(shipment)
    return plans


def write_pens(ctx: Context, count: int) -> int:
    """Write `count` notifications and the shipments under them; returns how many shipments."""
    shipments = 0
    for plan in plan_pens(ctx, count):
        for shipment in write_pen(ctx, plan):
            write_shipment(ctx, shipment)
            shipments += 1
    return shipments


__all__ = ["DAY", "PenPlan", "plan_pens", "write_pen", "write_pens"]
