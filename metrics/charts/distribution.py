from __future__ import annotations

import math
import zlib
from collections.abc import Mapping
from typing import Any

from metrics.calculations import (
    QUARTILE_LABELS,
    distribution,
    quartile_position,
)

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
    _linear_range,
    _log_range,
    _log_ticks,
    _n,
    _percent,
    _Scale,
    _text,
    _tick_label,
)

_SUMMARY_WORDS = {
    "min": "lowest",
    "lower_quartile": "lower quartile",
    "median": "median",
    "upper_quartile": "upper quartile",
    "max": "highest",
}


def _authorities(count: int) -> str:
    return "1 authority" if count == 1 else f"{count:,} authorities"


def _jitter(name: str) -> float:
    """A stable number from 0 to 1 for a name: the same dot lands in the same place on every page load."""
    return zlib.crc32(name.encode("utf-8")) / 0xFFFFFFFF


def distribution_geometry(
    *,
    values: list[tuple[str, float]],
    highlight: str | None = None,
    quartiles: Mapping[str, Any] | None = None,
    log_scale: bool = True,
    id_prefix: str,
    title: str,
    percent: bool | None = None,
    axis_label: str | None = None,
) -> dict[str, Any]:
    """Every authority's value as a dot (jittered up and down by its name), with a box and whiskers below.

    The box runs from the lower to the upper quartile with a line at the median, the whiskers from the
    lowest to the highest value; `quartiles` takes `metrics.calculations.distribution`'s keys (n, min,
    lower_quartile, median, upper_quartile, max) and is worked out from `values` when not given. Passing
    quartiles with no values draws the box alone (no dots); without min and max there are no whiskers.
    With `log_scale` (relative likelihoods) the axis widens in powers of 2 from 0.25-4 to fit the data,
    up to 1/16-16; values beyond it, and 0, sit on the edge and are counted in a note. The four-fifths
    band is shaded on a log scale. The `highlight` authority is drawn larger and labelled with its
    figure. A linear scale shows its values as percentages (shares) unless `percent` is False.
    Built for up to tens of thousands of dots.
    """
    _check_prefix(id_prefix)
    points = [(name, value) for name, value in values if _finite(value) is not None]
    if quartiles is None or quartiles.get("median") is None:
        quartiles = distribution(value for _, value in points)
    summary = {key: _finite(quartiles.get(key)) for key in _SUMMARY_WORDS}
    count = quartiles.get("n") or len(points)
    percent = _percent(percent, log_scale=log_scale)
    fmt = _formatter(percent=percent)
    everything = [value for _, value in points] + [value for value in summary.values() if value is not None]
    left, right = 32, WIDTH - 32
    if log_scale:
        scale = _Scale(*_log_range(everything), left, right, log=True)
        ticks = _log_ticks(scale, min_gap=40)
        if axis_label is None:
            axis_label = "Relative likelihood (log scale)"
    else:
        low, high, ticks = _linear_range(everything)
        scale = _Scale(low, high, left, right, log=False)

    head = 36 if log_scale else 8  # room for the band's label
    strip_top, strip_height = (head + 34, 100) if points else (head, 0)  # no dots: the box alone
    box_top, box_bottom = strip_top + strip_height + 14, strip_top + strip_height + 42
    axis_y = box_bottom + 14

    dots = []
    off_low = off_high = 0
    highlighted: dict[str, Any] | None = None
    highlighted_value: float | None = None
    place = scale.place
    for name, value in points:
        x, off = place(value)
        if off < 0:
            off_low += 1
        elif off > 0:
            off_high += 1
        y = strip_top + 6 + _jitter(name) * (strip_height - 12)
        dots.append((_n(x), _n(y)))
        if highlight is not None and highlighted is None and name == highlight:
            anchor = "start" if x < left + 90 else "end" if x > right - 90 else "middle"
            highlighted_value = value
            highlighted = {
                "x": _n(x),
                "y": _n(y),
                "line_top": _n(strip_top - 8),
                "line_bottom": _n(y - 9),
                "label": _text(x, strip_top - 13, f"{highlight}: {fmt(value)}", anchor=anchor),
            }

    off_scale = []
    if off_low:
        off_scale.append(_arrow(left - 14, strip_top + strip_height / 2, "left"))
    if off_high:
        off_scale.append(_arrow(right + 14, strip_top + strip_height / 2, "right"))
    box = _box_and_whiskers(scale, summary, top=box_top, bottom=box_bottom)

    y = axis_y + 48
    label = None
    if axis_label:
        label = _text((left + right) / 2, y, axis_label, anchor="middle")
        y += 28
    notes = []
    box_words = "its thick line is the median" + (
        "; the whiskers reach the lowest and highest." if box and box["whiskers"] else "."
    )
    if points:
        notes.append(
            f"Each dot is one of {_authorities(len(points))}."
            + (" The box spans the middle half," if box else "")
        )
        if box:
            notes.append(box_words)
    elif box:
        notes.append(f"The box spans the middle half of {_authorities(count)},")
        notes.append(box_words)
    else:
        notes.append("There are no figures to show.")
    if off_low:
        zero = " (including 0)" if log_scale and any(value <= 0 for _, value in points) else ""
        notes.append(
            f"{off_low:,} below {_tick_label(scale.low)}{zero} shown at the left edge, by the arrow."
        )
    if off_high:
        notes.append(f"{off_high:,} above {_tick_label(scale.high)} shown at the right edge, by the arrow.")
    if highlight is not None and highlighted is None:
        notes.append(f"{highlight}: no figure.")
    placed_notes = [_text(left, y + 22 * index, note) for index, note in enumerate(notes)]
    y += 22 * len(notes)

    desc = [f"{title}."]
    if box:
        figures = ", ".join(
            f"{word} {fmt(summary[key])}" for key, word in _SUMMARY_WORDS.items() if summary[key] is not None
        )
        desc.append(f"{_authorities(count)}: {figures}.")
    elif points:
        desc.append(f"{_authorities(len(points))}.")
    else:
        desc.append("There are no figures to show.")
    if highlight is not None:
        if highlighted_value is None:
            desc.append(f"{highlight}: no figure.")
        else:
            position = quartile_position(highlighted_value, {**summary, "n": count}) if box else None
            where = f", in the {QUARTILE_LABELS[position]}" if position else ""
            desc.append(f"{highlight}: {fmt(highlighted_value)}{where}.")
    if log_scale:
        desc.append("The four-fifths range runs from 0.80 to 1.25.")
    return {
        "id_prefix": id_prefix,
        "title": title,
        "desc": " ".join(desc),
        "height": math.ceil(y),
        "band": _band_column(scale, label_y=20, top=head, bottom=axis_y) if log_scale else None,
        "equal": {"x": _n(scale(1.0)), "top": head, "bottom": axis_y} if log_scale else None,
        "dots": {
            "points": dots,
            "radius": 4 if len(points) <= 500 else 2,
            "opacity": 0.6 if len(points) <= 500 else 0.3,
        },
        "off_scale": off_scale,
        "box": box,
        "highlighted": highlighted,
        "axis": _horizontal_axis(scale, axis_y, ticks, percent=percent),
        "axis_label": label,
        "notes": placed_notes,
    }


distribution_chart = _drawn("distribution", distribution_geometry)
