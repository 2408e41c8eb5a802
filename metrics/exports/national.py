from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Callable, Collection, Mapping, Sequence
from typing import Any

import tablib
from django.core.cache import cache
from django.utils import timezone

from accounts.models import AuthorityType
from metrics.calculations import FOUR_FIFTHS_LABELS, INDICATORS_BY_CODE
from metrics.disclosure import (
    LOW,
    MIN_AUTHORITIES,
    SMALL_COUNT_MAX,
    SMALL_COUNT_MIN,
    SUPPRESSED,
    Constraint,
    publish_benchmark,
    publish_result,
    suppress,
)
from metrics.models import Benchmark
from metrics.services import accepted_versions
from submissions.models import CollectionRound
from submissions.schema import GROUPS, PAY_BANDS, SERVICES
from wres_portal.downloads import dataset_csv

from .columns import (
    _AREA_COLUMNS,
    _AREA_ORDER,
    _INDICATOR_COLUMNS,
    _INDICATOR_ORDER,
    _PARTS,
    _SCOPE_ORDER,
    _SERVICE_ORDER,
    AUTHORITIES,
    NATIONAL_FIGURES,
    WITH_VALUE,
    Cell,
    _dataset,
    _figures,
    _indicator_labels,
    _percent,
    _ratio,
    _xlsx,
)


def _benchmarks(collection_round: CollectionRound) -> list[Benchmark]:
    rows = Benchmark.objects.filter(round=collection_round)
    return sorted(
        rows,
        key=lambda b: (
            _SCOPE_ORDER[b.scope],
            _AREA_ORDER.get(b.scope_value, len(_AREA_ORDER)),
            b.scope_value,
            _SERVICE_ORDER[b.service],
            _INDICATOR_ORDER[b.indicator],
        ),
    )


#: Releases publish the City of London with the London boroughs and the Isles of Scilly with the
#: unitary authorities (`metrics.publication.PUBLISHED_TYPES`), and say so in the area's name.
PUBLISHED_TYPE_LABELS = {
    "london_borough": "London boroughs and the City of London",
    "unitary": "Unitary authorities and the Isles of Scilly",
}


def _area_labels(benchmark: Benchmark, *, published_types: bool = False) -> list[str]:
    if benchmark.scope == Benchmark.Scope.NATIONAL:
        return ["England", "England"]
    area = benchmark.scope_value
    if benchmark.scope == Benchmark.Scope.TYPE and published_types and area in PUBLISHED_TYPE_LABELS:
        area = PUBLISHED_TYPE_LABELS[area]
    elif benchmark.scope == Benchmark.Scope.TYPE and area in AuthorityType.values:
        area = AuthorityType(area).label
    return [Benchmark.Scope(benchmark.scope).label, area]


def type_values(*, published_types: bool = False) -> dict[str, str]:
    """An authority type's label in the tables -> its code (to read the tables back)."""
    values = {label: value for value, label in AuthorityType.choices}
    if published_types:
        values |= {label: value for value, label in PUBLISHED_TYPE_LABELS.items()}
    return values


def _cell(benchmark: Benchmark, part: str, group: str) -> Cell:
    indicator = INDICATORS_BY_CODE[benchmark.indicator]
    measure, band = (
        (indicator.numerator, indicator.pay_band) if part == "numerator" else (indicator.denominator, "")
    )
    return (benchmark.scope, benchmark.scope_value, benchmark.service, measure, band, group)


def pooled_relations(values: Mapping[Cell, int]) -> list[Constraint[Cell]]:
    """The additive relations between the pooled counts a reader of the tables could use.

    all = adults + children (per area, measure and group); headcount = the three pay bands (where the
    figures add up, as validation requires of every return); England = the sum of the regions, and
    England = the sum of the authority types (per service, measure and group).
    """
    by_scope: dict[tuple[str, ...], list[Cell]] = defaultdict(list)
    for cell in values:
        by_scope[(cell[0], *cell[2:])].append(cell)
    relations = []
    for cell in values:
        scope, area, service, measure, band, group = cell
        if service == "all":
            services = [(scope, area, s, measure, band, group) for s in SERVICES]
            relations.append(Constraint(cell, tuple(c for c in services if c in values)))
        if measure == "headcount":
            bands = tuple((scope, area, service, "headcount_band", b, group) for b in PAY_BANDS)
            if all(b in values for b in bands) and values[cell] == sum(values[b] for b in bands):
                relations.append(Constraint(cell, bands))
        if scope == Benchmark.Scope.NATIONAL:
            for parts in (Benchmark.Scope.REGION, Benchmark.Scope.TYPE):
                members = tuple(by_scope.get((parts, *cell[2:]), ()))
                if members:
                    relations.append(Constraint(cell, members))
    return relations


def _hidden_counts(benchmarks: Sequence[Benchmark]) -> tuple[dict[Cell, int], set[Cell]]:
    """The pooled counts and the ones to hide: counts from 1 to 9, every count of an area and service
    from fewer than 5 authorities, and enough others that no hidden one can be worked out.

    The relations never link two groups, nor two measures other than headcount and its pay bands, so
    each (group, measure family) is suppressed on its own: the same protection, far faster. The result
    is cached under a digest of the counts themselves (a few seconds of work for a full round).
    """
    values: dict[Cell, int] = {}
    force: set[Cell] = set()
    for benchmark in benchmarks:
        if not benchmark.pooled:
            continue
        for part in _PARTS:
            for group in GROUPS:
                cell = _cell(benchmark, part, group)
                values[cell] = benchmark.pooled[part][group]
                if benchmark.n_authorities < MIN_AUTHORITIES:
                    force.add(cell)

    key = (
        "wres-national-hidden:1:"
        + hashlib.sha256(repr((sorted(values.items()), sorted(force))).encode()).hexdigest()
    )
    cached = cache.get(key)
    if cached is not None:
        return values, set(cached)

    def family(cell: Cell) -> tuple[str, str]:
        return cell[5], "headcount" if cell[3] in ("headcount", "headcount_band") else cell[3]

    parts: dict[tuple[str, str], dict[Cell, int]] = defaultdict(dict)
    for cell, value in values.items():
        parts[family(cell)][cell] = value
    relations: dict[tuple[str, str], list[Constraint[Cell]]] = defaultdict(list)
    for relation in pooled_relations(values):
        relations[family(relation.total)].append(relation)
    hidden: set[Cell] = set()
    for family_key, family_values in parts.items():
        hidden |= suppress(family_values, relations[family_key], force=force.intersection(family_values))
    cache.set(key, hidden, timeout=24 * 60 * 60)
    return values, hidden


def _guarded(entry: dict[str, Any], hidden: set[tuple[str, str]]) -> dict[str, Any]:
    """With a white or minority ethnic count hidden, the four-fifths band, the significance and a blank
    (not calculable) figure are "[low]" too: they can narrow a hidden count down as well (an "adverse"
    band with the other three counts published bounds the fourth, and can leave it only one value).
    `publish_result` keeps them, as categories; the published tables are stricter."""
    if all(group == "unknown" for _, group in hidden):
        return entry
    guarded: dict[str, Any] = {}
    for key, value in entry.items():
        if key in ("numerator", "denominator"):
            guarded[key] = value
        elif key in ("four_fifths", "significant") or value is None:
            guarded[key] = LOW
        elif isinstance(value, dict):
            guarded[key] = {sub: LOW if sub_value is None else sub_value for sub, sub_value in value.items()}
        else:
            guarded[key] = value
    return guarded


def pooled_table(
    benchmarks: Sequence[Benchmark], *, hidden: set[Cell] | None = None, published_types: bool = False
) -> tablib.Dataset:
    """The "Pooled counts" table: one row per area, service and indicator (see the module docstring).

    `hidden`: the count cells to hide, when a release has worked them out (`metrics.releases`); by
    default those of `_hidden_counts`."""
    if hidden is None:
        _, hidden = _hidden_counts(benchmarks)
    rows = []
    for benchmark in benchmarks:
        figures: dict[str, Any] = {}
        if benchmark.pooled:
            places = {(p, g) for p in _PARTS for g in GROUPS if _cell(benchmark, p, g) in hidden}
            figures = _figures(_guarded(publish_result(benchmark.pooled, hidden=places), places))
            figures = publish_benchmark(figures, n_authorities=benchmark.n_authorities)
        rows.append(
            [
                *_area_labels(benchmark, published_types=published_types),
                *_indicator_labels(benchmark.service, benchmark.indicator),
                benchmark.n_authorities,
                *(figures.get(column) for column in NATIONAL_FIGURES),
            ]
        )
    return _dataset(
        "Pooled counts", [*_AREA_COLUMNS, *_INDICATOR_COLUMNS, AUTHORITIES, *NATIONAL_FIGURES], rows
    )


_DISTRIBUTION = {
    "min": "Minimum",
    "lower_quartile": "Lower quartile",
    "median": "Median",
    "upper_quartile": "Upper quartile",
    "max": "Maximum",
}


_BAND_COLUMNS = {
    band: (f"{label}: authorities", f"{label} (% of authorities with a value)")
    for band, label in FOUR_FIFTHS_LABELS.items()
}


def distribution_table(
    benchmarks: Sequence[Benchmark],
    *,
    withheld: Collection[tuple[str, str, str, str]] = (),
    published_types: bool = False,
) -> tablib.Dataset:
    """The "Distribution" table: the spread of authority-level values per area, service and indicator
    (relative likelihood; for m1 the minority ethnic share of the pay band), and how many authorities
    fall in each four-fifths band (not for m1, which has no band).

    A cell from fewer than 5 authorities is "[c]" (`publish_benchmark`), counted as the authorities
    with a value, not all the authorities in the area, since only those make up the figures.

    The minimum and maximum are each one authority's own value. They are published all the same: the
    rule is that no figure is *attributable to a named authority* unless it has published it, and the
    table names no authority beside them, only an area of at least 5 authorities with a value, so a
    reader cannot tell whose value it is. (With exactly 5 the quartiles are order statistics too, and
    the same reasoning applies.) An authority that publishes its own value may thereby be seen to be
    the minimum or maximum; that is its own publication. The band counts are numbers of authorities,
    not of people, so the "1 to 9" rule for counts of people does not apply to them.

    Releases go further (spec v1.1): a minimum or quartile above 0 says that councils had a case, so
    the release builder withholds the statistics of a row (`withheld`: (scope, area, service,
    indicator)) where the auditor finds they narrow a hidden count.
    """
    headers = [
        *_AREA_COLUMNS,
        *_INDICATOR_COLUMNS[:3],
        "Figure",
        AUTHORITIES,
        WITH_VALUE,
        *_DISTRIBUTION.values(),
        *(column for pair in _BAND_COLUMNS.values() for column in pair),
    ]
    rows = []
    for benchmark in benchmarks:
        share = benchmark.indicator.startswith("m1_")
        scale = _percent if share else _ratio
        figures = {_DISTRIBUTION[key]: scale(benchmark.distribution[key]) for key in _DISTRIBUTION}
        if not share:
            for band, (count, percent) in _BAND_COLUMNS.items():
                figures[count] = benchmark.bands["bands"][band]["n"]
                figures[percent] = _percent(benchmark.bands["bands"][band]["share"])
        figures = publish_benchmark(figures, n_authorities=benchmark.distribution["n"])
        if (benchmark.scope, benchmark.scope_value, benchmark.service, benchmark.indicator) in withheld:
            figures = dict.fromkeys(figures, SUPPRESSED)
        rows.append(
            [
                *_area_labels(benchmark, published_types=published_types),
                *_indicator_labels(benchmark.service, benchmark.indicator)[:3],
                "Minority ethnic share of the pay band (%)" if share else "Relative likelihood",
                benchmark.n_authorities,
                benchmark.distribution["n"],
                *(figures.get(column) for column in headers[8:]),
            ]
        )
    return _dataset("Distribution", headers, rows)


SYMBOL_NOTES = (
    (
        SUPPRESSED,
        f"Confidential: a count from {SMALL_COUNT_MIN} to {SMALL_COUNT_MAX}, or a count that would reveal "
        "one by subtraction from other figures in these tables (for example all services minus adults, "
        f"or England minus the other regions). Also every figure built from fewer than {MIN_AUTHORITIES} "
        "authorities.",
    ),
    (LOW, "A rate, share or ratio computed from a confidential count."),
    (
        "(blank)",
        "The figure cannot be calculated (a denominator, or the white rate, is 0), or does not "
        "apply to the indicator.",
    ),
)


def about_table(collection_round: CollectionRound, benchmarks: Sequence[Benchmark]) -> tablib.Dataset:
    """The "About" table: what the tables are, for which round, and what the symbols mean."""
    computed = max((b.computed_at for b in benchmarks), default=None)
    rows: list[list[Any]] = [
        ["Title", "Social Care WRES: national tables"],
        ["Round", collection_round.label],
        ["Reporting period", collection_round.period_label],
        ["Headcount snapshot date", f"{collection_round.snapshot_date:%-d %B %Y}"],
        ["Date produced", f"{timezone.localdate():%-d %B %Y}"],
        ["Figures computed", f"{timezone.localtime(computed):%-d %B %Y %H:%M}" if computed else "Not yet"],
        ["Accepted returns", len(accepted_versions(collection_round))],
        [
            "Pooled counts",
            "The counts of every accepted return added up for England, each region and each authority "
            "type, with the figures computed on the sums. Staff whose ethnicity is unknown are counted "
            "but never used in a rate or ratio. Rates and shares are percentages to 1 decimal place; "
            "ratios are to 2.",
        ],
        [
            "Distribution",
            "The spread of the authorities' own figures (relative likelihood; for metric 1 the minority "
            "ethnic share of the pay band) and how many fall in each four-fifths band.",
        ],
        *([f"Symbol {symbol}", note] for symbol, note in SYMBOL_NOTES),
        [
            "Small areas",
            f"Every figure of an area and service built from fewer than {MIN_AUTHORITIES} authorities is "
            f"{SUPPRESSED}; only the number of authorities is shown.",
        ],
    ]
    return _dataset("About", ["Item", "Value"], rows)


def national_tables(collection_round: CollectionRound) -> list[tablib.Dataset]:
    """The tables Skills for Care publishes for a round: About, Pooled counts, Distribution.

    Built from the round's stored benchmarks (recomputed whenever a return is accepted), with the
    disclosure rules of spec section 5 applied; safe to publish as they stand.
    """
    benchmarks = _benchmarks(collection_round)
    return [build(collection_round, benchmarks) for build in _BUILDERS.values()]


def national_table_csv(collection_round: CollectionRound, name: str) -> str:
    """One national table as CSV: `name` is "about", "pooled" or "distribution"."""
    if name not in _BUILDERS:
        raise ValueError(f"There is no national table called {name!r}: use one of {', '.join(_BUILDERS)}.")
    return dataset_csv(_BUILDERS[name](collection_round, _benchmarks(collection_round)))


def national_tables_xlsx(collection_round: CollectionRound) -> bytes:
    """Every national table in one workbook, a sheet each."""
    return _xlsx(national_tables(collection_round))


_BUILDERS: dict[str, Callable[[CollectionRound, Sequence[Benchmark]], tablib.Dataset]] = {
    "about": about_table,
    "pooled": lambda _round, benchmarks: pooled_table(benchmarks),
    "distribution": lambda _round, benchmarks: distribution_table(benchmarks),
}
