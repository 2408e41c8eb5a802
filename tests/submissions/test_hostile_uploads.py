"""Hostile uploads (issue 13, H1, L1, L2 and macros by content): every file is refused with a
located, plain-English reason, or read within the limits, without the reader doing more work than a
return needs. The work is shown by behaviour, never by timing: a reader that streams and stops at
its limits never reaches garbage placed after them (`make bench` measures the CPU each costs).
"""

from __future__ import annotations

import datetime
import io
import zipfile

import pytest

from submissions.returnfile import (
    MAX_CELL_CHARS,
    MAX_COLUMNS,
    MAX_ROWS,
    UnreadableFile,
    read_return_file,
)
from submissions.validation import MAX_PROBLEMS, check_table
from tests.submissions import hostile
from tests.submissions.files import csv_bytes, valid_rows, xlsx_bytes

SHEET = hostile.SHEET


def _unreadable(filename: str, content: bytes) -> str:
    with pytest.raises(UnreadableFile) as caught:
        read_return_file(filename, content)
    return caught.value.message


def _members(content: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _rezip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


def _excel_like() -> dict[str, bytes]:
    """A valid return saved with shared strings, as Excel saves it."""
    return _members(hostile.shared_strings_workbook(xlsx_bytes(valid_rows())))


# H1: dimensions --------------------------------------------------------------------------------


def test_a_cell_in_column_xfd_is_refused_at_its_place() -> None:
    message = _unreadable("return.xlsx", hostile.wide_xfd_cell(0.001))
    assert message.startswith("The Return sheet has something in cell XFD34")
    assert "columns A to J" in message


def test_an_empty_styled_cell_far_right_counts_too() -> None:
    members = _excel_like()
    members[SHEET] = members[SHEET].replace(b"</row>", b'<c r="Z1" s="0"/></row>', 1)
    assert "cell Z1" in _unreadable("return.xlsx", _rezip(members))


def test_a_declared_size_beyond_the_limits_is_refused_before_any_cell() -> None:
    message = _unreadable("return.xlsx", hostile.declared_huge())
    assert message.startswith("The Return sheet says it uses cells up to XFD1048576.")


def test_rows_of_spaces_count_as_rows() -> None:
    message = _unreadable("return.xlsx", hostile.space_rows(0.02))  # 220 rows of one space after the return
    assert message.startswith(f"The Return sheet has something on row {MAX_ROWS + 1}")
    assert "spaces" in message


def test_a_return_within_the_limits_is_read_in_full() -> None:
    """The limits leave room: the template's guidance column, notes columns, blank rows."""
    rows = [[*row, "note"] for row in valid_rows()] + [[None]] * 100 + [["adults", "headcount", "", 1, 1, 1]]
    table = read_return_file("return.xlsx", xlsx_bytes(rows))
    assert len(table.rows) == 33
    assert table.rows[-1][0] == 134


def test_rows_and_columns_of_a_csv_are_limited_too() -> None:
    assert "more than 200 rows" in _unreadable("return.csv", hostile.blank_lines_csv(0.001))
    wide = csv_bytes([[*row, *[""] * 4, "x"] for row in valid_rows()])
    message = _unreadable("return.csv", wide)
    assert message.startswith("Row 1 has something in column K (column 11). A return uses columns A to J")
    assert MAX_COLUMNS == 10


# L1: a CSV of 18,279 columns -------------------------------------------------------------------


def test_csv_of_18279_columns_is_a_clear_error_not_a_crash() -> None:
    content = hostile.many_columns_csv(0)
    assert content.count(b",") >= 18_279
    message = _unreadable("return.csv", content)
    assert message.startswith("Line 1 of the file is more than 4,000 characters long")


# H1: cells, shared strings, styles, XML ---------------------------------------------------------


def test_a_cell_over_the_character_limit_is_refused_at_its_place() -> None:
    message = _unreadable("return.xlsx", hostile.long_cell(0.01))
    assert message.startswith(f"Cell A34 on the Return sheet holds more than {MAX_CELL_CHARS:,} characters")


def test_a_long_shared_string_is_refused_at_the_cell_using_it() -> None:
    members = _excel_like()
    members[hostile.STRINGS] = members[hostile.STRINGS].replace(
        b"<t>adults</t>", b"<t>" + b"a" * 5000 + b"</t>", 1
    )
    assert _unreadable("return.xlsx", _rezip(members)).startswith(
        "Cell A2 on the Return sheet holds more than"
    )


def test_a_csv_cell_over_the_character_limit_is_refused() -> None:
    rows = valid_rows()
    rows[3][0] = "a" * 1500
    assert _unreadable("return.csv", csv_bytes(rows)).startswith("Cell A4 holds more than 1,000 characters")


def test_shared_strings_are_read_only_as_far_as_the_sheet_needs() -> None:
    """Garbage after the last string the sheet uses is never reached (a reader that loads every
    string first, as openpyxl does, fails on it)."""
    members = _excel_like()
    members[hostile.STRINGS] = members[hostile.STRINGS].replace(b"</sst>", b"<si><t>x</t></si><<<not xml")
    table = read_return_file("return.xlsx", _rezip(members))
    assert len(table.rows) == 32
    assert table.problems == []


def test_the_sheet_is_read_only_as_far_as_its_cells() -> None:
    members = _excel_like()
    members[SHEET] = members[SHEET].replace(b"</sheetData>", b"</sheetData><<<not xml")
    assert len(read_return_file("return.xlsx", _rezip(members)).rows) == 32


def test_a_string_far_down_the_shared_strings_is_refused() -> None:
    members = _excel_like()
    members[SHEET] = members[SHEET].replace(b"<v>0</v>", b"<v>1000000</v>", 1)
    assert "more than 2,000 pieces of text" in _unreadable("return.xlsx", _rezip(members))


def test_a_style_far_down_the_styles_is_refused() -> None:
    assert "more than 2,000 cell styles" in _unreadable("return.xlsx", hostile.many_styles(0.03))


def test_deeply_nested_xml_is_refused() -> None:
    assert "holds far more than a return" in _unreadable("return.xlsx", hostile.deep_nesting(0.2))


def test_a_part_too_large_when_opened_is_refused() -> None:
    message = _unreadable("return.xlsx", hostile.huge_shared_strings(1.2))
    assert message.startswith("A part of the workbook (sharedStrings.xml) is 1.1 MB when opened")


def test_a_document_type_declaration_is_refused() -> None:
    members = _excel_like()
    members[SHEET] = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]>' + members[SHEET]
    assert _unreadable("return.xlsx", _rezip(members)).startswith("The file is damaged")


@pytest.mark.parametrize("name", list(hostile.HOSTILE))
def test_every_hostile_file_is_refused_or_read_within_the_limits(name: str) -> None:
    build, _ = hostile.HOSTILE[name]
    content = build(1.0)
    assert len(content) <= 5 * 1024 * 1024
    try:
        table = read_return_file(hostile.filename(name), content)
    except UnreadableFile as refused:
        assert refused.message[0].isupper()
        assert "Traceback" not in refused.message
        return
    assert all(len(values) <= MAX_COLUMNS for _, values in table.rows)
    assert all(number <= MAX_ROWS for number, _ in table.rows)


# Excel-saved workbooks still read as before ------------------------------------------------------


def test_a_workbook_with_shared_strings_reads_as_the_inline_one() -> None:
    inline = read_return_file("return.xlsx", xlsx_bytes(valid_rows()))
    shared = read_return_file("return.xlsx", hostile.shared_strings_workbook(xlsx_bytes(valid_rows())))
    assert shared.rows == inline.rows
    assert shared.header == inline.header


@pytest.mark.parametrize("prefix", [b"", b"x:"])
def test_shared_strings_are_read_as_excel_shows_them(prefix: bytes) -> None:
    """Rich-text runs joined, phonetic guides left out, a prefixed namespace understood, and a string
    no cell uses skipped (the reader listens to the text of used strings alone)."""
    members = _excel_like()
    sst = members[hostile.STRINGS]
    first = sst.count(b"<si>")
    extra = [
        b'<si><r><rPr><b/></rPr><t>Bold</t></r><r><t xml:space="preserve"> and plain</t></r></si>',
        "<si><t>東京</t><rPh sb='0' eb='2'><t>トウキョウ</t></rPh></si>".encode(),
        b"<si><t>not used</t></si>",
        b"<si><t>last &amp; used</t></si>",
    ]
    sst = sst.replace(b"</sst>", b"".join(extra) + b"</sst>")
    if prefix:
        sst = sst.replace(b"<sst xmlns=", b"<x:sst xmlns:x=").replace(b"</sst>", b"</x:sst>")
        for tag in (b"si", b"t", b"r", b"rPr", b"b", b"rPh"):
            sst = sst.replace(b"<%s>" % tag, b"<x:%s>" % tag).replace(b"<%s " % tag, b"<x:%s " % tag)
            sst = sst.replace(b"</%s>" % tag, b"</x:%s>" % tag).replace(b"<%s/>" % tag, b"<x:%s/>" % tag)
    members[hostile.STRINGS] = sst
    cells = b"".join(
        b'<c r="%s34" t="s"><v>%d</v></c>' % (column, first + offset)
        for column, offset in ((b"A", 0), (b"B", 1), (b"C", 3))
    )
    members[SHEET] = members[SHEET].replace(b"</sheetData>", b'<row r="34">' + cells + b"</row></sheetData>")
    table = read_return_file("return.xlsx", _rezip(members))
    assert dict(table.rows)[34][:3] == ["Bold and plain", "東京", "last & used"]
    assert table.rows[:-1] == read_return_file("return.xlsx", xlsx_bytes(valid_rows())).rows


def test_a_number_formatted_as_a_date_is_read_as_a_date() -> None:
    rows = valid_rows()
    rows[2][3] = datetime.datetime(2025, 3, 12)  # noqa: DTZ001 - a spreadsheet date has no zone
    table = read_return_file("return.xlsx", xlsx_bytes(rows))
    assert table.rows[1][1][3] == datetime.datetime(2025, 3, 12)  # noqa: DTZ001


# Macros, by content ---------------------------------------------------------------------------


def test_a_vba_project_under_another_name_is_refused() -> None:
    members = _excel_like()
    members["xl/data.bin"] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)
    message = _unreadable("return.xlsx", _rezip(members))
    assert message.startswith("The workbook has a program or an embedded object in it")


def test_a_vba_project_relationship_is_refused() -> None:
    members = _excel_like()
    members["xl/_rels/workbook.xml.rels"] = members["xl/_rels/workbook.xml.rels"].replace(
        b"</Relationships>",
        b'<Relationship Type="http://schemas.microsoft.com/office/2006/relationships/vbaProject" '
        b'Target="data.dat" Id="rId77" /></Relationships>',
    )
    members["xl/data.dat"] = b"macro"
    assert _unreadable("return.xlsx", _rezip(members)).startswith("Macro-enabled workbooks are not accepted.")


def test_a_vba_project_content_type_is_refused() -> None:
    members = _excel_like()
    members["[Content_Types].xml"] = members["[Content_Types].xml"].replace(
        b"</Types>", b'<Default Extension="dat" ContentType="application/vnd.ms-office.vbaProject"/></Types>'
    )
    assert _unreadable("return.xlsx", _rezip(members)).startswith("Macro-enabled workbooks are not accepted.")


def test_an_excel_4_macro_sheet_is_refused() -> None:
    members = _excel_like()
    members["xl/_rels/workbook.xml.rels"] = members["xl/_rels/workbook.xml.rels"].replace(
        b"</Relationships>",
        b'<Relationship Type="http://schemas.microsoft.com/office/2006/relationships/xlMacrosheet" '
        b'Target="worksheets/sheet9.xml" Id="rId78" /></Relationships>',
    )
    assert _unreadable("return.xlsx", _rezip(members)).startswith("Macro-enabled workbooks are not accepted.")


# L2: the number of problems reported ------------------------------------------------------------


def test_problems_are_capped_and_the_rest_counted() -> None:
    table = read_return_file("return.csv", hostile.many_problems_csv(1.0))
    checked = check_table(table, authority_code="E09000022", round_label="2025")
    assert len(checked.errors) == MAX_PROBLEMS
    assert checked.omitted > 100
    assert checked.errors[0].place is not None
