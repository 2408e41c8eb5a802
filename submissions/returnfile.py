"""Safe reading of an uploaded SC-WRES return file (CSV or XLSX) into a plain `Table`.

This module only reads: it finds the rows and keeps every cell's raw value, so the validator
(`submissions.validation`) can say exactly what is wrong and where. It never touches the database.

Files come from outside, so reading is defensive (ECOSYSTEM.md, "Untrusted spreadsheets"):

- at most `MAX_UPLOAD_BYTES` (5 MB);
- an XLSX zip's central directory is checked *before* openpyxl opens it: member count, each
  member's declared size, the total and the compression ratio (zip bombs), and macros
  (`xl/vbaProject.bin`, macro-enabled content types);
- openpyxl parses with defusedxml (installed) and `read_only=True`; formulas are not evaluated and
  not trusted: a formula cell is reported as a `Problem` and its value is kept as a `Formula`;
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

from openpyxl import load_workbook
from openpyxl.cell.read_only import EmptyCell, ReadOnlyCell
from openpyxl.utils import get_column_letter
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet._read_only import ReadOnlyWorksheet

from submissions.schema import RowKey

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
#: Limits on the zip inside an XLSX, checked before parsing. A return workbook is about 20 KB.
MAX_ZIP_MEMBERS = 200
MAX_MEMBER_BYTES = 20 * 1024 * 1024
MAX_TOTAL_BYTES = 50 * 1024 * 1024
MAX_COMPRESSION_RATIO = 100
#: Small members may compress very well without harm; the ratio only matters above this size.
RATIO_CHECK_FROM_BYTES = 1024 * 1024
#: A return has 32 rows; anything far beyond that is not a return.
MAX_ROWS = 1000

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


class Formula(str):
    """The text of a formula cell. Kept so the validator knows the cell was already reported."""


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
    if not content.strip():
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


def _check_zip(archive: zipfile.ZipFile) -> None:
    """Refuse zip bombs and macros using the central directory only (nothing is decompressed)."""
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
    if any(n.endswith("vbaproject.bin") for n in names):
        raise UnreadableFile(_MACRO_MESSAGE)
    if "[content_types].xml" in names:
        content_types = archive.read(_member(archive, "[content_types].xml"))
        if b"macroenabled" in content_types.lower():
            raise UnreadableFile(_MACRO_MESSAGE)


def _member(archive: zipfile.ZipFile, lower_name: str) -> str:
    return next(n for n in archive.namelist() if n.lower() == lower_name)


def _read_xlsx(content: bytes) -> Table:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            _check_zip(archive)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError) as exc:
        raise UnreadableFile(f"The file is damaged and cannot be opened. {SAVE_AS}") from exc
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises many types for corrupt files; none may reach the user
        raise UnreadableFile(
            f"The file is damaged and cannot be opened as an Excel workbook. {SAVE_AS}"
        ) from exc
    try:
        return _read_workbook(workbook)
    except UnreadableFile:
        raise
    except Exception as exc:
        raise UnreadableFile(f"The file is damaged and cannot be read. {SAVE_AS}") from exc
    finally:
        workbook.close()


def _find_sheet(sheetnames: list[str], wanted: str) -> str | None:
    return next((name for name in sheetnames if name.strip().lower() == wanted.lower()), None)


def _read_workbook(workbook: Workbook) -> Table:
    """Read the Return sheet (or a workbook's only sheet) and the optional About sheet.

    Falling back to the only sheet lets a council upload a one-sheet workbook made from the CSV
    layout; places then name that sheet. With several sheets and none called Return we cannot guess.
    """
    names: list[str] = workbook.sheetnames
    sheet = _find_sheet(names, RETURN_SHEET)
    if sheet is None and len(names) == 1 and names[0].strip().lower() != ABOUT_SHEET.lower():
        sheet = names[0]
    if sheet is None:
        found = ", ".join(f'"{n}"' for n in names)
        problem = Problem(
            "missing_sheet",
            f"The workbook has no sheet called Return. It has: {found}.",
            "Put the return rows on a sheet called Return, or download the template and copy your "
            "figures into it.",
            place=Place(None, None, None),
        )
        return Table(sheet=RETURN_SHEET, header_row=0, header=[], rows=[], problems=[problem])
    table = _table_from_rows(sheet, _sheet_rows(workbook[sheet]))
    about_name = _find_sheet(names, ABOUT_SHEET)
    if about_name is not None:
        table.about, table.about_rows = _read_about(workbook[about_name])
    return table


def _sheet_rows(worksheet: ReadOnlyWorksheet) -> list[tuple[int, list[object]]]:
    """Every non-blank row as (row number, values); formula cells become `Formula` values.

    openpyxl yields every row from row 1, blank ones included, so counting gives the sheet's own
    row numbers.
    """
    worksheet.reset_dimensions()  # a wrong stored sheet size must not cut rows off
    out: list[tuple[int, list[object]]] = []
    for number, cells in enumerate(worksheet.iter_rows(), start=1):
        values = [_xlsx_value(cell) for cell in cells]
        if not _is_blank(values):
            out.append((number, values))
            _check_row_count(len(out))
    return out


def _xlsx_value(cell: ReadOnlyCell | EmptyCell) -> object:
    value = cell.value
    if cell.data_type == "f":
        # ArrayFormula and DataTableFormula objects carry their text in .text
        return Formula(getattr(value, "text", None) or str(value))
    return _mark_formula(value)


def _mark_formula(value: object) -> object:
    """A string starting with "=" is a formula in the user's eyes, whatever the file format says."""
    if isinstance(value, str) and value.strip().startswith("="):
        return Formula(value.strip())
    return value


def _check_row_count(count: int) -> None:
    if count > MAX_ROWS:
        raise UnreadableFile(
            f"The file has more than {MAX_ROWS:,} rows, so it is not a return: a return has one header "
            "row and 16 rows for each service. Check you chose the right file."
        )


def _formula_problems(
    sheet: str | None, rows: list[tuple[int, list[object]]], header: list[str]
) -> list[Problem]:
    problems = []
    for number, values in rows:
        for index, value in enumerate(values):
            if isinstance(value, Formula):
                letter = get_column_letter(index + 1)
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


def _read_about(worksheet: ReadOnlyWorksheet) -> tuple[dict[str, str], dict[str, int]]:
    """Two-column key/value rows, for example "ONS code" | "E09000022"; the first of a key wins."""
    worksheet.reset_dimensions()
    about: dict[str, str] = {}
    rows: dict[str, int] = {}
    for number, cells in enumerate(worksheet.iter_rows(max_col=2, values_only=True), start=1):
        if number > MAX_ROWS:
            break
        key, value = ([*cells, None, None])[:2]
        key_text = normalise_about_key(key)
        if key_text and key_text not in about:
            about[key_text] = cell_text(value)
            rows[key_text] = number
    return about, rows


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
    as django-import-export reads them); the first row is the header, at row 1."""
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


def _read_csv(content: bytes) -> Table:
    text = _decode(content)
    rows: list[tuple[int, list[object]]] = []
    try:
        # newline="" keeps \r\n, \n and \r line endings (and newlines inside quotes) for the csv module.
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
        for number, record in enumerate(reader, start=1):
            values = [_mark_formula(value) for value in record]
            if not _is_blank(values):
                rows.append((number, values))
                _check_row_count(len(rows))
    except csv.Error as exc:
        raise UnreadableFile(f"The file is not a readable CSV file. {SAVE_AS}") from exc
    return _table_from_rows(None, rows)
