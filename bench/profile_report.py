"""Summarise a py-spy raw (collapsed) profile: where a server's CPU time goes.

    .venv/bin/python bench/profile_report.py bench/results/profile-…-sqlite-full.txt

Prints the share of samples in each stage of a request (STAGES, tried in order), the
functions of app/ with the most inclusive time, and the leaf frames with the most self time.
"""

import argparse
import re
from collections import Counter
from pathlib import Path

# A sample belongs to the first stage whose pattern matches one of its frames, tried in order.
STAGES: list[tuple[str, str]] = [
    ("commit (session teardown)", r"Session\.commit "),
    ("BEGIN IMMEDIATE / connect (open_session)", r"open_session "),
    ("authenticate (token → user)", r"get_current_principal "),
    ("load + row-lock the PEN/shipment", r"lock_notification |lock_shipment |load_notification "),
    ("audit row", r"audit/service\.py"),
    ("response building (to_detail/to_public)", r"to_detail |to_public |to_public_page "),
    ("service: create/transition/record_event", r" \(app/(notifications|shipments)/service\.py"),
    ("operators/reference lookups", r" \(app/(operators|reference)/service\.py"),
    ("idempotency / request-context middleware", r" \(app/core/middleware\.py"),
    ("FastAPI: body parsing + validation", r"request_body_to_args |_get_body|solve_dependencies "),
    ("FastAPI: response serialisation", r"serialize_response |jsonable_encoder "),
    ("uvicorn / HTTP protocol", r"httptools_impl|h11_impl"),
    ("thread pool hand-off", r"run_sync_in_worker_thread |WorkerThread\.run "),
    ("event loop", r"run_forever |_run_once "),
]


def stage_of(stack: str) -> str:
    for name, pattern in STAGES:
        if re.search(pattern, stack):
            return name
    return "other"


def app_frames(stack: str) -> set[str]:
    return {m.group(1) for m in re.finditer(r"([\w.<>]+) \(app/[\w/]+\.py", stack)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("profile", type=Path)
    parser.add_argument("--top", type=int, default=20)
    args = parser.parse_args()
    stages: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    leaves: Counter[str] = Counter()
    total = 0
    for line in args.profile.read_text().splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not count_text.isdigit():
            continue
        count = int(count_text)
        total += count
        stages[stage_of(stack)] += count
        for frame in app_frames(stack):
            inclusive[frame] += count
        leaves[stack.rsplit(";", 1)[-1]] += count
    print(f"{total} samples")
    print("\nby stage (a sample counts in the first stage that matches)")
    for name, count in stages.most_common():
        print(f"  {100 * count / total:5.1f}%  {name}")
    print("\napp/ functions, inclusive")
    for name, count in inclusive.most_common(args.top):
        print(f"  {100 * count / total:5.1f}%  {name}")
    print("\nleaf frames (self time)")
    for name, count in leaves.most_common(args.top):
        print(f"  {100 * count / total:5.1f}%  {name}")


if __name__ == "__main__":
    main()
