"""Reading uploaded return files safely: formats, encodings, row numbers and upload safety rules."""

from __future__ import annotations

import io
import random
import zipfile

import pytest
from openpyxl.worksheet.formula import ArrayFormula

from submissions.returnfile import (
    MAX_UPLOAD_BYTES,
    Formula,
    Place,
    Problem,
    UnreadableFile,
    read_return_file,
    table_from_rows,
)
from tests.submissions.files import csv_bytes, rezip, valid_rows, xlsx_bytes


def _unreadable(filename: str, content: bytes) -> str:
    with pytest.raises(UnreadableFile) as caught:
        read_return_file(filename, content)
    return caught.value.message


def _zip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


def _mostly_zeros(size: int) -> bytes:
    """Data that compresses about 30:1 — below the ratio limit — so only its size can be refused."""
    rng = random.Random(size)  # noqa: S311 - test data, not security
    block = 2048
    return b"".join(rng.randbytes(64) + bytes(block - 64) for _ in range(size // block))


# CSV ---------------------------------------------------------------------------------------------


def test_csv_is_read_with_file_row_numbers() -> None:
    table = read_return_file("return.csv", csv_bytes(valid_rows()))
    assert table.sheet is None
    assert table.header_row == 1
    assert table.header == ["service", "measure", "pay_band", "white", "minority_ethnic", "unknown"]
    assert table.rows[0] == (2, ["adults", "headcount", "", "812", "143", "21"])
    assert len(table.rows) == 32
    assert table.about is None
    assert table.problems == []


@pytest.mark.parametrize("newline", ["\r\n", "\n", "\r"])
def test_csv_line_endings(newline: str) -> None:
    table = read_return_file("return.csv", csv_bytes(valid_rows(), newline=newline))
    assert [number for number, _ in table.rows] == list(range(2, 34))
    assert table.rows[-1][1][:2] == ["children", "senior_managers"]


@pytest.mark.parametrize("bom", [False, True])
def test_csv_utf8_with_or_without_bom(bom: bool) -> None:
    rows = valid_rows()
    rows[0].append("guidance")
    rows[1].append("Salaries under £30,000 - café staff included")
    table = read_return_file("return.csv", csv_bytes(rows, bom=bom))
    assert table.header[0] == "service"  # no byte order mark glued to the first heading
    assert table.rows[0][1][-1] == "Salaries under £30,000 - café staff included"


def test_csv_windows_1252() -> None:
    rows = valid_rows()
    rows[0].append("guidance")
    rows[1].append("Salaries under £30,000 or €35,000, the council\u2019s café staff")
    content = csv_bytes(rows, encoding="cp1252")
    with pytest.raises(UnicodeDecodeError):
        content.decode("utf-8")
    table = read_return_file("return.csv", content)
    assert table.rows[0][1][-1] == "Salaries under £30,000 or €35,000, the council\u2019s café staff"
    assert table.rows[0][1][-2] == "21"


def test_csv_blank_rows_are_skipped_but_keep_their_numbers() -> None:
    rows = valid_rows()
    rows.insert(0, [])  # blank line above the header
    rows.insert(3, ["", " ", "", "", "", ""])  # a row of empty cells between data rows
    table = read_return_file("return.csv", csv_bytes(rows))
    assert table.header_row == 2
    assert [number for number, _ in table.rows[:3]] == [3, 5, 6]


def test_csv_with_semicolons_is_read() -> None:
    text = "service;measure;pay_band;white;minority_ethnic;unknown\r\nadults;headcount;;1;2;3\r\n"
    table = read_return_file("return.csv", text.encode())
    assert table.rows == [(2, ["adults", "headcount", "", "1", "2", "3"])]


def test_csv_cell_starting_with_equals_is_a_formula_problem() -> None:
    rows = valid_rows()
    rows[1][3] = "=400+412"
    table = read_return_file("return.csv", csv_bytes(rows))
    assert isinstance(table.rows[0][1][3], Formula)
    [problem] = table.problems
    assert problem.code == "formula"
    assert problem.place == Place(None, 2, "white")
    assert problem.place.cell == "D2"


# XLSX --------------------------------------------------------------------------------------------


def test_xlsx_is_read_from_the_return_sheet() -> None:
    about = [("ONS code:", "E09000022"), ("Round", 2025), ("  Authority Code ", "E09000022")]
    table = read_return_file("return.xlsx", xlsx_bytes(valid_rows(), about=about, extra_sheets=["Notes"]))
    assert table.sheet == "Return"
    assert table.header_row == 1
    assert table.rows[0] == (2, ["adults", "headcount", None, 812, 143, 21])
    assert table.about == {"ons code": "E09000022", "round": "2025", "authority code": "E09000022"}
    assert table.about_rows == {"ons code": 1, "round": 2, "authority code": 3}
    assert table.problems == []


def test_xlsx_return_sheet_name_is_matched_case_insensitively() -> None:
    table = read_return_file(
        "return.xlsx", xlsx_bytes(valid_rows(), sheet_name=" return ", extra_sheets=["X"])
    )
    assert table.sheet == " return "
    assert len(table.rows) == 32


def test_xlsx_rows_keep_worksheet_numbers_across_blank_rows() -> None:
    rows = valid_rows()
    rows[0:0] = [[None], [None]]  # header on row 3
    rows.insert(5, [None])  # blank row 6
    table = read_return_file("return.xlsx", xlsx_bytes(rows))
    assert table.header_row == 3
    assert [number for number, _ in table.rows[:4]] == [4, 5, 7, 8]


def test_xlsx_whole_floats_are_kept_raw() -> None:
    rows = valid_rows()
    rows[1][3] = 812.0
    rows[1][4] = 12.5
    table = read_return_file("return.xlsx", xlsx_bytes(rows))
    assert table.rows[0][1][3:5] == [812, 12.5]


def test_xlsx_formula_cells_are_reported_at_their_cell() -> None:
    table = read_return_file("return.xlsx", xlsx_bytes(valid_rows(), formulas={"E5": "=SUM(E2:E4)"}))
    [problem] = table.problems
    assert problem.code == "formula"
    assert problem.place == Place("Return", 5, "minority_ethnic")
    assert problem.place.cell == "E5"
    assert problem.message == "Cell E5 contains a formula (=SUM(E2:E4))."
    assert "Type the number itself" in problem.fix
    assert table.rows[3][1][4] == Formula("=SUM(E2:E4)")


def test_xlsx_array_formula_is_a_formula() -> None:
    content = xlsx_bytes(valid_rows(), formulas={"D3": ArrayFormula("D3", "=SUM(D4:D5)")})
    [problem] = read_return_file("return.xlsx", content).problems
    assert problem.message == "Cell D3 contains a formula (=SUM(D4:D5))."


def test_xlsx_with_a_wrong_stored_sheet_size_is_read_in_full() -> None:
    content = xlsx_bytes(valid_rows())
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml")
    assert b'<dimension ref="A1:F33" />' in sheet
    content = rezip(content, replace={"xl/worksheets/sheet1.xml": sheet.replace(b"A1:F33", b"A1:C3")})
    table = read_return_file("return.xlsx", content)
    assert len(table.rows) == 32
    assert table.rows[-1][1][5] == 1


def test_xlsx_formula_outside_the_header_is_located_by_column_letter() -> None:
    table = read_return_file("return.xlsx", xlsx_bytes(valid_rows(), formulas={"H4": "=1+1"}))
    assert table.problems[0].place == Place("Return", 4, "H")


def test_xlsx_without_a_return_sheet_lists_the_sheets_found() -> None:
    table = read_return_file(
        "return.xlsx", xlsx_bytes(valid_rows(), sheet_name="Data", extra_sheets=["Notes"])
    )
    [problem] = table.problems
    assert problem.code == "missing_sheet"
    assert '"Data", "Notes"' in problem.message
    assert table.rows == []


def test_xlsx_with_one_sheet_uses_it_whatever_its_name() -> None:
    table = read_return_file("return.xlsx", xlsx_bytes(valid_rows(), sheet_name="Sheet1"))
    assert table.sheet == "Sheet1"
    assert table.problems == []
    assert len(table.rows) == 32


def test_file_type_is_found_from_the_content_not_the_name() -> None:
    assert read_return_file("return.csv", xlsx_bytes(valid_rows())).sheet == "Return"
    assert read_return_file("return", csv_bytes(valid_rows())).sheet is None


def test_rows_in_memory_make_a_table() -> None:
    table = table_from_rows([*valid_rows(), [None, None]], sheet="Return")
    assert table.header_row == 1
    assert table.rows[-1][0] == 33


def test_problem_describes_its_place() -> None:
    problem = Problem("x", "Wrong.", "Fix it.", place=Place("Return", 5, "white", cell="D5"))
    assert str(problem) == "Return sheet, row 5, column white (cell D5): Wrong. Fix it."
    assert Place(None, 3, "unknown").describe() == "Row 3, column unknown"


# Refused files -----------------------------------------------------------------------------------


def test_file_over_5_mb_is_refused_with_its_size() -> None:
    message = _unreadable("return.csv", b"a" * (MAX_UPLOAD_BYTES + 1))
    assert message.startswith("The file is 5.1 MB. The largest file you can upload is 5 MB.")
    big = _unreadable("return.csv", b"a," * (3 * 1024 * 1024))
    assert big.startswith("The file is 6.0 MB. The largest file you can upload is 5 MB.")


def test_file_of_exactly_5_mb_is_not_refused_for_size() -> None:
    """5 MB passes the size check (it then fails the row limit: blank lines count as rows)."""
    content = csv_bytes(valid_rows())
    content += b"\n" * (MAX_UPLOAD_BYTES - len(content))
    assert len(content) == MAX_UPLOAD_BYTES
    assert _unreadable("return.csv", content).startswith("The file has more than 200 rows")


@pytest.mark.parametrize("content", [b"", b"  \r\n \n"])
def test_empty_file_is_refused(content: bytes) -> None:
    assert _unreadable("return.csv", content).startswith("The file is empty.")


def test_binary_junk_is_refused() -> None:
    junk = bytes(random.Random(1).randbytes(4000))  # noqa: S311
    assert "not a CSV or Excel (.xlsx) file" in _unreadable("return.csv", junk)
    assert "not a CSV or Excel (.xlsx) file" in _unreadable(
        "photo.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"
    )


def test_old_excel_xls_is_refused() -> None:
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504) + "Workbook".encode("utf-16-le")
    assert "old-format Excel workbook (.xls)" in _unreadable("return.xls", ole)


def test_password_protected_workbook_is_refused() -> None:
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504) + "EncryptedPackage".encode("utf-16-le")
    assert "protected with a password" in _unreadable("return.xlsx", ole)


def test_spreadsheet_name_without_spreadsheet_content_is_refused() -> None:
    assert "not an Excel workbook" in _unreadable("return.xlsx", b"service,measure\r\n")


def test_corrupt_xlsx_is_refused() -> None:
    content = xlsx_bytes(valid_rows())
    assert "damaged" in _unreadable("return.xlsx", content[: len(content) // 2])
    broken = rezip(content, replace={"xl/workbook.xml": b"<workbook><not xml"})
    assert "damaged" in _unreadable("return.xlsx", broken)


def test_ods_is_refused() -> None:
    ods = _zip({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet", "content.xml": b"<x/>"})
    assert ".ods" in _unreadable("return.ods", ods)


def test_other_zip_is_refused() -> None:
    assert "not an Excel workbook" in _unreadable("return.docx", _zip({"word/document.xml": b"<x/>"}))


def test_too_many_zip_members_is_refused() -> None:
    content = rezip(xlsx_bytes(valid_rows()), add={f"xl/media/image{i}.png": b"x" for i in range(200)})
    assert "too many parts" in _unreadable("return.xlsx", content)


def test_few_extra_zip_members_are_fine() -> None:
    content = rezip(xlsx_bytes(valid_rows()), add={f"xl/media/image{i}.png": b"x" for i in range(150)})
    assert len(read_return_file("return.xlsx", content).rows) == 32


def test_member_declared_over_20_mb_is_refused() -> None:
    content = rezip(xlsx_bytes(valid_rows()), add={"xl/media/big.bin": _mostly_zeros(21 * 1024 * 1024)})
    assert len(content) < MAX_UPLOAD_BYTES
    assert "over 20 MB" in _unreadable("return.xlsx", content)


def test_members_totalling_over_50_mb_are_refused() -> None:
    members = {f"xl/media/part{i}.bin": _mostly_zeros(18 * 1024 * 1024) for i in range(3)}
    content = rezip(xlsx_bytes(valid_rows()), add=members)
    assert len(content) < MAX_UPLOAD_BYTES
    assert "over 50 MB" in _unreadable("return.xlsx", content)


def test_zip_bomb_compression_ratio_is_refused() -> None:
    content = rezip(xlsx_bytes(valid_rows()), add={"xl/media/bomb.bin": bytes(10 * 1024 * 1024)})
    assert "compressed in an unusual way" in _unreadable("return.xlsx", content)


def test_vba_project_is_refused() -> None:
    content = rezip(xlsx_bytes(valid_rows()), add={"xl/vbaProject.bin": b"\x00macro"})
    assert _unreadable("return.xlsx", content).startswith("Macro-enabled workbooks are not accepted.")


def test_macro_enabled_content_type_is_refused() -> None:
    content = xlsx_bytes(valid_rows())
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        types = archive.read("[Content_Types].xml")
    macro = types.replace(
        b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
        b"application/vnd.ms-excel.sheet.macroEnabled.main+xml",
    )
    assert macro != types
    content = rezip(content, replace={"[Content_Types].xml": macro})
    assert "Macro-enabled" in _unreadable("return.xlsx", content)


def test_xlsm_name_is_refused() -> None:
    assert "Macro-enabled" in _unreadable("return.xlsm", xlsx_bytes(valid_rows()))


def test_far_too_many_rows_is_refused() -> None:
    rows = [*valid_rows(), *([["adults", "headcount", "", 1, 1, 1]] * 1000)]
    assert "more than 200 rows" in _unreadable("return.csv", csv_bytes(rows))
