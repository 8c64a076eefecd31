"""Python's cyclic garbage collector in a served process: the objects of start-up are frozen out
of its full collections, and every collection's pause can be observed (`/metrics`).

A full (generation 2) collection walks every object the collector tracks, holding the GIL: no
request moves meanwhile. A served app holds some 230,000 such objects from start-up (modules,
classes, functions, pydantic and SQLAlchemy schemas) that never become garbage, and walking them
took 170–260 ms. At 16 concurrent writers those pauses *were* the p99 of the write path: every
request in flight waited out the same pause (bench/README.md, 2026-12-07). `gc.freeze()`,
Python's documented remedy, moves them into a permanent generation that collections skip; a full
collection then walks only what was made since.

Only `pentrack serve` freezes (`app.main.create_served_app`): a test process builds hundreds of
apps, and frozen objects that later become cyclic garbage are never freed.
"""

import bisect
import gc
import time
from typing import Any

from sqlalchemy.orm import configure_mappers

# Upper bounds of the pause buckets (seconds): young collections take well under a millisecond,
# a full one over start-up's objects took a few hundred.
PAUSE_BUCKETS = (0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0)
GENERATIONS = len(gc.get_threshold())

# Per generation: pauses per bucket (the last: over every bound), and their sum in seconds.
_counts = [[0] * (len(PAUSE_BUCKETS) + 1) for _ in range(GENERATIONS)]
_sums = [0.0] * GENERATIONS
_started: list[float] = []


def freeze_startup_objects() -> None:
    """Collect what start-up left as garbage, then freeze every object alive."""
    # Mappers are configured at the first query otherwise: their structures belong to start-up.
    configure_mappers()
    gc.collect()
    gc.freeze()


def _count_pause(phase: str, info: dict[str, Any]) -> None:
    # No lock here: a collection starts inside whatever allocation tipped it, one made while a
    # lock is held included (a metrics library's, say), and collections never overlap.
    if phase == "start":
        _started[:] = [time.perf_counter()]
    elif _started:
        seconds = time.perf_counter() - _started[0]
        generation = int(info["generation"])
        _counts[generation][bisect.bisect_left(PAUSE_BUCKETS, seconds)] += 1
        _sums[generation] += seconds


def watch_pauses() -> None:
    """Count the pause of every collection of this process from now on (`pauses()`)."""
    if _count_pause not in gc.callbacks:
        gc.callbacks.append(_count_pause)


def pauses() -> list[tuple[list[int], float]]:
    """Per generation: how many pauses fell in each bucket of `PAUSE_BUCKETS` (the last: over
    every bound), and their sum in seconds."""
    return [(list(counts), total) for counts, total in zip(_counts, _sums, strict=True)]
