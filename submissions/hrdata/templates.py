"""The extract template councils give their HR officer: the columns of each extract, the values
each accepts, two example rows, and guidance in plain English. One workbook (XLSX) with every
extract, or one CSV per extract. Built from `vocabulary`, so it says what the page's reader does."""

from __future__ import annotations

import csv
import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.worksheet import Worksheet

from submissions.hrdata.vocabulary import CENSUS_2011, CENSUS_2021, EXTRACTS, NHS_CODES, UNKNOWN_VALUES, Field
from submissions.models import CollectionRound
from submissions.template_files import escape_text

_BOLD = Font(bold=True)
_WRAP = Alignment(wrap_text=True, vertical="top")

#: The columns each template shows (the main way of giving each field; the guidance lists the rest).
TEMPLATE_COLUMNS: dict[str, tuple[str, ...]] = {
    "staff": (
        "service",
        "ethnicity",
        "in_post_at_snapshot",
        "annual_salary_fte",
        "regulated_professional",
        "senior_manager",
        "entered_disciplinary",
        "referred_ftp",
        "funded_cpd",
        "left_in_period",
    ),
    "recruitment": ("service", "ethnicity", "appointed"),
    "survey": (
        "service",
        "ethnicity",
        "harassed_by_public",
        "harassed_by_colleagues",
        "harassed_by_managers",
    ),
}
EXAMPLES: dict[str, tuple[tuple[str, ...], ...]] = {
    "staff": (
        (
            "Adult Social Care",
            "White: English, Welsh, Scottish, Northern Irish or British",
            "Y",
            "34500",
            "Y",
            "N",
            "N",
            "N",
            "Y",
            "N",
        ),
        (
            "Children's Social Care",
            "Asian, Asian British or Asian Welsh: Indian",
            "N",
            "41000",
            "Y",
            "N",
            "N",
            "N",
            "N",
            "Y",
        ),
    ),
    "recruitment": (
        ("Adult Social Care", "Black, Black British, Black Welsh, Caribbean or African: African", "Y"),
        ("Children's Social Care", "Prefer not to say", "N"),
    ),
    "survey": (
        ("Adult Social Care", "Mixed or Multiple ethnic groups: White and Asian", "Y", "N", ""),
        ("Children's Social Care", "White: Irish", "N", "N", "N"),
    ),
}

INTRODUCTION = (
    "Your council's programme lead uses these extracts to build its Social Care Workforce Race "
    "Equality Standard (SC-WRES) return. The extracts are read by the lead's own web browser and "
    "counted there: no row, name, employee number, date of birth or salary is sent to the WRES "
    "Portal or to Skills for Care. Only the totals by service and ethnic group are sent, after the "
    "lead has checked them.",
    "Please give the lead up to three files, as CSV (UTF-8) or Excel workbooks (.xlsx), with one "
    "header row and then one row per person: a staff extract, a recruitment extract and, if your "
    "council runs its own staff survey, a survey extract. Column names do not need to match exactly "
    "(the page suggests a column for each field and the lead confirms it), and other columns, such "
    "as employee number or job title, are ignored.",
    "Type values, not formulas. Each file can be up to 100 MB, with up to 200,000 rows.",
)


def _round_facts(collection_round: CollectionRound) -> tuple[str, ...]:
    return (
        f"Reporting period: {collection_round.period_label}.",
        f"Snapshot date: {collection_round.snapshot_date:%-d %B %Y}.",
        "Staff extract: everyone employed by the council in adult or children's social care at any time "
        "in the reporting period, including people who left during it.",
        "Recruitment extract: every candidate shortlisted in the reporting period, one row each.",
        "Survey extract: one row per person who answered the staff survey (or give the lead the survey "
        "provider's summary instead).",
    )


def _ethnicity_lines() -> list[str]:
    lines = ["Census 2021 categories (use the heading and category, for example 'White: Irish'):"]
    for heading, _, categories in CENSUS_2021:
        lines.extend(f"  {heading}: {c}" for c in categories)
    lines.append("Census 2011 categories are accepted too:")
    for heading, _, categories in CENSUS_2011:
        lines.extend(f"  {heading}: {c}" for c in categories)
    lines.append(
        "NHS ethnic category codes are accepted: " + ", ".join(f"{c} ({d})" for c, d, _ in NHS_CODES) + "."
    )
    lines.append("Blank, " + ", ".join(f"'{v}'" for v in UNKNOWN_VALUES if v) + " are counted as unknown.")
    lines.append(
        "Any other code or label is fine: the lead says once what it means, and the portal remembers it."
    )
    return lines


def guidance_sections(collection_round: CollectionRound) -> list[tuple[str, list[str]]]:
    """The guidance as (heading, paragraphs), for the workbook's Guidance sheet and the web page."""
    return [
        ("What this is for", list(INTRODUCTION)),
        ("What each extract covers", list(_round_facts(collection_round))),
        ("Ethnicity values", _ethnicity_lines()),
        (
            "Yes or no columns",
            [
                "Y or N, yes or no, true or false, 1 or 0, in any mix of capitals.",
                "Blank means no, except 'in post at snapshot', which must never be blank.",
                "For disciplinary, fitness-to-practise referral, CPD and leaving, the date it happened "
                "can be given instead: a date in the reporting period counts as yes.",
                "In the survey, blank means the person did not answer that question.",
            ],
        ),
        (
            "Instead of some columns",
            [
                "In place of in_post_at_snapshot: start_date and end_date (end date blank if still "
                "employed).",
                "In place of annual_salary_fte: pay_band, with lower (under £30,000), middle (£30,000 to "
                "£69,999) or upper (£70,000 and over).",
                "In place of left_in_period: leaving_date (it can be the same column as end_date).",
                "Dates like 31/03/2025, 31-03-2025, 31 March 2025 or 2025-03-31 (day first).",
            ],
        ),
    ]


def extract_tables() -> list[dict[str, object]]:
    """Each extract's fields, for the guidance page and the workbook."""
    return [
        {
            "key": key,
            "label": label,
            "fields": fields,
            "columns": TEMPLATE_COLUMNS[key],
            "examples": EXAMPLES[key],
        }
        for key, (label, fields) in EXTRACTS.items()
    ]


def csv_template(extract: str) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(TEMPLATE_COLUMNS[extract])
    writer.writerows(EXAMPLES[extract])
    return out.getvalue()


def _field_rows(fields: tuple[Field, ...]) -> list[list[str]]:
    return [[f.code, f.label, f.meaning, f.values] for f in fields]


def xlsx_template(collection_round: CollectionRound) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    if not isinstance(sheet, Worksheet):  # a new workbook starts with one plain worksheet
        raise TypeError(f"unexpected first sheet {sheet!r}")
    sheet.title = "Guidance"
    sheet.append([f"SC-WRES {collection_round.label}: HR extracts for the return"])
    sheet.cell(row=1, column=1).font = Font(bold=True, size=15)
    for heading, lines in guidance_sections(collection_round):
        sheet.append([])
        sheet.append([heading])
        sheet.cell(row=sheet.max_row, column=1).font = Font(bold=True, size=13)
        for line in lines:
            sheet.append([escape_text(line)])
    sheet.column_dimensions["A"].width = 120
    for row in sheet.iter_rows():
        row[0].alignment = _WRAP
    for table in extract_tables():
        data = workbook.create_sheet(str(table["label"]))
        data.append(list(table["columns"]))  # type: ignore[call-overload]
        for cell in data[1]:
            cell.font = _BOLD
        for example in table["examples"]:  # type: ignore[attr-defined]
            data.append([escape_text(v) for v in example])
        for column in range(1, len(table["columns"]) + 1):  # type: ignore[arg-type]
            data.cell(row=1, column=column).alignment = _WRAP
            data.column_dimensions[data.cell(row=1, column=column).column_letter].width = 22
        data.freeze_panes = "A2"
    values = workbook.create_sheet("Columns and values")
    values.append(["extract", "column", "what it is", "meaning", "allowed values"])
    for cell in values[1]:
        cell.font = _BOLD
    for table in extract_tables():
        for field_row in _field_rows(table["fields"]):  # type: ignore[arg-type]
            values.append([str(table["label"]), *field_row])
    for letter, width in zip("ABCDE", (20, 24, 32, 70, 50), strict=True):
        values.column_dimensions[letter].width = width
    for row in values.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = _WRAP
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
