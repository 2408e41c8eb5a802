"""The spread of an indicator across authorities, worked out by the database (issue 18): count,
lowest, highest and quartiles, and a histogram's bin counts, in a fixed number of queries whatever
the number of authorities, and no value fetched into Python but the handful the quartiles need.

The quartiles interpolate between order statistics exactly as `metrics.calculations.quantile` does
(type 7, numpy's default), so they equal `calculations.distribution` over the same values; the
order statistics are read with ORDER BY ... OFFSET, which works on PostgreSQL and SQLite alike.
"""

from __future__ import annotations

import math
from itertools import pairwise
from typing import Any

from django.db.models import Count, Max, Min, Q, QuerySet

from .charts.common import _linear_range, _log_range

#: Bins per power of 2 on a log axis (a relative likelihood), and bins across a linear axis (a share).
LOG_BINS_PER_DOUBLING = 4
LINEAR_BINS = 20


def spread(results: QuerySet[Any]) -> dict[str, Any]:
    """n, min, quartiles, median and max of `results`' values (None left out): four queries."""
    valued = results.exclude(value=None)
    found = valued.aggregate(n=Count("pk"), low=Min("value"), high=Max("value"))
    n = found["n"]
    if not n:
        return dict.fromkeys(("min", "lower_quartile", "median", "upper_quartile", "max"), None) | {"n": 0}
    ordered = valued.order_by("value", "pk").values_list("value", flat=True)

    def quantile(p: float) -> float:
        position = (n - 1) * p
        below = math.floor(position)
        pair = list(ordered[below : min(below + 2, n)])
        upper = pair[1] if len(pair) > 1 else pair[0]
        return pair[0] + (position - below) * (upper - pair[0])

    return {
        "n": n,
        "min": found["low"],
        "lower_quartile": quantile(0.25),
        "median": quantile(0.5),
        "upper_quartile": quantile(0.75),
        "max": found["high"],
    }


def histogram(
    results: QuerySet[Any], summary: dict[str, Any], *, log_scale: bool
) -> tuple[list[tuple[float, float, int]], int, int]:
    """Bins across the chart's axis (as `distribution_chart` would draw it for these values) and how
    many values fall in each, below the axis and above it: one query. On a log scale 0 is below."""
    ends = [v for v in (summary.get("min"), summary.get("max")) if v is not None]
    if log_scale:
        low, high = _log_range(ends)
        steps = round(math.log2(high / low) * LOG_BINS_PER_DOUBLING)
        edges = [low * 2 ** (i / LOG_BINS_PER_DOUBLING) for i in range(steps + 1)]
    else:
        low, high, _ = _linear_range(ends)
        edges = [low + (high - low) * i / LINEAR_BINS for i in range(LINEAR_BINS + 1)]
    edges[-1] = high
    valued = results.exclude(value=None)
    counts: dict[str, Any] = {
        f"b{i}": Count(
            "pk",
            filter=Q(value__gte=lo, value__lte=hi) if i == len(edges) - 2 else Q(value__gte=lo, value__lt=hi),
        )
        for i, (lo, hi) in enumerate(pairwise(edges))
    }
    found = valued.aggregate(
        below=Count("pk", filter=Q(value__lt=low)), above=Count("pk", filter=Q(value__gt=high)), **counts
    )
    bins = [(lo, hi, int(found[f"b{i}"])) for i, (lo, hi) in enumerate(pairwise(edges))]
    return bins, int(found["below"]), int(found["above"])
