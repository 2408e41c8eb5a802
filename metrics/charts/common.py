from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, ParamSpec

from django.template.loader import render_to_string
from django.utils.safestring import SafeString

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


def _n(value: float) -> float:
    """A coordinate, to a tenth of a unit."""
    return round(value, 1)


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


#: What every chart template is given besides its geometry: the palette and the sizes live here once.
_PRESENTATION = {
    "svg_ns": SVG_NS,
    "width": WIDTH,
    "font_size": FONT_SIZE,
    "small_font_size": SMALL_FONT_SIZE,
    "band_label": BAND_LABEL,
    "colour": {
        "text": TEXT,
        "blue": BLUE,
        "dark_grey": DARK_GREY,
        "mid_grey": MID_GREY,
        "white": WHITE,
        "band_fill": BAND_FILL,
    },
}


def _render(kind: str, geometry: Mapping[str, Any]) -> SafeString:
    """Draw a chart's geometry with its template, `templates/metrics/charts/<kind>.svg`.

    The template engine escapes every value it prints (autoescape is on), so names and labels from the
    data can hold any characters; the geometry holds numbers and plain text, never markup.
    """
    return render_to_string(f"metrics/charts/{kind}.svg", {**_PRESENTATION, **geometry})


_P = ParamSpec("_P")


def _drawn(kind: str, geometry: Callable[_P, Mapping[str, Any]]) -> Callable[_P, SafeString]:
    """The chart function for a geometry function: the same arguments, the geometry drawn as SVG."""

    @functools.wraps(geometry)
    def chart(*args: _P.args, **kwargs: _P.kwargs) -> SafeString:
        return _render(kind, geometry(*args, **kwargs))

    chart.__name__ = chart.__qualname__ = f"{kind}_chart"
    return chart


def _text(x: float, y: float, text: str, *, anchor: str = "start") -> dict[str, Any]:
    """Where a piece of text goes and which of its ends (start, middle or end) sits at x."""
    return {"x": _n(x), "y": _n(y), "text": text, "anchor": anchor}


def _arrow(x: float, y: float, direction: str) -> dict[str, Any]:
    """A value off the scale: a triangle whose tip is at (x, y), pointing left, right, up or down."""
    if direction not in {"left", "right", "up", "down"}:
        raise ValueError(f"an arrow points left, right, up or down, not {direction!r}")
    return {"x": _n(x), "y": _n(y), "direction": direction}


def _diamond(x: float, y: float, *, size: int = 9) -> dict[str, Any]:
    """A diamond centred on (x, y): its top corner and half its height."""
    return {"x": _n(x), "top": _n(y - size), "size": size}


def _horizontal_axis(
    scale: _Scale, y: float, ticks: Sequence[float], *, percent: bool = False
) -> dict[str, Any]:
    """A horizontal axis at height y: the line, and each tick's place and label."""
    return {
        "start": _n(scale.start),
        "end": _n(scale.end),
        "y": _n(y),
        "tick_bottom": _n(y + 6),
        "label_y": _n(y + 24),
        "ticks": [{"x": _n(scale(tick)), "label": _tick_label(tick, percent=percent)} for tick in ticks],
    }


def _band_column(scale: _Scale, *, label_y: float, top: float, bottom: float) -> dict[str, Any]:
    """The four-fifths band across a horizontal axis: a shaded column from top to bottom with dotted
    edges (which survive black-and-white print), and its name centred over it with a bracket down to
    its edges."""
    low, high = scale(BAND_LOW), scale(BAND_HIGH)
    return {
        "label": _text(scale(1.0), label_y, BAND_LABEL, anchor="middle"),
        "bracket_y": _n(label_y + 14),
        "low": _n(low),
        "high": _n(high),
        "width": _n(high - low),
        "top": _n(top),
        "bottom": _n(bottom),
        "height": _n(bottom - top),
    }


def _box_and_whiskers(
    scale: _Scale, summary: Mapping[str, float | None], *, top: float, bottom: float
) -> dict[str, Any] | None:
    """A box from the lower to the upper quartile with the median across it, and whiskers out to the
    lowest and highest where `summary` has them; None without all three quartiles."""
    box = [summary.get(key) for key in ("lower_quartile", "median", "upper_quartile")]
    if any(value is None for value in box):
        return None
    x_q1, x_median, x_q3 = (scale.place(value)[0] for value in box if value is not None)
    middle = (top + bottom) / 2
    whiskers = []
    for key, x_box in (("min", x_q1), ("max", x_q3)):
        end = summary.get(key)
        if end is not None:
            whiskers.append({"x": _n(scale.place(end)[0]), "box_x": _n(x_box)})
    return {
        "top": top,
        "bottom": bottom,
        "height": bottom - top,
        "middle": _n(middle),
        "tick_top": top + 6,
        "tick_bottom": bottom - 6,
        "x": _n(x_q1),
        "width": _n(max(x_q3 - x_q1, 1)),
        "median": _n(x_median),
        "whiskers": whiskers,
    }
