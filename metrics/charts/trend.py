from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from .common import (
    BAND_HIGH,
    BAND_LOW,
    DEFAULT_NAME,
    WIDTH,
    _arrow,
    _check_prefix,
    _diamond,
    _drawn,
    _finite,
    _formatter,
    _linear_range,
    _log_range,
    _log_ticks,
    _n,
    _percent,
    _Scale,
    _text,
    _tick_label,
)


def _categories(points: Sequence[tuple[str, Any]], national: Sequence[tuple[str, Any]]) -> list[str]:
    labels = [label for label, _ in points]
    extra = [label for label, _ in national if label not in labels]
    return list(dict.fromkeys(sorted(labels + extra) if extra else labels))


def _runs(
    categories: Sequence[str], x_of: Mapping[str, float], placed: Mapping[str, tuple[float, int]]
) -> list[list[tuple[float, float]]]:
    """A series' line as runs of (x, y) between the rounds it has no figure for; a run needs two points."""
    runs: list[list[tuple[float, float]]] = [[]]
    for label in categories:
        if label in placed:
            runs[-1].append((_n(x_of[label]), _n(placed[label][0])))
        elif runs[-1]:
            runs.append([])
    return [run for run in runs if len(run) > 1]


def trend_geometry(
    *,
    points: list[tuple[str, float | None]],
    national: list[tuple[str, float | None]] | None = None,
    log_scale: bool = True,
    id_prefix: str,
    title: str,
    name: str = DEFAULT_NAME,
    percent: bool | None = None,
) -> dict[str, Any]:
    """An authority's figure round by round (solid line, dots, figures written on) beside the national
    median (dashed line, hollow diamonds).

    Rounds are labelled by `points`' first items ("2024", "2025") in the order given; rounds only in
    `national` are merged in by sorting the labels, so labels should sort in time order. A None breaks
    the line and is listed under the chart as not calculable. With `log_scale` the axis widens in
    powers of 2 from 0.25-4 to fit the data (up to 1/16-16; beyond, an arrow at the edge) and the
    four-fifths band is shaded; otherwise it is linear from 0, in percentages (shares) unless `percent` is
    False.
    """
    _check_prefix(id_prefix)
    national = national or []
    categories = _categories(points, national)
    own = {label: _finite(value) for label, value in points}
    medians = {label: _finite(value) for label, value in national}
    every = [value for value in (*own.values(), *medians.values()) if value is not None]
    percent = _percent(percent, log_scale=log_scale)
    fmt = _formatter(percent=percent)
    left, right = 64, WIDTH - 24
    top = 76 if log_scale else 52  # under the legend
    bottom = top + 240
    if log_scale:
        scale = _Scale(*_log_range(every), bottom, top, log=True)
        ticks = _log_ticks(scale, min_gap=18)
    else:
        low, high, ticks = _linear_range(every)
        scale = _Scale(low, high, bottom, top, log=False)
    step = (right - left) / max(len(categories), 1)
    x_of = {label: left + step * (index + 0.5) for index, label in enumerate(categories)}

    # The legend, across the top.
    legend: dict[str, Any] = {"name": name, "mark": {"x": 34, "y": 21}}
    legend_x = 60 + 9 * len(name) + 32
    if national:
        legend["national"] = {
            "start": legend_x,
            "end": legend_x + 36,
            "mark": _diamond(legend_x + 18, 21, size=6),
            "text_x": legend_x + 44,
        }
    band = None
    if log_scale:
        band_top, band_bottom = scale(BAND_HIGH), scale(BAND_LOW)
        band = {
            "top": _n(band_top),
            "bottom": _n(band_bottom),
            "height": _n(band_bottom - band_top),
            "equal": _n(scale(1.0)),
        }

    national_placed = {label: scale.place(value) for label, value in medians.items() if value is not None}
    own_placed = {label: scale.place(value) for label, value in own.items() if value is not None}
    national_marks = [
        {"arrow": _arrow(x_of[label], y, "down" if off < 0 else "up")}
        if off
        else {"diamond": _diamond(x_of[label], y, size=7)}
        for label, (y, off) in national_placed.items()
    ]
    own_marks = []
    for label, (y, off) in own_placed.items():
        x = x_of[label]
        mark: dict[str, Any] = (
            {"arrow": _arrow(x, y, "down" if off < 0 else "up")} if off else {"dot": {"x": _n(x), "y": _n(y)}}
        )
        # The figure goes on the side away from the national median, or above.
        median = national_placed.get(label)
        below = (median is not None and median[0] < y) or (off > 0)
        mark["label"] = _text(x, y + 26 if below else y - 14, fmt(own[label]), anchor="middle")
        own_marks.append(mark)

    y = bottom + 56
    axis_label = None
    if log_scale:
        axis_label = _text(left, y, "Relative likelihood (log scale): 1 means equal likelihood")
        y += 24
    missing = [label for label in categories if own.get(label) is None]
    missing_note = None
    if missing:
        missing_note = _text(left, y, f"{name}: not calculable in {', '.join(missing)}.")
        y += 24

    desc = [f"{title}."]
    figures = [f"{label} {fmt(own[label])}" for label in categories if own.get(label) is not None]
    desc.append(f"{name}: {', '.join(figures) if figures else 'no figures'}.")
    if missing:
        desc.append(f"Not calculable in {', '.join(missing)}.")
    if national:
        desc.append(
            "National median: "
            + ", ".join(
                f"{label} {fmt(medians[label])}" for label in categories if medians.get(label) is not None
            )
            + "."
        )
    if log_scale:
        desc.append("The four-fifths range runs from 0.80 to 1.25.")
    return {
        "id_prefix": id_prefix,
        "title": title,
        "desc": " ".join(desc),
        "height": math.ceil(y),
        "legend": legend,
        "band": band,
        "plot": {
            "left": left,
            "right": right,
            "width": right - left,
            "top": top,
            "bottom": bottom,
            "tick_start": left - 6,
            "tick_label_x": left - 10,
            "round_tick_bottom": bottom + 6,
            "round_label_y": bottom + 26,
        },
        "ticks": [
            {
                "y": _n(scale(tick)),
                "label_y": _n(scale(tick) + 5),
                "label": _tick_label(tick, percent=percent),
            }
            for tick in ticks
        ],
        "rounds": [{"x": _n(x_of[label]), "label": label} for label in categories],
        "national": {"runs": _runs(categories, x_of, national_placed), "marks": national_marks},
        "own": {"runs": _runs(categories, x_of, own_placed), "marks": own_marks},
        "axis_label": axis_label,
        "missing": missing_note,
    }


trend_chart = _drawn("trend", trend_geometry)
