"""Shipments that need no PEN (Table II to countries that ask for none), and a few that should
have had one."""

from datetime import timedelta
from decimal import Decimal

from seed.demo_common import Context
from seed.demo_pens import habitual
from seed.demo_shipments import ShipmentPlan, misdeclared, write_shipment
from seed.demo_world import LANES, TABLE_II, TRADE_LANES, Lane

# Legitimate trade is stopped for inspection now and then and released; it is never seized.
INCIDENTS = ((None, 90), ("released", 6), ("stopped", 4))
PAYMENT = (("letter_of_credit", 30), ("bank_transfer", 50), ("open_account", 18), ("cash", 2))


def write_trade(ctx: Context, count: int) -> None:
    """`count` shipments without a PEN: mostly Table II solvents and acids, some Table I."""
    ordinary = [
        (lane, lane.weight)
        for lane in TRADE_LANES
        if lane.importing not in ctx.table_ii_pen_countries
    ]
    risky = [(lane, lane.weight) for lane in LANES if lane.risky]
    for _ in range(count):
        if ctx.chance(0.04):  # Table I moving without a PEN, sometimes mis-declared
            lane: Lane = ctx.pick(risky if ctx.chance(0.5) else ordinary)
            cas = ctx.pick(lane.substances)
            plan = _plan(ctx, lane, cas)
            fronts = ctx.parties.fronts.get(lane.importing)
            if fronts:  # a front company's, as in the real cases
                plan.importer = ctx.rng.choice(fronts)
            plan.incident = ctx.pick((("seized", 2), ("stopped", 2), (None, 3)))
            plan.planted = "Table I without a PEN"
            if ctx.chance(0.5):
                misdeclared(ctx, plan)
        else:
            lane = ctx.pick(ordinary)
            plan = _plan(ctx, lane, ctx.pick(TABLE_II))
        write_shipment(ctx, plan)


def _plan(ctx: Context, lane: Lane, cas: str) -> ShipmentPlan:
    rng = ctx.rng
    importer = rng.choice(ctx.parties.importers[lane.importing])
    quantity, unit = habitual(ctx, importer.id, cas)
    intermediaries = ctx.parties.intermediaries.get(lane.importing, [])
    plan = ShipmentPlan(
        exporting=lane.exporting,
        importing=lane.importing,
        transit=lane.transit,
        exporter=rng.choice(ctx.parties.exporters[lane.exporting]),
        importer=importer,
        consignee=rng.choice(intermediaries) if intermediaries and ctx.chance(0.04) else None,
        cas=cas,
        quantity=quantity,
        unit=unit,
        mode=lane.mode,
        means_of_payment=ctx.pick(PAYMENT),
        # Departures over the past year, and a few in the coming days (declared, not yet gone).
        departure=(ctx.now - timedelta(days=rng.uniform(-4, 360))).date(),
        incident=ctx.pick(INCIDENTS),
        incident_at=rng.choice(("exporting", "transit", "importing")),
        recorded_country=lane.exporting if ctx.chance(0.8) else lane.importing,
    )
    if ctx.chance(0.04):
        plan.observed_factor = Decimal(str(round(rng.uniform(0.85, 1.25), 2)))
    return plan
