"""Validation of returns (spec section 2): every error located, every warning, and upload previews."""

from __future__ import annotations

import datetime

import pytest

from submissions.returnfile import Place, Problem, read_return_file
from submissions.schema import HEADER, RowKey
from submissions.validation import (
    Change,
    Checked,
    CountError,
    MetricName,
    check_data,
    check_service,
    check_table,
    compute_warnings,
    diff,
    parse_count,
    warning_hint,
)
from tests.submissions.files import csv_bytes, file_row, set_count, valid_data, valid_rows, xlsx_bytes

CODE, ROUND = "E09000022", "2025"
FORMATS = [("csv", None), ("xlsx", "Return")]


def check(rows: list[list[object]], fmt: str = "csv", **xlsx: object) -> Checked:
    content = csv_bytes(rows) if fmt == "csv" else xlsx_bytes(rows, **xlsx)  # type: ignore[arg-type]
    return check_table(read_return_file(f"return.{fmt}", content), authority_code=CODE, round_label=ROUND)


def only(checked: Checked, code: str) -> Problem:
    """The one error of a check, which must have this code."""
    assert [p.code for p in checked.errors] == [code], [str(p) for p in checked.errors]
    return checked.errors[0]


def codes(checked: Checked) -> list[str]:
    return [p.code for p in checked.errors]


# A valid return ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("fmt", "sheet"), FORMATS)
def test_valid_return_has_no_errors(fmt: str, sheet: str | None) -> None:
    checked = check(valid_rows(), fmt)
    assert checked.errors == []
    assert checked.data == valid_data()
    assert checked.places[RowKey("adults", "headcount")] == 2
    assert checked.places[RowKey("children", "senior_managers")] == 33


def test_one_service_alone_is_valid() -> None:
    checked = check(valid_rows(["children"]))
    assert checked.errors == []
    assert {key.service for key in checked.data} == {"children"}


def test_names_are_matched_case_insensitively_ignoring_surrounding_spaces() -> None:
    rows = valid_rows()
    rows[0] = [" Service", "MEASURE ", " Pay_Band ", "White", " minority_ETHNIC", "Unknown "]
    rows[1][:2] = [" Adults ", "HeadCount "]
    rows[2][:3] = ["ADULTS", " headcount_band", " LOWER "]
    checked = check(rows)
    assert checked.errors == []
    assert checked.data == valid_data()


def test_columns_may_come_in_any_order() -> None:
    rows = [[row[5], row[4], row[3], row[2], row[1], row[0]] for row in valid_rows()]
    checked = check(rows)
    assert checked.errors == []
    assert checked.data == valid_data()


def test_guidance_column_is_ignored() -> None:
    rows = valid_rows()
    rows[0].append(" Guidance ")
    for row in rows[1:]:
        row.append("Anything at all, even = signs or 12.5")
    assert check(rows).errors == []


@pytest.mark.parametrize(
    "value",
    [812.0, "812", " 812 ", "812.0", "812.00", "\u00a0812"],
    ids=["float", "text", "spaces", "dot0", "dot00", "nbsp"],
)
def test_whole_numbers_in_any_spreadsheet_form_are_accepted(value: object) -> None:
    rows = valid_rows()
    set_count(rows, "adults", "headcount", "white", value)
    checked = check(rows, "xlsx")
    assert checked.errors == []
    assert checked.data[RowKey("adults", "headcount")]["white"] == 812


def test_thousands_separators_are_accepted() -> None:
    rows = valid_rows()
    for measure, value in (("headcount", "1,812"), ("headcount_band", "1,402")):
        set_count(
            rows, "adults", measure, "white", value, band="lower" if measure == "headcount_band" else ""
        )
    checked = check(rows)
    assert checked.errors == []
    assert checked.data[RowKey("adults", "headcount")]["white"] == 1812


def test_largest_count_is_accepted() -> None:
    rows = valid_rows()
    set_count(rows, "adults", "headcount", "white", 10_000_000)
    set_count(rows, "adults", "headcount_band", "white", 10_000_000 - 410, band="lower")
    assert check(rows, "xlsx").errors == []


# Header ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("fmt", "sheet"), FORMATS)
def test_missing_column(fmt: str, sheet: str | None) -> None:
    rows = [row[:4] + row[5:] for row in valid_rows()]
    problem = only(check(rows, fmt), "header_missing_column")
    assert problem.place == Place(sheet, 1, None)
    assert problem.message == "The header row has no minority_ethnic column."
    assert "Add the minority_ethnic column" in problem.fix


@pytest.mark.parametrize(("fmt", "sheet"), FORMATS)
def test_unknown_column(fmt: str, sheet: str | None) -> None:
    rows = valid_rows()
    rows[0].append("notes")
    rows[1].append("checked by HR")
    problem = only(check(rows, fmt), "header_unknown_column")
    assert problem.place == Place(sheet, 1, "notes")
    assert problem.place.cell == "G1"
    assert problem.message == 'The column "notes" is not part of the return.'
    assert problem.fix.startswith("Delete the column.")


def test_misspelt_column_gets_a_hint_and_is_missing() -> None:
    rows = valid_rows()
    rows[0][4] = "Minority Ethnic"
    checked = check(rows)
    assert codes(checked) == ["header_unknown_column", "header_missing_column"]
    assert checked.errors[0].place == Place(None, 1, "Minority Ethnic")
    assert 'rename it "minority_ethnic"' in checked.errors[0].fix


def test_duplicated_column() -> None:
    rows = valid_rows()
    rows[0].append("White")
    rows[1].append(1)
    problem = only(check(rows, "xlsx"), "header_duplicate_column")
    assert problem.place == Place("Return", 1, "White")
    assert problem.message == "There are two white columns."


def test_figures_in_a_column_without_heading() -> None:
    rows = valid_rows()
    rows[5].extend([None, 44])  # H6, two columns right of the header
    problem = only(check(rows, "xlsx"), "column_without_heading")
    assert problem.place == Place("Return", 1, "H")
    assert problem.message == "Column H has figures in it but no heading."


def test_wrong_header_row() -> None:
    rows = valid_rows()
    rows[0] = ["Service", "Measure", "Band", "W", "ME", "U"]
    checked = check(rows)
    assert codes(checked).count("header_unknown_column") == 4
    assert codes(checked).count("header_missing_column") == 4
    assert {p.place.row for p in checked.errors if p.place} == {1}


def test_header_only_has_no_rows() -> None:
    problem = only(check([list(HEADER)], "xlsx"), "no_rows")
    assert problem.place == Place("Return", None, None)
    assert problem.message == "The return has no figures in it."


def test_empty_sheet_has_no_rows() -> None:
    problem = only(check([], "xlsx", extra_sheets=["Notes"]), "no_rows")
    assert problem.place == Place("Return", None, None)


def test_missing_return_sheet_is_the_only_error() -> None:
    problem = only(check(valid_rows(), "xlsx", sheet_name="Figures", extra_sheets=["Notes"]), "missing_sheet")
    assert problem.message == 'The workbook has no sheet called Return. It has: "Figures", "Notes".'


# Row names -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("fmt", "sheet"), FORMATS)
def test_unknown_service(fmt: str, sheet: str | None) -> None:
    rows = valid_rows()
    rows[5][0] = "adult"
    checked = check(rows, fmt)
    problem = checked.errors[0]
    assert problem.code == "unknown_service"
    assert problem.place == Place(sheet, 6, "service")
    assert problem.place.cell == "A6"
    assert problem.message == '"adult" is not a service in the return.'
    assert problem.fix == "Enter one of: adults, children."
    # the row cannot be used, so the adults shortlisted row is missing too
    assert codes(checked) == ["unknown_service", "missing_row"]


def test_blank_service() -> None:
    rows = valid_rows()
    rows[5][0] = " "
    assert check(rows).errors[0].message == "The service is blank."


@pytest.mark.parametrize(("fmt", "sheet"), FORMATS)
def test_unknown_measure(fmt: str, sheet: str | None) -> None:
    rows = valid_rows()
    number = file_row(rows, "children", "cpd")
    rows[number - 1][1] = "training"
    problem = check(rows, fmt).errors[0]
    assert problem.code == "unknown_measure"
    assert problem.place == Place(sheet, number, "measure")
    assert problem.message == '"training" is not a measure in the return.'
    assert "senior_managers" in problem.fix


@pytest.mark.parametrize(("fmt", "sheet"), FORMATS)
def test_unknown_pay_band(fmt: str, sheet: str | None) -> None:
    rows = valid_rows()
    number = file_row(rows, "adults", "headcount_band", "middle")
    rows[number - 1][2] = "medium"
    problem = check(rows, fmt).errors[0]
    assert problem.code == "unknown_pay_band"
    assert problem.place == Place(sheet, number, "pay_band")
    assert problem.place.cell == f"C{number}"
    assert problem.message == '"medium" is not a pay band.'
    assert "lower, middle, upper" in problem.fix


def test_missing_pay_band() -> None:
    rows = valid_rows()
    rows[2][2] = ""
    problem = check(rows).errors[0]
    assert problem.code == "missing_pay_band"
    assert problem.place == Place(None, 3, "pay_band")
    assert problem.message == "The pay band is blank."


def test_pay_band_on_another_measure() -> None:
    rows = valid_rows()
    rows[1][2] = "lower"
    problem = check(rows, "xlsx").errors[0]
    assert problem.code == "unexpected_pay_band"
    assert problem.place == Place("Return", 2, "pay_band")
    assert problem.fix == "Delete the pay band from this row."


@pytest.mark.parametrize(("fmt", "sheet"), FORMATS)
def test_duplicated_row_names_the_row_it_repeats(fmt: str, sheet: str | None) -> None:
    rows = valid_rows()
    rows.append(["Adults", "appointed", "", 1, 2, 3])
    problem = only(check(rows, fmt), "duplicate_row")
    assert problem.place == Place(sheet, 34, None)
    assert problem.message == "This row repeats row 7 (Adult social care: appointed)."
    assert problem.fix == "Delete row 34 or row 7, keeping the one with the right figures."


@pytest.mark.parametrize(("fmt", "sheet"), FORMATS)
def test_missing_required_rows(fmt: str, sheet: str | None) -> None:
    rows = valid_rows()
    del rows[file_row(rows, "children", "cpd") - 1]
    del rows[file_row(rows, "adults", "headcount_band", "upper") - 1]
    checked = check(rows, fmt)
    assert codes(checked) == ["missing_row", "missing_row"]
    band, cpd = checked.errors
    assert band.place == cpd.place == Place(sheet, None, None)
    assert band.key == RowKey("adults", "headcount_band", "upper")
    assert band.message == "There is no row for Adult social care: headcount by pay band (upper pay band)."
    assert band.fix.startswith("Add a row with service adults, measure headcount_band, pay_band upper.")
    assert cpd.message == "There is no row for Children's social care: funded CPD."


def test_a_service_left_blank_gets_one_error() -> None:
    rows = valid_rows()
    for row in rows[17:]:
        row[3:] = ["", "", ""]
    problem = only(check(rows, "xlsx"), "service_blank")
    assert problem.place == Place("Return", 18, None)
    assert problem.message == "Every count for children's social care is blank."
    assert "delete all its rows" in problem.fix


# Counts ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "code", "message"),
    [
        ("", "count_blank", "the count is blank."),
        ("twelve", "count_not_number", '"twelve" is not a number.'),
        ("1,23", "count_not_number", '"1,23" is not a number.'),
        ("n/a", "count_not_number", '"n/a" is not a number.'),
        ("-3", "count_negative", "-3 is a negative number."),
        ("12.5", "count_not_whole", "12.5 is not a whole number."),
        ("10000001", "count_too_large", "10000001 is more than 10,000,000."),
    ],
)
def test_count_errors_in_csv(value: str, code: str, message: str) -> None:
    rows = valid_rows()
    number = set_count(rows, "children", "leavers", "minority_ethnic", value)
    problem = only(check(rows), code)
    assert problem.place == Place(None, number, "minority_ethnic")
    assert problem.place.cell == f"E{number}"
    assert problem.message == f"Children's social care: leavers, minority ethnic: {message}"
    assert problem.key == RowKey("children", "leavers")
    assert problem.group == "minority_ethnic"


@pytest.mark.parametrize(
    ("value", "code"),
    [
        (None, "count_blank"),
        (-1, "count_negative"),
        (12.5, "count_not_whole"),
        (10_000_001, "count_too_large"),
        (True, "count_not_number"),
        (datetime.datetime(2025, 3, 31), "count_not_number"),  # noqa: DTZ001 - a cell value
        ("#N/A", "count_not_number"),
    ],
)
def test_count_errors_in_xlsx(value: object, code: str) -> None:
    rows = valid_rows()
    number = set_count(rows, "adults", "leavers", "unknown", value)
    problem = only(check(rows, "xlsx"), code)
    assert problem.place == Place("Return", number, "unknown")
    assert problem.place.cell == f"F{number}"
    assert problem.fix.startswith(("Enter a whole number", "Check the number"))


def test_formula_is_reported_once_and_skips_the_rules_it_affects() -> None:
    rows = valid_rows()
    number = file_row(rows, "adults", "appointed")
    checked = check(rows, "xlsx", formulas={f"D{number}": "=90+6"})
    problem = only(checked, "formula")
    assert problem.place == Place("Return", number, "white")
    assert problem.place.cell == f"D{number}"
    assert problem.message == f"Cell D{number} contains a formula (=90+6)."


def test_cross_field_rules_wait_for_valid_counts() -> None:
    rows = valid_rows()
    set_count(rows, "adults", "shortlisted", "white", "lots")
    set_count(rows, "adults", "appointed", "white", 999)
    set_count(rows, "adults", "headcount_band", "white", "x", band="lower")
    assert codes(check(rows)) == ["count_not_number", "count_not_number"]


# Cross-field rules -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("fmt", "sheet"), FORMATS)
def test_appointed_more_than_shortlisted(fmt: str, sheet: str | None) -> None:
    rows = valid_rows()
    number = set_count(rows, "adults", "appointed", "minority_ethnic", 165)
    problem = only(check(rows, fmt), "appointed_over_shortlisted")
    assert problem.place == Place(sheet, number, "minority_ethnic")
    assert problem.place.cell == f"E{number}"
    assert (
        problem.message
        == "Adult social care, minority ethnic: appointed (165) is more than shortlisted (164)."
    )
    assert problem.fix.startswith("Check both figures: appointed cannot be more than shortlisted")
    assert (problem.key, problem.group) == (RowKey("adults", "appointed"), "minority_ethnic")


@pytest.mark.parametrize(
    "measure", ["disciplinary", "cpd", "leavers", "senior_managers", "regulated_headcount"]
)
def test_more_than_headcount(measure: str) -> None:
    rows = valid_rows()
    number = set_count(rows, "children", measure, "white", 641)
    problem = only(check(rows, "xlsx"), "over_headcount")
    assert problem.place == Place("Return", number, "white")
    assert "(641) is more than headcount (640)" in problem.message
    assert problem.message.startswith("Children's social care, white: ")


def test_ftp_referrals_more_than_regulated_professionals() -> None:
    rows = valid_rows()
    number = set_count(rows, "adults", "ftp_referrals", "unknown", 5)
    problem = only(check(rows, "xlsx"), "ftp_over_regulated")
    assert problem.place == Place("Return", number, "unknown")
    assert problem.message == (
        "Adult social care, unknown ethnicity: fitness-to-practise referrals (5) is more than "
        "regulated professionals (4)."
    )


@pytest.mark.parametrize("measure", ["harassed_by_public", "harassed_by_colleagues", "harassed_by_managers"])
def test_harassment_more_than_survey_respondents(measure: str) -> None:
    rows = valid_rows()
    number = set_count(rows, "adults", measure, "minority_ethnic", 81)
    problem = only(check(rows), "harassed_over_respondents")
    assert problem.place == Place(None, number, "minority_ethnic")
    assert "(81) is more than survey respondents (80)" in problem.message


@pytest.mark.parametrize(("fmt", "sheet"), FORMATS)
def test_pay_bands_not_adding_up_to_headcount(fmt: str, sheet: str | None) -> None:
    rows = valid_rows()
    set_count(rows, "adults", "headcount_band", "white", 400, band="upper")
    problem = only(check(rows, fmt), "bands_not_headcount")
    assert problem.place == Place(sheet, file_row(rows, "adults", "headcount"), "white")
    assert problem.message == (
        "Adult social care, white: the pay bands add up to 1,173 (402 + 371 + 400) but the headcount is 812."
    )
    assert problem.key == RowKey("adults", "headcount")


@pytest.mark.parametrize(
    ("measure", "limit"),
    [("appointed", "shortlisted"), ("leavers", "headcount"), ("ftp_referrals", "regulated_headcount"),
     ("harassed_by_managers", "survey_respondents")],
)  # fmt: skip
def test_a_count_equal_to_its_limit_is_fine(measure: str, limit: str) -> None:
    data = valid_data(["adults"])
    data[RowKey("adults", measure)]["white"] = data[RowKey("adults", limit)]["white"]
    assert check_data(data) == []


def test_cross_field_rules_are_per_group_and_per_service() -> None:
    rows = valid_rows()
    set_count(rows, "children", "appointed", "unknown", 11)
    set_count(rows, "adults", "appointed", "white", 311)
    checked = check(rows)
    assert [(p.key.service, p.group) for p in checked.errors if p.key] == [
        ("adults", "white"),
        ("children", "unknown"),
    ]


# About sheet -----------------------------------------------------------------------------------------


def test_matching_about_sheet_is_fine() -> None:
    about = [("Authority", "Lambeth"), ("ONS code", " e09000022 "), ("Round", 2025)]
    assert check(valid_rows(), "xlsx", about=about).errors == []


def test_about_sheet_for_another_authority() -> None:
    about = [("Authority", "Leeds"), ("Authority code", "E08000035"), ("Round", "2025")]
    problem = only(check(valid_rows(), "xlsx", about=about), "about_authority")
    assert problem.place == Place("About", 2, "B")
    assert problem.place.cell == "B2"
    assert (
        problem.message
        == "The About sheet gives the ONS code E08000035, but this return is for ONS code E09000022."
    )


def test_about_sheet_for_another_round() -> None:
    about = [("ONS code", CODE), ("", ""), ("Round:", 2024)]
    problem = only(check(valid_rows(), "xlsx", about=about), "about_round")
    assert problem.place == Place("About", 3, "B")
    assert "round 2024" in problem.message


def test_about_sheet_without_code_or_round_is_fine() -> None:
    assert check(valid_rows(), "xlsx", about=[("Authority", "Lambeth")]).errors == []


# Everything at once ------------------------------------------------------------------------------------


def test_every_error_is_reported_at_once() -> None:
    rows = valid_rows()
    rows[0].append("notes")
    rows[3][0] = "adult social care"  # unknown service: adults middle band row goes missing
    set_count(rows, "adults", "cpd", "white", "lots")
    set_count(rows, "adults", "appointed", "white", 311)
    set_count(rows, "children", "headcount_band", "unknown", 2, band="upper")
    rows.append(["children", "leavers", "", 1, 1, 1])
    about = [("ONS code", "E08000035"), ("Round", "2024")]
    checked = check(rows, "xlsx", about=about, formulas={"E10": "=1"})
    assert sorted(codes(checked)) == sorted(
        [
            "formula",
            "about_authority",
            "about_round",
            "header_unknown_column",
            "unknown_service",
            "count_not_number",
            "duplicate_row",
            "missing_row",
            "appointed_over_shortlisted",
            "bands_not_headcount",
        ]
    )
    assert all(p.place is not None and p.place.sheet for p in checked.errors)
    assert all(p.message and p.fix for p in checked.errors)


# Typed data --------------------------------------------------------------------------------------------


def test_check_data_accepts_a_valid_return() -> None:
    assert check_data(valid_data()) == []
    assert check_data(valid_data(["adults"])) == []


def test_check_data_reports_no_figures() -> None:
    [problem] = check_data({})
    assert problem.code == "no_rows"
    assert problem.place is None


def test_check_data_problems_carry_key_and_group_not_place() -> None:
    data = valid_data()
    data[RowKey("adults", "appointed")]["white"] = 311
    data[RowKey("children", "cpd")]["unknown"] = -1
    del data[RowKey("children", "leavers")]
    problems = check_data(data)
    assert [(p.code, p.key, p.group, p.place) for p in problems] == [
        ("count_negative", RowKey("children", "cpd"), "unknown", None),
        ("missing_row", RowKey("children", "leavers"), None, None),
        ("appointed_over_shortlisted", RowKey("adults", "appointed"), "white", None),
    ]


def test_check_data_refuses_rows_outside_the_schema_and_missing_groups() -> None:
    data = valid_data(["adults"])
    data[RowKey("adults", "headcount", "lower")] = {"white": 1, "minority_ethnic": 1, "unknown": 1}
    del data[RowKey("adults", "leavers")]["unknown"]
    assert sorted(p.code for p in check_data(data)) == ["count_blank", "unknown_row"]


def test_check_service_only_looks_at_that_service() -> None:
    data = valid_data()
    data[RowKey("children", "appointed")]["white"] = 251
    assert check_service(data, "adults") == []
    assert [p.code for p in check_service(data, "children")] == ["appointed_over_shortlisted"]
    assert [p.code for p in check_service(valid_data(["adults"]), "children")] == ["missing_row"]


@pytest.mark.parametrize(
    ("value", "expected"),
    [(0, 0), (12, 12), (12.0, 12), ("12", 12), (" 12 ", 12), ("12.0", 12), ("1,234,567", 1234567), ("0", 0)],
)
def test_parse_count_accepts(value: object, expected: int) -> None:
    assert parse_count(value) == expected


@pytest.mark.parametrize(
    ("value", "code"),
    [
        (None, "count_blank"),
        ("  ", "count_blank"),
        (False, "count_not_number"),
        (float("nan"), "count_not_number"),
        ("1e3", "count_not_number"),
        ("12 345", "count_not_number"),
        ("1.234,5", "count_not_number"),
        (-0.5, "count_negative"),
        ("-1,000", "count_negative"),
        ("0.5", "count_not_whole"),
        (10_000_000.5, "count_not_whole"),
        (1e8, "count_too_large"),
    ],
)
def test_parse_count_refuses(value: object, code: str) -> None:
    with pytest.raises(CountError) as caught:
        parse_count(value)
    assert caught.value.code == code


# Warnings ----------------------------------------------------------------------------------------------


def _with_headcount(service: str, white: int, minority_ethnic: int, unknown: int) -> dict:
    data = valid_data([service])
    data[RowKey(service, "headcount")] = {
        "white": white,
        "minority_ethnic": minority_ethnic,
        "unknown": unknown,
    }
    return data


def test_valid_return_has_no_warnings() -> None:
    assert compute_warnings(valid_data(), previous_headcount={"adults": 976, "children": 865}) == []


def test_unknown_above_ten_percent_of_headcount() -> None:
    [warning] = compute_warnings(_with_headcount("adults", 800, 99, 100), previous_headcount=None)
    assert (warning.code, warning.service, warning.key) == (
        "unknown_share",
        "adults",
        "unknown_share:adults:headcount",
    )
    assert warning.message.startswith(
        "Adult social care: ethnicity is unknown for 10.0% of staff (100 of 999)"
    )


def test_unknown_of_exactly_ten_percent_is_no_warning() -> None:
    assert compute_warnings(_with_headcount("adults", 800, 100, 100), previous_headcount=None) == []


def test_headcount_changed_by_more_than_thirty_percent() -> None:
    data = valid_data()  # adults 976, children 865
    warnings = compute_warnings(data, previous_headcount={"adults": 1500, "children": 865})
    [warning] = warnings
    assert (warning.code, warning.key) == ("headcount_change", "headcount_change:adults")
    assert warning.message == (
        "Adult social care: the headcount changed from 1,500 in the previous round to 976 (-34.9%), "
        "more than 30%. Explain the change."
    )


@pytest.mark.parametrize(("before", "warned"), [(750, True), (751, False), (1394, False), (1395, True)])
def test_headcount_change_threshold(before: int, warned: bool) -> None:
    # 976 is 30.1% more than 750 and 30.0% less than 1394; 1395 is 30.04% less.
    warnings = compute_warnings(valid_data(["adults"]), previous_headcount={"adults": before})
    assert bool(warnings) is warned


def test_headcount_change_needs_a_previous_round_for_the_service() -> None:
    assert compute_warnings(valid_data(), previous_headcount=None) == []
    assert compute_warnings(valid_data(), previous_headcount={"children": 865}) == []


def test_headcount_from_zero_is_a_change() -> None:
    [warning] = compute_warnings(valid_data(["adults"]), previous_headcount={"adults": 0})
    assert warning.message.startswith(
        "Adult social care: the headcount changed from 0 in the previous round to 976"
    )


def test_every_event_count_zero() -> None:
    data = valid_data()
    for key in data:
        if key.service == "children" and key.measure in {
            "shortlisted", "appointed", "disciplinary", "ftp_referrals", "cpd",
            "harassed_by_public", "harassed_by_colleagues", "harassed_by_managers", "leavers",
        }:  # fmt: skip
            data[key] = {"white": 0, "minority_ethnic": 0, "unknown": 0}
    [warning] = compute_warnings(data, previous_headcount=None)
    assert (warning.code, warning.service, warning.key) == ("no_events", "children", "no_events:children")


def test_one_event_is_enough_to_avoid_the_zero_warning() -> None:
    data = valid_data(["children"])
    for key in data:
        if key.measure not in {"headcount", "headcount_band", "regulated_headcount", "survey_respondents"}:
            data[key] = {"white": 0, "minority_ethnic": 0, "unknown": 0}
    data[RowKey("children", "senior_managers")] = {"white": 5, "minority_ethnic": 0, "unknown": 0}
    assert [w.code for w in compute_warnings(data, previous_headcount=None)] == ["no_events"]
    data[RowKey("children", "leavers")]["unknown"] = 1
    assert compute_warnings(data, previous_headcount=None) == []


def test_metric_outside_the_national_range() -> None:
    values = {("adults", "m2"): 0.61, ("adults", "m3"): 2.5, ("all", "m8"): 0.2, ("children", "m5"): None}
    ranges = {("adults", "m2"): (0.5, 1.2), ("adults", "m3"): (0.6, 2.4), ("all", "m8"): (0.3, 1.5),
              ("children", "m5"): (0.1, 0.2)}  # fmt: skip
    names = {
        "m3": MetricName(
            "metric 3 (entering the formal disciplinary process)", "relative likelihood", "disciplinary"
        ),
        "m8": MetricName("metric 8 (leaving the council)", "relative likelihood", "leavers"),
    }
    warnings = compute_warnings(
        valid_data(),
        previous_headcount=None,
        metric_values=values,
        reference_ranges=ranges,
        metric_names=names,
    )
    assert [(w.code, w.service, w.key) for w in warnings] == [
        ("metric_outlier", "adults", "metric_outlier:adults:m3"),
        ("metric_outlier", "all", "metric_outlier:all:m8"),
    ]
    assert warnings[0].message.startswith(
        "Adult social care, metric 3 (entering the formal disciplinary process): the relative likelihood is "
        "2.50, outside the range of most councils"
    )
    assert "(0.60 to 2.40, the 5th to 95th percentile)" in warnings[0].message
    assert warnings[0].figures_anchor == "figures-adults-disciplinary"
    assert warnings[1].figures_anchor == "figures"


@pytest.mark.parametrize("code", ["unknown_share", "headcount_change", "no_events", "metric_outlier"])
def test_every_warning_has_a_hint_that_fits_it(code) -> None:
    """Issue 15 item 1: the restructure example fits only a change in headcount."""
    hint = warning_hint(code)
    assert hint
    assert ("restructure" in hint) == (code == "headcount_change")


def test_a_metric_without_a_name_is_never_shown_by_its_code() -> None:
    warnings = compute_warnings(
        valid_data(),
        previous_headcount=None,
        metric_values={("adults", "m3"): 2.5},
        reference_ranges={("adults", "m3"): (0.6, 2.4)},
    )
    assert "m3" not in warnings[0].message


def test_metric_on_the_edge_of_the_range_or_without_a_range_is_fine() -> None:
    values = {("adults", "m2"): 0.5, ("adults", "m3"): 99.0}
    ranges = {("adults", "m2"): (0.5, 1.2)}
    assert (
        compute_warnings(valid_data(), previous_headcount=None, metric_values=values, reference_ranges=ranges)
        == []
    )


# Preview -----------------------------------------------------------------------------------------------


def test_diff_lists_changed_counts_in_template_order() -> None:
    old = valid_data(["adults"])
    new = valid_data()
    new[RowKey("adults", "leavers")]["white"] = 91
    new[RowKey("adults", "headcount")]["unknown"] = 22
    changes = diff(old, new)
    assert changes[:2] == [
        Change(RowKey("adults", "headcount"), "unknown", 21, 22),
        Change(RowKey("adults", "leavers"), "white", 90, 91),
    ]
    assert changes[2] == Change(RowKey("children", "headcount"), "white", None, 640)
    assert len(changes) == 2 + 16 * 3
    assert changes.services_added == ["children"]
    assert changes.services_removed == []
    assert changes[0].label == "Adult social care: headcount, Unknown"


def test_diff_of_a_removed_service() -> None:
    changes = diff(valid_data(), valid_data(["children"]))
    assert changes.services_removed == ["adults"]
    assert all(c.new is None and c.key.service == "adults" for c in changes)


def test_diff_of_the_same_data_is_empty() -> None:
    changes = diff(valid_data(), valid_data())
    assert list(changes) == []
    assert not changes
