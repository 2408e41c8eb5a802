from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from .common import (
    WIDTH,
    _arrow,
    _band_column,
    _box_and_whiskers,
    _check_prefix,
    _drawn,
    _finite,
    _formatter,
    _horizontal_axis,
    _log_ticks,
    _n,
    _percent,
    _Scale,
    _text,
    _tick_label,
)
from .distribution import _SUMMARY_WORDS, _authorities


def histogram_geometry(
    *,
    bins: Sequence[tuple[float, float, int]],
    below: int = 0,
    above: int = 0,
    quartiles: Mapping[str, Any],
    log_scale: bool = True,
    id_prefix: str,
    title: str,
    percent: bool | None = None,
    axis_label: str | None = None,
) -> dict[str, Any]:
    """How many authorities fall in each range of values (a bar per bin), with a box and whiskers
    below: a summary whose size does not depend on the number of authorities (issue 18), for pages
    that show thousands.

    `bins` are (low, high, count), in order and touching, covering the axis; `below` and `above`
    count the authorities off the axis (on a log scale 0 is below), drawn as arrows at the edges.
    `quartiles` takes `metrics.calculations.distribution`'s keys (n, min, lower_quartile, median,
    upper_quartile, max). The four-fifths band is shaded on a log scale, as in `distribution_chart`.
    """
    _check_prefix(id_prefix)
    if not bins:
        raise ValueError("a histogram needs at least one bin")
    low, high = bins[0][0], bins[-1][1]
    left, right = 32, WIDTH - 32
    scale = _Scale(low, high, left, right, log=log_scale)
    percent = _percent(percent, log_scale=log_scale)
    fmt = _formatter(percent=percent)
    if log_scale:
        ticks = _log_ticks(scale, min_gap=40)
        if axis_label is None:
            axis_label = "Relative likelihood (log scale)"
    else:
        step = (high - low) / 5
        ticks = [low + i * step for i in range(6)]
    summary = {key: _finite(quartiles.get(key)) for key in _SUMMARY_WORDS}
    count = int(quartiles.get("n") or 0)
    tallest = max([n for _, _, n in bins] + [1])

    head = 36 if log_scale else 8
    bars_top, bars_height = head + 10, 120
    bars_bottom = bars_top + bars_height
    box_top, box_bottom = bars_bottom + 14, bars_bottom + 42
    axis_y = box_bottom + 14
    bars = []
    for bin_low, bin_high, n in bins:
        x1, x2 = scale(bin_low), scale(bin_high)
        height = bars_height * n / tallest
        # Every bin gets a bar (an empty one has no height), so its count can be read from the markup.
        bars.append(
            {
                "count": n,
                "x": _n(x1 + 0.5),
                "y": _n(bars_bottom - height),
                "width": _n(max(x2 - x1 - 1, 0.5)),
                "height": _n(height),
            }
        )
    middle_bars = bars_top + bars_height / 2
    off_scale = []
    if below:
        off_scale.append({**_arrow(left - 14, middle_bars, "left"), "count": below})
    if above:
        off_scale.append({**_arrow(right + 14, middle_bars, "right"), "count": above})
    box = _box_and_whiskers(scale, summary, top=box_top, bottom=box_bottom)

    y = axis_y + 48
    label = None
    if axis_label:
        label = _text((left + right) / 2, y, axis_label, anchor="middle")
        y += 28
    notes = [f"Each bar counts the authorities in its range, of {_authorities(count)}."]
    if box:
        notes.append("The box spans the middle half; its thick line is the median;")
        notes.append("the whiskers reach the lowest and highest.")
    if below:
        notes.append(
            f"{below:,} below {_tick_label(low, percent=percent)} shown at the left edge, by the arrow."
        )
    if above:
        notes.append(
            f"{above:,} above {_tick_label(high, percent=percent)} shown at the right edge, by the arrow."
        )
    placed_notes = [_text(left, y + 22 * index, note) for index, note in enumerate(notes)]
    y += 22 * len(notes)

    desc = [f"{title}: how many of {_authorities(count)} fall in each range."]
    if box:
        figures = ", ".join(
            f"{word} {fmt(summary[key])}" for key, word in _SUMMARY_WORDS.items() if summary[key] is not None
        )
        desc.append(f"{figures[0].upper()}{figures[1:]}.")
    busiest = max(bins, key=lambda b: b[2])
    if busiest[2]:
        desc.append(
            f"The most, {_authorities(busiest[2])}, are from {_tick_label(busiest[0], percent=percent)} "
            f"to {_tick_label(busiest[1], percent=percent)}."
        )
    if below:
        desc.append(f"{_authorities(below)} below {_tick_label(low, percent=percent)}.")
    if above:
        desc.append(f"{_authorities(above)} above {_tick_label(high, percent=percent)}.")
    if log_scale:
        desc.append("The four-fifths range runs from 0.80 to 1.25.")
    return {
        "id_prefix": id_prefix,
        "title": title,
        "desc": " ".join(desc),
        "height": math.ceil(y),
        "band": _band_column(scale, label_y=20, top=head, bottom=axis_y) if log_scale else None,
        "bars": bars,
        "baseline": {"start": left, "end": right, "y": bars_bottom},
        "tallest": _text(left, bars_top - 2, f"Most in one range: {tallest:,}"),
        "off_scale": off_scale,
        "box": box,
        "axis": _horizontal_axis(scale, axis_y, ticks, percent=percent),
        "axis_label": label,
        "notes": placed_notes,
    }


histogram_chart = _drawn("histogram", histogram_geometry)
