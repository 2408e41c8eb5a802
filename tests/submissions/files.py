"""Build return files for tests: a complete valid return as rows, written as CSV or XLSX bytes."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, cast

from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet

if TYPE_CHECKING:
    # What a cell may be given (str, number, date, formula...): the tests' rows hold only these.
    from openpyxl.cell import _CellSetValue as CellValue

from submissions.schema import GROUPS, HEADER, ReturnData, RowKey

# service -> measure (or "headcount_band:<band>") -> (white, minority_ethnic, unknown)
FIGURES: dict[str, dict[str, tuple[int, int, int]]] = {
    # The spec's worked example for adults, completed with plausible figures that pass every rule.
    "adults": {
        "headcount": (812, 143, 21),
        "headcount_band:lower": (402, 88, 10),
        "headcount_band:middle": (371, 51, 9),
        "headcount_band:upper": (39, 4, 2),
        "shortlisted": (310, 164, 7),
        "appointed": (96, 31, 1),
        "disciplinary": (12, 5, 0),
        "regulated_headcount": (220, 60, 4),
        "ftp_referrals": (2, 1, 0),
        "cpd": (300, 45, 5),
        "survey_respondents": (400, 80, 6),
        "harassed_by_public": (120, 30, 2),
        "harassed_by_colleagues": (60, 18, 1),
        "harassed_by_managers": (40, 12, 1),
        "leavers": (90, 20, 3),
        "senior_managers": (30, 3, 1),
    },
    "children": {
        "headcount": (640, 210, 15),
        "headcount_band:lower": (300, 110, 8),
        "headcount_band:middle": (320, 92, 6),
        "headcount_band:upper": (20, 8, 1),
        "shortlisted": (250, 190, 10),
        "appointed": (80, 45, 2),
        "disciplinary": (8, 6, 0),
        "regulated_headcount": (300, 90, 5),
        "ftp_referrals": (3, 2, 0),
        "cpd": (220, 70, 4),
        "survey_respondents": (350, 120, 7),
        "harassed_by_public": (100, 40, 2),
        "harassed_by_colleagues": (50, 20, 1),
        "harassed_by_managers": (35, 15, 1),
        "leavers": (70, 30, 2),
        "senior_managers": (25, 5, 1),
    },
}


def valid_rows(services: Iterable[str] = ("adults", "children")) -> list[list[object]]:
    """A complete valid return: the header, then 16 rows per service. `rows[i]` is file row i + 1."""
    rows: list[list[object]] = [list(HEADER)]
    for service in services:
        for name, counts in FIGURES[service].items():
            measure, _, band = name.partition(":")
            rows.append([service, measure, band, *counts])
    return rows


def valid_data(services: Iterable[str] = ("adults", "children")) -> ReturnData:
    """The same return as typed data."""
    data: ReturnData = {}
    for service in services:
        for name, counts in FIGURES[service].items():
            measure, _, band = name.partition(":")
            data[RowKey(service, measure, band)] = dict(zip(GROUPS, counts, strict=True))
    return data


def file_row(rows: list[list[object]], service: str, measure: str, band: str = "") -> int:
    """The file row number (header = 1) of a row in `rows`."""
    for index, row in enumerate(rows):
        if row[:3] == [service, measure, band]:
            return index + 1
    raise LookupError((service, measure, band))


def set_count(
    rows: list[list[object]], service: str, measure: str, group: str, value: object, band: str = ""
) -> int:
    """Change one count in place; returns its file row number."""
    number = file_row(rows, service, measure, band)
    rows[number - 1][HEADER.index(group)] = value
    return number


def csv_bytes(
    rows: list[list[object]], *, encoding: str = "utf-8", bom: bool = False, newline: str = "\r\n"
) -> bytes:
    """Rows as a CSV file, quoted where needed; None is an empty cell."""
    out = io.StringIO()
    csv.writer(out, lineterminator=newline).writerows(rows)
    return (b"\xef\xbb\xbf" if bom else b"") + out.getvalue().encode(encoding)


def xlsx_bytes(
    rows: Sequence[Sequence[object]],
    *,
    about: Sequence[tuple[object, object]] | None = None,
    sheet_name: str = "Return",
    formulas: dict[str, object] | None = None,
    extra_sheets: Iterable[str] = (),
) -> bytes:
    """Rows on a worksheet (None is an empty cell, so [None] is a truly blank row).

    `about` adds an About sheet of key/value rows; `formulas` maps cell references ("D5") on the
    return sheet to formulas ("=1+1").
    """
    workbook = Workbook()
    sheet = workbook.active
    assert isinstance(sheet, Worksheet)
    sheet.title = sheet_name
    for number, row in enumerate(rows, start=1):
        for column, value in enumerate(row, start=1):
            if value is not None:
                sheet.cell(row=number, column=column, value=cast("CellValue", value))
    for ref, formula in (formulas or {}).items():
        sheet[ref] = cast("CellValue", formula)
    if about is not None:
        about_sheet = workbook.create_sheet("About", 0)
        for key, value in about:
            about_sheet.append([key, value])
    for name in extra_sheets:
        workbook.create_sheet(name)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def rezip(
    content: bytes, *, add: dict[str, bytes] | None = None, replace: dict[str, bytes] | None = None
) -> bytes:
    """An XLSX with members added or replaced."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(content)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for item in source.infolist():
            target.writestr(item.filename, (replace or {}).get(item.filename, source.read(item.filename)))
        for name, data in (add or {}).items():
            target.writestr(name, data)
    return out.getvalue()
