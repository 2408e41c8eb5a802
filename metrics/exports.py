"""Downloadable tables (no HTTP): the national tables Skills for Care publishes for a round, under the
disclosure rules of spec section 5, and a council's own results, in full.

National tables (`national_tables`), one sheet each:

- **About**: the round, its period, when the tables were produced, the symbols, the number of accepted
  returns.
- **Pooled counts**: for England, each region and each authority type, each service (adults, children,
  all) and indicator, the summed counts by group and the figures computed on them (spec section 4).
  The counts are cells (scope, area, service, measure, pay band, group) bound by additive relations
  that a reader can use across the whole table: all = adults + children; the pay bands add up to the
  headcount; England = the sum of the regions = the sum of the authority types. They are suppressed
  once, together (`metrics.disclosure.suppress`), and every row is rendered from that one hidden set,
  so a count shown in several rows (headcount is the denominator of m1, m3, m5, m8 and m9) is hidden
  in all of them. The cells of an area and service from fewer than 5 authorities are hidden too (and
  protected like the others, or England minus the other regions would give them back); every figure
  in such a row is "[c]", only the number of authorities is shown. A rate, share or ratio computed
  from a hidden count is "[low]" (`metrics.disclosure.publish_result`).
- **Distribution**: authority-level values per area, service and indicator (`distribution_table`).

Text cells are escaped so a spreadsheet never runs them as formulas; counts are always numbers, the
only text in a count column is a suppression symbol. Ratios are rounded to 2 decimal places and
percentages to 1, half away from zero, as the portal shows them.
"""

from __future__ import annotations

import hashlib
import io
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import tablib
from django.core.cache import cache
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from accounts.models import AuthorityType, Region
from metrics.calculations import FOUR_FIFTHS_LABELS, INDICATORS, INDICATORS_BY_CODE
from metrics.disclosure import (
    LOW,
    MIN_AUTHORITIES,
    SUPPRESSED,
    Constraint,
    publish_benchmark,
    publish_result,
    suppress,
)
from metrics.models import Benchmark, VersionResults
from metrics.services import accepted_versions
from submissions.models import CollectionRound
from submissions.schema import GROUP_LABELS, GROUPS, MEASURES_BY_CODE, PAY_BANDS, SERVICE_LABELS, SERVICES
from submissions.template_files import escape_text

#: (scope, area, service, measure, pay band, group): one pooled count.
Cell = tuple[str, str, str, str, str, str]

_SCOPE_ORDER = {Benchmark.Scope.NATIONAL: 0, Benchmark.Scope.REGION: 1, Benchmark.Scope.TYPE: 2}
_AREA_ORDER = {value: index for index, value in enumerate([*Region.values, *AuthorityType.values])}
_SERVICE_ORDER = {service: index for index, service in enumerate([*SERVICES, "all"])}
_INDICATOR_ORDER = {indicator.code: index for index, indicator in enumerate(INDICATORS)}
_PARTS = {"numerator": "Numerator", "denominator": "Denominator"}

# Column headers ------------------------------------------------------------------------------------------

COUNT_COLUMNS = [f"{_PARTS[part]}: {GROUP_LABELS[g].lower()}" for part in _PARTS for g in GROUPS]
RATE_WHITE = "White rate (%)"
RATE_MINORITY = "Minority ethnic rate (%)"
RL = "Relative likelihood"
CI_LOWER = "95% interval: lower"
CI_UPPER = "95% interval: upper"
BAND = "Four-fifths band"
SIGNIFICANT = "Significant"
NHS_DIRECTION = "NHS WRES direction (white / minority ethnic)"
BAND_SHARE = "Minority ethnic share of the pay band (%)"
WORKFORCE_SHARE = "Minority ethnic share of the workforce (%)"
UNKNOWN_SHARE = "Unknown share of the pay band (%)"
SENIOR_SHARE = "Minority ethnic share of senior managers (%)"
GAP_WORKFORCE = "Gap, senior managers vs workforce (percentage points)"
POPULATION_SHARE = "Minority ethnic share of the local population (%)"
GAP_POPULATION = "Gap, senior managers vs local population (percentage points)"
LOW_NUMBERS = "Low numbers (a count below 10)"
REASON = "Why not calculable"

NATIONAL_FIGURES = [
    *COUNT_COLUMNS,
    RATE_WHITE,
    RATE_MINORITY,
    RL,
    CI_LOWER,
    CI_UPPER,
    BAND,
    SIGNIFICANT,
    NHS_DIRECTION,
    BAND_SHARE,
    WORKFORCE_SHARE,
    UNKNOWN_SHARE,
    SENIOR_SHARE,
    GAP_WORKFORCE,
]
COUNCIL_FIGURES = [*NATIONAL_FIGURES, POPULATION_SHARE, GAP_POPULATION, LOW_NUMBERS, REASON]
_INDICATOR_COLUMNS = ["Service", "Indicator code", "Indicator", "Counted", "Out of"]
_AREA_COLUMNS = ["Scope", "Area"]
AUTHORITIES = "Authorities"
WITH_VALUE = "Authorities with a value"

# Shared helpers ---------------------------------------------------------------------------------------


def _rounded(value: Any, places: int, scale: int = 1) -> Any:
    """A number rounded half away from zero (as the portal shows it); symbols and None unchanged."""
    if not isinstance(value, int | float) or isinstance(value, bool):
        return value
    rounded = Decimal(repr(value * scale)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return float(rounded) or 0.0  # no "-0.0"


def _percent(value: Any) -> Any:
    return _rounded(value, 1, 100)


def _ratio(value: Any) -> Any:
    return _rounded(value, 2)


def _yes_no(value: Any) -> Any:
    return ("Yes" if value else "No") if isinstance(value, bool) else value


def _text(value: Any) -> Any:
    return escape_text(value) if isinstance(value, str) else value


def _measure_label(measure: str, pay_band: str = "") -> str:
    label = MEASURES_BY_CODE[measure].label
    return f"{label} ({pay_band})" if pay_band else label


def _indicator_labels(service: str, code: str) -> list[str]:
    indicator = INDICATORS_BY_CODE[code]
    return [
        SERVICE_LABELS[service],
        code,
        indicator.title,
        _measure_label(indicator.numerator, indicator.pay_band),
        _measure_label(indicator.denominator),
    ]


def _figures(entry: Mapping[str, Any], *, council: bool = False) -> dict[str, Any]:
    """A results entry (published or not) as {column: value}, only the columns its indicator has."""
    figures: dict[str, Any] = {
        f"{_PARTS[part]}: {GROUP_LABELS[group].lower()}": entry[part][group]
        for part in _PARTS
        for group in GROUPS
    }
    if entry["indicator"].startswith("m1_"):
        figures[BAND_SHARE] = _percent(entry["share"]["band"])
        figures[WORKFORCE_SHARE] = _percent(entry["share"]["workforce"])
        figures[UNKNOWN_SHARE] = _percent(entry["unknown_share"])
    else:
        ci95 = entry["ci95"]
        low, high = (ci95, ci95) if ci95 is None or isinstance(ci95, str) else ci95
        figures |= {
            RATE_WHITE: _percent(entry["rate"]["white"]),
            RATE_MINORITY: _percent(entry["rate"]["minority_ethnic"]),
            RL: _ratio(entry["relative_likelihood"]),
            CI_LOWER: _ratio(low),
            CI_UPPER: _ratio(high),
            BAND: FOUR_FIFTHS_LABELS.get(entry["four_fifths"], entry["four_fifths"]),
            SIGNIFICANT: _yes_no(entry["significant"]),
        }
        if "nhs_direction" in entry:
            figures[NHS_DIRECTION] = _ratio(entry["nhs_direction"])
        if entry["indicator"] == "m9":
            figures[SENIOR_SHARE] = _percent(entry["share"]["senior_managers"])
            figures[WORKFORCE_SHARE] = _percent(entry["share"]["workforce"])
            figures[GAP_WORKFORCE] = _rounded(entry["gap_pp"]["vs_workforce"], 1)
            if council:
                figures[POPULATION_SHARE] = _percent(entry["share"]["population"])
                figures[GAP_POPULATION] = _rounded(entry["gap_pp"]["vs_population"], 1)
    if council:
        figures[LOW_NUMBERS] = _yes_no(entry["low_numbers"])
        figures[REASON] = entry["reason"]
    return figures


def _dataset(title: str, headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> tablib.Dataset:
    dataset = tablib.Dataset(headers=list(headers), title=title)
    for row in rows:
        dataset.append([_text(value) for value in row])
    return dataset


def _xlsx(datasets: Iterable[tablib.Dataset]) -> bytes:
    """One sheet per dataset: bold, frozen header row, columns sized to their text (at most 60 wide)."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    bold, wrap = Font(bold=True), Alignment(wrap_text=True, vertical="top")
    for dataset in datasets:
        sheet = workbook.create_sheet(dataset.title)
        sheet.append(dataset.headers)
        for row in dataset:
            sheet.append(list(row))
        for cell in sheet[1]:
            cell.font = bold
        sheet.freeze_panes = "A2"
        for column in sheet.columns:
            width = max(len(str(cell.value)) for cell in column if cell.value is not None)
            sheet.column_dimensions[column[0].column_letter].width = min(width + 2, 60)
            if width > 60:
                for cell in column:
                    cell.alignment = wrap
    stream = io.BytesIO()
    workbook.save(stream)
    return stream.getvalue()


# National tables ---------------------------------------------------------------------------------------


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


def _area_labels(benchmark: Benchmark) -> list[str]:
    if benchmark.scope == Benchmark.Scope.NATIONAL:
        return ["England", "England"]
    area = benchmark.scope_value
    if benchmark.scope == Benchmark.Scope.TYPE and area in AuthorityType.values:
        area = AuthorityType(area).label
    return [Benchmark.Scope(benchmark.scope).label, area]


def _cell(benchmark: Benchmark, part: str, group: str) -> Cell:
    indicator = INDICATORS_BY_CODE[benchmark.indicator]
    measure, band = (
        (indicator.numerator, indicator.pay_band) if part == "numerator" else (indicator.denominator, "")
    )
    return (benchmark.scope, benchmark.scope_value, benchmark.service, measure, band, group)


def pooled_relations(values: Mapping[Cell, int]) -> list[Constraint]:
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
    relations: dict[tuple[str, str], list[Constraint]] = defaultdict(list)
    for relation in pooled_relations(values):
        relations[family(relation.total)].append(relation)
    hidden: set[Cell] = set()
    for family_key, part in parts.items():
        hidden |= suppress(part, relations[family_key], force=force.intersection(part))
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


def pooled_table(benchmarks: Sequence[Benchmark]) -> tablib.Dataset:
    """The "Pooled counts" table: one row per area, service and indicator (see the module docstring)."""
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
                *_area_labels(benchmark),
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


def distribution_table(benchmarks: Sequence[Benchmark]) -> tablib.Dataset:
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
        rows.append(
            [
                *_area_labels(benchmark),
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
        "Confidential: a count from 1 to 9, or a count that would reveal one by subtraction from "
        "other figures in these tables (for example all services minus adults, or England minus the "
        "other regions). Also every figure built from fewer than 5 authorities.",
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


_BUILDERS: dict[str, Callable[[CollectionRound, Sequence[Benchmark]], tablib.Dataset]] = {
    "about": about_table,
    "pooled": lambda _round, benchmarks: pooled_table(benchmarks),
    "distribution": lambda _round, benchmarks: distribution_table(benchmarks),
}


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
    return _BUILDERS[name](collection_round, _benchmarks(collection_round)).export("csv")


def national_tables_xlsx(collection_round: CollectionRound) -> bytes:
    """Every national table in one workbook, a sheet each."""
    return _xlsx(national_tables(collection_round))


# A council's own results --------------------------------------------------------------------------------


def council_results_tables(version_results: VersionResults) -> tablib.Dataset:
    """A council's results for one version, in full (authorities see their own figures unsuppressed):
    one row per service and indicator with the counts, rates, relative likelihood, interval, band,
    significance, m1 and m9 shares and gaps, the low-numbers flag and why a figure is not calculable.

    Not for publication as it stands: it is not disclosure-controlled.
    """
    entries = sorted(
        version_results.document["results"],
        key=lambda e: (_SERVICE_ORDER[e["service"]], _INDICATOR_ORDER[e["indicator"]]),
    )
    rows = []
    for entry in entries:
        figures = _figures(entry, council=True)
        rows.append(
            [
                *_indicator_labels(entry["service"], entry["indicator"]),
                *(figures.get(column) for column in COUNCIL_FIGURES),
            ]
        )
    return _dataset("Results", [*_INDICATOR_COLUMNS, *COUNCIL_FIGURES], rows)


def council_results_csv(version_results: VersionResults) -> str:
    """A council's results as CSV (`council_results_tables`)."""
    return council_results_tables(version_results).export("csv")


def council_results_xlsx(version_results: VersionResults) -> bytes:
    """A council's results as a workbook: an About sheet (authority, round, version) and the results."""
    version = version_results.version
    about = _dataset(
        "About",
        ["Item", "Value"],
        [
            ["Authority", version_results.authority.name],
            ["ONS code", version_results.authority.ons_code],
            ["Round", version_results.round.label],
            ["Reporting period", version_results.round.period_label],
            ["Version", version.number],
            ["Computed", f"{timezone.localtime(version_results.computed_at):%-d %B %Y %H:%M}"],
            [
                "Note",
                "Your council's own figures in full, small numbers included. They are not "
                "disclosure-controlled: before publishing them, show counts from 1 to 9 as [c].",
            ],
        ],
    )
    return _xlsx([about, council_results_tables(version_results)])
