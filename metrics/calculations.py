"""The SC-WRES indicators and national benchmarks (spec sections 3 and 4): pure functions, no ORM.

Every figure compares minority ethnic staff with white staff; staff whose ethnicity is unknown are
counted and shown, never used in a rate. The indicators themselves (which counts, which direction is
good, the words) are in `metrics.indicators`, re-exported here.

Decisions the spec leaves open, taken here:

- **c = 0** (no white staff with the outcome): the white rate is 0, so the relative likelihood, its
  interval, band and significance are all null with a reason; both rates are still reported. The
  spec's a = 0 correction is only for a = 0 with c > 0, so a = c = 0 is not calculable either.
- **a = n1** (every minority ethnic person had the outcome): 1/a - 1/n1 = 0, which is fine; if c = n2
  too the interval is [1, 1] and is not significant.
- **`all`** is produced whenever at least one service is present, by summing the counts of the services
  present and computing on the sums; with one service it repeats that service's figures.
- **Four-fifths band** is decided on the exact fraction a·n2 / (n1·c), so an RL of exactly 0.80 or 1.25
  from whole-number counts is `within_range` whatever the float rounding.
- **Quartiles** use linear interpolation between order statistics (Hyndman and Fan type 7), which is
  numpy's default and `statistics.quantiles(method="inclusive")`.
- **Display rounding** is half away from zero on the shortest decimal form of the value (as a
  spreadsheet rounds), so 0.125 shows as 0.13 and 0.615 as 0.62.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

from metrics.indicators import (
    INDICATORS,
    INDICATORS_BY_CODE,
    M9_SHARES_TEMPLATE,
    NHS_DIRECTION_INDICATORS,
    NONE_HAD_OUTCOME_TEMPLATE,
    Indicator,
)
from submissions.schema import GROUPS, Counts, ReturnData, RowKey, services_in

__all__ = [
    "INDICATORS",
    "INDICATORS_BY_CODE",
    "NHS_DIRECTION_INDICATORS",
    "Indicator",
    "RLResult",
    "band_counts",
    "compute_results",
    "distribution",
    "format_interval",
    "format_percent",
    "format_points",
    "format_ratio",
    "four_fifths_band",
    "minority_ethnic_share",
    "pooled",
    "quartile_position",
    "relative_likelihood",
    "results_document",
    "sentence",
    "unknown_share",
]

RESULTS_SCHEMA = "wres-results/1"
ALL = "all"
#: The normal distribution's 97.5% point, as the spec fixes it.
Z_95 = 1.959964
#: A count below this makes a figure "low numbers" (shown with a warning, never hidden from the authority).
LOW_NUMBERS_BELOW = 10
FOUR_FIFTHS_LOWER = Fraction(4, 5)
FOUR_FIFTHS_UPPER = Fraction(5, 4)

WITHIN_RANGE = "within_range"
ADVERSE_TO_MINORITY_ETHNIC = "adverse_to_minority_ethnic"
ADVERSE_TO_WHITE = "adverse_to_white"
FOUR_FIFTHS_BANDS: tuple[str, ...] = (WITHIN_RANGE, ADVERSE_TO_MINORITY_ETHNIC, ADVERSE_TO_WHITE)
FOUR_FIFTHS_LABELS = {
    WITHIN_RANGE: "Within the four-fifths range",
    ADVERSE_TO_MINORITY_ETHNIC: "Adverse to minority ethnic staff",
    ADVERSE_TO_WHITE: "Adverse to white staff",
}
QUARTILE_LABELS = {1: "lowest quarter", 2: "second quarter", 3: "third quarter", 4: "highest quarter"}

RELATIVE_LIKELIHOOD_EXPLANATION = (
    "The relative likelihood divides the minority ethnic rate by the white rate. 1 means minority ethnic "
    "and white staff were equally likely to have the outcome; 0.5 means half as likely; 2 means twice as "
    "likely. The 95% confidence interval (Katz log method) shows how far chance alone could move the "
    "figure: where it does not include 1, the difference is called significant. Where no minority ethnic "
    "person had the outcome the interval is worked out with 0.5 added to both numerators and 1 to both "
    "denominators, so it can still be shown. A relative likelihood from 0.80 to 1.25 is within the "
    "four-fifths range; outside it, the band says which group the difference works against. Any count "
    "below 10 is flagged as low numbers: the figure is shown, but one or two people can move it a lot."
)


@dataclass(frozen=True)
class RLResult:
    """Rates and relative likelihood of an outcome, minority ethnic against white.

    When `relative_likelihood` is None the figure is not calculable and `reason` says why in plain
    English; the rates that can be worked out are still given.
    """

    rate_white: float | None
    rate_minority_ethnic: float | None
    relative_likelihood: float | None
    ci95: tuple[float, float] | None
    four_fifths: str | None
    significant: bool | None
    low_numbers: bool
    reason: str | None = None

    @property
    def calculable(self) -> bool:
        return self.relative_likelihood is not None

    @property
    def nhs_direction(self) -> float | None:
        """1 / RL: white staff on top, as NHS WRES reports its indicators 2 and 4."""
        if not self.relative_likelihood:
            return None
        return 1 / self.relative_likelihood


def four_fifths_band(ratio: Fraction | float, *, favourable: bool) -> str:
    """The four-fifths band of a relative likelihood: 0.80 to 1.25 inclusive is within range.

    Pass an exact `Fraction` where you have the counts, so 4/5 and 5/4 land inside the range.
    """
    if FOUR_FIFTHS_LOWER <= ratio <= FOUR_FIFTHS_UPPER:
        return WITHIN_RANGE
    below = ratio < FOUR_FIFTHS_LOWER
    return ADVERSE_TO_MINORITY_ETHNIC if below == favourable else ADVERSE_TO_WHITE


def _four_fifths_band_exact(numerator: int, denominator: int, *, favourable: bool) -> str:
    """`four_fifths_band` of numerator / denominator (both whole, denominator > 0) by cross-multiplying,
    exact like a `Fraction` and several times faster (it runs for every figure of every return)."""
    if 4 * denominator <= 5 * numerator and 4 * numerator <= 5 * denominator:
        return WITHIN_RANGE
    below = 5 * numerator < 4 * denominator
    return ADVERSE_TO_MINORITY_ETHNIC if below == favourable else ADVERSE_TO_WHITE


def _katz_interval(a: float, n1: float, c: float, n2: float) -> tuple[float, float]:
    """Katz log 95% interval: ln(RL) ± z * sqrt(1/a - 1/n1 + 1/c - 1/n2)."""
    log_ratio = math.log((a / n1) / (c / n2))
    half_width = Z_95 * math.sqrt(max(0.0, 1 / a - 1 / n1 + 1 / c - 1 / n2))
    return math.exp(log_ratio - half_width), math.exp(log_ratio + half_width)


def relative_likelihood(
    a: int,
    n1: int,
    c: int,
    n2: int,
    *,
    favourable: bool = True,
    population: str = "people",
    past_phrase: str = "had the outcome",
) -> RLResult:
    """Relative likelihood of an outcome for minority ethnic staff (a of n1) against white staff (c of n2).

    RL = (a / n1) / (c / n2), with the Katz log 95% interval (spec section 3). Where a = 0 and c > 0
    the interval is taken around the corrected ratio ((a + 0.5) / (n1 + 1)) / ((c + 0.5) / (n2 + 1)),
    while the point estimate stays 0. Not calculable (RL None, with a reason) when n1 or n2 is 0, or
    when c is 0 (no white rate to divide by). `population` and `past_phrase` word the reason, e.g.
    "shortlisted candidates", "were appointed".
    """
    if min(a, n1, c, n2) < 0:
        raise ValueError(f"counts cannot be negative: a={a}, n1={n1}, c={c}, n2={n2}")
    low_numbers = min(a, n1, c, n2) < LOW_NUMBERS_BELOW
    rate_me = a / n1 if n1 else None
    rate_white = c / n2 if n2 else None

    reason = None
    if not n1 and not n2:
        reason = f"There were no white or minority ethnic {population}, so no rate can be calculated."
    elif not n1:
        reason = f"There were no minority ethnic {population}, so there is no minority ethnic rate."
    elif not n2:
        reason = f"There were no white {population}, so there is no white rate to compare with."
    elif a > n1 or c > n2:
        reason = "More people had the outcome than were counted in the group, so the figures do not add up."
    elif not c:
        reason = f"None of the white {population} {past_phrase}, so there is no white rate to compare with."
    if reason:
        return RLResult(rate_white, rate_me, None, None, None, None, low_numbers, reason)

    ci95 = _katz_interval(a, n1, c, n2) if a else _katz_interval(0.5, n1 + 1, c + 0.5, n2 + 1)
    return RLResult(
        rate_white=rate_white,
        rate_minority_ethnic=rate_me,
        relative_likelihood=a * n2 / (n1 * c),
        ci95=ci95,
        four_fifths=_four_fifths_band_exact(a * n2, n1 * c, favourable=favourable),
        significant=ci95[0] > 1 or ci95[1] < 1,
        low_numbers=low_numbers,
    )


def minority_ethnic_share(counts: Mapping[str, int]) -> float | None:
    """minority_ethnic / (white + minority_ethnic); None when neither group has anyone."""
    known = counts.get("white", 0) + counts.get("minority_ethnic", 0)
    return counts.get("minority_ethnic", 0) / known if known else None


def unknown_share(counts: Mapping[str, int]) -> float | None:
    """unknown over all three groups; None when the total is 0."""
    total = sum(counts.get(group, 0) for group in GROUPS)
    return counts.get("unknown", 0) / total if total else None


def _counts(counts: Mapping[str, int] | None) -> Counts:
    return {group: (counts or {}).get(group, 0) for group in GROUPS}


def _service_rows(data: ReturnData, services: Iterable[str]) -> dict[tuple[str, str], Counts]:
    """(measure, pay_band) -> counts summed over `services`; missing rows count as 0."""
    rows: dict[tuple[str, str], Counts] = {}
    wanted = set(services)
    for key, counts in data.items():
        if key.service in wanted:
            row = rows.get((key.measure, key.pay_band))
            if row is None:
                rows[(key.measure, key.pay_band)] = _counts(counts)
            else:
                for group in GROUPS:
                    row[group] += counts.get(group, 0)
    return rows


def _low(*counts: int) -> bool:
    return min(counts) < LOW_NUMBERS_BELOW


def _m1_entry(service: str, indicator: Indicator, rows: dict[tuple[str, str], Counts]) -> dict[str, Any]:
    band = rows.get(("headcount_band", indicator.pay_band), _counts(None))
    headcount = rows.get(("headcount", ""), _counts(None))
    band_share = minority_ethnic_share(band)
    reason = None
    if band_share is None:
        reason = f"There were no staff of known ethnicity in the {indicator.pay_band} pay band."
    return {
        "service": service,
        "indicator": indicator.code,
        "numerator": dict(band),
        "denominator": dict(headcount),
        "share": {"band": band_share, "workforce": minority_ethnic_share(headcount)},
        "unknown_share": unknown_share(band),
        "low_numbers": _low(
            band["white"], band["minority_ethnic"], headcount["white"], headcount["minority_ethnic"]
        ),
        "calculable": band_share is not None,
        "reason": reason,
    }


def _rl_entry(
    service: str, indicator: Indicator, rows: dict[tuple[str, str], Counts], population_share: float | None
) -> dict[str, Any]:
    numerator = rows.get((indicator.numerator, ""), _counts(None))
    denominator = rows.get((indicator.denominator, ""), _counts(None))
    result = relative_likelihood(
        numerator["minority_ethnic"],
        denominator["minority_ethnic"],
        numerator["white"],
        denominator["white"],
        favourable=bool(indicator.favourable),
        population=indicator.population,
        past_phrase=indicator.past_phrase,
    )
    entry: dict[str, Any] = {
        "service": service,
        "indicator": indicator.code,
        "numerator": dict(numerator),
        "denominator": dict(denominator),
        "rate": {"white": result.rate_white, "minority_ethnic": result.rate_minority_ethnic},
        "relative_likelihood": result.relative_likelihood,
        "ci95": list(result.ci95) if result.ci95 else None,
        "four_fifths": result.four_fifths,
        "significant": result.significant,
    }
    if indicator.code in NHS_DIRECTION_INDICATORS:
        entry["nhs_direction"] = result.nhs_direction
    if indicator.code == "m9":
        senior, workforce = minority_ethnic_share(numerator), minority_ethnic_share(denominator)
        entry["share"] = {"senior_managers": senior, "workforce": workforce, "population": population_share}
        entry["gap_pp"] = {
            "vs_workforce": _gap_pp(senior, workforce),
            "vs_population": _gap_pp(senior, population_share),
        }
    entry.update(low_numbers=result.low_numbers, calculable=result.calculable, reason=result.reason)
    return entry


def _gap_pp(share: float | None, other: float | None) -> float | None:
    """Percentage-point gap, share minus other (both fractions)."""
    if share is None or other is None:
        return None
    return (share - other) * 100


def _results_for(
    service: str, rows: dict[tuple[str, str], Counts], population_share: float | None
) -> list[dict[str, Any]]:
    return [
        _m1_entry(service, indicator, rows)
        if indicator.kind == "share"
        else _rl_entry(service, indicator, rows, population_share)
        for indicator in INDICATORS
    ]


def compute_results(data: ReturnData, *, population_share: float | Decimal | None) -> list[dict[str, Any]]:
    """Every indicator for each service in `data`, then for `all` (the services present, pooled).

    `population_share` is the authority's minority ethnic share of the local population as a fraction
    from 0 to 1 (None when unknown); it feeds metric 9 only. Values are unrounded. Entries follow the
    "results" list of spec section 3: m1 entries carry `share` and `unknown_share` instead of the rate
    and relative likelihood fields; m9 entries carry both; m2 and m5 add `nhs_direction`. Low numbers
    for m1 means a white or minority ethnic count in the band or the headcount below 10.
    """
    if population_share is not None:
        population_share = float(population_share)  # a Decimal from the database would not serialise
        if not 0 <= population_share <= 1:
            raise ValueError(
                f"population_share is a fraction from 0 to 1 (a percentage / 100), got {population_share}"
            )
    services = services_in(data)
    results: list[dict[str, Any]] = []
    for service in services:
        results.extend(_results_for(service, _service_rows(data, [service]), population_share))
    if services:
        results.extend(_results_for(ALL, _service_rows(data, services), population_share))
    return results


def results_document(data: ReturnData, *, population_share: float | None) -> dict[str, Any]:
    """The results document of spec section 3, ready for `json.dumps(..., allow_nan=False)`."""
    return {"schema": RESULTS_SCHEMA, "results": compute_results(data, population_share=population_share)}


def _round_half_up(value: float, places: int) -> Decimal:
    rounded = Decimal(repr(value)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return rounded if rounded else abs(rounded)  # no "-0.0"


def format_ratio(value: float | None, *, missing: str = "not calculable") -> str:
    """A relative likelihood to 2 decimal places: 0.61039 -> "0.61"."""
    return missing if value is None else str(_round_half_up(value, 2))


def format_percent(value: float | None, *, missing: str = "not calculable") -> str:
    """A fraction as a percentage to 1 decimal place: 0.18902 -> "18.9%"."""
    return missing if value is None else f"{_round_half_up(value * 100, 1)}%"


def format_interval(ci95: Iterable[float] | None, *, missing: str = "not calculable") -> str:
    """A 95% interval as "0.43 to 0.87"."""
    if ci95 is None:
        return missing
    low, high = ci95
    return f"{format_ratio(low)} to {format_ratio(high)}"


def format_points(value: float | None, *, missing: str = "not calculable") -> str:
    """A gap already in percentage points, to 1 decimal place: -3.24 -> "-3.2 percentage points"."""
    return missing if value is None else f"{_round_half_up(value, 1)} percentage points"


def sentence(result: Mapping[str, Any]) -> str:
    """One plain-English sentence (two for metric 9) for a results entry; says why when not calculable."""
    indicator = INDICATORS_BY_CODE[result["indicator"]]
    if not result["calculable"]:
        if indicator.kind == "share":
            what = f"minority ethnic share of the {indicator.pay_band} pay band"
        else:
            what = f"relative likelihood of {indicator.of_phrase}"
        return f"The {what} cannot be calculated. {result['reason']}"
    if indicator.kind == "share":
        return indicator.template.format(
            band_share=format_percent(result["share"]["band"]),
            workforce_share=format_percent(result["share"]["workforce"]),
        )
    if result["relative_likelihood"] == 0:
        text = NONE_HAD_OUTCOME_TEMPLATE.format(
            population=indicator.population,
            past_phrase=indicator.past_phrase,
            rate_white=format_percent(result["rate"]["white"]),
        )
    else:
        text = indicator.template.format(rl=format_ratio(result["relative_likelihood"]))
    if indicator.code == "m9":
        share = result["share"]
        population = share["population"]
        text += " " + M9_SHARES_TEMPLATE.format(
            senior_share=format_percent(share["senior_managers"]),
            workforce_share=format_percent(share["workforce"]),
            population_clause=""
            if population is None
            else f" and {format_percent(population)} of the local population",
        )
    return text


def quantile(sorted_values: list[float], p: float) -> float:
    """The p-quantile by linear interpolation (type 7, numpy's default): sorted_values must be sorted."""
    position = (len(sorted_values) - 1) * p
    below = math.floor(position)
    above = min(below + 1, len(sorted_values) - 1)
    return sorted_values[below] + (position - below) * (sorted_values[above] - sorted_values[below])


def distribution(values: Iterable[float | None]) -> dict[str, Any]:
    """n, minimum, quartiles, median and maximum of authority-level values (None values are left out).

    Quartiles interpolate linearly between order statistics, like `statistics.quantiles(values, n=4,
    method="inclusive")` and numpy's default `percentile`. With no values every figure but n is None.
    """
    ordered = sorted(value for value in values if value is not None)
    if not ordered:
        return dict.fromkeys(("min", "lower_quartile", "median", "upper_quartile", "max"), None) | {"n": 0}
    return {
        "n": len(ordered),
        "min": ordered[0],
        "lower_quartile": quantile(ordered, 0.25),
        "median": quantile(ordered, 0.5),
        "upper_quartile": quantile(ordered, 0.75),
        "max": ordered[-1],
    }


def band_counts(bands: Iterable[str | None]) -> dict[str, Any]:
    """Number and share of authorities in each four-fifths band; None (not calculable) counted apart.

    Shares are over the authorities with a band, so they add up to 1 (None when there are none).
    """
    bands = list(bands)
    banded = [band for band in bands if band is not None]
    counts = {band: banded.count(band) for band in FOUR_FIFTHS_BANDS}
    return {
        "n": len(banded),
        "not_calculable": len(bands) - len(banded),
        "bands": {
            band: {"n": count, "share": count / len(banded) if banded else None}
            for band, count in counts.items()
        },
    }


def quartile_position(value: float | None, dist: Mapping[str, Any]) -> int | None:
    """Which quarter of the distribution `value` falls in, 1 (lowest) to 4 (highest).

    A value on a quartile goes to the lower quarter. None when the value or distribution is empty. The
    position is numeric only: whether the lowest quarter is good depends on the indicator.
    """
    if value is None or not dist.get("n"):
        return None
    cuts = (dist["lower_quartile"], dist["median"], dist["upper_quartile"])
    return 1 + sum(value > cut for cut in cuts)


def pooled(datas: Iterable[ReturnData]) -> ReturnData:
    """Sum several returns row by row: the national (or regional) pooled return, computed like any other."""
    total: ReturnData = {}
    for data in datas:
        for key, counts in data.items():
            row = total.setdefault(RowKey(key.service, key.measure, key.pay_band), _counts(None))
            for group, value in _counts(counts).items():
                row[group] += value
    return total
