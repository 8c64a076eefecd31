"""Rules benchmark: (1) the pure engine against the same checks written by hand; (2) the
shipment write path with every rule on and off, over a million historical shipments.

    .venv/bin/python bench/rules.py --engine --write-path
    .venv/bin/python bench/rules.py --engine --facts 100000 --rounds 5
    .venv/bin/python bench/rules.py --write-path --history 1000000 --jobs 400 --rounds 3

See the "Rules" section of bench/README.md for what is measured and how to read it.
"""

import argparse
import asyncio
import gc
import json
import os
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import create_engine, event, func, text
from sqlalchemy.engine import make_url
from sqlmodel import Session, select

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.core.ids import new_id  # noqa: E402
from app.operators.models import Operator  # noqa: E402
from app.reference.models import Substance  # noqa: E402
from app.rules import gather  # noqa: E402
from app.rules import service as rules_service  # noqa: E402
from app.rules.builtin import AA, BUILTIN_RULES, UNUSUAL_PAYMENTS  # noqa: E402

# The seeded risk list countries-of-concern (seed/risk_lists.csv), as the rules read it.
AA_HIGH_RISK_TRANSIT = ["AF", "IR", "PK", "TJ", "TM", "UZ"]
ACETYL_CHLORIDE = "75-36-5"  # the known substitute for acetic anhydride
from app.rules.engine import Hit, RuleDefinition, compile_rule, evaluate, parse_condition  # noqa: E402
from app.rules.schemas import RuleCreate  # noqa: E402
from app.shipments.models import Shipment  # noqa: E402
from seed.bulk import BulkWriter, TimeOrderedIds  # noqa: E402

POSTGRES_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
RESULTS = Path(__file__).resolve().parent / "results"


def median(values: list[float]) -> float:
    return statistics.median(values)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(q * len(ordered)) - 1))]


# =============================================================================================
# (1) The engine against hand-written checks
# =============================================================================================

COUNTRY_NAMES = {
    "AE": "United Arab Emirates", "AF": "Afghanistan", "CH": "Switzerland", "CN": "China",
    "DE": "Germany", "IN": "India", "IR": "Iran", "KE": "Kenya", "NL": "Netherlands",
    "OM": "Oman", "PK": "Pakistan", "TM": "Turkmenistan", "TR": "Turkey", "TZ": "Tanzania",
}  # fmt: skip
# (cas, name, table, hs6, names); AA carries its synonyms, as the seed does.
SUBSTANCES = [
    (AA, "Acetic anhydride", "I", "291524",
     ["acetic anhydride", "ethanoic anhydride", "acetic oxide", "acetyl oxide", "aa"]),
    ("7722-64-7", "Potassium permanganate", "I", "284161", ["potassium permanganate"]),
    ("67-64-1", "Acetone", "II", "291411", ["acetone", "propanone"]),
    ("108-88-3", "Toluene", "II", "290230", ["toluene"]),
    ("103-82-2", "Phenylacetic acid", "I", "291634", ["phenylacetic acid"]),
    (ACETYL_CHLORIDE, "Acetyl chloride", None, "291590", ["acetyl chloride", "ethanoyl chloride"]),
]  # fmt: skip
SUBSTANCE_WEIGHTS = [50, 10, 20, 15, 5, 2]
# Each substance's threshold (seed/substances.csv): split-shipments compares lots with it.
THRESHOLD_KG = {AA: 108.0, "7722-64-7": 100.0, "67-64-1": 39.5, "108-88-3": 43.4,
                "103-82-2": 1.0, ACETYL_CHLORIDE: 100.0}  # fmt: skip
# The seeded risk list of free-zone words (seed/risk_lists.csv), as the rules read it.
FREE_ZONES = ["free zone", "free trade zone", "free port", "freeport", "JAFZA"]
ROUTE_PLACES = [None, "hamburg | port qasim", "rotterdam | karachi", "jebel ali free zone | karachi",
                "bandar abbas | mashhad"]  # fmt: skip
EXPORTING = ["DE", "NL", "CN", "IN", "TZ"]
IMPORTING = ["PK", "IN", "AE", "TR", "KE", "CH", "IR", "TM", "AF"]
IMPORTING_WEIGHTS = [30, 15, 15, 10, 10, 14, 2, 2, 1]
TRANSIT = ["AE", "OM", "TR", "NL", "AE", "OM", "TR", "NL", "IR", "PK"]
REQUIRES_PEN = {"PK", "IN", "AE", "TR", "KE", "IR", "TM", "AF"}
PAYMENTS = ["letter_of_credit", "bank_transfer", "documentary_collection", "open_account"]
EVENTS = ["export_cleared", "departed", "transit_entered", "arrived", "stopped"]


def make_facts(count: int, seed: int) -> list[dict[str, Any]]:
    """`count` shipment fact sets shaped as app/rules/gather.py builds them: mostly legitimate
    trade, each indicator present in a few percent of them."""
    rng = random.Random(seed)
    now = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
    facts_list = []
    for index in range(count):
        cas, name, table, hs6, names = rng.choices(SUBSTANCES, SUBSTANCE_WEIGHTS)[0]
        exporting = rng.choice(EXPORTING)
        importing = rng.choices(IMPORTING, IMPORTING_WEIGHTS)[0]
        transit = sorted(
            {c for c in rng.sample(TRANSIT, rng.choice([0, 0, 0, 1, 1, 2])) if c != importing}
        )
        consignee_country = rng.choices([None, importing, "AF"], [70, 29, 1])[0]
        threshold = THRESHOLD_KG[cas]
        # Lots in proportion to the substance's threshold (1,000 kg where the threshold is 1 t).
        quantity = round(rng.lognormvariate(7.5, 1.0) * threshold / 1000, 1)
        no_licit_need = ["AF"] if cas == AA else []
        destination = next((c for c in (importing, consignee_country) if c in no_licit_need), None)
        facts: dict[str, Any] = {
            "subject_id": f"s{index:08d}",
            "substance": cas,
            "substance_name": name,
            "substance_table": table,
            "substance_hs_code": hs6,
            "substance_names": names,
            "quantity_kg": quantity,
            "exporting_country": exporting,
            "exporting_country_name": COUNTRY_NAMES[exporting],
            "importing_country": importing,
            "importing_country_name": COUNTRY_NAMES[importing],
            "transit_countries": transit,
            "consignee_country": consignee_country,
            "consignee_country_name": COUNTRY_NAMES.get(consignee_country or ""),
            "means_of_payment": rng.choices(
                [*PAYMENTS, *UNUSUAL_PAYMENTS, None], [45, 30, 10, 8, 1, 1, 0.5, 0.5, 4]
            )[0],
            "mode_of_transport": rng.choice(["sea", "road", "air"]),
            "exporter_id": f"e{rng.randrange(600):04d}",
            "importer_id": f"i{rng.randrange(3000):04d}",
            "importer_name": f"Importer {index % 3000}",
            "consignee_id": f"c{index % 500:04d}" if consignee_country else None,
            "consignee_kind": rng.choices(
                ["end_user", "forwarder", "broker", "trader", None], [80, 4, 2, 2, 12]
            )[0]
            if consignee_country
            else None,
            "importer_registration_number": None if rng.random() < 0.01 else f"R{index:07d}",
            "importer_licence_number": None if rng.random() < 0.01 else f"L{index:07d}",
            "importer_licence_expired": rng.choices([False, True, None], [87, 1, 12])[0],
            "consignee_registration_number": None,
            "consignee_licence_expired": rng.choice([False, None]) if consignee_country else None,
            "no_licit_need_countries": no_licit_need,
            "no_licit_need_destination_name": COUNTRY_NAMES.get(destination or ""),
            "importing_requires_pen": importing in REQUIRES_PEN
            and (table == "I" or importing in {"PK", "IR", "AF"}),
            "substance_threshold_kg": threshold,
            "countries_of_concern": AA_HIGH_RISK_TRANSIT,
            "free_zones": FREE_ZONES,
            "party_in_incident": False,
            "party_incident_count": 0,
            "linked_to_confirmed": False,
            "linked_confirmed_count": 0,
            "watchlist_hit": False,
            "watchlist_hit_count": 0,
            "declared_hs_code": hs6 if rng.random() < 0.98 else "291521",
            "declared_description": rng.choices(
                [name.lower(), None, "acetic acid glacial", "auto parts", "acetic acid, haarlem"],
                [88, 10, 1, 0.5, 0.5],
            )[0],
        }
        event_types = sorted(set(rng.sample(EVENTS, rng.choice([0, 1, 2, 2, 3]))))
        departed = {"export_cleared", "departed"} & set(event_types)
        departure = now - timedelta(days=rng.uniform(0, 20)) if departed else None
        observed = quantity * rng.choices([1.0, 0.99, 1.1], [80, 18, 2])[0] if event_types else None
        facts.update(
            observed_quantity_kg=observed,
            event_types=event_types,
            last_event_type=event_types[-1] if event_types else None,
            first_departure_at=departure,
            # Days since the last border event: mostly days; now and then weeks (a stall).
            days_since_last_event=(rng.randrange(15) if rng.random() < 0.97 else rng.randrange(60))
            if event_types
            else None,
            route_places=rng.choices(ROUTE_PLACES, [60, 20, 15, 3, 2])[0] if event_types else None,
            has_pen=rng.random() < 0.93,
            final_destination_country=None,
        )
        # Links to earlier records (incidents, confirmed flags and seizures, watch lists): rare.
        for flag, count_key, share in (
            ("party_in_incident", "party_incident_count", 0.01),
            ("linked_to_confirmed", "linked_confirmed_count", 0.005),
            ("watchlist_hit", "watchlist_hit_count", 0.003),
        ):
            if rng.random() < share:
                facts[flag], facts[count_key] = True, rng.randint(1, 3)
        if facts["has_pen"]:
            status = rng.choices(
                ["no_objection", "sent", "acknowledged", "objection", "withdrawn"],
                [92, 3, 3, 1, 1],
            )[0]
            decided = status in ("no_objection", "objection")
            # Cleared before departure, but now and then a day after it.
            decided_at = (
                (departure or now) - timedelta(days=rng.uniform(-0.2, 10)) if decided else None
            )
            same = rng.random() < 0.98
            facts.update(
                pen_reference=f"{exporting}-2026-{index:06d}",
                pen_status=status,
                pen_decision=status if decided else None,
                pen_decided_at=decided_at,
                pen_reply_by=(date(2026, 12, 10)).isoformat(),
                pen_quantity_kg=quantity * rng.choices([1.0, 1.5, 3.0, 0.9], [60, 20, 18, 2])[0],
                pen_exporting_country=exporting,
                pen_importing_country=importing if same else "AE",
                pen_transit_countries=transit if same else ["OM"],
                pen_exporter_id=facts["exporter_id"],
                pen_importer_id=facts["importer_id"] if same else "i9999",
                pen_consignee_id=facts["consignee_id"],
                final_destination_country="AF" if cas == AA and rng.random() < 0.002 else None,
            )
        # Aggregates, stored by gather for every (group, window) a rule uses.
        history = rng.choices([0, 1, 5, 20, 100], [3, 10, 40, 37, 10])[0]
        recent = min(history, rng.choices([0, 1, 2, 3], [70, 20, 7, 3])[0])
        average = (
            quantity * rng.choices([0.3, 0.8, 1.0, 1.5], [3, 30, 40, 27])[0] if history else None
        )
        lot = threshold * (rng.uniform(0.2, 0.99) if rng.random() < 0.2 else rng.uniform(1, 20))
        pens = 0 if history == 0 and rng.random() < 0.5 else rng.choice([1, 3, 10])
        for prefix, count_, avg in (
            ("agg_importer_substance_all_", history, average),
            ("agg_importer_substance_365d_", history // 2, average),
            ("agg_importer_substance_30d_", recent, lot if recent else None),
            ("agg_importer_substance_pens_all_", pens, quantity),
            ("agg_pen_shipments_all_", rng.choices([0, 1], [90, 10])[0], quantity * 0.3),
        ):
            facts[prefix + "count"] = count_
            facts[prefix + "sum"] = (avg or 0.0) * count_
            facts[prefix + "avg"] = avg if count_ else None
            facts[prefix + "max"] = avg * 1.05 if count_ and avg else None
        facts_list.append(facts)
    return facts_list


def compiled_builtins() -> list[Any]:
    """The built-in rules compiled as rules/service.py compiles stored versions."""
    compiled = []
    for raw in BUILTIN_RULES:
        if "shipment" not in raw["subjects"]:
            continue  # the fact sets are shipments'
        data = RuleCreate(**raw)
        compiled.append(
            compile_rule(
                RuleDefinition(
                    id=data.code,
                    code=data.code,
                    version=1,
                    severity=data.severity.value,
                    weight=float(data.weight),
                    condition=parse_condition(data.condition),
                    explanation=data.explanation,
                )
            )
        )
    return compiled


# --- the same checks (every built-in rule on shipments), written by hand ------------------


def _text(value: Any) -> Any:
    """A fact as an explanation shows it (engine.explain's formatting, by hand)."""
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.2f}"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or "none"
    return value


def _has_word(text: str, word: str) -> bool:
    """`word` in `text` as whole words (the rule language's `contains`)."""
    return word in text and re.search(rf"(?<!\w){re.escape(word)}(?!\w)", text) is not None


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _gt(a: Any, b: Any) -> bool:
    return a is not None and b is not None and a > b


def _times(a: Any, b: float) -> Any:
    return a * b if a is not None else None


def _hit(spec: dict[str, Any], explanation: str, evidence: dict[str, Any]) -> Hit:
    return Hit(
        rule_id=spec["code"],
        code=spec["code"],
        version=1,
        severity=spec["severity"],
        weight=float(spec["weight"]),
        explanation=explanation,
        evidence=evidence,
    )


SPEC = {raw["code"]: raw for raw in BUILTIN_RULES}
UNUSUAL = frozenset(UNUSUAL_PAYMENTS)
SUBSTITUTES = frozenset({ACETYL_CHLORIDE})
INTERMEDIARIES = frozenset({"forwarder", "broker", "trader"})
# (fact, its count, rule, explanation): the three rules that read a link to earlier records.
LINKS = [
    ("party_in_incident", "party_incident_count", "party-in-incident",
     "A party to this consignment was named in {} earlier incident(s)."),
    ("linked_to_confirmed", "linked_confirmed_count", "linked-to-confirmed",
     "A party to this consignment, or the same party under another record, is linked to {} "
     "confirmed flag(s) or seizure(s)."),
    ("watchlist_hit", "watchlist_hit_count", "watchlist-hit",
     "A party to this consignment matches {} watch-list entry(ies)."),
]  # fmt: skip
LEFT = frozenset({"export_cleared", "departed"})


def hand_written(f: dict[str, Any]) -> list[Hit]:
    """The built-in rules as plain Python: what the engine is measured against."""
    g = f.get
    hits = []
    importing, consignee, nln = (
        g("importing_country"),
        g("consignee_country"),
        g("no_licit_need_countries"),
    )
    if nln is not None and (
        (importing is not None and importing in nln) or (consignee is not None and consignee in nln)
    ):
        hits.append(
            _hit(
                SPEC["no-licit-need-destination"],
                f"{_text(g('no_licit_need_destination_name'))} declared no licit need for {_text(g('substance_name'))} ({_text(g('substance'))}).",
                {
                    "importing_country": importing,
                    "no_licit_need_countries": nln,
                    "consignee_country": consignee,
                },
            )
        )
    has_pen = g("has_pen")
    if has_pen is False and g("importing_requires_pen") is True:
        hits.append(
            _hit(
                SPEC["pen-missing"],
                f"{_text(g('importing_country_name'))} requires a pre-export notification for {_text(g('substance_name'))} ({_text(g('substance'))}); this shipment cites none.",
                {"has_pen": has_pen, "importing_requires_pen": True},
            )
        )
    events = g("event_types")
    if (
        events
        and not LEFT.isdisjoint(events)
        and (g("pen_decision") == "objection" or g("pen_status") == "withdrawn")
    ):
        hits.append(
            _hit(
                SPEC["shipped-despite-objection"],
                f"Shipment left under {_text(g('pen_reference'))}, which is {_text(g('pen_status'))} (decision: {_text(g('pen_decision'))}).",
                {
                    "event_types": events,
                    "pen_decision": g("pen_decision"),
                    "pen_status": g("pen_status"),
                },
            )
        )
    departed, decided = g("first_departure_at"), g("pen_decided_at")
    if has_pen is True and departed is not None and (decided is None or decided > departed):
        # Where the importing country requires a PEN, a high flag; elsewhere a courtesy one.
        requires = g("importing_requires_pen")
        hits.append(
            _hit(
                SPEC[
                    "shipped-before-reply" if requires is True else "shipped-before-reply-courtesy"
                ],
                f"Shipment left on {departed} but {_text(g('importing_country_name'))} had not decided on {_text(g('pen_reference'))} (status {_text(g('pen_status'))}, reply due {_text(g('pen_reply_by'))}).",
                {
                    "importing_requires_pen": requires,
                    "has_pen": True,
                    "first_departure_at": _iso(departed),
                    "pen_decided_at": _iso(decided),
                },
            )
        )
    quantity, observed, notified = g("quantity_kg"), g("observed_quantity_kg"), g("pen_quantity_kg")
    others = g("agg_pen_shipments_all_sum")
    limit = _times(notified, 1.05)
    if has_pen is True and (
        _gt(quantity, limit)
        or _gt(observed, limit)
        or (others is not None and quantity is not None and _gt(others + quantity, limit))
    ):
        hits.append(
            _hit(
                SPEC["quantity-exceeds-notified"],
                f"{_text(g('pen_reference'))} notified {_text(notified)} kg; declared {_text(quantity)} kg, observed {_text(observed)} kg, other shipments under it {_text(others)} kg.",
                {
                    "has_pen": True,
                    "quantity_kg": quantity,
                    "pen_quantity_kg": notified,
                    "observed_quantity_kg": observed,
                    "agg_pen_shipments_all_sum": others,
                },
            )
        )
    if has_pen is True and (
        g("exporter_id") != g("pen_exporter_id")
        or g("importer_id") != g("pen_importer_id")
        or (g("pen_consignee_id") is not None and g("consignee_id") != g("pen_consignee_id"))
        or g("exporting_country") != g("pen_exporting_country")
        or importing != g("pen_importing_country")
        or g("transit_countries") != g("pen_transit_countries")
    ):
        hits.append(
            _hit(
                SPEC["party-mismatch"],
                f"Shipment differs from {_text(g('pen_reference'))}: route {_text(g('exporting_country'))}→{_text(importing)} via {_text(g('transit_countries'))} (notified {_text(g('pen_exporting_country'))}→{_text(g('pen_importing_country'))} via {_text(g('pen_transit_countries'))}), or exporter, importer or consignee.",
                {
                    key: g(key)
                    for key in (
                        "has_pen",
                        "exporter_id",
                        "pen_exporter_id",
                        "importer_id",
                        "pen_importer_id",
                        "pen_consignee_id",
                        "consignee_id",
                        "exporting_country",
                        "pen_exporting_country",
                        "importing_country",
                        "pen_importing_country",
                        "transit_countries",
                        "pen_transit_countries",
                    )
                },
            )
        )
    description, names = g("declared_description"), g("substance_names")
    if g("declared_hs_code") != g("substance_hs_code") or (
        description is not None
        and not (description and names and any(_has_word(description.lower(), n) for n in names))
    ):
        hits.append(
            _hit(
                SPEC["hs-code-mismatch"],
                f'Declared as "{_text(description)}" under HS {_text(g("declared_hs_code"))}; {_text(g("substance_name"))} is HS {_text(g("substance_hs_code"))}.',
                {
                    "declared_hs_code": g("declared_hs_code"),
                    "substance_hs_code": g("substance_hs_code"),
                    "declared_description": description,
                    "substance_names": names,
                },
            )
        )
    payment = g("means_of_payment")
    if payment is not None and payment in UNUSUAL:
        hits.append(
            _hit(SPEC["unusual-payment"], f"Paid by {payment}.", {"means_of_payment": payment})
        )
    registration, licence = g("importer_registration_number"), g("importer_licence_number")
    count_all, pens_all = (
        g("agg_importer_substance_all_count"),
        g("agg_importer_substance_pens_all_count"),
    )
    if (registration is None and licence is None) or (count_all == 0 and pens_all == 0):
        hits.append(
            _hit(
                SPEC["new-counterparty"],
                f"{_text(g('importer_name'))}: registration {_text(registration)}, licence {_text(licence)}; {_text(count_all)} earlier shipments and {_text(pens_all)} earlier PENs of {_text(g('substance_name'))}.",
                {
                    "importer_registration_number": registration,
                    "importer_licence_number": licence,
                    "agg_importer_substance_all_count": count_all,
                    "agg_importer_substance_pens_all_count": pens_all,
                },
            )
        )
    importer_expired, consignee_expired = (
        g("importer_licence_expired"),
        g("consignee_licence_expired"),
    )
    if importer_expired is True or consignee_expired is True:
        hits.append(
            _hit(
                SPEC["licence-expired"],
                f"Licence expired by dispatch: importer {_text(importer_expired)}, consignee {_text(consignee_expired)}.",
                {
                    "importer_licence_expired": importer_expired,
                    "consignee_licence_expired": consignee_expired,
                },
            )
        )
    count_year, average = (
        g("agg_importer_substance_365d_count"),
        g("agg_importer_substance_365d_avg"),
    )
    if _gt(count_year, 0) and _gt(quantity, _times(average, 2)):
        hits.append(
            _hit(
                SPEC["quantity-anomaly"],
                f"{_text(quantity)} kg is more than twice {_text(g('importer_name'))}'s 12-month average of {_text(average)} kg of {_text(g('substance_name'))}.",
                {
                    "agg_importer_substance_365d_count": count_year,
                    "quantity_kg": quantity,
                    "agg_importer_substance_365d_avg": average,
                },
            )
        )
    threshold = g("substance_threshold_kg")
    count_30, max_30, sum_30 = (
        g("agg_importer_substance_30d_count"),
        g("agg_importer_substance_30d_max"),
        g("agg_importer_substance_30d_sum"),
    )
    if (
        _gt(threshold, quantity)
        and _gt(count_30, 0)
        and _gt(threshold, max_30)
        and sum_30 is not None
        and quantity is not None
        and _gt(sum_30 + quantity, threshold)
    ):
        hits.append(
            _hit(
                SPEC["split-shipments"],
                f"{_text(quantity)} kg now and {_text(count_30)} shipments ({_text(sum_30)} kg) to {_text(g('importer_name'))} in 30 days: each under {_text(threshold)} kg, together over it.",
                {
                    "quantity_kg": quantity,
                    "substance_threshold_kg": threshold,
                    "agg_importer_substance_30d_count": count_30,
                    "agg_importer_substance_30d_max": max_30,
                    "agg_importer_substance_30d_sum": sum_30,
                },
            )
        )
    hits += _route_and_links(f)
    return hits


def _route_and_links(f: dict[str, Any]) -> list[Hit]:
    """The route's rules (concern, free zones, transit, a substitute, the final destination) and
    the links to earlier records (incidents, confirmed flags and seizures, watch lists)."""
    g = f.get
    hits = []
    substance, transit, concern = g("substance"), g("transit_countries"), g("countries_of_concern")
    concern_on_route = bool(transit) and bool(concern) and not set(transit).isdisjoint(concern)
    if substance == AA and concern_on_route:
        hits.append(
            _hit(
                SPEC["high-risk-route"],
                f"{_text(g('substance_name'))} routed via {_text(transit)}, next to the destination of concern.",
                {"substance": AA, "transit_countries": transit, "countries_of_concern": concern},
            )
        )
    importing = g("importing_country")
    if substance in SUBSTITUTES and (
        (importing is not None and concern is not None and importing in concern) or concern_on_route
    ):
        hits.append(
            _hit(
                SPEC["known-substitute"],
                f"{_text(g('substance_name'))}, a substitute for acetic anhydride, to {_text(g('importing_country_name'))} via {_text(transit)}.",
                {
                    "substance": substance,
                    "importing_country": importing,
                    "countries_of_concern": concern,
                    "transit_countries": transit,
                },
            )
        )
    final, nln = g("final_destination_country"), g("no_licit_need_countries")
    if final is not None and nln is not None and final in nln:
        hits.append(
            _hit(
                SPEC["no-licit-need-final-destination"],
                f"Final destination {final} declared no licit need for {_text(g('substance_name'))}; imported into {_text(g('importing_country_name'))}.",
                {"final_destination_country": final, "no_licit_need_countries": nln},
            )
        )
    kind = g("consignee_kind")
    if kind in INTERMEDIARIES:
        hits.append(
            _hit(
                SPEC["consignee-intermediary"],
                f"Consignee is a {kind} in {_text(g('consignee_country_name'))}.",
                {"consignee_kind": kind},
            )
        )
    last, days = g("last_event_type"), g("days_since_last_event")
    if last == "transit_entered" and _gt(days, 14):
        hits.append(
            _hit(
                SPEC["transit-never-left"],
                f"Entered transit {days} days ago and not seen leaving.",
                {"last_event_type": last, "days_since_last_event": days},
            )
        )
    places, zones = g("route_places"), g("free_zones")
    if places and zones and any(_has_word(places.lower(), z.lower()) for z in zones):
        hits.append(
            _hit(
                SPEC["free-zone-transit"],
                f"Route through {places}.",
                {"route_places": places, "free_zones": zones},
            )
        )
    for fact, count, code, template in LINKS:
        if g(fact) is True:
            hits.append(_hit(SPEC[code], template.format(_text(g(count))), {fact: True}))
    return hits


def _timed(function: Callable[[], Any]) -> float:
    gc.collect()
    started = time.perf_counter()
    function()
    return time.perf_counter() - started


def bench_engine(count: int, rounds: int) -> dict[str, Any]:
    started = time.perf_counter()
    facts = make_facts(count, seed=2016)
    print(f"engine: {count:,} fact sets generated in {time.perf_counter() - started:.1f} s")
    rules = compiled_builtins()
    by_code = {r.definition.code: i for i, r in enumerate(rules)}

    engine_hits = [evaluate(rules, f) for f in facts]
    hand_hits = [sorted(hand_written(f), key=lambda h: by_code[h.code]) for f in facts]
    mismatches = [i for i, (a, b) in enumerate(zip(engine_hits, hand_hits, strict=True)) if a != b]
    if mismatches:
        i = mismatches[0]
        raise SystemExit(
            f"hand-written checks disagree on {len(mismatches)} sets, e.g. #{i}:\n"
            f"engine: {engine_hits[i]}\nhand:   {hand_hits[i]}"
        )
    fired: dict[str, int] = {}
    for hits in engine_hits:
        for hit in hits:
            fired[hit.code] = fired.get(hit.code, 0) + 1
    print(
        f"engine: both agree on all {count:,} sets (hits, explanations, evidence); hits per rule:"
    )
    for code, n in sorted(fired.items(), key=lambda item: -item[1]):
        print(f"  {code:28s} {n:7,d} ({100 * n / count:.1f} %)")

    predicates = [r.predicate for r in rules]

    def run_engine() -> None:
        for f in facts:
            evaluate(rules, f)

    def run_hand() -> None:
        for f in facts:
            hand_written(f)

    def run_predicates() -> None:
        for f in facts:
            for p in predicates:
                p(f)

    timings: dict[str, list[float]] = {"engine": [], "hand": [], "predicates": []}
    for round_ in range(rounds):
        order = (
            ["engine", "hand", "predicates"]
            if round_ % 2 == 0
            else ["hand", "predicates", "engine"]
        )
        for name in order:
            timings[name].append(
                _timed({"engine": run_engine, "hand": run_hand, "predicates": run_predicates}[name])
            )
        print(
            f"  round {round_ + 1}: engine {timings['engine'][-1]:.3f} s, "
            f"hand-written {timings['hand'][-1]:.3f} s, "
            f"engine predicates only {timings['predicates'][-1]:.3f} s"
        )
    result = {
        "fact_sets": count,
        "rules": len(rules),
        "rounds": rounds,
        "hits_per_rule": fired,
        "seconds": timings,
        "median_seconds": {k: median(v) for k, v in timings.items()},
        "us_per_fact_set": {k: 1e6 * median(v) / count for k, v in timings.items()},
        "ratio_engine_to_hand": median(timings["engine"]) / median(timings["hand"]),
        "ratio_per_round": [e / h for e, h in zip(timings["engine"], timings["hand"], strict=True)],
    }
    us = result["us_per_fact_set"]
    print(
        f"engine: median {us['engine']:.2f} µs per fact set ({len(rules)} rules), hand-written "
        f"{us['hand']:.2f} µs, predicates alone {us['predicates']:.2f} µs; "
        f"ratio engine/hand {result['ratio_engine_to_hand']:.2f}× (target ≤ 3×)"
    )
    return result


# =============================================================================================
# (2) The write path, rules on and off, over the history
# =============================================================================================

PEN_PATH = "/api/v1/pre-export-notifications"
SHIPMENT_PATH = "/api/v1/shipments"
PRODUCERS = ["DE", "NL", "BE", "FR", "GB", "US", "CN", "IN", "KR", "JP"]
BUYERS = ["PK", "IN", "AE", "TR", "KE", "TZ", "NG", "ZA", "MX", "CO", "IQ", "SA", "TM", "UZ"]
HISTORY_TRANSIT = ["AE", "OM", "TR", "NL", "SG", "MY"]
# Shares of the history by substance (CAS); the rest is spread over the other seeded ones.
HISTORY_SUBSTANCES = {AA: 35, "67-64-1": 15, "108-88-3": 10, "7664-93-9": 10, "7647-01-0": 8,
                      "78-93-3": 7, "7722-64-7": 5}  # fmt: skip
BENCH_IMPORTERS = 100  # Pakistani importers with a German supplier: the load's parties


@contextmanager
def fresh_postgres(server: str) -> Iterator[str]:
    name = f"pentrack_bench_rules_{uuid.uuid4().hex[:8]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(server).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def pentrack(database_url: str, *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "app.cli", *args],
        cwd=ROOT,
        env={**os.environ, "PENTRACK_DATABASE_URL": database_url},
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"pentrack {' '.join(args)} failed:\n{result.stderr}")
    return result.stdout


def token(database_url: str, role: str, authority: str | None = None) -> str:
    args = ["token", "create", "--role", role] + (["--authority", authority] if authority else [])
    return pentrack(database_url, *args).strip().splitlines()[-1]


@dataclass
class World:
    exporters: list[dict[str, Any]]
    importers: list[dict[str, Any]]
    suppliers: dict[str, list[str]]  # importer id → its regular exporters' ids


def build_world(session: Session, seed: int) -> World:
    """600 exporters in producing countries, 3,000 importers; the first BENCH_IMPORTERS
    importers are Pakistani with a German regular supplier. All registered and licensed."""
    rng = random.Random(seed)
    now = datetime.now(UTC)
    valid = date.today() + timedelta(days=365)

    def operator(index: int, role: str, country: str) -> dict[str, Any]:
        return {
            "id": new_id(), "name": f"{country} {role} {index:04d}", "country": country,
            "address": f"{index} Harbour Road, {country}", "kind": "distributor",
            "registration_number": f"{country}-{role[0].upper()}{index:05d}",
            "licence_number": None, "licence_valid_until": valid,
            "created_by_authority_id": None, "created_at": now,
        }  # fmt: skip

    german = [operator(i, "exporter", "DE") for i in range(40)]
    exporters = german + [operator(i, "exporter", rng.choice(PRODUCERS)) for i in range(40, 600)]
    importers = [operator(i, "importer", "PK") for i in range(BENCH_IMPORTERS)]
    importers += [operator(i, "importer", rng.choice(BUYERS)) for i in range(BENCH_IMPORTERS, 3000)]
    session.execute(Operator.__table__.insert(), exporters + importers)  # type: ignore[attr-defined]
    suppliers = {}
    for index, importer in enumerate(importers):
        regular = [e["id"] for e in rng.sample(exporters, rng.randint(1, 4))]
        if index < BENCH_IMPORTERS:
            regular[0] = german[index % len(german)]["id"]
        suppliers[importer["id"]] = regular
    return World(exporters, importers, suppliers)


def load_history(
    session: Session, world: World, rows: int, budget_seconds: float, seed: int
) -> int:
    """COPY up to `rows` delivered shipments spread over 2 years, importers by a Zipf-like
    popularity (bench importers spread over the ranks), within `budget_seconds`."""
    rng = random.Random(seed)
    ids = TimeOrderedIds(seed)
    substances = {s.cas_number: s for s in session.exec(select(Substance))}
    cas_numbers = list(substances)
    weights = [HISTORY_SUBSTANCES.get(cas, 0.5) for cas in cas_numbers]
    order = list(range(len(world.importers)))
    rng.shuffle(order)  # the bench importers land at every popularity rank
    popularity = [0.0] * len(order)
    for rank, index in enumerate(order):
        popularity[index] = 1 / (rank + 1) ** 0.5
    country = {o["id"]: o["country"] for o in world.exporters + world.importers}
    now = datetime.now(UTC)
    writer = BulkWriter(session, batch_size=5000, echo=lambda _: None)
    writer.register(Shipment)
    started = time.perf_counter()
    written = 0
    chunk = 50_000
    while written < rows:
        batch = min(chunk, rows - written)
        importers = rng.choices(world.importers, popularity, k=batch)
        chosen = rng.choices(cas_numbers, weights, k=batch)
        for importer, cas in zip(importers, chosen, strict=True):
            regular = world.suppliers[importer["id"]]
            exporter = (
                rng.choice(regular) if rng.random() < 0.9 else rng.choice(world.exporters)["id"]
            )
            exporting, importing = country[exporter], importer["country"]
            created = now - timedelta(seconds=rng.uniform(60, 730 * 86400))
            transit = rng.choice(HISTORY_TRANSIT) if rng.random() < 0.3 else None
            kg = round(min(200_000.0, max(1.0, rng.lognormvariate(7.6, 1.0))), 3)
            substance = substances[cas]
            written += 1
            writer.add(Shipment, {
                "id": ids(created), "customs_reference": f"H{written:09d}",
                "recorded_country": exporting, "notification_id": None, "pen_reference": None,
                "status": "delivered", "exporting_country": exporting, "importing_country": importing,
                "transit_countries": [transit] if transit and transit not in (exporting, importing) else [],
                "exporter_id": exporter, "importer_id": importer["id"], "consignee_id": None,
                "cas_number": cas, "declared_hs_code": substance.hs_code,
                "declared_description": substance.name, "quantity": kg, "unit": "kg",
                "quantity_kg": kg, "mode_of_transport": "sea",
                "means_of_payment": rng.choice(PAYMENTS), "carrier": None, "container_ids": [],
                "departure_date": created.date(), "recorded_by_user_id": None,
                "created_at": created, "updated_at": created,
            })  # fmt: skip
        writer.flush()
        session.commit()
        elapsed = time.perf_counter() - started
        print(f"  history: {written:,} shipments in {elapsed:.0f} s ({written / elapsed:,.0f}/s)")
        if elapsed > budget_seconds and written < rows:
            print(f"  history: stopping at {written:,} rows (time budget {budget_seconds:.0f} s)")
            break
    return written


def explain_aggregates(database_url: str, importer: str, exporter: str, pen_id: str) -> list[str]:
    """EXPLAIN ANALYZE the very statements gather.add_aggregates runs for a new shipment
    between bench parties under a PEN (captured from the engine, not rewritten here)."""
    engine = create_engine(database_url)
    captured: list[tuple[str, Any]] = []

    @event.listens_for(engine, "before_cursor_execute")
    def capture(conn: Any, cursor: Any, statement: str, parameters: Any, *args: Any) -> None:
        # The history aggregates: one UNION ALL statement of count/sum/max over shipment.
        if "count(*)" in statement.lower() and "from shipment" in statement.lower():
            captured.append((statement, parameters))

    plans = []
    with Session(engine) as session:
        rules = [
            rules_service._compile(r) for r in rules_service.current_rules(session, "shipment")
        ]
        subject = Shipment(
            id="bench-subject", importer_id=importer, exporter_id=exporter, cas_number=AA,
            notification_id=pen_id, created_at=datetime.now(UTC),
        )  # fmt: skip
        gather.add_aggregates(session, {}, subject, [a for r in rules for a in r.aggregates])
        event.remove(engine, "before_cursor_execute", capture)
        for statement, parameters in captured:
            plan = session.connection().exec_driver_sql(
                "EXPLAIN (ANALYZE, BUFFERS) " + statement, parameters
            )
            plans.append(statement + "\n" + "\n".join(row[0] for row in plan))
    engine.dispose()
    return plans


class Server:
    """`pentrack serve` in its own process (1 worker), stopped by its pid."""

    def __init__(self, database_url: str, log: Path) -> None:
        with closing(socket.socket()) as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.database = str(make_url(database_url).database)
        env = {**os.environ, "PENTRACK_DATABASE_URL": database_url, "PENTRACK_LOG_LEVEL": "warning"}
        command = [
            sys.executable,
            "-m",
            "app.cli",
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
        ]
        self._log = log.open("wb")
        self.process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited:\n{log.read_text()[-3000:]}")
            try:
                if httpx.get(self.base_url + "/readyz", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        raise RuntimeError("server not ready")

    def cpu_seconds(self) -> float:
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        if self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.kill(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self._log.close()


def _backend_cpu(database: str) -> dict[int, int]:
    """CPU ticks of each PostgreSQL backend serving `database` (its process title names it)."""
    ticks = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if f" {database} " not in (entry / "cmdline").read_bytes().decode(errors="replace"):
                continue
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        ticks[int(entry.name)] = int(fields[11]) + int(fields[12])
    return ticks


class PostgresCpu:
    """CPU seconds the database's backends use while it runs: sampled every 0.2 s, because
    the pool closes overflow connections and an exited backend's CPU cannot be read after."""

    def __init__(self, database: str) -> None:
        self._database = database
        # Backends alive at the start count from their CPU then; later ones from zero.
        self._first: dict[int, int] = _backend_cpu(database)
        self._last: dict[int, int] = dict(self._first)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _sample(self) -> None:
        self._last.update(_backend_cpu(self._database))

    def _run(self) -> None:
        while not self._stop.wait(0.2):
            self._sample()

    def __enter__(self) -> "PostgresCpu":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self._sample()

    @property
    def seconds(self) -> float:
        ticks = sum(self._last[pid] - self._first.get(pid, 0) for pid in self._last)
        return ticks / os.sysconf("SC_CLK_TCK")


@dataclass
class Tokens:
    admin: str
    de_regulator: str
    pk_regulator: str
    ae_customs: str


def _auth(value: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {value}"}


def setup_parties(database_url: str, base_url: str) -> Tokens:
    admin = token(database_url, "admin")
    ids = {}
    with httpx.Client(base_url=base_url, headers=_auth(admin), timeout=60) as client:
        for country, kind in (("DE", "regulator"), ("PK", "regulator"), ("AE", "customs")):
            body = {"country": country, "name": f"{country} {kind}", "kind": kind}
            response = client.post("/api/v1/authorities", json=body)
            response.raise_for_status()
            ids[country] = response.json()["id"]
    return Tokens(
        admin=admin,
        de_regulator=token(database_url, "regulator", ids["DE"]),
        pk_regulator=token(database_url, "regulator", ids["PK"]),
        ae_customs=token(database_url, "customs", ids["AE"]),
    )


def cleared_pens(base_url: str, tokens: Tokens, world: World, count: int) -> list[dict[str, Any]]:
    """`count` PENs of 200,000 l of acetic anhydride, DE → PK via AE, cleared (no objection)."""
    pens = []
    with httpx.Client(base_url=base_url, timeout=60) as client:
        for index in range(count):
            importer = world.importers[index % BENCH_IMPORTERS]
            body = {
                "exporting_country": "DE", "importing_country": "PK", "transit_countries": ["AE"],
                "exporter_id": world.suppliers[importer["id"]][0], "importer_id": importer["id"],
                "substance": AA, "quantity": 200_000, "unit": "l",
                "expected_dispatch_date": (date.today() + timedelta(days=30)).isoformat(),
                "expected_point_of_entry": "Port Qasim", "mode_of_transport": "sea",
                "means_of_payment": "letter_of_credit",
            }  # fmt: skip
            pen = client.post(PEN_PATH, json=body, headers=_auth(tokens.de_regulator))
            pen.raise_for_status()
            pen_id = pen.json()["id"]
            client.post(
                f"{PEN_PATH}/{pen_id}/send", headers=_auth(tokens.de_regulator)
            ).raise_for_status()
            reply = client.post(
                f"{PEN_PATH}/{pen_id}/respond",
                json={"decision": "no_objection"},
                headers=_auth(tokens.pk_regulator),
            )
            reply.raise_for_status()
            pens.append(reply.json())
    return pens


def set_rules(base_url: str, tokens: Tokens, enabled: bool) -> None:
    with httpx.Client(base_url=base_url, headers=_auth(tokens.admin), timeout=60) as client:
        for raw in BUILTIN_RULES:
            response = client.patch(f"/api/v1/rules/{raw['code']}", json={"enabled": enabled})
            response.raise_for_status()


async def _drive(
    base_url: str, tokens: Tokens, pens: list[dict[str, Any]], jobs: int, concurrency: int, tag: str
) -> tuple[float, dict[str, list[float]], list[str]]:
    """`jobs` × (POST a shipment citing a cleared PEN, POST a transit event on it)."""
    latencies: dict[str, list[float]] = {"shipment": [], "event": []}
    failures: list[str] = []
    headers = _auth(tokens.ae_customs)
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    queue = iter(range(jobs))

    async def post(client: httpx.AsyncClient, kind: str, path: str, body: Any) -> Any:
        started = time.perf_counter()
        response = await client.post(path, json=body, headers=headers)
        latencies[kind].append(time.perf_counter() - started)
        if response.status_code != 201:
            failures.append(f"{kind}: {response.status_code} {response.text[:200]}")
            return None
        return response.json()

    async def worker(client: httpx.AsyncClient) -> None:
        for index in queue:
            pen = pens[index % len(pens)]
            body = {
                "customs_reference": f"AE-{tag}-{index:06d}", "pen_reference": pen["reference"],
                "exporting_country": "DE", "importing_country": "PK", "transit_countries": ["AE"],
                "exporter_id": pen["exporter_id"], "importer_id": pen["importer_id"],
                "substance": AA, "declared_hs_code": "2915.24",
                "declared_description": "Acetic anhydride", "quantity": 2000, "unit": "l",
                "mode_of_transport": "sea",
                # One in ten paid in cash: with the rules on, those raise a flag.
                "means_of_payment": "cash" if index % 10 == 0 else "letter_of_credit",
                "container_ids": ["MSKU1234565"],
            }  # fmt: skip
            shipment = await post(client, "shipment", SHIPMENT_PATH, body)
            if shipment is None:
                continue
            event_body = {
                "type": "transit_entered", "country": "AE",
                "occurred_at": datetime.now(UTC).isoformat(), "location": "Jebel Ali",
            }  # fmt: skip
            await post(client, "event", f"{SHIPMENT_PATH}/{shipment['id']}/events", event_body)

    async with httpx.AsyncClient(base_url=base_url, limits=limits, timeout=120) as client:
        started = time.perf_counter()
        await asyncio.gather(*(worker(client) for _ in range(concurrency)))
        return time.perf_counter() - started, latencies, failures


def measure(
    server: Server,
    tokens: Tokens,
    pens: list[dict[str, Any]],
    jobs: int,
    concurrency: int,
    tag: str,
) -> dict[str, Any]:
    cpu_server = server.cpu_seconds()
    with PostgresCpu(server.database) as postgres:
        seconds, latencies, failures = asyncio.run(
            _drive(server.base_url, tokens, pens, jobs, concurrency, tag)
        )
    cpu_server = server.cpu_seconds() - cpu_server
    cpu_postgres = postgres.seconds
    everything = latencies["shipment"] + latencies["event"]
    stats = {
        kind: {"p50_ms": 1000 * percentile(v, 0.5), "p99_ms": 1000 * percentile(v, 0.99)}
        for kind, v in {"all": everything, **latencies}.items()
    }
    return {
        "requests": len(everything), "seconds": seconds, "rps": len(everything) / seconds,
        "failures": len(failures), "first_failures": failures[:3], "latency": stats,
        "server_cpu_ms_per_request": 1000 * cpu_server / len(everything),
        "postgres_cpu_ms_per_request": 1000 * cpu_postgres / len(everything),
    }  # fmt: skip


def bench_write_path(args: argparse.Namespace) -> dict[str, Any]:
    result: dict[str, Any] = {}
    with fresh_postgres(args.postgres) as database_url:
        print(f"write path: database {make_url(database_url).database}")
        pentrack(database_url, "migrate")
        print("  " + pentrack(database_url, "seed").strip())
        engine = create_engine(database_url)
        with Session(engine) as session:
            world = build_world(session, seed=7)
            session.commit()
            started = time.perf_counter()
            written = load_history(session, world, args.history, args.load_budget, seed=2016)
            loaded = time.perf_counter() - started
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            vacuum_started = time.perf_counter()
            connection.execute(text("VACUUM (ANALYZE) shipment"))
            vacuumed = time.perf_counter() - vacuum_started
            stored = connection.execute(select(func.count()).select_from(Shipment)).scalar_one()  # type: ignore[arg-type]
        engine.dispose()
        result["history"] = {
            "rows": stored, "load_seconds": loaded, "rows_per_second": written / loaded,
            "vacuum_analyze_seconds": vacuumed,
        }  # fmt: skip
        print(f"  history: {stored:,} rows; VACUUM ANALYZE {vacuumed:.0f} s")

        server = Server(database_url, Path(f"/tmp/pentrack-bench-rules-{os.getpid()}.log"))
        try:
            tokens = setup_parties(database_url, server.base_url)
            per_pen = 80  # 80 × 2,000 l stay under the 200,000 l notified
            total = args.jobs * args.rounds * 2 + args.warmup * 2
            pens = cleared_pens(server.base_url, tokens, world, -(-total // per_pen))
            print(f"  {len(pens)} cleared PENs, DE → PK via AE, for {BENCH_IMPORTERS} importers")
            pen = pens[0]
            plans = explain_aggregates(
                database_url, pen["importer_id"], pen["exporter_id"], pen["id"]
            )
            result["explain"] = plans
            for plan in plans:
                print("\n" + plan)
            scans = [p for p in plans if "Seq Scan" in p]
            print(f"\n  aggregate plans: {len(plans)}, sequential scans: {len(scans)}")

            for mode in (True, False):
                set_rules(server.base_url, tokens, mode)
                measure(server, tokens, pens, args.warmup, args.concurrency, f"W{int(mode)}")
            phases: dict[str, list[dict[str, Any]]] = {"on": [], "off": []}
            for round_ in range(args.rounds):
                for mode in (True, False) if round_ % 2 == 0 else (False, True):
                    name = "on" if mode else "off"
                    set_rules(server.base_url, tokens, mode)
                    phase = measure(
                        server, tokens, pens, args.jobs, args.concurrency, f"R{round_}{name}"
                    )
                    phases[name].append(phase)
                    lat = phase["latency"]["all"]
                    print(
                        f"  round {round_ + 1} rules {name:3s}: {phase['rps']:6.1f} req/s, "
                        f"p50 {lat['p50_ms']:5.1f} ms, p99 {lat['p99_ms']:6.1f} ms, "
                        f"server CPU {phase['server_cpu_ms_per_request']:.2f} ms/req, "
                        f"postgres CPU {phase['postgres_cpu_ms_per_request']:.2f} ms/req, "
                        f"failures {phase['failures']}"
                    )
            set_rules(server.base_url, tokens, True)
        finally:
            server.stop()
        engine = create_engine(database_url)
        with engine.connect() as connection:
            flags = dict(
                connection.execute(text("SELECT rule, count(*) FROM flag GROUP BY rule")).all()
            )  # type: ignore[arg-type]
        engine.dispose()
    summary = _summarise(phases)
    print(f"  flags raised during the run, by rule: {flags}")
    result.update(phases=phases, summary=summary, flags_by_rule=flags)
    return result


def _summarise(phases: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    def med(name: str, pick: Callable[[dict[str, Any]], float]) -> float:
        return median([pick(p) for p in phases[name]])

    summary = {
        name: {
            "rps": med(name, lambda p: p["rps"]),
            "p50_ms": med(name, lambda p: p["latency"]["all"]["p50_ms"]),
            "p99_ms": med(name, lambda p: p["latency"]["all"]["p99_ms"]),
            "shipment_p50_ms": med(name, lambda p: p["latency"]["shipment"]["p50_ms"]),
            "event_p50_ms": med(name, lambda p: p["latency"]["event"]["p50_ms"]),
            "server_cpu_ms_per_request": med(name, lambda p: p["server_cpu_ms_per_request"]),
            "postgres_cpu_ms_per_request": med(name, lambda p: p["postgres_cpu_ms_per_request"]),
        }
        for name in ("on", "off")
    }
    ratios = [off["rps"] / on["rps"] for on, off in zip(phases["on"], phases["off"], strict=True)]
    summary["slowdown_rules_on"] = median(ratios)
    summary["slowdown_per_round"] = ratios
    on, off = summary["on"], summary["off"]
    print(
        f"\nwrite path (medians): rules on {on['rps']:.1f} req/s, p50 {on['p50_ms']:.1f} ms, "
        f"p99 {on['p99_ms']:.1f} ms; rules off {off['rps']:.1f} req/s, p50 {off['p50_ms']:.1f} ms, "
        f"p99 {off['p99_ms']:.1f} ms; slowdown with rules on {summary['slowdown_rules_on']:.2f}× "
        f"(target ≤ 1.5×); server CPU {on['server_cpu_ms_per_request']:.2f} vs "
        f"{off['server_cpu_ms_per_request']:.2f} ms/req, postgres CPU "
        f"{on['postgres_cpu_ms_per_request']:.2f} vs {off['postgres_cpu_ms_per_request']:.2f} ms/req"
    )
    return summary


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--engine", action="store_true", help="(1) engine vs hand-written")
    parser.add_argument("--write-path", action="store_true", help="(2) rules on vs off over HTTP")
    parser.add_argument("--facts", type=int, default=100_000, help="fact sets for (1)")
    parser.add_argument("--engine-rounds", type=int, default=5)
    parser.add_argument("--history", type=int, default=1_000_000, help="historical shipments")
    parser.add_argument("--load-budget", type=float, default=300, help="seconds for the history")
    parser.add_argument("--jobs", type=int, default=400, help="shipment + event per round and mode")
    parser.add_argument("--warmup", type=int, default=40)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=12)
    parser.add_argument(
        "--postgres", default=os.environ.get("PENTRACK_BENCH_POSTGRES_URL", POSTGRES_SERVER)
    )
    args = parser.parse_args()
    if not (args.engine or args.write_path):
        parser.error("give --engine, --write-path or both")
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    dirty = bool(
        subprocess.run(
            ["git", "status", "--porcelain", "app"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip()
    )
    report: dict[str, Any] = {
        "commit": commit,
        "app_dirty": dirty,
        "when": datetime.now(UTC).isoformat(),
    }
    if args.engine:
        report["engine"] = bench_engine(args.facts, args.engine_rounds)
    if args.write_path:
        report["write_path"] = bench_write_path(args)
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"rules-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.json"
    path.write_text(json.dumps(report, indent=2, default=str))
    print(f"\nresults: {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
