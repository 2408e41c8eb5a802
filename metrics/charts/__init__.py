"""Charts for the results pages: inline SVG, no ORM, no JavaScript.

Each kind of chart is two halves. A pure function, `<kind>_geometry`, works out what to draw as plain
data (coordinates, tick labels, texts, the title and the description), with no markup; the template
`templates/metrics/charts/<kind>.svg` draws it, with the pieces that charts share (the `<svg>` wrapper,
the four-fifths band, an axis, a box and whiskers, arrows, dots and diamonds) as templates beside it.
`<kind>_chart` takes the same arguments and returns the drawing. Django's autoescape escapes every
value the templates print, so names and labels from the data can hold any characters.

Each chart is one `<svg role="img">` labelled by its own `<title>` and `<desc>` (ids from `id_prefix`),
with a viewBox and `width="100%"` so it scales to its column. The `<desc>` says in words what the chart
shows, figures included, because a screen reader does not read the shapes. Everything is drawn with
SVG presentation attributes (`fill="..."`), never `style` attributes, so the charts work under a strict
Content Security Policy; `class="app-chart"` is there for the site's stylesheet (e.g. a `max-width`).

Nothing relies on colour alone, so the charts still read when printed in black and white: the
authority is a filled dot, the national median a hollow diamond (and a dashed line over time), values
off the scale are arrows with their figure written beside them, and the four-fifths band is labelled
and edged as well as shaded. The text is 16 units high in a 640-unit-wide drawing: body-size text
wherever the chart is shown at least 640px wide (a two-thirds column on a desktop)."""

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
from .distribution import distribution_chart, distribution_geometry
from .histogram import histogram_chart, histogram_geometry
from .interval import interval_chart, interval_geometry
from .share import share_chart, share_geometry
from .trend import trend_chart, trend_geometry

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
    "distribution_geometry",
    "histogram_chart",
    "histogram_geometry",
    "interval_chart",
    "interval_geometry",
    "share_chart",
    "share_geometry",
    "trend_chart",
    "trend_geometry",
]
