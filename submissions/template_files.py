"""Blank (or pre-filled) return templates for councils to download: XLSX, CSV and a tablib Dataset.

The XLSX workbook has three sheets:

- `About`: the authority, ONS code, round and dates. `check_table` refuses an upload whose About
  sheet names another authority or round, so a template cannot be uploaded to the wrong return.
- `Return`: the header row (`schema.HEADER`), one row per service and measure, and a `guidance`
  column beside each measure. The validator ignores a column headed `guidance`; every other unknown
  column is an error. Count cells carry whole-number data validation from 0 to 10,000,000.
- `Guidance`: what each measure and group means, the pay bands, the checks applied on upload, and
  how to leave out a service.

Counts are always written as numbers, never as text. Text we did not write ourselves (the authority
name, dates) is escaped so a spreadsheet never runs it as a formula.
"""

from __future__ import annotations

import tablib
from django.http import HttpResponse
from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from submissions.access import ReturnContext
from submissions.schema import (
    GROUP_LABELS,
    GROUPS,
    HEADER,
    MAX_COUNT,
    MEASURES,
    MEASURES_BY_CODE,
    PAY_BAND_LABELS,
    SERVICE_LABELS,
    SERVICES,
    ReturnData,
    RowKey,
    all_row_keys,
)
from wres_portal.downloads import CSV, XLSX, attachment, csv_text, safe_cell, workbook_bytes

GUIDANCE_COLUMN = "guidance"
_BOLD = Font(bold=True)
_WRAP = Alignment(wrap_text=True, vertical="top")

GROUPS_TEXT = (
    (
        "white",
        "The White census categories: English, Welsh, Scottish, Northern Irish or British; Irish; "
        "Gypsy or Irish Traveller; Roma; any other White background.",
    ),
    ("minority_ethnic", "Every other stated ethnic category."),
    (
        "unknown",
        "Not stated, prefer not to say, or not recorded. Collected and reported as a data-quality "
        "figure; never used in a rate or ratio.",
    ),
)
CHECKS_TEXT = (
    "Every count is a whole number of 0 or more, and at most 10,000,000. Type numbers, not formulas.",
    "Every measure of a service you submit has a row, and no row appears twice.",
    "The lower, middle and upper pay bands add up to the headcount, for each group.",
    "Appointed is not more than shortlisted.",
    "Disciplinary, CPD, leavers, senior managers and regulated professionals are each not more than "
    "the headcount.",
    "Fitness-to-practise referrals are not more than regulated professionals.",
    "Each harassment count is not more than survey respondents.",
    "The ONS code and round on the About sheet match the return you upload to.",
    "If any check fails, nothing is saved: the upload page lists every problem with its sheet, row "
    "and column.",
)
WARNINGS_TEXT = (
    "Warnings do not stop an upload, but you must explain each one before you submit:",
    "ethnicity unknown for more than 10% of a service's headcount;",
    "headcount changed by more than 30% since the previous round;",
    "every event count of a service is 0;",
    "a result outside the range of 90% of councils in the previous round.",
)


def escape_text(value: str) -> str:
    """Stop a spreadsheet reading text as a formula (OWASP CSV injection): `downloads.safe_cell`."""
    return str(safe_cell(value))


def template_rows(data: ReturnData | None = None) -> list[list[object]]:
    """The data rows of a template: every row of both services, counts from `data` or blank."""
    rows: list[list[object]] = []
    for key in all_row_keys():
        counts = (data or {}).get(key, {})
        rows.append([key.service, key.measure, key.pay_band, *(counts.get(g) for g in GROUPS)])
    return rows


def _guidance(key: RowKey) -> str:
    text = MEASURES_BY_CODE[key.measure].guidance
    return f"{PAY_BAND_LABELS[key.pay_band]}. {text}" if key.pay_band else text


def xlsx_template(
    *,
    authority_name: str,
    ons_code: str,
    round_label: str,
    period: str,
    snapshot_date: str,
    closes_on: str,
    data: ReturnData | None = None,
) -> bytes:
    """The XLSX template for one authority and round; `data` pre-fills the counts (a draft)."""
    workbook = Workbook()
    about = workbook.active
    if not isinstance(about, Worksheet):  # a new workbook starts with one plain worksheet
        raise TypeError(f"unexpected first sheet {about!r}")
    about.title = "About"
    _write_about(
        about,
        [
            ("Authority", authority_name),
            ("ONS code", ons_code),
            ("Round", round_label),
            ("Reporting period", period),
            ("Snapshot date", snapshot_date),
            ("Closing date", closes_on),
        ],
    )
    _write_return(workbook.create_sheet("Return"), data)
    _write_guidance(workbook.create_sheet("Guidance"))
    workbook.active = 1
    return workbook_bytes(workbook)


def _write_about(sheet: Worksheet, facts: list[tuple[str, str]]) -> None:
    for label, value in facts:
        sheet.append([label, escape_text(str(value))])
        sheet.cell(row=sheet.max_row, column=1).font = _BOLD
    sheet.append([])
    sheet.append(
        ["Do not change the ONS code or round: an upload is refused if they do not match the return."]
    )
    sheet.append(["Enter your figures on the Return sheet. The Guidance sheet explains each measure."])
    sheet.column_dimensions["A"].width = 20
    sheet.column_dimensions["B"].width = 40


def _write_return(sheet: Worksheet, data: ReturnData | None) -> None:
    sheet.append([*HEADER, GUIDANCE_COLUMN])
    for cell in sheet[1]:
        cell.font = _BOLD
    for key, row in zip(all_row_keys(), template_rows(data), strict=True):
        sheet.append([*row, _guidance(key)])
    last = sheet.max_row
    first_count, last_count = get_column_letter(len(HEADER) - len(GROUPS) + 1), get_column_letter(len(HEADER))
    for cells in sheet.iter_rows(min_row=2, min_col=len(HEADER) - len(GROUPS) + 1, max_col=len(HEADER)):
        for cell in cells:
            cell.number_format = "0"
    sheet.add_data_validation(_count_validation(f"{first_count}2:{last_count}{last}"))
    for column, name in enumerate(HEADER, start=1):
        if name in GROUPS:
            sheet.cell(row=1, column=column).comment = Comment(
                f"{GROUP_LABELS[name]}: {_group_text(name)}", "WRES"
            )
    sheet.freeze_panes = "A2"
    for letter, width in zip("ABCDEFG", (12, 24, 10, 12, 16, 12, 90), strict=True):
        sheet.column_dimensions[letter].width = width


def _group_text(group: str) -> str:
    return dict(GROUPS_TEXT)[group]


def _count_validation(cells: str) -> DataValidation:
    validation = DataValidation(
        type="whole",
        operator="between",
        formula1="0",
        formula2=str(MAX_COUNT),
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="Enter a whole number",
        error=f"Enter a whole number from 0 to {MAX_COUNT:,}, like 12. Enter 0 if there are none.",
        showInputMessage=True,
        promptTitle="Count",
        prompt="A whole number of 0 or more. Type the number, not a formula.",
    )
    validation.add(cells)
    return validation


def _write_guidance(sheet: Worksheet) -> None:
    def heading(text: str) -> None:
        sheet.append([])
        sheet.append([text])
        sheet.cell(row=sheet.max_row, column=1).font = Font(bold=True, size=13)

    sheet.append(["How to complete the SC-WRES return"])
    sheet.cell(row=1, column=1).font = Font(bold=True, size=15)
    sheet.append(
        [
            "Enter whole numbers for each service you submit: one row per measure (and per pay band for "
            "headcount_band), with a count for each group. Do not add or rename columns; the "
            "guidance column may stay."
        ]
    )
    heading("Measures")
    sheet.append(["measure", "meaning", "metric"])
    for measure in MEASURES:
        sheet.append([measure.code, measure.guidance, measure.metric])
    heading("Groups")
    for group, text in GROUPS_TEXT:
        sheet.append([group, text])
    heading("Pay bands (headcount_band rows only; leave pay_band blank on every other row)")
    for band, label in PAY_BAND_LABELS.items():
        sheet.append([band, label])
    heading("Services")
    for service in SERVICES:
        sheet.append([service, SERVICE_LABELS[service]])
    sheet.append(
        [
            "If you do not submit a service, delete all its rows. Do not leave them blank: a blank count is "
            "an error."
        ]
    )
    heading("Checks applied when you upload")
    for text in CHECKS_TEXT:
        sheet.append([text])
    heading("Warnings")
    for text in WARNINGS_TEXT:
        sheet.append([text])
    sheet.column_dimensions["A"].width = 24
    sheet.column_dimensions["B"].width = 100
    for row in sheet.iter_rows(min_col=2, max_col=2):
        for cell in row:
            cell.alignment = _WRAP


def csv_template(data: ReturnData | None = None) -> str:
    """The CSV template: the header and every row of both services, counts from `data` or blank.

    Only the six columns of the spec, so the file is easy to fill by script as well as by hand.
    """
    return csv_text([HEADER, *template_rows(data)])


def to_dataset(data: ReturnData | None = None) -> tablib.Dataset:
    """The same rows as a tablib Dataset (the format uploads are read into), headers = `schema.HEADER`."""
    dataset = tablib.Dataset(headers=list(HEADER))
    for row in template_rows(data):
        dataset.append(row)
    return dataset


def template_download(ctx: ReturnContext, fmt: str) -> HttpResponse:
    """The return template for the council and round as a file (the page's and the API's download),
    pre-filled with the current version's figures when there is one."""
    version = ctx.record.current_version if ctx.record else None
    data = version.data() if version else None
    filename = f"wres-return-{ctx.round.label}-{ctx.authority.ons_code}"
    if fmt == "csv":
        return attachment(csv_template(data), f"{filename}.csv", CSV)
    content = xlsx_template(
        authority_name=ctx.authority.name,
        ons_code=ctx.authority.ons_code,
        round_label=ctx.round.label,
        period=ctx.round.period_label,
        snapshot_date=f"{ctx.round.snapshot_date:%-d %B %Y}",
        closes_on=f"{ctx.round.closes_on_for(ctx.authority):%-d %B %Y}",
        data=data,
    )
    return attachment(content, f"{filename}.xlsx", XLSX)
