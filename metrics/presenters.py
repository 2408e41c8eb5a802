"""Shape results and benchmarks for the results pages: one card per indicator, with its sentence,
figures, comparators, trend and charts. Reads what the views pass in; no queries."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from submissions.schema import SERVICE_LABELS

from . import charts
from .calculations import (
    FOUR_FIFTHS_LABELS,
    INDICATORS,
    QUARTILE_LABELS,
    format_interval,
    format_percent,
    format_ratio,
    quartile_position,
    sentence,
)
from .disclosure import BENCHMARK_NOT_SHOWN, benchmark_shown, benchmark_value
from .indicators import Indicator
from .models import Benchmark


def figure(indicator: Indicator, value: float | None) -> str:
    return format_percent(value) if indicator.kind == "share" else format_ratio(value)


@dataclass
class Card:
    indicator: Indicator
    entry: dict[str, Any]
    value: float | None
    sentence: str
    figure: str
    interval: str
    band: str
    band_label: str
    national_median: str
    quartile: str
    region_median: str
    type_median: str
    trend: list[tuple[str, str, str]] = field(default_factory=list)
    chart: str = ""
    trend_chart: str = ""


def _median_text(benchmark: Benchmark | None, indicator: Indicator) -> str:
    if benchmark is None:
        return "not available yet"
    if not benchmark_shown(benchmark.n_authorities):
        return BENCHMARK_NOT_SHOWN
    return f"{figure(indicator, benchmark.distribution.get('median'))} ({benchmark.n_authorities} councils)"


def index_benchmarks(benchmarks: list[Benchmark]) -> dict[tuple[str, str, str, str], Benchmark]:
    return {(b.scope, b.scope_value, b.service, b.indicator): b for b in benchmarks}


def cards(
    *,
    entries: list[dict[str, Any]],
    service: str,
    benchmarks: dict[tuple[str, str, str, str], Benchmark],
    region: str,
    authority_type: str,
    trend: dict[tuple[str, str], list[tuple[str, float | None]]],
    national_trend: dict[tuple[str, str], list[tuple[str, float | None]]],
) -> list[Card]:
    """One card per indicator of `service`, in the order of the spec."""
    from .services import headline

    by_code = {e["indicator"]: e for e in entries if e["service"] == service}
    result = []
    for indicator in INDICATORS:
        entry = by_code.get(indicator.code)
        if entry is None:
            continue
        value = headline(entry)
        national = benchmarks.get(("national", "", service, indicator.code))
        position = (
            quartile_position(value, national.distribution)
            if national and benchmark_shown(national.n_authorities)
            else None
        )
        band = entry.get("four_fifths") or ""
        card = Card(
            indicator=indicator,
            entry=entry,
            value=value,
            sentence=sentence(entry),
            figure=figure(indicator, value),
            interval=format_interval(entry.get("ci95")) if indicator.kind != "share" else "",
            band=band,
            band_label=FOUR_FIFTHS_LABELS.get(band, ""),
            national_median=_median_text(national, indicator),
            quartile=QUARTILE_LABELS.get(position, "") if position else "",
            region_median=_median_text(
                benchmarks.get(("region", region, service, indicator.code)), indicator
            ),
            type_median=_median_text(
                benchmarks.get(("authority_type", authority_type, service, indicator.code)), indicator
            ),
        )
        points = trend.get((service, indicator.code), [])
        national_points = national_trend.get((service, indicator.code), [])
        national_by_round = dict(national_points)
        card.trend = [
            (label, figure(indicator, v), figure(indicator, national_by_round.get(label)))
            for label, v in points
        ]
        prefix = f"{service}-{indicator.code}"
        if indicator.kind == "share":
            shares = entry.get("share") or {}
            card.chart = charts.share_chart(
                shares=[("This pay band", shares.get("band")), ("Whole workforce", shares.get("workforce"))],
                id_prefix=prefix,
                title=indicator.title,
            )
        else:
            ci = entry.get("ci95")
            card.chart = charts.interval_chart(
                value=value,
                ci95=tuple(ci) if ci else None,
                national_median=benchmark_value(
                    national.distribution.get("median"), n_authorities=national.n_authorities
                )
                if national
                else None,
                label=indicator.title,
                id_prefix=prefix,
            )
        if len(points) > 1:
            card.trend_chart = charts.trend_chart(
                points=points,
                national=national_points or None,
                log_scale=indicator.kind != "share",
                id_prefix=f"{prefix}-trend",
                title=f"{indicator.title}: trend",
            )
        result.append(card)
    return result


def series(
    rows: list[tuple[str, str, str, float | None]],
) -> dict[tuple[str, str], list[tuple[str, float | None]]]:
    """(round label, service, indicator, value) rows as a trend per (service, indicator), in row order."""
    out: dict[tuple[str, str], list[tuple[str, float | None]]] = defaultdict(list)
    for label, service, indicator, value in rows:
        out[(service, indicator)].append((label, value))
    return out


SERVICE_CHOICES = [(code, SERVICE_LABELS[code]) for code in ("all", "adults", "children")]
