"""Detection quality on the demo: how well the built-in rules find the planted diversion cases,
and how quiet they stay on legitimate trade.

The demo generator (seed/demo.py) records which PENs and shipments belong to planted diversion
patterns (the real cases, lanes of concern, Table I moved without a PEN, mis-declarations,
quantities above the notified, shipments despite an objection or before the reply). This script
writes the demo into a fresh SQLite database in this process, then reads the flags the real
rules raised on it (seed/demo_flags.py judges every subject with the engine).

    .venv/bin/python -m bench.detection [--scale 1]

Reports, per rule and overall: recall on the planted subjects (caught = at least one high or
critical flag), and the share of legitimate PENs and shipments flagged, by severity. Targets
(issue 13): recall 100 %; high or critical on at most 5 % of legitimate subjects; medium on at
most 15 %.
"""

import argparse
import tempfile
from collections import Counter, defaultdict
from pathlib import Path

from sqlalchemy import text

from app.alerts.defaults import seed_default_routing
from app.core.config import Settings
from app.core.db import build_engine, open_session
from app.core.migrations import upgrade
from app.rules.service import seed_builtin_rules
from seed.demo import seed_demo
from seed.loader import seed_reference

SERIOUS = ("high", "critical")
KINDS = {"pre_export_notification": "PENs", "shipment": "shipments"}


def _percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:5.1f} %" if whole else "    – "


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=1, help="demo scale (1: the default demo)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="pentrack-detection-") as folder:
        url = f"sqlite:///{Path(folder) / 'demo.db'}"
        upgrade(url)
        engine = build_engine(Settings(database_url=url))
        seed_reference(engine)
        with open_session(engine, write=True) as session:
            seed_builtin_rules(session)
            seed_default_routing(session)
            session.commit()
        truth = seed_demo(engine, scale=args.scale, echo=lambda _: None)
        with engine.connect() as connection:
            subjects = [
                (kind, subject_id)
                for kind, table in (
                    ("pre_export_notification", "pre_export_notification"),
                    ("shipment", "shipment"),
                )
                for (subject_id,) in connection.execute(text(f"SELECT id FROM {table}"))
            ]
            flags = connection.execute(
                text("SELECT subject_type, subject_id, rule, severity FROM flag")
            ).all()
        engine.dispose()
    report(subjects, truth, flags)


def report(
    subjects: list[tuple[str, str]],
    truth: dict[tuple[str, str], str],
    flags: list[tuple[str, str, str, str]],
) -> None:
    by_subject: dict[tuple[str, str], list[tuple[str, str]]] = defaultdict(list)
    for kind, subject_id, rule, severity in flags:
        by_subject[(kind, subject_id)].append((rule, severity))
    planted = [s for s in subjects if s in truth]
    legitimate = [s for s in subjects if s not in truth]

    def serious(subject: tuple[str, str]) -> bool:
        return any(severity in SERIOUS for _, severity in by_subject[subject])

    print(f"subjects: {len(subjects)} ({len(planted)} planted, {len(legitimate)} legitimate)")
    print("\nrecall on the planted subjects (caught by a high or critical flag):")
    patterns: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for subject in planted:
        patterns[truth[subject]].append(subject)
    for pattern, members in sorted(patterns.items()):
        caught = sum(serious(s) for s in members)
        missed = Counter(
            tuple(sorted(r for r, _ in by_subject[s])) for s in members if not serious(s)
        )
        note = f"  missed: {dict(missed)}" if missed else ""
        print(
            f"  {pattern:<32} {caught:>4}/{len(members):<4} {_percent(caught, len(members))}{note}"
        )
    caught = sum(serious(s) for s in planted)
    print(f"  {'overall':<32} {caught:>4}/{len(planted):<4} {_percent(caught, len(planted))}")

    print("\nper rule: planted subjects it flags, legitimate subjects it flags")
    rules = sorted({rule for _, _, rule, _ in flags})
    for rule in rules:
        on_planted = sum(any(r == rule for r, _ in by_subject[s]) for s in planted)
        on_legit = sum(any(r == rule for r, _ in by_subject[s]) for s in legitimate)
        print(
            f"  {rule:<34} planted {_percent(on_planted, len(planted))}   "
            f"legitimate {_percent(on_legit, len(legitimate))}"
        )

    print("\nlegitimate subjects flagged, by the most severe flag (targets: high+critical ≤ 5 %,")
    print("medium ≤ 15 %):")
    for kind, label in KINDS.items():
        members = [s for s in legitimate if s[0] == kind]
        severities = [{sev for _, sev in by_subject[s]} for s in members]
        high = sum(bool(sev & set(SERIOUS)) for sev in severities)
        medium = sum("medium" in sev for sev in severities)
        print(
            f"  {label:<10} {len(members):>5}: high or critical {_percent(high, len(members))}, "
            f"medium {_percent(medium, len(members))}"
        )


if __name__ == "__main__":
    main()
