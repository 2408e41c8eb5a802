"""Return templates: the XLSX and CSV files councils download, fill in and upload again."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from submissions.returnfile import read_return_file
from submissions.schema import GROUPS, HEADER, MAX_COUNT, MEASURES, all_row_keys
from submissions.template_files import csv_template, escape_text, to_dataset, xlsx_template
from submissions.validation import Checked, check_table
from tests.submissions.files import FIGURES, valid_data

CODE, ROUND = "E09000022", "2025"


def _xlsx(**overrides: object) -> bytes:
    arguments: dict[str, object] = {
        "authority_name": "Lambeth",
        "ons_code": CODE,
        "round_label": ROUND,
        "period": "1 April 2024 to 31 March 2025",
        "snapshot_date": "31 March 2025",
        "closes_on": "30 June 2025",
    }
    return xlsx_template(**{**arguments, **overrides})  # type: ignore[arg-type]


def _check(filename: str, content: bytes, code: str = CODE) -> Checked:
    return check_table(read_return_file(filename, content), authority_code=code, round_label=ROUND)


def _figures(service: str, measure: str, band: str) -> tuple[int, int, int]:
    return FIGURES[service][f"{measure}:{band}" if band else measure]


# XLSX ------------------------------------------------------------------------------------------------


def test_xlsx_has_the_three_sheets() -> None:
    workbook = load_workbook(io.BytesIO(_xlsx()))
    assert workbook.sheetnames == ["About", "Return", "Guidance"]


def test_xlsx_about_sheet_names_the_return() -> None:
    about = load_workbook(io.BytesIO(_xlsx()))["About"]
    facts = {row[0]: row[1] for row in about.iter_rows(values_only=True) if row[1] is not None}
    assert facts == {
        "Authority": "Lambeth",
        "ONS code": CODE,
        "Round": ROUND,
        "Reporting period": "1 April 2024 to 31 March 2025",
        "Snapshot date": "31 March 2025",
        "Closing date": "30 June 2025",
    }
    text = " ".join(str(row[0]) for row in about.iter_rows(values_only=True) if row[0])
    assert "Do not change the ONS code or round" in text


def test_xlsx_return_sheet_has_the_header_and_every_row() -> None:
    sheet = load_workbook(io.BytesIO(_xlsx()))["Return"]
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == [*HEADER, "guidance"]
    assert [(r[0], r[1], r[2] or "") for r in rows[1:]] == [
        (k.service, k.measure, k.pay_band) for k in all_row_keys()
    ]
    assert all(r[3:6] == (None, None, None) for r in rows[1:])
    assert rows[1][6] == MEASURES[0].guidance
    assert str(rows[2][6]).startswith("Lower (under £30,000).")
    assert all(cell.font.bold for cell in sheet[1])
    assert sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["G"].width > 40


def test_xlsx_count_cells_have_whole_number_validation() -> None:
    sheet = load_workbook(io.BytesIO(_xlsx()))["Return"]
    [validation] = sheet.data_validations.dataValidation
    assert validation.type == "whole"
    assert validation.operator == "between"
    assert (validation.formula1, validation.formula2) == ("0", str(MAX_COUNT))
    assert str(validation.sqref) == "D2:F33"
    assert validation.showErrorMessage
    assert validation.error.startswith("Enter a whole number from 0 to 10,000,000")


def test_xlsx_guidance_sheet_explains_measures_groups_bands_and_checks() -> None:
    sheet = load_workbook(io.BytesIO(_xlsx()))["Guidance"]
    text = "\n".join(str(v) for row in sheet.iter_rows(values_only=True) for v in row if v is not None)
    for measure in MEASURES:
        assert measure.code in text
        assert measure.guidance in text
    for phrase in (
        "Gypsy or Irish Traveller",
        "prefer not to say",
        "Upper (£70,000 and over)",
        "Appointed is not more than shortlisted",
        "pay bands add up to the headcount",
        "If you do not submit a service, delete all its rows",
    ):
        assert phrase in text


def test_filled_xlsx_template_passes_validation() -> None:
    workbook = load_workbook(io.BytesIO(_xlsx()))
    sheet = workbook["Return"]
    for row in sheet.iter_rows(min_row=2):
        service, measure, band = str(row[0].value), str(row[1].value), str(row[2].value or "")
        for cell, value in zip(row[3:6], _figures(service, measure, band), strict=True):
            cell.value = value
    out = io.BytesIO()
    workbook.save(out)
    checked = _check("wres-return.xlsx", out.getvalue())
    assert checked.errors == []
    assert checked.data == valid_data()


def test_blank_xlsx_template_asks_for_figures_or_deleted_services() -> None:
    checked = _check("wres-return.xlsx", _xlsx())
    assert [p.code for p in checked.errors] == ["service_blank", "service_blank"]


def test_xlsx_template_refuses_upload_to_another_authority() -> None:
    checked = _check("wres-return.xlsx", _xlsx(data=valid_data()), code="E08000035")
    assert [p.code for p in checked.errors] == ["about_authority"]


def test_xlsx_prefilled_from_a_draft_writes_numbers_and_round_trips() -> None:
    content = _xlsx(data=valid_data(["adults"]))
    sheet = load_workbook(io.BytesIO(content))["Return"]
    assert [c.value for c in sheet[2][3:6]] == [812, 143, 21]
    assert all(c.data_type == "n" for c in sheet[2][3:6])
    assert sheet[18][0].value == "children"
    assert sheet[18][3].value is None
    checked = _check("wres-return.xlsx", content)
    assert [p.code for p in checked.errors] == ["service_blank"]


def test_xlsx_escapes_text_that_a_spreadsheet_would_run() -> None:
    content = _xlsx(authority_name='=HYPERLINK("http://evil.example","Lambeth")', period="+1 year")
    about = load_workbook(io.BytesIO(content))["About"]
    assert about["B1"].value == '\'=HYPERLINK("http://evil.example","Lambeth")'
    assert about["B1"].data_type == "s"
    assert about["B4"].value == "'+1 year"


@pytest.mark.parametrize(
    ("text", "escaped"),
    [("=1+1", "'=1+1"), ("+44", "'+44"), ("-2", "'-2"), ("@SUM(A1)", "'@SUM(A1)"), ("\tx", "'\tx"),
     ("\rx", "'\rx"), ("Lambeth", "Lambeth"), ("", "")],
)  # fmt: skip
def test_escape_text(text: str, escaped: str) -> None:
    assert escape_text(text) == escaped


# CSV -------------------------------------------------------------------------------------------------


def test_csv_template_has_the_header_and_every_row_with_blank_counts() -> None:
    rows = list(csv.reader(io.StringIO(csv_template())))
    assert rows[0] == list(HEADER)
    assert [tuple(r[:3]) for r in rows[1:]] == [(k.service, k.measure, k.pay_band) for k in all_row_keys()]
    assert all(r[3:] == ["", "", ""] for r in rows[1:])


def test_filled_csv_template_passes_validation() -> None:
    rows = list(csv.reader(io.StringIO(csv_template())))
    for row in rows[1:]:
        row[3:] = [str(v) for v in _figures(row[0], row[1], row[2])]
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    checked = _check("wres-return.csv", out.getvalue().encode("utf-8"))
    assert checked.errors == []
    assert checked.data == valid_data()


def test_csv_template_prefilled_from_a_draft_round_trips() -> None:
    text = csv_template(valid_data())
    assert text.splitlines()[1] == "adults,headcount,,812,143,21"
    checked = _check("wres-return.csv", text.encode("utf-8"))
    assert checked.errors == []
    assert checked.data == valid_data()


def test_dataset_has_the_same_rows() -> None:
    dataset = to_dataset(valid_data(["adults"]))
    assert dataset.headers == list(HEADER)
    assert len(dataset) == 32
    assert dataset[0] == ("adults", "headcount", "", 812, 143, 21)
    assert dataset[16][len(HEADER) - len(GROUPS) :] == (None, None, None)
