"""Hostile upload files (issue 13, H1, L1, L2): each small on the wire, each built to make a naive
reader do far more work than a return needs. Used by the tests (each must be refused, or read
within the limits) and by `make bench` (`bench/uploads.py`: the CPU each costs against a valid
return). `scale` shrinks them for the tests; `scale=1` is the largest that fits in 5 MB.
"""

from __future__ import annotations

import io
import random
import re
import zipfile
from collections.abc import Callable

from tests.submissions.files import csv_bytes, valid_rows, xlsx_bytes

SHEET = "xl/worksheets/sheet1.xml"
STRINGS = "xl/sharedStrings.xml"


def _members(content: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _zip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


def shared_strings_workbook(content: bytes) -> bytes:
    """The workbook with its inline strings moved to a shared-strings part, as Excel saves them
    (openpyxl writes inline strings)."""
    return _zip(_to_shared_strings(_members(content)))


def _to_shared_strings(members: dict[str, bytes]) -> dict[str, bytes]:
    strings: list[bytes] = []

    def share(match: re.Match[bytes]) -> bytes:
        strings.append(match.group(2))
        return b'<c r="%s" t="s"><v>%d</v></c>' % (match.group(1), len(strings) - 1)

    inline = re.compile(rb'<c r="([A-Z]+[0-9]+)" t="inlineStr"><is><t>([^<]*)</t></is></c>')
    for name in [n for n in members if n.startswith("xl/worksheets/")]:
        members[name] = inline.sub(share, members[name])
    members[STRINGS] = (
        b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="%d">' % len(strings)
        + b"".join(b"<si><t>%s</t></si>" % text for text in strings)
        + b"</sst>"
    )
    members["xl/_rels/workbook.xml.rels"] = members["xl/_rels/workbook.xml.rels"].replace(
        b"</Relationships>",
        b'<Relationship Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
        b'sharedStrings" Target="sharedStrings.xml" Id="rId99" /></Relationships>',
    )
    members["[Content_Types].xml"] = members["[Content_Types].xml"].replace(
        b"</Types>",
        b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-'
        b'officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
    )
    return members


def _valid_members() -> dict[str, bytes]:
    return _to_shared_strings(_members(xlsx_bytes(valid_rows())))


def _with_sheet_tail(rows_xml: bytes, *, dimension: bytes | None = None) -> bytes:
    """The valid return, with extra XML rows appended to its sheet data."""
    members = _valid_members()
    sheet = members[SHEET].replace(b"</sheetData>", rows_xml + b"</sheetData>")
    if dimension is not None:
        sheet = sheet.replace(b'<dimension ref="A1:F33" />', b'<dimension ref="' + dimension + b'" />')
    members[SHEET] = sheet
    return _zip(members)


def wide_xfd_cell(scale: float = 1.0) -> bytes:
    """One cell in column XFD on every one of many rows (openpyxl pads each row to 16,384 cells).
    The sheet's declared size is left as a return's, so only reading finds it."""
    count = max(2, int(12_000 * scale))
    rows = b"".join(
        b'<row r="%d"><c r="XFD%d" t="n"><v>1</v></c></row>' % (n, n) for n in range(34, 34 + count)
    )
    return _with_sheet_tail(rows)


def declared_huge(scale: float = 1.0) -> bytes:
    """A sheet that declares A1:XFD1048576 and holds a cell in its last corner."""
    return _with_sheet_tail(
        b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>', dimension=b"A1:XFD1048576"
    )


def space_rows(scale: float = 1.0) -> bytes:
    """Rows holding a single space, unlimited by a cap that counts only non-blank rows."""
    count = max(2, int(11_000 * scale))
    rows = b"".join(
        b'<row r="%d"><c r="A%d" t="inlineStr"><is><t xml:space="preserve"> </t></is></c></row>' % (n, n)
        for n in range(34, 34 + count)
    )
    return _with_sheet_tail(rows)


def huge_shared_strings(scale: float = 1.0) -> bytes:
    """Hundreds of thousands of shared strings after the return's own, none of them used."""
    members = _valid_members()
    count = max(10, int(40_000 * scale))
    rng = random.Random(13)  # noqa: S311 - test data
    extra = b"".join(b"<si><t>%08x</t></si>" % rng.getrandbits(20) for _ in range(count))
    members[STRINGS] = members[STRINGS].replace(b"</sst>", extra + b"</sst>")
    return _zip(members)


def referenced_far_string(scale: float = 1.0) -> bytes:
    """A cell that refers to the last of many shared strings, so every one before must be read."""
    members = _valid_members()
    count = max(10, int(1_950 * scale))
    extra = b"".join(b"<si><t>%d</t></si>" % n for n in range(count))
    members[STRINGS] = members[STRINGS].replace(b"</sst>", extra + b"</sst>")
    members[SHEET] = members[SHEET].replace(
        b"</sheetData>", b'<row r="34"><c r="A34" t="s"><v>%d</v></c></row></sheetData>' % (count + 20)
    )
    return _zip(members)


def long_cell(scale: float = 1.0) -> bytes:
    """One inline-string cell of millions of characters (compressible, under the zip ratio limit)."""
    rng = random.Random(7)  # noqa: S311 - test data
    length = max(2000, int(950_000 * scale))
    text = bytes(rng.choice(b"abcdefgh ") if i % 64 == 0 else 97 for i in range(0, length))
    return _with_sheet_tail(b'<row r="34"><c r="A34" t="inlineStr"><is><t>' + text + b"</t></is></c></row>")


def deep_nesting(scale: float = 1.0) -> bytes:
    """A cell whose value is nested hundreds of thousands of elements deep."""
    depth = max(100, int(100_000 * scale))
    nest = b"<r>" * depth + b"</r>" * depth
    return _with_sheet_tail(b'<row r="34"><c r="A34" t="inlineStr"><is>' + nest + b"</is></c></row>")


def many_styles(scale: float = 1.0) -> bytes:
    """A number styled with the last of a hundred thousand cell styles."""
    members = _valid_members()
    count = max(10, int(100_000 * scale))
    styles = members["xl/styles.xml"]
    rng = random.Random(3)  # noqa: S311 - test data
    xfs = (
        b'<cellXfs count="%d">' % count
        + b"".join(
            b'<xf numFmtId="%d" fontId="%d" />' % (rng.randrange(50), rng.randrange(999))
            for _ in range(count)
        )
        + b"</cellXfs>"
    )
    start, end = styles.index(b"<cellXfs"), styles.index(b"</cellXfs>") + len(b"</cellXfs>")
    members["xl/styles.xml"] = styles[:start] + xfs + styles[end:]
    members[SHEET] = members[SHEET].replace(
        b"</sheetData>", b'<row r="34"><c r="A34" s="%d"><v>1</v></c></row></sheetData>' % (count - 1)
    )
    return _zip(members)


def padded_sheet(scale: float = 1.0) -> bytes:
    """A sheet part of about 20 MB when opened (comments), under the zip's compression-ratio limit."""
    rng = random.Random(5)  # noqa: S311 - test data
    count = max(10, int(9_500 * scale))
    padding = b"".join(b"<!--" + b" " * 90 + rng.randbytes(2).hex().encode() + b"-->" for _ in range(count))
    members = _valid_members()
    members[SHEET] = members[SHEET].replace(b"<sheetData>", padding + b"<sheetData>")
    return _zip(members)


def zip_of_many_parts(scale: float = 1.0) -> bytes:
    """The valid return plus 190 relationship parts of padding (every .rels part is read)."""
    members = _valid_members()
    size = max(1000, int(250_000 * scale))
    for n in range(190):
        members[f"xl/pad/_rels/part{n}.xml.rels"] = (
            b'<?xml version="1.0"?><Relationships>' + b" " * size + (b"</Relationships>")
        )
    return _zip(members)


def random_parts(scale: float = 1.0) -> bytes:
    """The valid return plus 190 parts of random bytes, nearly 5 MB that cannot be compressed."""
    members = _valid_members()
    rng = random.Random(11)  # noqa: S311 - test data
    size = max(100, int(25_500 * scale))
    for n in range(190):
        members[f"xl/media/image{n}.png"] = rng.randbytes(size)
    return _zip(members)


def many_columns_csv(scale: float = 1.0) -> bytes:
    """A CSV whose header has 18,279 or more columns (past openpyxl's last column letter)."""
    columns = max(18_279, int(2_000_000 * scale))
    return b"service,measure,pay_band,white,minority_ethnic,unknown" + b",x" * columns + b"\r\n"


def many_problems_csv(scale: float = 1.0) -> bytes:
    """Every count cell of a return wrong, in as many rows and columns as a reader allows."""
    rows = valid_rows()
    width = 10
    body = [row[:3] + ["x"] * (width - 3) for row in rows[1:]] * max(1, int(6 * scale))
    return csv_bytes([rows[0] + [f"extra{n}" for n in range(width - 6)], *body])


def blank_lines_csv(scale: float = 1.0) -> bytes:
    """A return followed by millions of lines of commas."""
    return csv_bytes(valid_rows()) + b",,,,,,\r\n" * max(10, int(600_000 * scale))


#: name -> (builder, what it is), in the order `make bench` prints them.
HOSTILE: dict[str, tuple[Callable[[float], bytes], str]] = {
    "wide_xfd_cell": (wide_xfd_cell, "a cell in column XFD on each of 12,000 rows"),
    "declared_huge": (declared_huge, "a sheet declaring A1:XFD1048576"),
    "space_rows": (space_rows, "11,000 rows of one space"),
    "huge_shared_strings": (huge_shared_strings, "40,000 unused shared strings"),
    "referenced_far_string": (referenced_far_string, "a cell using the 2,000th shared string"),
    "long_cell": (long_cell, "a cell of 950,000 characters"),
    "deep_nesting": (deep_nesting, "a cell nested 100,000 elements deep"),
    "many_styles": (many_styles, "a number in style 100,000"),
    "padded_sheet": (padded_sheet, "a 1 MB sheet part of comments"),
    "zip_of_many_parts": (zip_of_many_parts, "190 padded relationship parts"),
    "random_parts": (random_parts, "190 parts of random bytes"),
    "many_columns_csv": (many_columns_csv, "a CSV line of 2,000,000 columns"),
    "many_problems_csv": (many_problems_csv, "a CSV with every cell wrong"),
    "blank_lines_csv": (blank_lines_csv, "a CSV with 600,000 lines of commas"),
}


def filename(name: str) -> str:
    return "return.csv" if name.endswith("_csv") else "return.xlsx"
