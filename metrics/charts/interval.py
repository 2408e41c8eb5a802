from __future__ import annotations

import math

from django.utils.safestring import SafeString

from metrics.calculations import (
    format_interval,
    format_ratio,
)

from .common import (
    BAND_HIGH,
    BAND_LOW,
    BLUE,
    DARK_GREY,
    DEFAULT_NAME,
    LOG_AXIS,
    SMALL_FONT_SIZE,
    TEXT,
    WHITE,
    WIDTH,
    _arrow,
    _band_label,
    _band_rect_x,
    _check_prefix,
    _diamond,
    _dot,
    _finite,
    _horizontal_axis,
    _line,
    _Scale,
    _svg,
    _text,
    _where_in_band,
)


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
