"""Checking a return read from a file (`submissions.returnfile.Table`).

Every error is collected, never only the first, and each names its place: sheet, row number as the
spreadsheet shows it, and column (the header name, or the column letter where no header applies).
The only early stops are a missing Return sheet, an empty sheet, and a header without every
required column (the rows cannot then be read reliably, so only the header errors are reported).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from submissions.returnfile import Formula, Place, Problem, Table, cell_text
from submissions.schema import (
    GROUPS,
    HEADER,
    MEASURES_BY_CODE,
    PAY_BANDS,
    SERVICE_LABELS,
    SERVICES,
    Counts,
    ReturnData,
    RowKey,
)
from submissions.validation.counts import CountError, parse_count
from submissions.validation.rules import count_problem, cross_field_problems, missing_rows, no_rows_problem
from submissions.xlsxreader import column_letter

#: Columns that are read past: the template puts guidance beside each measure.
IGNORED_COLUMNS = ("guidance",)
#: About sheet keys (normalised by the reader) that name the authority and the round.
ABOUT_CODE_KEYS = ("ons code", "authority code", "authority ons code", "ons")
ABOUT_ROUND_KEYS = ("round", "collection round")
#: The most problems reported for one file; the rest are counted (`Checked.omitted`). A file can hold
#: at most a few thousand cells, so this keeps the page, the errors CSV and the cache small (issue
#: 13, L2) while still showing a council far more than it can fix at once.
MAX_PROBLEMS = 100
#: Header errors after which the rows cannot be read.
_FATAL_HEADER_CODES = ("header_missing_column", "header_duplicate_column")


@dataclass
class Checked:
    """The result of `check_table`. `data` is complete and safe to store only when `errors` is empty.

    `data` holds the rows whose counts are all valid; `places` the file row number of each row read.
    """

    data: ReturnData
    errors: list[Problem]
    places: dict[RowKey, int] = field(default_factory=dict)
    #: Problems found beyond the first `MAX_PROBLEMS`, counted but not kept.
    omitted: int = 0


def check_table(table: Table, *, authority_code: str, round_label: str) -> Checked:
    """Check a table read from a file against spec section 2, reporting every error with its place
    (the first `MAX_PROBLEMS` of them, in file order, and how many more there were)."""
    checked = _check_table(table, authority_code=authority_code, round_label=round_label)
    if len(checked.errors) > MAX_PROBLEMS:
        checked.omitted = len(checked.errors) - MAX_PROBLEMS
        checked.errors = checked.errors[:MAX_PROBLEMS]
    return checked


def _check_table(table: Table, *, authority_code: str, round_label: str) -> Checked:
    errors = list(table.problems)
    if any(p.code == "missing_sheet" for p in errors):
        return Checked(data={}, errors=errors)
    errors += _about_problems(table, authority_code, round_label)
    if not table.header:
        return Checked(data={}, errors=[*errors, no_rows_problem(Place(table.sheet, None, None))])
    checker = _TableChecker(table, errors)
    return checker.run()


def _normalise(value: object) -> str:
    return cell_text(value).lower()


class _TableChecker:
    """Walks the header and rows of one table, collecting errors, data and row numbers."""

    def __init__(self, table: Table, errors: list[Problem]) -> None:
        self.table = table
        self.errors = errors
        self.columns: dict[str, int] = {}  # header name -> 0-based position
        self.counts: dict[RowKey, Counts] = {}
        self.places: dict[RowKey, int] = {}
        self.filled: set[str] = set()  # services with at least one count cell filled in

    def run(self) -> Checked:
        self.check_header()
        if any(p.code in _FATAL_HEADER_CODES for p in self.errors):
            return Checked(data={}, errors=self.errors)
        if not self.table.rows:
            return Checked(
                data={}, errors=[*self.errors, no_rows_problem(Place(self.table.sheet, None, None))]
            )
        for number, values in self.table.rows:
            self.check_row(number, values)
        blank = self.collapse_blank_services()
        for problem in missing_rows(key for key in self.places if key.service not in blank):
            self.errors.append(replace(problem, place=Place(self.table.sheet, None, None)))
        for problem in cross_field_problems(self.counts):
            row = self.places[problem.key]  # type: ignore[index]  # cross-field problems name their row
            self.errors.append(replace(problem, place=self.place(row, problem.group or "")))
        data = {key: counts for key, counts in self.counts.items() if len(counts) == len(GROUPS)}
        return Checked(data=data, errors=self.errors, places=self.places)

    def collapse_blank_services(self) -> set[str]:
        """A service whose every count is blank (say, left in the template) gets one error, not 48."""
        blank = {key.service for key in self.places} - self.filled
        if not blank:
            return blank
        self.errors[:] = [
            p for p in self.errors if not (p.code == "count_blank" and p.key and p.key.service in blank)
        ]
        for service in (s for s in SERVICES if s in blank):
            label = SERVICE_LABELS[service].lower()
            first = min(row for key, row in self.places.items() if key.service == service)
            self.add(
                "service_blank",
                f"Every count for {label} is blank.",
                f"If you do not submit {label}, delete all its rows. Otherwise enter a whole number of 0 or "
                "more in every count cell.",
                Place(self.table.sheet, first, None),
            )
        return blank

    def place(self, row: int, column: str) -> Place:
        """A cell's place: named by its header, with the spreadsheet reference."""
        letter = column_letter(self.columns[column] + 1)
        return Place(self.table.sheet, row, column, cell=f"{letter}{row}")

    def add(self, code: str, message: str, fix: str, place: Place, key: RowKey | None = None) -> None:
        self.errors.append(Problem(code, message, fix, place=place, key=key))

    # Header ---------------------------------------------------------------------------------------

    def check_header(self) -> None:
        table = self.table
        width = max([len(table.header), *(len(values) for _, values in table.rows)])
        for position in range(width):
            raw = table.header[position] if position < len(table.header) else ""
            name = _normalise(raw)
            letter = column_letter(position + 1)
            place = Place(table.sheet, table.header_row, raw or letter, cell=f"{letter}{table.header_row}")
            if name in IGNORED_COLUMNS:
                continue
            if name in self.columns:
                self.add(
                    "header_duplicate_column", f"There are two {name} columns.", "Delete one of them.", place
                )
            elif name in HEADER:
                self.columns[name] = position
            elif name:
                self.add("header_unknown_column", *_unknown_column_text(raw), place)
            elif self.column_has_values(position):
                self.add(
                    "column_without_heading",
                    f"Column {letter} has figures in it but no heading.",
                    "Delete the column, or move its figures into the right column.",
                    place,
                )
        for name in HEADER:
            if name not in self.columns:
                self.add(
                    "header_missing_column",
                    f"The header row has no {name} column.",
                    f"Add the {name} column. The header row must have these columns: {', '.join(HEADER)}.",
                    Place(table.sheet, table.header_row, None),
                )

    def column_has_values(self, position: int) -> bool:
        return any(position < len(values) and cell_text(values[position]) for _, values in self.table.rows)

    # Rows -----------------------------------------------------------------------------------------

    def value(self, values: list[object], name: str) -> object:
        position = self.columns[name]
        return values[position] if position < len(values) else None

    def check_row(self, number: int, values: list[object]) -> None:
        key = self.row_key(number, values)
        if key is None:
            return
        if key in self.places:
            first = self.places[key]
            self.add(
                "duplicate_row",
                f"This row repeats row {first} ({key}).",
                f"Delete row {number} or row {first}, keeping the one with the right figures.",
                Place(self.table.sheet, number, None),
                key,
            )
            return
        self.places[key] = number
        self.counts[key] = {}
        for group in GROUPS:
            raw = self.value(values, group)
            if cell_text(raw):
                self.filled.add(key.service)
            try:
                self.counts[key][group] = parse_count(raw)
            except CountError as error:
                if error.code != "formula":  # the reader has reported it already, at the same cell
                    self.errors.append(count_problem(error, key, group, self.place(number, group)))

    def row_key(self, number: int, values: list[object]) -> RowKey | None:
        """The row's service, measure and pay band; None (with the errors recorded) if any is not valid."""
        service = self.name(number, values, "service", SERVICES)
        measure = self.name(number, values, "measure", tuple(MEASURES_BY_CODE))
        band = self.pay_band(number, values, measure)
        if service is None or measure is None or band is None:
            return None
        return RowKey(service, measure, band)

    def name(self, number: int, values: list[object], column: str, allowed: tuple[str, ...]) -> str | None:
        raw = self.value(values, column)
        if isinstance(raw, Formula):
            return None
        if (text := _normalise(raw)) in allowed:
            return text
        what = f'"{cell_text(raw)}" is not a {column} in the return.' if text else f"The {column} is blank."
        self.add(
            f"unknown_{column}", what, f"Enter one of: {', '.join(allowed)}.", self.place(number, column)
        )
        return None

    def pay_band(self, number: int, values: list[object], measure: str | None) -> str | None:
        """Blank for every measure except headcount_band, which needs lower, middle or upper."""
        raw = self.value(values, "pay_band")
        band = _normalise(raw)
        if measure is None or isinstance(raw, Formula):
            return None
        place = self.place(number, "pay_band")
        if measure == "headcount_band" and band not in PAY_BANDS:
            what = f'"{cell_text(raw)}" is not a pay band.' if band else "The pay band is blank."
            code = "unknown_pay_band" if band else "missing_pay_band"
            self.add(
                code, what, f"Enter the pay band of this headcount_band row: {', '.join(PAY_BANDS)}.", place
            )
            return None
        if measure != "headcount_band" and band:
            self.add(
                "unexpected_pay_band",
                f"The {measure} row has a pay band ({cell_text(raw)}), but only headcount_band rows "
                "have one.",
                "Delete the pay band from this row.",
                place,
            )
            return None
        return band


def _unknown_column_text(raw: str) -> tuple[str, str]:
    guess = re.sub(r"[\s\-]+", "_", _normalise(raw))
    hint = f' If it is the {guess} column, rename it "{guess}".' if guess in HEADER else ""
    return (
        f'The column "{raw}" is not part of the return.',
        f"Delete the column.{hint} The columns are: {', '.join(HEADER)}.",
    )


def _about_problems(table: Table, authority_code: str, round_label: str) -> list[Problem]:
    """An About sheet that names an authority or round must name the ones being uploaded to."""
    if not table.about:
        return []
    problems = []
    for keys, expected, code, what in (
        (ABOUT_CODE_KEYS, authority_code, "about_authority", "ONS code"),
        (ABOUT_ROUND_KEYS, round_label, "about_round", "round"),
    ):
        found = next((k for k in keys if table.about.get(k)), None)
        if found is None or table.about[found].upper() == str(expected).strip().upper():
            continue
        row = table.about_rows.get(found)
        problems.append(
            Problem(
                code,
                f"The About sheet gives the {what} {table.about[found]}, but this return is for "
                f"{what} {expected}.",
                f"Check you are uploading the right file. If the figures are for this return, change "
                f"the {what} on the About sheet to {expected}, or download a new template.",
                place=Place("About", row, "B", cell=f"B{row}"),
            )
        )
    return problems
