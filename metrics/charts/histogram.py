from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.utils.safestring import SafeString

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
    _log_ticks,
    _n,
    _percent,
    _Scale,
    _svg,
    _text,
    _tick_label,
)
from .distribution import _SUMMARY_WORDS, _authorities


def histogram_chart(
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
) -> SafeString:
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
    body: list[str] = []
    if log_scale:
        body += _band_label(scale, 20)
        body += _band_rect_x(scale, head, axis_y)
    for bin_low, bin_high, n in bins:
        x1, x2 = scale(bin_low), scale(bin_high)
        height = bars_height * n / tallest
        # Every bin gets a rect (an empty one has no height), so its count can be read from the markup.
        body.append(
            f'<rect class="chart-bar" data-count="{n}" x="{_n(x1 + 0.5)}" y="{_n(bars_bottom - height)}" '
            f'width="{_n(max(x2 - x1 - 1, 0.5))}" height="{_n(height)}" fill="{BLUE}" stroke="{WHITE}"/>'
        )
    body.append(_line(left, bars_bottom, right, bars_bottom, stroke=DARK_GREY))
    body.append(_text(left, bars_top - 2, f"Most in one range: {tallest:,}", size=SMALL_FONT_SIZE))
    middle_bars = bars_top + bars_height / 2
    if below:
        body.append(
            f'<g data-off-scale="{below}">' + _arrow(left - 14, middle_bars, "left", fill=WHITE, stroke=TEXT)
        )
        body.append("</g>")
    if above:
        body.append(
            f'<g data-off-scale="{above}">'
            + _arrow(right + 14, middle_bars, "right", fill=WHITE, stroke=TEXT)
        )
        body.append("</g>")

    box = [summary[key] for key in ("lower_quartile", "median", "upper_quartile")]
    has_box = all(value is not None for value in box)
    if has_box:
        x_q1, x_median, x_q3 = (scale.place(value)[0] for value in box if value is not None)
        middle = (box_top + box_bottom) / 2
        for key, x_box in (("min", x_q1), ("max", x_q3)):
            end = summary[key]
            if end is not None:
                x_end = scale.place(end)[0]
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

    body += _horizontal_axis(scale, axis_y, ticks, percent=percent)
    y = axis_y + 48
    if axis_label:
        body.append(
            _text((left + right) / 2, y, axis_label, anchor="middle", size=SMALL_FONT_SIZE, fill=DARK_GREY)
        )
        y += 28
    notes = [f"Each bar counts the authorities in its range, of {_authorities(count)}."]
    if has_box:
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
    for note in notes:
        body.append(_text(left, y, note, size=SMALL_FONT_SIZE))
        y += 22

    desc = [f"{title}: how many of {_authorities(count)} fall in each range."]
    if has_box:
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
    return _svg(id_prefix, y, title, " ".join(desc), body)
