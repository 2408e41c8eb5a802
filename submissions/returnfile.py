"""Safe reading of an uploaded SC-WRES return file (CSV or XLSX) into a plain `Table`.

This module only reads: it finds the rows and keeps every cell's raw value, so the validator
(`submissions.validation`) can say exactly what is wrong and where. It never touches the database.

Files come from outside, so reading is defensive (ECOSYSTEM.md, "Untrusted spreadsheets"):

- at most `MAX_UPLOAD_BYTES` (5 MB);
- an XLSX zip's central directory is checked before any part is read: member count, each
  member's declared size, the total and the compression ratio (zip bombs); macros are found by
  content, not only by name: content types and relationships naming a VBA project, a macro-enabled
  workbook or macro sheets, and any binary (OLE) part;
- the cells are read by `submissions.xlsxreader`, a streaming reader that stops at the first limit:
  `MAX_ROWS` rows and `MAX_COLUMNS` columns, blank or not (declared or actual), `MAX_CELL_CHARS`
  characters a cell, and a bounded number of shared strings, styles and XML elements; a CSV's lines
  are counted and measured (`MAX_LINE_CHARS`) before they are split into cells. So reading any file
  costs about what reading a return costs (issue 13, H1; `make bench` measures it);
- formulas are not evaluated and not trusted: a formula cell is reported as a `Problem` and its value
  is kept as a `Formula`;
- anything that cannot be read at all (old .xls, password-protected workbooks, ODS, corrupt or
  binary files, empty files) raises `UnreadableFile` with a plain-English message, never a traceback.

Row numbers are the file's own, as a spreadsheet shows them: the header is row 1 (or the row it is
actually on in a worksheet), and blank rows are skipped but still counted.
"""

from __future__ import annotations

import csv
import io
import math
import re
import zipfile
from dataclasses import dataclass, field

from submissions import xlsxreader
from submissions.schema import HEADER, RowKey
from submissions.xlsxreader import Formula, column_letter

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
#: Limits on the zip inside an XLSX, checked before parsing. A return workbook is about 20 KB.
MAX_ZIP_MEMBERS = 200
MAX_MEMBER_BYTES = 20 * 1024 * 1024
MAX_TOTAL_BYTES = 50 * 1024 * 1024
MAX_COMPRESSION_RATIO = 100
#: Small members may compress very well without harm; the ratio only matters above this size.
RATIO_CHECK_FROM_BYTES = 1024 * 1024
#: The most the zip's list of parts ([Content_Types].xml) and relationships parts may hold together.
MAX_PACKAGE_PART_BYTES = 256 * 1024
#: A return has a header and 32 rows in the schema's 6 columns, plus the template's guidance
#: column. Every row and column counts, blank or not (a row of spaces is a row), so that the work
#: of reading any file is bounded by these, not by the file (issue 13, H1).
MAX_ROWS = 200
MAX_COLUMNS = len(HEADER) + 4
#: The most characters in one cell, and in one line of a CSV file.
MAX_CELL_CHARS = 1000
MAX_LINE_CHARS = 4000
RETURN_LIMITS = xlsxreader.Limits(
    rows=MAX_ROWS, columns=MAX_COLUMNS, cell_chars=MAX_CELL_CHARS, elements=8_000
)
#: The About sheet is optional and only its first two columns are read: past these it stops quietly.
ABOUT_LIMITS = xlsxreader.Limits(rows=100, columns=2, cell_chars=MAX_CELL_CHARS, elements=5_000, strict=False)

RETURN_SHEET = "Return"
ABOUT_SHEET = "About"

_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

SAVE_AS = "Save it as Excel Workbook (.xlsx) or CSV UTF-8 (comma delimited) (.csv) and upload it again."


class UnreadableFile(Exception):
    """The upload cannot be read at all. `message` is plain English and safe to show."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Place:
    """Where a problem is in the file.

    `row` is the row number a spreadsheet shows (header = row 1); `column` is the header name (for
    example "minority_ethnic") or, where no header applies, the column letter. `cell` is the
    spreadsheet reference ("E5") when known; it is not part of equality.
    """

    sheet: str | None
    row: int | None
    column: str | None
    cell: str | None = field(default=None, compare=False)

    def describe(self) -> str:
        """For example "Return sheet, row 5, column minority_ethnic (cell E5)"."""
        parts = []
        if self.sheet:
            parts.append(f"{self.sheet} sheet")
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column:
            parts.append(f"column {self.column}")
        text = ", ".join(parts) or "Whole file"
        if self.cell:
            text += f" (cell {self.cell})"
        return text[0].upper() + text[1:]


@dataclass(frozen=True)
class Problem:
    """An error in a return: `message` says what is wrong, `fix` how to put it right.

    `key` and `group` let the web form attach it to a field; `place` locates it in a file.
    """

    code: str
    message: str
    fix: str
    place: Place | None = None
    key: RowKey | None = None
    group: str | None = None

    def __str__(self) -> str:
        where = f"{self.place.describe()}: " if self.place else ""
        return f"{where}{self.message} {self.fix}"


@dataclass
class Table:
    """The rows of a return as read from a file, before any validation.

    `sheet` is None for CSV. `rows` holds (row number, raw cell values) for each non-blank row after
    the header. `about` holds the About sheet's key/value pairs (keys lower case, trimmed, without a
    trailing colon) and `about_rows` the row each key is on. `problems` are found while reading.
    """

    sheet: str | None
    header_row: int
    header: list[str]
    rows: list[tuple[int, list[object]]]
    about: dict[str, str] | None = None
    problems: list[Problem] = field(default_factory=list)
    about_rows: dict[str, int] = field(default_factory=dict)


def read_return_file(filename: str, content: bytes) -> Table:
    """Read an uploaded return. Raises `UnreadableFile` if it cannot be read at all."""
    _check_size(content)
    name = (filename or "").strip().lower()
    if content.startswith(_OLE_MAGIC):
        raise UnreadableFile(_ole_message(content))
    if content.startswith(_ZIP_MAGIC):
        if name.endswith((".xlsm", ".xltm", ".xlsb")):
            raise UnreadableFile(_MACRO_MESSAGE)
        return _read_xlsx(content)
    if name.endswith((".xlsx", ".xlsm", ".xls", ".ods", ".numbers")):
        raise UnreadableFile(f"The file is named like a spreadsheet but is not an Excel workbook. {SAVE_AS}")
    return _read_csv(content)


def _check_size(content: bytes) -> None:
    if len(content) > MAX_UPLOAD_BYTES:
        size = math.ceil(len(content) / (1024 * 1024) * 10) / 10  # rounded up: never "5.0 MB, over 5 MB"
        raise UnreadableFile(
            f"The file is {size:.1f} MB. The largest file you can upload is 5 MB. "
            "A return is usually much smaller: check you chose the right file."
        )
    if not content or content.isspace():
        raise UnreadableFile("The file is empty. Choose the file with your return in it and upload it again.")


def _ole_message(content: bytes) -> str:
    """Old-format Office files: an .xls workbook or a password-protected .xlsx."""
    if "EncryptedPackage".encode("utf-16-le") in content:
        return (
            "The file is protected with a password, so it cannot be read. Remove the password "
            "(File > Info > Protect Workbook), save it and upload it again."
        )
    return f"The file is an old-format Excel workbook (.xls), which cannot be read. {SAVE_AS}"


_MACRO_MESSAGE = (
    "Macro-enabled workbooks are not accepted. Save it as Excel Workbook (.xlsx) and upload it again."
)
_EMBEDDED_MESSAGE = (
    "The workbook has a program or an embedded object in it, which is not accepted. Copy your figures "
    "into the template (or a new workbook), save it as Excel Workbook (.xlsx) and upload it again."
)
_COPY_INTO_TEMPLATE = (
    "Check you chose the right file. If you did, download the template and copy your figures into it."
)


#: Content that makes a workbook macro-enabled, whatever its parts are called: content types of
#: VBA projects, macro-enabled workbooks and Excel 4.0 macro sheets, and the matching relationships.
_MACRO_MARKERS = (b"vbaproject", b"macroenabled", b"macrosheet", b"xlmacrosheet", b"xlintlmacrosheet")


def _check_zip(archive: zipfile.ZipFile) -> None:
    """Refuse zip bombs using the central directory only (nothing is decompressed), then macros
    by content: content types, relationships, and binary parts (a VBA project is an OLE file)."""
    members = archive.infolist()
    if len(members) > MAX_ZIP_MEMBERS:
        raise UnreadableFile(f"The workbook has too many parts to be a return. {SAVE_AS}")
    total = 0
    for member in members:
        if member.file_size > MAX_MEMBER_BYTES:
            raise UnreadableFile(f"The workbook is too large when opened (over 20 MB). {SAVE_AS}")
        total += member.file_size
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > RATIO_CHECK_FROM_BYTES and ratio > MAX_COMPRESSION_RATIO:
            raise UnreadableFile(
                f"The workbook is compressed in an unusual way and cannot be read. {SAVE_AS}"
            )
    if total > MAX_TOTAL_BYTES:
        raise UnreadableFile(f"The workbook is too large when opened (over 50 MB). {SAVE_AS}")
    names = {m.filename.lower() for m in members}
    if "mimetype" in names and "xl/workbook.xml" not in names:
        raise UnreadableFile(f"OpenDocument spreadsheets (.ods) cannot be read. {SAVE_AS}")
    if "xl/workbook.xml" not in names:
        raise UnreadableFile(f"The file is not an Excel workbook. {SAVE_AS}")
    if any(n.endswith("vbaproject.bin") or n.startswith("xl/macrosheets/") for n in names):
        raise UnreadableFile(_MACRO_MESSAGE)
    package_bytes = 0
    for member in members:
        lower = member.filename.lower()
        if lower == "[content_types].xml" or lower.endswith(".rels"):
            package_bytes += member.file_size
            if package_bytes > MAX_PACKAGE_PART_BYTES:
                raise UnreadableFile(f"The workbook's list of parts is too large to be a return. {SAVE_AS}")
            text = archive.read(member).lower()
            if any(marker in text for marker in _MACRO_MARKERS):
                raise UnreadableFile(_MACRO_MESSAGE)
        elif member.file_size >= len(_OLE_MAGIC):
            with archive.open(member) as stream:
                if stream.read(len(_OLE_MAGIC)) == _OLE_MAGIC:
                    raise UnreadableFile(_EMBEDDED_MESSAGE)


def _read_xlsx(content: bytes) -> Table:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            _check_zip(archive)
            workbook = xlsxreader.Workbook(archive)
            return _read_workbook(workbook)
    except UnreadableFile:
        raise
    except xlsxreader.Refused as refused:
        if refused.damaged:
            raise UnreadableFile(f"The file is damaged and cannot be read. {SAVE_AS}") from refused
        raise UnreadableFile(f"{refused.message} {_COPY_INTO_TEMPLATE}") from refused
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError, KeyError) as exc:
        raise UnreadableFile(f"The file is damaged and cannot be opened. {SAVE_AS}") from exc
    except Exception as exc:  # zlib and friends raise many types for corrupt files; none may reach the user
        raise UnreadableFile(f"The file is damaged and cannot be read. {SAVE_AS}") from exc


def _find_sheet(sheetnames: list[str], wanted: str) -> str | None:
    return next((name for name in sheetnames if name.strip().lower() == wanted.lower()), None)


def _read_workbook(workbook: xlsxreader.Workbook) -> Table:
    """Read the Return sheet (or a workbook's only sheet) and the optional About sheet.

    Falling back to the only sheet lets a council upload a one-sheet workbook made from the CSV
    layout; places then name that sheet. With several sheets and none called Return we cannot guess.
    """
    names: list[str] = workbook.sheetnames
    sheet = _find_sheet(names, RETURN_SHEET)
    if sheet is None and len(names) == 1 and names[0].strip().lower() != ABOUT_SHEET.lower():
        sheet = names[0]
    if sheet is None:
        found = ", ".join(f'"{n[:40]}"' for n in names[:20])
        problem = Problem(
            "missing_sheet",
            f"The workbook has no sheet called Return. It has: {found}.",
            "Put the return rows on a sheet called Return, or download the template and copy your "
            "figures into it.",
            place=Place(None, None, None),
        )
        return Table(sheet=RETURN_SHEET, header_row=0, header=[], rows=[], problems=[problem])
    rows = [
        (n, [_mark_formula(v) for v in values]) for n, values in workbook.sheet_rows(sheet, RETURN_LIMITS)
    ]
    table = _table_from_rows(sheet, [(n, values) for n, values in rows if not _is_blank(values)])
    about_name = _find_sheet(names, ABOUT_SHEET)
    if about_name is not None:
        table.about, table.about_rows = _read_about(workbook.sheet_rows(about_name, ABOUT_LIMITS))
    return table


def _mark_formula(value: object) -> object:
    """A string starting with "=" is a formula in the user's eyes, whatever the file format says."""
    if isinstance(value, str) and value.strip().startswith("="):
        return Formula(value.strip())
    return value


def _too_many_rows() -> UnreadableFile:
    return UnreadableFile(
        f"The file has more than {MAX_ROWS:,} rows (blank rows count), so it is not a return: a return "
        f"has one header row and 16 rows for each service. Delete the rows below your return. "
        f"{_COPY_INTO_TEMPLATE}"
    )


def _formula_problems(
    sheet: str | None, rows: list[tuple[int, list[object]]], header: list[str]
) -> list[Problem]:
    problems = []
    for number, values in rows:
        for index, value in enumerate(values):
            if isinstance(value, Formula):
                letter = column_letter(index + 1)
                column = header[index] if index < len(header) and header[index] else letter
                problems.append(
                    Problem(
                        "formula",
                        f"Cell {letter}{number} contains a formula ({value[:40]}).",
                        "Type the number itself: the figures must be values, not formulas. In Excel, "
                        "copy the cells and use Paste Special > Values.",
                        place=Place(sheet, number, column, cell=f"{letter}{number}"),
                    )
                )
    return problems


def _read_about(rows: list[tuple[int, list[object]]]) -> tuple[dict[str, str], dict[str, int]]:
    """Two-column key/value rows, for example "ONS code" | "E09000022"; the first of a key wins."""
    about: dict[str, str] = {}
    numbers: dict[str, int] = {}
    for number, cells in rows:
        key, value = ([*cells, None, None])[:2]
        key_text = normalise_about_key(key)
        if key_text and key_text not in about:
            about[key_text] = cell_text(value)
            numbers[key_text] = number
    return about, numbers


def normalise_about_key(key: object) -> str:
    """ "ONS code:" -> "ons code"."""
    return " ".join(cell_text(key).lower().rstrip(":").split())


def cell_text(value: object) -> str:
    """A cell as trimmed text; whole-number floats lose their ".0" (2025.0 -> "2025")."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _is_blank(values: list[object]) -> bool:
    return all(v is None or (isinstance(v, str) and not v.strip()) for v in values)


def _table_from_rows(sheet: str | None, rows: list[tuple[int, list[object]]]) -> Table:
    """The first non-blank row is the header; the rest are data rows."""
    if not rows:
        return Table(sheet=sheet, header_row=0, header=[], rows=[])
    header_row, header_values = rows[0]
    header = [cell_text(v) for v in header_values]
    while header and not header[-1]:
        header.pop()
    problems = _formula_problems(sheet, rows, header)
    return Table(sheet=sheet, header_row=header_row, header=header, rows=rows[1:], problems=problems)


def table_from_rows(rows: list[list[object]], *, sheet: str | None = None) -> Table:
    """A `Table` from rows already in memory (for example a tablib Dataset's headers and rows,
    as tablib reads them); the first row is the header, at row 1."""
    numbered = [(number, [_mark_formula(v) for v in values]) for number, values in enumerate(rows, start=1)]
    return _table_from_rows(sheet, [(number, values) for number, values in numbered if not _is_blank(values)])


def _decode(content: bytes) -> str:
    """UTF-8 (with or without a byte order mark), else Windows-1252 (Excel's "CSV" on Windows)."""
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise UnreadableFile(f"The file is saved as Unicode text, which cannot be read. {SAVE_AS}")
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = content.decode("cp1252")
        except UnicodeDecodeError as exc:
            raise UnreadableFile(f"The file is not a CSV or Excel (.xlsx) file. {SAVE_AS}") from exc
    if _CONTROL_CHARS.search(text):
        raise UnreadableFile(f"The file is not a CSV or Excel (.xlsx) file. {SAVE_AS}")
    return text


def _delimiter(text: str) -> str:
    """Commas, unless the first line clearly uses semicolons or tabs (some Excel settings do)."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    if "," not in first:
        for candidate in (";", "\t"):
            if candidate in first:
                return candidate
    return ","


def _check_lines(content: bytes) -> None:
    """Count and measure the lines on the raw bytes, before anything is decoded or split into cells:
    each search looks at most one line's allowance ahead, so the work is bounded whatever the file."""
    position, number = 0, 0
    while position < len(content):
        number += 1
        if number > MAX_ROWS:
            raise _too_many_rows()
        limit = position + MAX_LINE_CHARS + 2
        ends = [
            i for i in (content.find(b"\n", position, limit), content.find(b"\r", position, limit)) if i >= 0
        ]
        if not ends:
            if limit >= len(content):
                return
            raise UnreadableFile(
                f"Line {number:,} of the file is more than {MAX_LINE_CHARS:,} characters long, far longer "
                f"than a line of a return. {_COPY_INTO_TEMPLATE}"
            )
        end = min(ends)
        position = end + (2 if content[end : end + 2] == b"\r\n" else 1)


def _read_csv(content: bytes) -> Table:
    _check_lines(content)
    text = _decode(content)
    rows: list[tuple[int, list[object]]] = []
    try:
        # newline="" keeps \r\n, \n and \r line endings (and newlines inside quotes) for the csv module.
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
        for number, record in enumerate(reader, start=1):
            if len(record) > MAX_COLUMNS and any(v.strip() for v in record[MAX_COLUMNS:]):
                last = max(i for i, v in enumerate(record) if v.strip()) + 1
                raise UnreadableFile(
                    f"Row {number} has something in column {column_letter(last)} (column {last:,}). A return "
                    f"uses columns A to {column_letter(MAX_COLUMNS)} at most: delete the columns to the "
                    f"right of your return. {_COPY_INTO_TEMPLATE}"
                )
            for index, value in enumerate(record[:MAX_COLUMNS]):
                if len(value) > MAX_CELL_CHARS:
                    raise UnreadableFile(
                        f"Cell {column_letter(index + 1)}{number} holds more than {MAX_CELL_CHARS:,} "
                        f"characters, far more than any cell of a return. {_COPY_INTO_TEMPLATE}"
                    )
            values = [_mark_formula(value) for value in record[:MAX_COLUMNS]]
            if not _is_blank(values):
                rows.append((number, values))
    except csv.Error as exc:
        raise UnreadableFile(f"The file is not a readable CSV file. {SAVE_AS}") from exc
    return _table_from_rows(None, rows)
