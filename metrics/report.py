"""The printable national report laid out by indicator (issue 15, item 8; pure: no database).

A release's "Pooled counts" and "Distribution" tables have 27 and 19 columns: right for a download,
unreadable on paper. The report shows one section per indicator, one narrow table per service, with
the figures a reader needs (rates, relative likelihood with its interval, the councils' median and
quartiles) and leaves the counts to the CSV files and workbook. Every figure is read from the
release's printed rows, symbols ("[c]", "[low]") included, so the report publishes nothing the
tables do not.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from submissions.schema import SERVICE_LABELS

from .indicators import INDICATORS, Indicator

_SERVICE_ORDER = [SERVICE_LABELS[code] for code in ("all", "adults", "children")]


@dataclass(frozen=True)
class ServiceTable:
    service: str
    headers: tuple[str, ...]
    rows: list[tuple[Any, ...]]


@dataclass
class Section:
    indicator: Indicator
    tables: list[ServiceTable] = field(default_factory=list)


def _cell(value: Any) -> Any:
    return "" if value is None else value


def _range(low: Any, high: Any) -> str:
    if low in (None, "") and high in (None, ""):
        return ""
    if isinstance(low, str) and low.startswith("["):
        return str(low)
    return f"{_cell(low)} to {_cell(high)}"


SHARE_HEADERS = (
    "Area",
    "Councils",
    "Minority ethnic share of the band (%)",
    "Share of the workforce (%)",
    "Unknown share of the band (%)",
    "Councils' median (%)",
    "Quartiles (%)",
)
RATE_HEADERS = (
    "Area",
    "Councils",
    "White rate (%)",
    "Minority ethnic rate (%)",
    "Relative likelihood",
    "95% interval",
    "Councils' median",
    "Quartiles",
)


def indicator_sections(
    pooled: Iterable[Mapping[str, Any]], distribution: Iterable[Mapping[str, Any]]
) -> list[Section]:
    """One section per indicator (in the spec's order), one table per service, one row per area in
    the order of the release's tables. Rows are dicts with the headers of `metrics.exports`."""
    spread = {(r["Scope"], r["Area"], r["Service"], r["Indicator code"]): r for r in distribution}
    by_indicator: dict[str, dict[str, list[tuple[Any, ...]]]] = {}
    for row in pooled:
        code, service = row["Indicator code"], row["Service"]
        stats = spread.get((row["Scope"], row["Area"], service, code), {})
        median = stats.get("Median")
        quartiles = _range(stats.get("Lower quartile"), stats.get("Upper quartile"))
        if code.startswith("m1_"):
            cells: tuple[Any, ...] = (
                row["Area"],
                row.get("Authorities"),
                _cell(row.get("Minority ethnic share of the pay band (%)")),
                _cell(row.get("Minority ethnic share of the workforce (%)")),
                _cell(row.get("Unknown share of the pay band (%)")),
                _cell(median),
                quartiles,
            )
        else:
            cells = (
                row["Area"],
                row.get("Authorities"),
                _cell(row.get("White rate (%)")),
                _cell(row.get("Minority ethnic rate (%)")),
                _cell(row.get("Relative likelihood")),
                _range(row.get("95% interval: lower"), row.get("95% interval: upper")),
                _cell(median),
                quartiles,
            )
        by_indicator.setdefault(code, {}).setdefault(service, []).append(cells)
    sections = []
    for indicator in INDICATORS:
        services = by_indicator.get(indicator.code)
        if not services:
            continue
        headers = SHARE_HEADERS if indicator.kind == "share" else RATE_HEADERS
        section = Section(indicator)
        for service in sorted(services, key=lambda s: _SERVICE_ORDER.index(s) if s in _SERVICE_ORDER else 9):
            section.tables.append(ServiceTable(service, headers, services[service]))
        sections.append(section)
    return sections
