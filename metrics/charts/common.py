from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Sequence

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from metrics.calculations import (
    FOUR_FIFTHS_LOWER,
    FOUR_FIFTHS_UPPER,
    format_percent,
    format_ratio,
)

SVG_NS = "http://www.w3.org/2000/svg"


WIDTH = 640


FONT_SIZE = 16


SMALL_FONT_SIZE = 16  # no chart text smaller than GOV.UK body text on a phone (issue 15)


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
