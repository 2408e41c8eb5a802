from __future__ import annotations

from typing import Any

from metrics.calculations import (
    format_percent,
)

from .common import (
    WIDTH,
    _check_prefix,
    _drawn,
    _finite,
    _horizontal_axis,
    _linear_range,
    _n,
    _Scale,
    _text,
)


def share_geometry(*, shares: list[tuple[str, float | None]], id_prefix: str, title: str) -> dict[str, Any]:
    """Horizontal bars for shares from 0 to 1, each named and given as a percentage ("not known" if None).

    For metric 1 (a pay band's minority ethnic share beside the workforce's) and metric 9 (senior
    managers, workforce, local population). The axis runs from 0 to a round percentage just above the
    largest share, so small shares are still visible; the axis is labelled.
    """
    _check_prefix(id_prefix)
    known = [value for _, share in shares if (value := _finite(share)) is not None]
    _, high, ticks = _linear_range(known or [1.0])
    scale = _Scale(0.0, high, 16, WIDTH - 96, log=False)
    row_height, bar_height = 60, 24
    top = 8
    bottom = top + row_height * len(shares)

    rows = []
    desc = [f"{title}."]
    for index, (name, share) in enumerate(shares):
        y = top + index * row_height
        bar_y = y + 26
        row: dict[str, Any] = {"name": _text(scale.start + 6, y + 18, name)}
        share = _finite(share)
        if share is None:
            row["figure"] = _text(scale.start + 8, bar_y + 18, "not known")
            desc.append(f"{name}: not known.")
        else:
            x, _ = scale.place(share)
            row["bar"] = {
                "x": _n(scale.start),
                "y": _n(bar_y),
                "width": _n(x - scale.start),
                "height": bar_height,
            }
            row["figure"] = _text(x + 8, bar_y + 18, format_percent(share))
            desc.append(f"{name}: {format_percent(share)}.")
        rows.append(row)
    return {
        "id_prefix": id_prefix,
        "title": title,
        "desc": " ".join(desc),
        "height": bottom + 36,
        "grid": {
            "xs": [_n(scale(tick)) for tick in ticks],
            "top": top,
            "bottom": bottom,
            "start": _n(scale.start),
        },
        "rows": rows,
        "axis": _horizontal_axis(scale, bottom + 2, ticks, percent=True),
    }


share_chart = _drawn("share", share_geometry)
