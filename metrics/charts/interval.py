from __future__ import annotations

import math
from typing import Any

from metrics.calculations import (
    format_interval,
    format_ratio,
)

from .common import (
    BAND_HIGH,
    BAND_LOW,
    DEFAULT_NAME,
    LOG_AXIS,
    WIDTH,
    _arrow,
    _band_column,
    _check_prefix,
    _diamond,
    _drawn,
    _finite,
    _horizontal_axis,
    _n,
    _Scale,
    _text,
    _where_in_band,
)


def _off_scale(x: float, y: float, off: int, *, label_y: float, value: float) -> dict[str, Any]:
    """An arrow at the edge the value went off, with its figure beside it."""
    return {
        "arrow": _arrow(x, y, "left" if off < 0 else "right"),
        "label": _text(
            x + (16 if off < 0 else -16),
            label_y,
            f"{format_ratio(value)}, off the scale",
            anchor="start" if off < 0 else "end",
        ),
    }


def interval_geometry(
    *,
    value: float | None,
    ci95: tuple[float, float] | None,
    national_median: float | None = None,
    label: str,
    id_prefix: str,
    name: str = DEFAULT_NAME,
) -> dict[str, Any]:
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

    shown: dict[str, Any] = {}
    if value is None:
        shown["missing"] = _text(left + 8, value_row + 6, "Not calculable")
    else:
        if ci95 is not None:
            (x_low, off_low), (x_high, off_high) = scale.place(ci95[0]), scale.place(ci95[1])
            ends: list[dict[str, Any]] = []
            for x, off, direction in ((x_low, off_low, "left"), (x_high, off_high, "right")):
                if off:
                    ends.append({"arrow": _arrow(x, value_row, direction)})
                else:
                    ends.append({"x": _n(x), "top": _n(value_row - 8), "bottom": _n(value_row + 8)})
            shown["ci"] = {"low": _n(x_low), "high": _n(x_high), "y": _n(value_row), "ends": ends}
        x, off = scale.place(value)
        if off:
            shown.update(_off_scale(x, value_row, off, label_y=value_row - 12, value=value))
        else:
            shown["dot"] = {"x": _n(x), "y": _n(value_row)}

    national: dict[str, Any] = {}
    if national_median is not None:
        x, off = scale.place(national_median)
        if off:
            national = _off_scale(x, national_row, off, label_y=national_row + 22, value=national_median)
        else:
            national = {"diamond": _diamond(x, national_row)}

    y = bottom + 48
    directions = {
        "less": _text(left, y, "\N{LEFTWARDS ARROW} less likely"),
        "equal": _text(scale(1.0), y, "equal likelihood", anchor="middle"),
        "more": _text(right, y, "more likely \N{RIGHTWARDS ARROW}", anchor="end"),
    }
    y += 24
    axis_label = _text(
        scale(1.0), y, "Relative likelihood, minority ethnic staff against white (log scale)", anchor="middle"
    )

    # Legend, with the figures, so the chart reads on paper too.
    y += 32
    if value is None:
        value_text = f"{name}: not calculable"
    elif ci95 is None:
        value_text = f"{name}: {format_ratio(value)}"
    else:
        value_text = f"{name}: {format_ratio(value)} (95% confidence interval {format_interval(ci95)})"
    legend: dict[str, Any] = {
        "value": {"mark": {"x": _n(left + 18), "y": _n(y - 5)}, **_text(left + 48, y, value_text)},
    }
    if ci95 is not None:
        legend["ci"] = {
            "start": _n(left),
            "end": _n(left + 36),
            "y": _n(y - 5),
            "top": _n(y - 12),
            "bottom": _n(y + 2),
        }
    if national_median is not None:
        y += 28
        legend["national"] = {
            "mark": _diamond(left + 18, y - 5),
            **_text(left + 48, y, f"National median: {format_ratio(national_median)}"),
        }

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
    return {
        "id_prefix": id_prefix,
        "title": label,
        "desc": " ".join(desc),
        "height": math.ceil(y + 14),
        "band": _band_column(scale, label_y=20, top=top, bottom=bottom),
        "equal": {"x": _n(scale(1.0)), "top": top, "bottom": bottom},
        "value": shown,
        "national": national,
        "axis": _horizontal_axis(scale, bottom, [0.25, 0.5, BAND_LOW, 1.0, BAND_HIGH, 2.0, 4.0]),
        "directions": directions,
        "axis_label": axis_label,
        "legend": legend,
    }


interval_chart = _drawn("interval", interval_geometry)
