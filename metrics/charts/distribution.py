from __future__ import annotations

import zlib
from collections.abc import Mapping
from typing import Any

from django.utils.safestring import SafeString

from metrics.calculations import (
    QUARTILE_LABELS,
    distribution,
    quartile_position,
)

from .common import (
    BLUE,
    DARK_GREY,
    SMALL_FONT_SIZE,
    TEXT,
    WHITE,
    WIDTH,
    _arrow,
    _band_label,
    _band_rect_x,
    _check_prefix,
    _finite,
    _formatter,
    _horizontal_axis,
    _line,
    _linear_range,
    _log_range,
    _log_ticks,
    _n,
    _percent,
    _Scale,
    _svg,
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


def distribution_chart(
    *,
    values: list[tuple[str, float]],
    highlight: str | None = None,
    quartiles: Mapping[str, Any] | None = None,
    log_scale: bool = True,
    id_prefix: str,
    title: str,
    percent: bool | None = None,
    axis_label: str | None = None,
) -> SafeString:
    """Every authority's value as a dot (jittered up and down by its name), with a box and whiskers below.

    The box runs from the lower to the upper quartile with a line at the median, the whiskers from the
    lowest to the highest value; `quartiles` takes `metrics.calculations.distribution`'s keys (n, min,
    lower_quartile, median, upper_quartile, max) and is worked out from `values` when not given. Passing
    quartiles with no values draws the box alone (no dots); without min and max there are no whiskers.
    With `log_scale` (relative likelihoods) the axis widens in powers of 2 from 0.25-4 to fit the data,
    up to 1/16-16; values beyond it, and 0, sit on the edge and are counted in a note. The four-fifths
    band is shaded on a log scale. The `highlight` authority is drawn larger and labelled with its
    figure. A linear scale shows its values as percentages (shares) unless `percent` is False.
    Built for up to tens of thousands of dots (about 40 bytes each).
    """
    _check_prefix(id_prefix)
    points = [(name, value) for name, value in values if _finite(value) is not None]
    if quartiles is None or quartiles.get("median") is None:
        quartiles = distribution(value for _, value in points)
    summary = {key: _finite(quartiles.get(key)) for key in _SUMMARY_WORDS}
    box = [
        value for key in ("lower_quartile", "median", "upper_quartile") if (value := summary[key]) is not None
    ]
    has_box = len(box) == 3
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
    body: list[str] = []
    if log_scale:
        body += _band_label(scale, 20)
        body += _band_rect_x(scale, head, axis_y)
        body.append(_line(scale(1.0), head, scale(1.0), axis_y, stroke=TEXT, width=1.5))

    # The dots: one group carries the shared attributes, each circle only its position.
    radius = 4 if len(points) <= 500 else 2
    opacity = 0.6 if len(points) <= 500 else 0.3
    body.append(f'<g class="chart-dots" fill="{DARK_GREY}" fill-opacity="{opacity}">')
    off_low = off_high = 0
    highlighted: tuple[float, float, float] | None = None
    place = scale.place
    for name, value in points:
        x, off = place(value)
        if off < 0:
            off_low += 1
        elif off > 0:
            off_high += 1
        y = strip_top + 6 + _jitter(name) * (strip_height - 12)
        body.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{radius}"/>')
        if highlight is not None and highlighted is None and name == highlight:
            highlighted = (x, y, value)
    body.append("</g>")

    if off_low:
        body.append(_arrow(left - 14, strip_top + strip_height / 2, "left", fill=WHITE, stroke=TEXT))
    if off_high:
        body.append(_arrow(right + 14, strip_top + strip_height / 2, "right", fill=WHITE, stroke=TEXT))

    whiskers = False
    if has_box:
        x_q1, x_median, x_q3 = (place(value)[0] for value in box)
        middle = (box_top + box_bottom) / 2
        for key, x_box in (("min", x_q1), ("max", x_q3)):
            end = summary[key]
            if end is not None:
                whiskers = True
                x_end = place(end)[0]
                body += [
                    _line(
                        x_end, middle, x_box, middle, stroke=TEXT, width=1.5, extra='class="chart-whisker"'
                    ),
                    _line(x_end, box_top + 6, x_end, box_bottom - 6, stroke=TEXT, width=1.5),
                ]
        body += [
            f'<rect class="chart-box" x="{_n(x_q1)}" y="{box_top}" width="{_n(max(x_q3 - x_q1, 1))}" '
            f'height="{box_bottom - box_top}" fill="{WHITE}" stroke="{TEXT}" stroke-width="2"/>',
            _line(
                x_median, box_top, x_median, box_bottom, stroke=TEXT, width=4, extra='class="chart-median"'
            ),
        ]

    if highlighted is not None:
        x, y, value = highlighted
        anchor = "start" if x < left + 90 else "end" if x > right - 90 else "middle"
        body += [
            _line(x, strip_top - 8, x, y - 9, stroke=TEXT, width=1.5),
            f'<circle class="chart-highlight" cx="{_n(x)}" cy="{_n(y)}" r="8" fill="{BLUE}" '
            f'stroke="{TEXT}" stroke-width="2"/>',
            _text(
                x,
                strip_top - 13,
                f"{highlight}: {fmt(value)}",
                anchor=anchor,
                bold=True,
                css_class="chart-highlight-label",
                halo=True,
            ),
        ]

    body += _horizontal_axis(scale, axis_y, ticks, percent=percent)
    y = axis_y + 48
    if axis_label:
        body.append(
            _text((left + right) / 2, y, axis_label, anchor="middle", size=SMALL_FONT_SIZE, fill=DARK_GREY)
        )
        y += 28
    notes = []
    box_words = "its thick line is the median" + (
        "; the whiskers reach the lowest and highest." if whiskers else "."
    )
    if points:
        notes.append(
            f"Each dot is one of {_authorities(len(points))}."
            + (" The box spans the middle half," if has_box else "")
        )
        if has_box:
            notes.append(box_words)
    elif has_box:
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
    for note in notes:
        body.append(_text(left, y, note, size=SMALL_FONT_SIZE))
        y += 22

    desc = [f"{title}."]
    if has_box:
        figures = ", ".join(
            f"{word} {fmt(summary[key])}" for key, word in _SUMMARY_WORDS.items() if summary[key] is not None
        )
        desc.append(f"{_authorities(count)}: {figures}.")
    elif points:
        desc.append(f"{_authorities(len(points))}.")
    else:
        desc.append("There are no figures to show.")
    if highlight is not None:
        if highlighted is None:
            desc.append(f"{highlight}: no figure.")
        else:
            position = quartile_position(highlighted[2], {**summary, "n": count}) if has_box else None
            where = f", in the {QUARTILE_LABELS[position]}" if position else ""
            desc.append(f"{highlight}: {fmt(highlighted[2])}{where}.")
    if log_scale:
        desc.append("The four-fifths range runs from 0.80 to 1.25.")
    return _svg(id_prefix, y, title, " ".join(desc), body)
