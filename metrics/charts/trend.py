from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.utils.safestring import SafeString

from .common import (
    BAND_FILL,
    BAND_HIGH,
    BAND_LABEL,
    BAND_LOW,
    BLUE,
    DARK_GREY,
    DEFAULT_NAME,
    MID_GREY,
    SMALL_FONT_SIZE,
    TEXT,
    WHITE,
    WIDTH,
    _arrow,
    _check_prefix,
    _diamond,
    _dot,
    _finite,
    _formatter,
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


def _categories(points: Sequence[tuple[str, Any]], national: Sequence[tuple[str, Any]]) -> list[str]:
    labels = [label for label, _ in points]
    extra = [label for label, _ in national if label not in labels]
    return list(dict.fromkeys(sorted(labels + extra) if extra else labels))


def trend_chart(
    *,
    points: list[tuple[str, float | None]],
    national: list[tuple[str, float | None]] | None = None,
    log_scale: bool = True,
    id_prefix: str,
    title: str,
    name: str = DEFAULT_NAME,
    percent: bool | None = None,
) -> SafeString:
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

    body: list[str] = []
    # Legend first, across the top.
    body += [
        _line(16, 21, 52, 21, stroke=BLUE, width=3),
        _dot(34, 21, radius=5, css_class="chart-legend"),
        _text(60, 26, name),
    ]
    legend_x = 60 + 9 * len(name) + 32
    if national:
        body += [
            _line(legend_x, 21, legend_x + 36, 21, stroke=DARK_GREY, width=2, extra='stroke-dasharray="6 4"'),
            _diamond(legend_x + 18, 21, size=6, css_class="chart-legend"),
            _text(legend_x + 44, 26, "National median"),
        ]
    if log_scale:
        body += [
            f'<rect x="16" y="36" width="36" height="14" fill="{BAND_FILL}" stroke="{DARK_GREY}" '
            f'stroke-dasharray="2 3"/>',
            _text(60, 48, BAND_LABEL),
        ]
        band_top, band_bottom = scale(BAND_HIGH), scale(BAND_LOW)
        body += [
            f'<rect class="chart-band" x="{left}" y="{_n(band_top)}" width="{right - left}" '
            f'height="{_n(band_bottom - band_top)}" fill="{BAND_FILL}"/>',
            _line(left, band_top, right, band_top, stroke=DARK_GREY, extra='stroke-dasharray="2 3"'),
            _line(left, band_bottom, right, band_bottom, stroke=DARK_GREY, extra='stroke-dasharray="2 3"'),
            _line(left, scale(1.0), right, scale(1.0), stroke=TEXT, width=1.5, extra='class="chart-equal"'),
        ]
    else:
        for tick in ticks:
            body.append(_line(left, scale(tick), right, scale(tick), stroke=MID_GREY))

    # Vertical axis.
    body.append(_line(left, top, left, bottom, stroke=TEXT, width=1.5))
    for tick in ticks:
        y = scale(tick)
        body.append(_line(left - 6, y, left, y, stroke=TEXT, width=1.5))
        body.append(
            _text(
                left - 10,
                y + 5,
                _tick_label(tick, percent=percent),
                anchor="end",
                size=SMALL_FONT_SIZE,
            )
        )
    # Horizontal axis: the rounds.
    body.append(_line(left, bottom, right, bottom, stroke=TEXT, width=1.5))
    for label in categories:
        body.append(_line(x_of[label], bottom, x_of[label], bottom + 6, stroke=TEXT, width=1.5))
        body.append(_text(x_of[label], bottom + 26, label, anchor="middle"))

    def series(
        values: Mapping[str, float | None], *, dashed: bool
    ) -> tuple[list[str], dict[str, tuple[float, int]]]:
        """The line in runs between gaps, and where each value landed."""
        placed = {label: scale.place(value) for label, value in values.items() if value is not None}
        runs: list[list[str]] = [[]]
        for label in categories:
            if label in placed:
                runs[-1].append(f"{_n(x_of[label])},{_n(placed[label][0])}")
            elif runs[-1]:
                runs.append([])
        stroke = (
            f'fill="none" stroke="{DARK_GREY}" stroke-width="2" stroke-dasharray="6 4"'
            if dashed
            else f'fill="none" stroke="{BLUE}" stroke-width="3"'
        )
        kind = "chart-national-line" if dashed else "chart-line"
        lines = [
            f'<polyline class="{kind}" points="{" ".join(run)}" {stroke}/>' for run in runs if len(run) > 1
        ]
        return lines, placed

    national_lines, national_placed = series(medians, dashed=True)
    own_lines, own_placed = series(own, dashed=False)
    body += national_lines + own_lines
    for label, (y, off) in national_placed.items():
        if off:
            body.append(_arrow(x_of[label], y, "down" if off < 0 else "up", fill=WHITE, stroke=TEXT))
        else:
            body.append(_diamond(x_of[label], y, size=7))
    for label, (y, off) in own_placed.items():
        x = x_of[label]
        if off:
            body.append(_arrow(x, y, "down" if off < 0 else "up"))
        else:
            body.append(_dot(x, y, radius=6))
        # The figure goes on the side away from the national median, or above.
        median = national_placed.get(label)
        below = (median is not None and median[0] < y) or (off > 0)
        body.append(
            _text(
                x,
                y + 26 if below else y - 14,
                fmt(own[label]),
                anchor="middle",
                bold=True,
                css_class="chart-point-label",
                halo=True,
            )
        )

    y = bottom + 56
    if log_scale:
        body.append(
            _text(
                left,
                y,
                "Relative likelihood (log scale): 1 means equal likelihood",
                size=SMALL_FONT_SIZE,
                fill=DARK_GREY,
            )
        )
        y += 24
    missing = [label for label in categories if own.get(label) is None]
    if missing:
        body.append(
            _text(left, y, f"{name}: not calculable in {', '.join(missing)}.", css_class="chart-missing")
        )
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
    return _svg(id_prefix, y, title, " ".join(desc), body)
