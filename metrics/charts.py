"""Charts for the results pages: pure functions that return inline SVG markup, no ORM, no JavaScript.

Each chart is one `<svg role="img">` labelled by its own `<title>` and `<desc>` (ids from `id_prefix`),
with a viewBox and `width="100%"` so it scales to its column. The `<desc>` says in words what the chart
shows, figures included, because a screen reader does not read the shapes. Everything is drawn with
SVG presentation attributes (`fill="..."`), never `style` attributes, so the charts work under a strict
Content Security Policy; `class="app-chart"` is there for the site's stylesheet (e.g. a `max-width`).

Nothing relies on colour alone, so the charts still read when printed in black and white: the
authority is a filled dot, the national median a hollow diamond (and a dashed line over time), values
off the scale are arrows with their figure written beside them, and the four-fifths band is labelled
and edged as well as shaded. The text is 14 or 16 units high in a 640-unit-wide drawing: 14px and
above wherever the chart is shown at least 640px wide (a two-thirds column on a desktop).

Every piece of text put into the markup goes through `django.utils.html.escape` first; numbers are
formatted here. That is what makes the final `mark_safe` safe.
"""

from __future__ import annotations

import math
import re
import zlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from metrics.calculations import (
    FOUR_FIFTHS_LOWER,
    FOUR_FIFTHS_UPPER,
    QUARTILE_LABELS,
    distribution,
    format_interval,
    format_percent,
    format_ratio,
    quartile_position,
)

__all__ = ["distribution_chart", "interval_chart", "share_chart", "trend_chart"]

SVG_NS = "http://www.w3.org/2000/svg"
WIDTH = 640
FONT_SIZE = 16
SMALL_FONT_SIZE = 14

# GOV.UK Design System colours.
TEXT = "#0b0c0c"
BLUE = "#1d70b8"
DARK_GREY = "#505a5f"
MID_GREY = "#b1b4b6"
WHITE = "#ffffff"
BAND_FILL = "#cce2d8"

BAND_LOW = float(FOUR_FIFTHS_LOWER)
BAND_HIGH = float(FOUR_FIFTHS_UPPER)
BAND_LABEL = "Within the four-fifths range (0.80 to 1.25)"
#: The relative likelihood axis of the interval chart; other log axes widen from it to fit the data.
LOG_AXIS = (0.25, 4.0)
#: Log axes never widen beyond this: further out, values are clamped to the edge and marked.
LOG_AXIS_LIMITS = (1 / 16, 16.0)
DEFAULT_NAME = "This authority"

_ID_PREFIX = re.compile(r"[A-Za-z][A-Za-z0-9_-]*\Z")


class _Scale:
    """Maps values onto pixels between `start` and `end` (which may run backwards, as a y axis does).

    `place` clamps values off the axis to its ends and says which way they went: -1 below, 1 above. On a
    log scale 0 and negative values are below the axis.
    """

    def __init__(self, low: float, high: float, start: float, end: float, *, log: bool) -> None:
        self.low, self.high, self.start, self.end, self.log = low, high, start, end, log
        self._origin = math.log(low) if log else low
        self._factor = (end - start) / ((math.log(high) if log else high) - self._origin)

    def place(self, value: float) -> tuple[float, int]:
        if value < self.low:
            return self.start, -1
        if value > self.high:
            return self.end, 1
        return self(value), 0

    def __call__(self, value: float) -> float:
        """The pixel for a value known to be on the axis."""
        return self.start + ((math.log(value) if self.log else value) - self._origin) * self._factor


def _check_prefix(id_prefix: str) -> str:
    if not _ID_PREFIX.match(id_prefix):
        raise ValueError(f"id_prefix must be a letter then letters, digits, - or _: {id_prefix!r}")
    return id_prefix


def _finite(value: float | None) -> float | None:
    """None for a missing, NaN or infinite value (none of which can be drawn)."""
    return value if value is not None and math.isfinite(value) else None


def _n(value: float) -> str:
    """A coordinate, to a tenth of a unit."""
    return f"{value:.1f}"


def _text(
    x: float,
    y: float,
    content: str,
    *,
    anchor: str = "start",
    size: int | None = None,
    bold: bool = False,
    fill: str | None = None,
    css_class: str | None = None,
    halo: bool = False,
) -> str:
    attributes = [f'x="{_n(x)}" y="{_n(y)}"']
    if halo:  # a white outline under the letters keeps them readable over lines and shading
        attributes.append(f'stroke="{WHITE}" stroke-width="4" stroke-linejoin="round" paint-order="stroke"')
    if anchor != "start":
        attributes.append(f'text-anchor="{anchor}"')
    if size:
        attributes.append(f'font-size="{size}"')
    if bold:
        attributes.append('font-weight="bold"')
    if fill:
        attributes.append(f'fill="{fill}"')
    if css_class:
        attributes.append(f'class="{css_class}"')
    return f"<text {' '.join(attributes)}>{escape(content)}</text>"


def _line(
    x1: float, y1: float, x2: float, y2: float, *, stroke: str, width: float = 1, extra: str = ""
) -> str:
    extra = f" {extra}" if extra else ""
    return (
        f'<line x1="{_n(x1)}" y1="{_n(y1)}" x2="{_n(x2)}" y2="{_n(y2)}" stroke="{stroke}" '
        f'stroke-width="{width}"{extra}/>'
    )


def _dot(x: float, y: float, *, radius: float = 7, css_class: str = "chart-value") -> str:
    return (
        f'<circle class="{css_class}" cx="{_n(x)}" cy="{_n(y)}" r="{radius}" fill="{BLUE}" '
        f'stroke="{WHITE}" stroke-width="2"/>'
    )


def _diamond(x: float, y: float, *, size: float = 9, css_class: str = "chart-national") -> str:
    return (
        f'<path class="{css_class}" d="M{_n(x)} {_n(y - size)}l{size} {size}l{-size} {size}l{-size} {-size}z"'
        f' fill="{WHITE}" stroke="{TEXT}" stroke-width="2"/>'
    )


def _arrow(x: float, y: float, direction: str, *, fill: str = BLUE, stroke: str = WHITE) -> str:
    """A triangle whose tip is at (x, y), pointing left, right, up or down: a value off the scale."""
    body = {"left": "l12 -8v16z", "right": "l-12 -8v16z", "up": "l-8 12h16z", "down": "l-8 -12h16z"}[
        direction
    ]
    return (
        f'<path class="chart-off-scale" d="M{_n(x)} {_n(y)}{body}" fill="{fill}" stroke="{stroke}" '
        f'stroke-width="1.5"/>'
    )


def _svg(id_prefix: str, height: float, title: str, desc: str, body: Iterable[str]) -> SafeString:
    """Wrap the drawing in an accessible, scalable `<svg>`."""
    opening = (
        f'<svg xmlns="{SVG_NS}" class="app-chart" role="img" '
        f'aria-labelledby="{id_prefix}-title {id_prefix}-desc" viewBox="0 0 {WIDTH} {math.ceil(height)}" '
        f'width="100%" font-family="arial, sans-serif" font-size="{FONT_SIZE}" fill="{TEXT}">'
        f'<title id="{id_prefix}-title">{escape(title)}</title>'
        f'<desc id="{id_prefix}-desc">{escape(desc)}</desc>'
    )
    # Every text in `body`, `title` and `desc` went through escape(); the rest is markup built here.
    return mark_safe(opening + "".join(body) + "</svg>")  # noqa: S308


def _tick_label(value: float, *, percent: bool = False) -> str:
    """0.25 -> "0.25", 1.0 -> "1", 0.3 -> "30%" (as many decimals as the tick needs, no float noise)."""
    if percent:
        return f"{round(value * 100, 6):g}%"
    return f"{round(value, 6):g}"


def _log_range(values: Iterable[float]) -> tuple[float, float]:
    """Powers of 2 covering LOG_AXIS and the positive values, within LOG_AXIS_LIMITS."""
    positive = [value for value in values if value > 0]
    low, high = LOG_AXIS
    if positive:
        low = min(low, 2.0 ** math.floor(math.log2(min(positive))))
        high = max(high, 2.0 ** math.ceil(math.log2(max(positive))))
    return max(low, LOG_AXIS_LIMITS[0]), min(high, LOG_AXIS_LIMITS[1])


def _log_ticks(scale: _Scale, *, min_gap: float) -> list[float]:
    """Each power of 2 on the axis, plus the band's edges when there is room to label them apart."""
    ticks = []
    power = scale.low
    while power <= scale.high * (1 + 1e-9):
        ticks.append(power)
        power *= 2
    if scale.low < BAND_LOW and scale.high > BAND_HIGH and abs(scale(1.0) - scale(BAND_LOW)) >= min_gap:
        ticks += [BAND_LOW, BAND_HIGH]
    return sorted(ticks)


def _linear_range(values: Iterable[float], *, target_ticks: int = 5) -> tuple[float, float, list[float]]:
    """A range from 0 (or below, for negative values) to a round number, and round ticks across it."""
    values = list(values)
    low, high = min([0.0, *values]), max([0.0, *values])
    if high == low:
        high = low + 1
    raw_step = (high - low) / target_ticks
    magnitude = 10.0 ** math.floor(math.log10(raw_step))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw_step * (1 - 1e-9))
    low = math.floor(low / step + 1e-9) * step
    high = math.ceil(high / step - 1e-9) * step
    ticks = [round(low + i * step, 10) for i in range(round((high - low) / step) + 1)]
    return ticks[0], ticks[-1], ticks


def _percent(percent: bool | None, *, log_scale: bool) -> bool:
    """Whether to show values as percentages: by default a linear scale is a share, a log scale a ratio."""
    return not log_scale if percent is None else percent and not log_scale


def _formatter(*, percent: bool) -> Callable[[float | None], str]:
    return format_percent if percent else format_ratio


def _where_in_band(value: float) -> str:
    if value < BAND_LOW - 1e-9:
        return "below the four-fifths range"
    if value > BAND_HIGH + 1e-9:
        return "above the four-fifths range"
    return "within the four-fifths range"


def _horizontal_axis(
    scale: _Scale, y: float, ticks: Sequence[float], *, percent: bool = False, grid_top: float | None = None
) -> list[str]:
    parts = [_line(scale.start, y, scale.end, y, stroke=TEXT, width=1.5)]
    for tick in ticks:
        x = scale(tick)
        if grid_top is not None:
            parts.append(_line(x, grid_top, x, y, stroke=MID_GREY))
        parts.append(_line(x, y, x, y + 6, stroke=TEXT, width=1.5))
        parts.append(_text(x, y + 24, _tick_label(tick, percent=percent), anchor="middle"))
    return parts


def _band_label(scale: _Scale, y: float) -> list[str]:
    """The band's name centred over it, with a bracket down to its edges."""
    low, high = scale(BAND_LOW), scale(BAND_HIGH)
    return [
        _text(scale(1.0), y, BAND_LABEL, anchor="middle", css_class="chart-band-label"),
        f'<path d="M{_n(low)} {_n(y + 14)}v-6H{_n(high)}v6" fill="none" stroke="{DARK_GREY}"'
        ' stroke-width="1.5"/>',
    ]


def _band_rect_x(scale: _Scale, top: float, bottom: float) -> list[str]:
    """The four-fifths band as a shaded column with dotted edges (the edges survive black-and-white print)."""
    low, high = scale(BAND_LOW), scale(BAND_HIGH)
    return [
        f'<rect class="chart-band" x="{_n(low)}" y="{_n(top)}" width="{_n(high - low)}" '
        f'height="{_n(bottom - top)}" fill="{BAND_FILL}"/>',
        _line(low, top, low, bottom, stroke=DARK_GREY, extra='stroke-dasharray="2 3"'),
        _line(high, top, high, bottom, stroke=DARK_GREY, extra='stroke-dasharray="2 3"'),
    ]


def interval_chart(
    *,
    value: float | None,
    ci95: tuple[float, float] | None,
    national_median: float | None = None,
    label: str,
    id_prefix: str,
    name: str = DEFAULT_NAME,
) -> SafeString:
    """One relative likelihood with its 95% interval on a log axis from 0.25 to 4, beside the national median.

    The four-fifths band (0.80 to 1.25) is shaded and labelled and 1 (equal likelihood) is marked. The
    value is a dot and its interval a line with end ticks; the national median is a hollow diamond on
    its own row. Anything beyond the axis is drawn as an arrow at the edge with its figure beside it.
    With no value the row says "Not calculable". `label` is the chart's title (for assistive technology
    and tooltips); `name` is what the legend calls the value.
    """
    _check_prefix(id_prefix)
    value, national_median = _finite(value), _finite(national_median)
    if value is None or ci95 is None or not all(math.isfinite(end) for end in ci95):
        ci95 = None
    scale = _Scale(*LOG_AXIS, 32, WIDTH - 32, log=True)
    left, right = scale.start, scale.end
    top = 36
    value_row = top + 32
    national_row = value_row + 40
    bottom = (national_row if national_median is not None else value_row) + 30

    body = _band_label(scale, 20)
    body += _band_rect_x(scale, top, bottom)
    body.append(_line(scale(1.0), top, scale(1.0), bottom, stroke=TEXT, width=2, extra='class="chart-equal"'))

    if value is None:
        body.append(_text(left + 8, value_row + 6, "Not calculable", bold=True, css_class="chart-missing"))
    else:
        if ci95 is not None:
            (x_low, off_low), (x_high, off_high) = scale.place(ci95[0]), scale.place(ci95[1])
            body.append(
                _line(x_low, value_row, x_high, value_row, stroke=BLUE, width=3, extra='class="chart-ci"')
            )
            for x, off, direction in ((x_low, off_low, "left"), (x_high, off_high, "right")):
                if off:
                    body.append(_arrow(x, value_row, direction))
                else:
                    body.append(_line(x, value_row - 8, x, value_row + 8, stroke=BLUE, width=3))
        x, off = scale.place(value)
        if off:
            body.append(_arrow(x, value_row, "left" if off < 0 else "right"))
            body.append(
                _text(
                    x + (16 if off < 0 else -16),
                    value_row - 12,
                    f"{format_ratio(value)}, off the scale",
                    anchor="start" if off < 0 else "end",
                    size=SMALL_FONT_SIZE,
                    css_class="chart-off-scale-label",
                    halo=True,
                )
            )
        else:
            body.append(_dot(x, value_row))

    if national_median is not None:
        x, off = scale.place(national_median)
        if off:
            body.append(_arrow(x, national_row, "left" if off < 0 else "right", fill=WHITE, stroke=TEXT))
            body.append(
                _text(
                    x + (16 if off < 0 else -16),
                    national_row + 22,
                    f"{format_ratio(national_median)}, off the scale",
                    anchor="start" if off < 0 else "end",
                    size=SMALL_FONT_SIZE,
                    css_class="chart-off-scale-label",
                    halo=True,
                )
            )
        else:
            body.append(_diamond(x, national_row))

    body += _horizontal_axis(scale, bottom, [0.25, 0.5, BAND_LOW, 1.0, BAND_HIGH, 2.0, 4.0])
    y = bottom + 48
    body.append(_text(left, y, "\N{LEFTWARDS ARROW} less likely"))
    body.append(_text(scale(1.0), y, "equal likelihood", anchor="middle"))
    body.append(_text(right, y, "more likely \N{RIGHTWARDS ARROW}", anchor="end"))
    y += 24
    body.append(
        _text(
            scale(1.0),
            y,
            "Relative likelihood, minority ethnic staff against white (log scale)",
            anchor="middle",
            size=SMALL_FONT_SIZE,
            fill=DARK_GREY,
        )
    )

    # Legend, with the figures, so the chart reads on paper too.
    y += 32
    if value is None:
        value_text = f"{name}: not calculable"
    elif ci95 is None:
        value_text = f"{name}: {format_ratio(value)}"
    else:
        value_text = f"{name}: {format_ratio(value)} (95% confidence interval {format_interval(ci95)})"
    if ci95 is not None:
        body += [
            _line(left, y - 5, left + 36, y - 5, stroke=BLUE, width=3),
            _line(left, y - 12, left, y + 2, stroke=BLUE, width=3),
            _line(left + 36, y - 12, left + 36, y + 2, stroke=BLUE, width=3),
        ]
    body += [_dot(left + 18, y - 5, css_class="chart-legend"), _text(left + 48, y, value_text)]
    if national_median is not None:
        y += 28
        body += [
            _diamond(left + 18, y - 5, css_class="chart-legend"),
            _text(left + 48, y, f"National median: {format_ratio(national_median)}"),
        ]

    desc = [f"{label}."]
    if value is None:
        desc.append(f"{name}: the relative likelihood is not calculable.")
    else:
        desc.append(f"{name}: relative likelihood {format_ratio(value)}, {_where_in_band(value)}.")
        if ci95 is not None:
            desc.append(f"95% confidence interval {format_interval(ci95)}.")
    if national_median is not None:
        desc.append(f"National median {format_ratio(national_median)}.")
    desc.append("1 means equal likelihood; the four-fifths range runs from 0.80 to 1.25.")
    return _svg(id_prefix, y + 14, label, " ".join(desc), body)


def share_chart(*, shares: list[tuple[str, float | None]], id_prefix: str, title: str) -> SafeString:
    """Horizontal bars for shares from 0 to 1, each named and given as a percentage ("not known" if None).

    For metric 1 (a pay band's minority ethnic share beside the workforce's) and metric 9 (senior
    managers, workforce, local population). The axis runs from 0 to a round percentage just above the
    largest share, so small shares are still visible; the axis is labelled.
    """
    _check_prefix(id_prefix)
    known = [share for _, share in shares if _finite(share) is not None]
    _, high, ticks = _linear_range(known or [1.0])
    scale = _Scale(0.0, high, 16, WIDTH - 96, log=False)
    row_height, bar_height = 60, 24
    top = 8
    bottom = top + row_height * len(shares)

    body = []
    for tick in ticks:
        body.append(_line(scale(tick), top, scale(tick), bottom, stroke=MID_GREY))
    desc = [f"{title}."]
    for index, (name, share) in enumerate(shares):
        y = top + index * row_height
        body.append(_text(scale.start + 6, y + 18, name, halo=True))
        bar_y = y + 26
        share = _finite(share)
        if share is None:
            body.append(
                _text(
                    scale.start + 8,
                    bar_y + 18,
                    "not known",
                    fill=DARK_GREY,
                    bold=True,
                    css_class="chart-missing",
                )
            )
            desc.append(f"{name}: not known.")
            continue
        x, _ = scale.place(share)
        body.append(
            f'<rect class="chart-bar" x="{_n(scale.start)}" y="{_n(bar_y)}" width="{_n(x - scale.start)}" '
            f'height="{bar_height}" fill="{BLUE}"/>'
        )
        body.append(_text(x + 8, bar_y + 18, format_percent(share), bold=True, css_class="chart-bar-label"))
        desc.append(f"{name}: {format_percent(share)}.")
    body.append(_line(scale.start, top, scale.start, bottom + 2, stroke=TEXT, width=1.5))
    body += _horizontal_axis(scale, bottom + 2, ticks, percent=True)
    return _svg(id_prefix, bottom + 36, title, " ".join(desc), body)


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
    has_box = all(summary[key] is not None for key in ("lower_quartile", "median", "upper_quartile"))
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
        x_q1, x_median, x_q3 = (
            place(summary[key])[0] for key in ("lower_quartile", "median", "upper_quartile")
        )
        middle = (box_top + box_bottom) / 2
        for key, x_box in (("min", x_q1), ("max", x_q3)):
            if summary[key] is not None:
                whiskers = True
                x_end = place(summary[key])[0]
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
