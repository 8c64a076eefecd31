"""`pentrack seed --demo`: a year of precursor trade around the real acetic anhydride lanes.

What it writes, all in one transaction:
- a regulator and a customs authority for each demo country (ids `de-regulator`, `pk-customs`,
  ...) and INCB (`incb`, kind international); an admin, an analyst (INCB) and one regulator and
  one customs user per demo authority, whose tokens are printed once;
- operators (manufacturers, distributors, end users, traders, forwarders, brokers), some with
  expired licences;
- pre-export notifications in every status, with their message history, route rows and readable
  references (the reference counters are advanced so that the API continues the numbering);
- shipments with their route rows and border events, including the real cases of
  seed/demo_cases.py; statuses are the replay of the events through app/shipments/states.py;
- an incident for every stop and seizure, with backtracking requests to the origin for a share
  of the seizures (seed/demo_incidents.py).

Volume scales with `scale`: 200 notifications and 1,000 shipments per unit. Generation is
deterministic for a given scale and day. The demo is written once per database: when the INCB
authority already exists, nothing is added (start from an empty database to change the scale).
Rows are written straight to the tables, not through the API, so no alerts or audit events are
produced for them. Flags are: the built-in rules judge every subject with the real engine
(seed/demo_flags.py: one subject at a time as the API does for the default demo, with facts
gathered set-based for `--scale` above 1), and a share of the flags is triaged.
"""

import math
import random
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import case
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from app.auth.roles import Role
from app.auth.service import create_user
from app.authorities.models import Authority
from app.core.db import open_session
from app.incidents.models import Incident
from app.notifications.models import (
    PenMessage,
    PenRouteCountry,
    PreExportNotification,
    ReferenceCounter,
)
from app.operators.models import Operator
from app.reference.models import PenRequirement, Substance
from app.rules.models import Flag, FlagTriage
from app.shipments.models import Shipment, ShipmentEvent, ShipmentRouteCountry
from seed.bulk import BulkWriter, TimeOrderedIds
from seed.demo_cases import write_cases
from seed.demo_common import Context, Parties, Party
from seed.demo_flags import write_demo_flags
from seed.demo_incidents import MODELS as INCIDENT_MODELS
from seed.demo_incidents import write_demo_incidents
from seed.demo_pens import write_pens
from seed.demo_trade import write_trade
from seed.demo_world import (
    ACTIVITIES,
    COUNTRIES,
    DEMO_COUNTRIES,
    EXPORTER_KINDS,
    IMPORTER_KINDS,
    INCB,
    INTERMEDIARY_KINDS,
    STEMS,
    customs_id,
    regulator_id,
)

PENS_PER_SCALE = 200
SHIPMENTS_PER_SCALE = 1000
SEED = 1988
PRODUCERS = frozenset({"DE", "NL", "BE", "FR", "GB", "CN", "IN", "KR", "JP", "US"})
STREETS = ("Industrial Estate", "Chemical Park", "Harbour Road", "Commerce Street", "Trade Centre")

Echo = Callable[[str], Any]


def seed_demo(engine: Engine, *, scale: int = 1, echo: Echo = print) -> dict[tuple[str, str], str]:
    """Write the demo data set once; print the new users' tokens. Returns the ground truth:
    the planted diversion cases' subjects (empty when the demo was already there)."""
    started = time.perf_counter()
    with open_session(engine, write=True) as session:
        if session.get(Authority, INCB) is not None:
            echo(
                "demo data already present (authority 'incb' exists): nothing added. "
                "To generate it at another --scale, start from an empty database."
            )
            return {}
        now = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
        echo(
            f"demo (scale {scale}): {PENS_PER_SCALE * scale} pre-export notifications, "
            f"{SHIPMENTS_PER_SCALE * scale} shipments"
        )
        _write_authorities(session, now)
        users, tokens = _create_users(session)
        writer = BulkWriter(session, echo=echo)
        writer.register(
            Operator,
            PreExportNotification,
            PenRouteCountry,
            PenMessage,
            Shipment,
            ShipmentRouteCountry,
            ShipmentEvent,
            Flag,
            FlagTriage,
            Incident,
            *INCIDENT_MODELS,
        )
        writer.track(PreExportNotification, "pre-export notifications", PENS_PER_SCALE * scale)
        writer.track(Shipment, "shipments", SHIPMENTS_PER_SCALE * scale)
        ctx = _context(session, writer, now, scale, users)
        counters = dict(ctx.references)
        _write_operators(ctx, scale)
        shipments = write_cases(ctx)
        shipments += write_pens(ctx, PENS_PER_SCALE * scale)
        write_trade(ctx, max(0, SHIPMENTS_PER_SCALE * scale - shipments))
        writer.flush()
        incidents = write_demo_incidents(ctx, session)
        writer.flush()
        flags = write_demo_flags(ctx, session, one_by_one=scale == 1, echo=echo)
        writer.flush()
        _advance_counters(session, counters, ctx.references)
        session.commit()
    seconds = time.perf_counter() - started
    rows = writer.rows_written + len(tokens) + 2 * len(DEMO_COUNTRIES) + 1
    echo(
        f"demo written: {rows} rows in {seconds:.1f} s ({rows / seconds:,.0f} rows/s): "
        f"{writer.written(PreExportNotification)} pre-export notifications, "
        f"{writer.written(Shipment)} shipments, {writer.written(ShipmentEvent)} border events, "
        f"{writer.written(Operator)} operators, {flags} flags "
        f"({writer.written(FlagTriage)} triage steps), {incidents} incidents"
    )
    echo("demo users (tokens are shown this once):")
    echo(f"{'role':<10} {'authority':<14} token")
    for role, authority, token in tokens:
        echo(f"{role:<10} {authority or '-':<14} {token}")
    return ctx.truth


def _context(
    session: Session, writer: BulkWriter, now: datetime, scale: int, users: dict[str, str]
) -> Context:
    substances = session.exec(select(Substance)).all()
    table_ii = session.exec(
        select(PenRequirement.country).where(
            PenRequirement.table == "II",
            PenRequirement.requires_pen == True,  # noqa: E712
        )
    ).all()
    no_licit_need = session.exec(
        select(PenRequirement.country, PenRequirement.cas_number).where(
            PenRequirement.no_licit_need == True  # noqa: E712
        )
    ).all()
    counters = session.exec(select(ReferenceCounter)).all()
    return Context(
        now=now,
        rng=random.Random(SEED * 100_000 + scale),
        ids=TimeOrderedIds(SEED * 7 + scale),
        writer=writer,
        parties=Parties(),
        densities={s.cas_number: s.density_kg_per_l for s in substances},
        hs_codes={s.cas_number: s.hs_code for s in substances},
        names={s.cas_number: s.name for s in substances},
        kinds={s.cas_number: s.kind for s in substances},
        table_ii_pen_countries=frozenset(table_ii),
        no_licit_need=frozenset((c, cas) for c, cas in no_licit_need if cas),
        users=users,
        references={c.prefix: c.last for c in counters},
    )


def _write_authorities(session: Session, now: datetime) -> None:
    created = now - timedelta(days=400)
    session.add(
        Authority(
            id=INCB,
            country="AT",
            name="International Narcotics Control Board (demo)",
            kind="international",
            created_at=created,
        )
    )
    for country in DEMO_COUNTRIES:
        name = COUNTRIES[country][0]
        session.add(
            Authority(
                id=regulator_id(country),
                country=country,
                name=f"{name}: precursor control authority (demo)",
                kind="regulator",
                created_at=created,
            )
        )
        session.add(
            Authority(
                id=customs_id(country),
                country=country,
                name=f"{name}: customs (demo)",
                kind="customs",
                created_at=created,
            )
        )
    session.flush()


def _create_users(
    session: Session,
) -> tuple[dict[str, str], list[tuple[str, str | None, str]]]:
    """Users for the demo; returns authority id → user id, and (role, authority, token) rows."""
    wanted: list[tuple[Role, str | None, str | None]] = [
        (Role.ADMIN, None, "demo admin"),
        (Role.ANALYST, INCB, "demo analyst (INCB)"),
    ]
    for country in DEMO_COUNTRIES:
        wanted.append((Role.REGULATOR, regulator_id(country), None))
        wanted.append((Role.CUSTOMS, customs_id(country), None))
    users: dict[str, str] = {}
    tokens = []
    for role, authority, name in wanted:
        user, token = create_user(session, role=role, authority_id=authority, name=name)
        if authority and role in (Role.REGULATOR, Role.CUSTOMS):
            users[authority] = user.id
        tokens.append((role.value, authority, token))
    return users, tokens


def _write_operators(ctx: Context, scale: int) -> None:
    """Operators per country; more of them as the scale grows (as the square root)."""
    per = math.ceil(math.sqrt(scale))
    for country in DEMO_COUNTRIES:
        exporters = (4 if country in PRODUCERS else 2) * per
        sides = (
            ("exporters", EXPORTER_KINDS, exporters),
            ("importers", IMPORTER_KINDS, 4 * per),
            ("intermediaries", INTERMEDIARY_KINDS, 2 * per),
        )
        used: set[str] = set()
        for side, kinds, count in sides:
            for _ in range(count):
                ctx.parties.add(side, _operator(ctx, country, ctx.rng.choice(kinds), used))
        for _ in range(per):
            ctx.parties.add("fronts", _operator(ctx, country, "trader", used, front=True))


def _operator(
    ctx: Context, country: str, kind: str, used: set[str], *, front: bool = False
) -> Party:
    rng = ctx.rng
    country_name, cities, suffix, _ = COUNTRIES[country]
    city = rng.choice(cities)
    name = f"{rng.choice(STEMS)} {rng.choice(ACTIVITIES[kind])} {suffix}"
    if name in used:
        name = f"{name.removesuffix(' ' + suffix)} {city} {suffix}"
    if name in used:
        name = f"{name} ({len(used)})"
    used.add(name)
    licensed = not front and rng.random() < (0.3 if kind in ("forwarder", "broker") else 0.9)
    valid_until = None
    if licensed:
        expired = rng.random() < 0.12
        days = -rng.randint(1, 400) if expired else rng.randint(30, 1100)
        valid_until = ctx.today + timedelta(days=days)
    created = ctx.ago(20, 150) if front else ctx.ago(400, 1500)
    party = Party(ctx.ids(created), country, kind, valid_until)
    ctx.writer.add(
        Operator,
        {
            "id": party.id,
            "name": name,
            "country": country,
            "address": f"{rng.randint(1, 300)} {rng.choice(STREETS)}, {city}, {country_name}",
            "kind": kind,
            "registration_number": f"{country}{rng.randrange(10**8, 10**9)}",
            "licence_number": f"{country}-PRE-{valid_until.year - 3}-{rng.randrange(10**5):05d}"
            if valid_until
            else None,
            "licence_valid_until": valid_until,
            "created_by_authority_id": regulator_id(country),
            "created_at": created,
        },
    )
    return party


def _advance_counters(session: Session, before: dict[str, int], after: dict[str, int]) -> None:
    """Move each reference counter past the numbers the demo used (never backwards)."""
    changed = [(prefix, last) for prefix, last in after.items() if last > before.get(prefix, 0)]
    if not changed:
        return
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    counter = ReferenceCounter.__table__  # type: ignore[attr-defined]
    for prefix, last in changed:
        statement = insert(ReferenceCounter).values(prefix=prefix, last=last)
        statement = statement.on_conflict_do_update(
            index_elements=["prefix"],
            set_={
                "last": case(
                    (counter.c.last > statement.excluded.last, counter.c.last),
                    else_=statement.excluded.last,
                )
            },
        )
        session.execute(statement)
