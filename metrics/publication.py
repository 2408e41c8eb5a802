"""Reading published national tables back as a reader would, for the auditor (pure: no ORM).

`view_from_tables` turns the "Pooled counts" and "Distribution" tables (rows as dicts, with the
headers of `metrics.exports`) into an `auditor.ReleaseView`: every count cell with its figure or
`None` where it is hidden, and what each distribution row says about single councils. The auditor so
checks exactly what is printed, in whatever format it is downloaded: the CSV files, the workbook and
the printable report are all rendered from the same rows.

Publication areas: the City of London is published with the London boroughs and the Isles of Scilly
with the unitary authorities (`PUBLISHED_TYPES`). Each is the only council of its type, so a type of
its own would be one council's figures, and the region minus the other types would give them back.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from metrics.auditor import Area, AtLeast, Cell, Key, Ratio, ReleaseView, StatisticsRow, cases_implied
from metrics.calculations import FOUR_FIFTHS_LABELS
from metrics.disclosure import SUPPRESSED
from metrics.indicators import INDICATORS_BY_CODE
from submissions.schema import GROUP_LABELS, GROUPS, SERVICE_LABELS

#: The authority type each type is published under: one-council types join their nearest type.
PUBLISHED_TYPES = {"city_of_london": "london_borough", "isles_of_scilly": "unitary"}

_SCOPES = {"England": "national", "Region": "region", "Authority type": "authority_type"}
_SERVICES = {label: code for code, label in SERVICE_LABELS.items()}
_PARTS = {"numerator": "Numerator", "denominator": "Denominator"}
COUNT_COLUMNS = {
    (part, group): f"{label}: {GROUP_LABELS[group].lower()}"
    for part, label in _PARTS.items()
    for group in GROUPS
}
_STATISTICS = {
    "min": "Minimum",
    "lower_quartile": "Lower quartile",
    "median": "Median",
    "upper_quartile": "Upper quartile",
    "max": "Maximum",
}
_BAND_LABELS = FOUR_FIFTHS_LABELS


def published_type(authority_type: str) -> str:
    return PUBLISHED_TYPES.get(authority_type, authority_type)


def member_areas(region: str, authority_type: str) -> list[Area]:
    """The published areas a council counts in: England, its region, its (published) type."""
    return [("national", ""), ("region", region), ("authority_type", published_type(authority_type))]


def member_counts(data: Mapping[Any, Mapping[str, int]]) -> dict[Key, int]:
    """A return's figures ({RowKey: {group: n}}) as the auditor's {(service, measure, band, group): n}."""
    return {
        (key.service, key.measure, key.pay_band, group): int(n)
        for key, counts in data.items()
        for group, n in counts.items()
    }


def _area(row: Mapping[str, Any], type_values: Mapping[str, str]) -> Area:
    scope = _SCOPES[row["Scope"]]
    if scope == "national":
        return (scope, "")
    if scope == "authority_type":
        return (scope, type_values.get(row["Area"], row["Area"]))
    return (scope, row["Area"])


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        try:
            return float(value)
        except (TypeError, ValueError):
            return None
    return float(value)


def _count(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return None


def view_from_tables(
    label: str,
    pooled: Iterable[Mapping[str, Any]],
    distribution: Iterable[Mapping[str, Any]],
    bases: Mapping[Area, frozenset[str]],
    *,
    type_values: Mapping[str, str],
) -> ReleaseView:
    """The release as a reader sees it. `type_values` maps an authority type's label to its code."""
    shown: dict[Cell, int | None] = {}
    for row in pooled:
        area = _area(row, type_values)
        indicator = INDICATORS_BY_CODE[row["Indicator code"]]
        service = _SERVICES[row["Service"]]
        for (part, group), column in COUNT_COLUMNS.items():
            measure, band = (
                (indicator.numerator, indicator.pay_band)
                if part == "numerator"
                else (indicator.denominator, "")
            )
            cell = (*area, service, measure, band, group)
            value = _count(row.get(column))
            if shown.get(cell) is None:
                shown[cell] = value
    facts = []
    for row in distribution:
        indicator = INDICATORS_BY_CODE[row["Indicator code"]]
        n = _count(row.get("Authorities with a value"))
        if not n:
            continue
        share = indicator.kind == "share"
        statistics = {key: _number(row.get(column)) for key, column in _STATISTICS.items()}
        if share:  # published as a percentage
            statistics = {key: None if v is None else v / 100 for key, v in statistics.items()}
        facts += cases_implied(
            StatisticsRow(
                area=_area(row, type_values),
                service=_SERVICES[row["Service"]],
                numerator=indicator.numerator,
                denominator=indicator.denominator,
                band=indicator.pay_band,
                share=share,
                favourable=indicator.favourable,
                n_with_value=n,
                statistics=statistics,
                bands={
                    band: _count(row.get(f"{column}: authorities")) for band, column in _BAND_LABELS.items()
                },
            )
        )
    return ReleaseView(label, dict(bases), shown, facts)


#: (scope, area, service, indicator): one published comparator.
ComparatorKey = tuple[str, str, str, str]


@dataclass(frozen=True)
class Comparator:
    """What a release prints for one area, service and indicator, as a council page shows it.

    Figures are as the results documents hold them (relative likelihoods; fractions for the metric 1
    shares), read back from the printed tables, so a council sees exactly what was published. `None`
    where the release prints `[c]`, `[low]` or a blank; `withheld` when the area's statistics are not
    published at all (fewer than 5 councils with a value, or withheld by the release builder)."""

    scope: str
    area: str
    service: str
    indicator: str
    n_with_value: int | None
    lower_quartile: float | None
    median: float | None
    upper_quartile: float | None
    pooled: float | None
    withheld: bool

    @property
    def distribution(self) -> dict[str, Any]:
        """The statistics in the shape `calculations.quartile_position` reads."""
        return {
            "n": 0 if self.withheld else (self.n_with_value or 0),
            "lower_quartile": self.lower_quartile,
            "median": self.median,
            "upper_quartile": self.upper_quartile,
        }


_POOLED_FIGURE = {"share": "Minority ethnic share of the pay band (%)", "rate": "Relative likelihood"}


def _figure(value: Any, *, share: bool) -> float | None:
    """A printed figure as a number (a percentage as a fraction); None for a symbol or a blank."""
    number = None if value is None or (isinstance(value, str) and value.startswith("[")) else _number(value)
    if number is None:
        return None
    return number / 100 if share else number


def comparators_from_tables(
    pooled: Iterable[Mapping[str, Any]],
    distribution: Iterable[Mapping[str, Any]],
    *,
    type_values: Mapping[str, str],
) -> dict[ComparatorKey, Comparator]:
    """Every area's published median, quartiles and pooled figure, by (scope, area, service, indicator),
    read from a release's "Pooled counts" and "Distribution" rows (headers of `metrics.exports`)."""
    figures: dict[ComparatorKey, float | None] = {}
    for row in pooled:
        share = INDICATORS_BY_CODE[row["Indicator code"]].kind == "share"
        key = (*_area(row, type_values), _SERVICES[row["Service"]], row["Indicator code"])
        figures[key] = _figure(row.get(_POOLED_FIGURE["share" if share else "rate"]), share=share)
    found: dict[ComparatorKey, Comparator] = {}
    for row in distribution:
        share = INDICATORS_BY_CODE[row["Indicator code"]].kind == "share"
        key = (*_area(row, type_values), _SERVICES[row["Service"]], row["Indicator code"])
        n = _count(row.get("Authorities with a value"))
        scope, area, service, indicator = key
        found[key] = Comparator(
            scope=scope,
            area=area,
            service=service,
            indicator=indicator,
            n_with_value=n,
            lower_quartile=_figure(row.get(_STATISTICS["lower_quartile"]), share=share),
            median=_figure(row.get(_STATISTICS["median"]), share=share),
            upper_quartile=_figure(row.get(_STATISTICS["upper_quartile"]), share=share),
            pooled=figures.get(key),
            withheld=not n or row.get(_STATISTICS["median"]) in (SUPPRESSED, None, ""),
        )
    return found


@dataclass(frozen=True)
class PublishedComparators:
    """The comparators a council may be shown for a round: those of the round's latest published
    release (issue 14: councils are shown releases, never live data). `release_number` is None when no
    release of the round is published yet, and then there are no comparators."""

    round_label: str
    release_number: int | None
    published_at: datetime.datetime | None
    rows: Mapping[ComparatorKey, Comparator]

    def get(self, scope: str, area: str, service: str, indicator: str) -> Comparator | None:
        return self.rows.get((scope, area, service, indicator))

    def for_authority(
        self, region: str, authority_type: str, service: str, indicator: str
    ) -> dict[str, Comparator | None]:
        """England, the council's region and its (published) type, by scope."""
        return {
            scope: self.get(scope, area, service, indicator)
            for scope, area in member_areas(region, authority_type)
        }


# What other public pages say about single councils ---------------------------------------------------


@dataclass(frozen=True)
class PublicStatement:
    """One figure a public page prints about one council: a council's published action plan shows
    its headline value (relative likelihood, or metric 1's minority ethnic share of a pay band) of
    `indicator` for both services together, in `round_label`'s results."""

    ons_code: str
    round_label: str
    indicator: str
    value: float | None
    source: str = "public action plan"


#: Where public statements come from, for the auditor: callables taking a round's label and
#: returning what is published about single councils in it. The action plans app registers its
#: public plan pages here (`actionplans.apps`): metrics sits below actionplans and cannot ask it.
PUBLIC_STATEMENT_SOURCES: list[Callable[[str], list[PublicStatement]]] = []

PUBLIC_PAGES = "public council pages"


def public_statements(round_label: str) -> list[PublicStatement]:
    return [statement for source in PUBLIC_STATEMENT_SOURCES for statement in source(round_label)]


def _member_area(member_id: str) -> Area:
    return ("council", member_id)


def public_view(
    statements: Iterable[PublicStatement],
    members: Iterable[tuple[str, str, Mapping[tuple[str, str], tuple[float | None, str]]]],
) -> ReleaseView | None:
    """What public council pages say, as a view for the auditor: each statement tied to the members
    (member id, ONS code, headline values) it is true of, as facts about that one council (a case
    exists; none exists where a relative likelihood is 0). None when nothing is said.

    A statement is tied to a member of its council whose own headline value is the one printed, so
    a page signed off before a resubmission speaks of the version it was made from, never another.
    """
    by_code: dict[str, list[tuple[str, Mapping[tuple[str, str], tuple[float | None, str]]]]] = {}
    for member_id, ons_code, values in members:
        by_code.setdefault(ons_code, []).append((member_id, values))
    bases: dict[Area, frozenset[str]] = {}
    facts: list[AtLeast] = []
    ratios: list[Ratio] = []
    for statement in statements:
        indicator = INDICATORS_BY_CODE.get(statement.indicator)
        if indicator is None or statement.value is None:
            continue
        for member_id, values in by_code.get(statement.ons_code, []):
            value, _band = values.get(("all", statement.indicator), (None, ""))
            if value is None or abs(value - statement.value) > 1e-9:
                continue
            area = _member_area(member_id)
            bases[area] = frozenset({member_id})
            share = indicator.kind == "share"
            stats = {"min": statement.value, "max": statement.value}
            source = f"{statement.source} of {statement.ons_code}: {indicator.code}"
            facts += [
                AtLeast(f.area, f.service, f.measure, f.band, f.group, f.k, source)
                for f in cases_implied(
                    StatisticsRow(
                        area=area,
                        service="all",
                        numerator=indicator.numerator,
                        denominator=indicator.denominator,
                        band=indicator.pay_band,
                        share=share,
                        favourable=indicator.favourable,
                        n_with_value=1,
                        statistics=stats,
                    )
                )
            ]
            if not share and statement.value == 0:  # no minority ethnic case at all
                numerator: Cell = (*area, "all", indicator.numerator, "", "minority_ethnic")
                denominator: Cell = (*area, "all", indicator.denominator, "", "minority_ethnic")
                ratios.append(Ratio((numerator,), (denominator,), 0.0, 0.0, source))
    if not bases:
        return None
    return ReleaseView(PUBLIC_PAGES, bases, {}, facts, ratios)
