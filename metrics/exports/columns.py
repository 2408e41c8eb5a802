from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import tablib
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from accounts.models import AuthorityType, Region
from metrics.calculations import FOUR_FIFTHS_LABELS, INDICATORS, INDICATORS_BY_CODE
from metrics.models import Benchmark
from submissions.schema import GROUP_LABELS, GROUPS, MEASURES_BY_CODE, SERVICE_LABELS, SERVICES
from wres_portal.downloads import safe_cell, workbook_bytes

#: (scope, area, service, measure, pay band, group): one pooled count.
Cell = tuple[str, str, str, str, str, str]


_SCOPE_ORDER: dict[str, int] = {
    Benchmark.Scope.NATIONAL: 0,
    Benchmark.Scope.REGION: 1,
    Benchmark.Scope.TYPE: 2,
}


_AREA_ORDER = {value: index for index, value in enumerate([*Region.values, *AuthorityType.values])}


_SERVICE_ORDER = {service: index for index, service in enumerate([*SERVICES, "all"])}


_INDICATOR_ORDER = {indicator.code: index for index, indicator in enumerate(INDICATORS)}


_PARTS = {"numerator": "Numerator", "denominator": "Denominator"}


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
    return safe_cell(value)


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
    workbook.remove(workbook.worksheets[0])  # the empty sheet a new workbook starts with
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
    return workbook_bytes(workbook)
