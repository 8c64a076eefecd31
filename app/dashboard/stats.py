"""Percentiles over counted values (pure)."""

import math
from collections.abc import Mapping


def percentile(histogram: Mapping[int, int], fraction: float) -> float | None:
    """The `fraction` percentile of the values counted in `histogram`, interpolated linearly
    between the closest ranks (as PostgreSQL's percentile_cont and Python's
    statistics.quantiles(method="inclusive") do). None when nothing was counted."""
    total = sum(count for count in histogram.values() if count > 0)
    if total == 0:
        return None
    position = fraction * (total - 1)
    lower_rank, upper_rank = math.floor(position), math.ceil(position)
    lower = upper = None
    seen = 0
    for value in sorted(histogram):
        count = histogram[value]
        if count <= 0:
            continue
        if lower is None and lower_rank < seen + count:
            lower = value
        if upper_rank < seen + count:
            upper = value
            break
        seen += count
    assert lower is not None and upper is not None
    return lower + (upper - lower) * (position - lower_rank)
