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

import gc
import time
from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import configure_mappers


def freeze_startup_objects() -> int:
    """Collect what start-up left as garbage, then freeze every object alive; how many are."""
    # Mappers are configured at the first query otherwise: their structures belong to start-up.
    configure_mappers()
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()


def watch_pauses(observe: Callable[[int, float], None]) -> None:
    """Call `observe(generation, seconds)` after every collection of this process."""
    started: list[float] = []

    def callback(phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            started[:] = [time.perf_counter()]
        elif started:
            observe(int(info["generation"]), time.perf_counter() - started[0])

    gc.callbacks.append(callback)
