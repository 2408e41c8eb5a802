from __future__ import annotations

from django.utils.safestring import SafeString

from metrics.calculations import (
    format_percent,
)

from .common import (
    BLUE,
    DARK_GREY,
    MID_GREY,
    TEXT,
    WIDTH,
    _check_prefix,
    _finite,
    _horizontal_axis,
    _line,
    _linear_range,
    _n,
    _Scale,
    _svg,
    _text,
)


def share_chart(*, shares: list[tuple[str, float | None]], id_prefix: str, title: str) -> SafeString:
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
