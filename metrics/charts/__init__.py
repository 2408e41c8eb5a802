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
formatted here. That is what makes the final `mark_safe` safe."""

from __future__ import annotations

from .common import (
    BAND_FILL,
    BAND_HIGH,
    BAND_LABEL,
    BAND_LOW,
    BLUE,
    DARK_GREY,
    DEFAULT_NAME,
    FONT_SIZE,
    LOG_AXIS,
    LOG_AXIS_LIMITS,
    MID_GREY,
    SMALL_FONT_SIZE,
    SVG_NS,
    TEXT,
    WHITE,
    WIDTH,
)
from .distribution import distribution_chart
from .histogram import histogram_chart
from .interval import interval_chart
from .share import share_chart
from .trend import trend_chart

__all__ = [
    "BAND_FILL",
    "BAND_HIGH",
    "BAND_LABEL",
    "BAND_LOW",
    "BLUE",
    "DARK_GREY",
    "DEFAULT_NAME",
    "FONT_SIZE",
    "LOG_AXIS",
    "LOG_AXIS_LIMITS",
    "MID_GREY",
    "SMALL_FONT_SIZE",
    "SVG_NS",
    "TEXT",
    "WHITE",
    "WIDTH",
    "distribution_chart",
    "histogram_chart",
    "interval_chart",
    "share_chart",
    "trend_chart",
]
