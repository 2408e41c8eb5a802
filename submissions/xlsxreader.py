"""A bounded, streaming reader for the cells of an XLSX worksheet.

Why not openpyxl for reading uploads: openpyxl builds every row as wide as its last cell (one cell
in column XFD makes 16,384 cells a row), reads the whole shared-strings and styles parts before the
first cell, and has no way to stop a sheet part-way with a located reason. An upload is hostile
until read, so this reader feeds each part to expat in 64 KB chunks and stops at the first limit
it meets: rows, columns, characters in a cell, shared strings, styles or XML elements. The work it
does is therefore bounded by the limits, whatever the file (issue 13, H1).

It reads values only: shared and inline strings, numbers (int unless written with a point or an
exponent, as openpyxl does), booleans, error and date-typed cells as text, numbers whose style is a
date format as datetimes, and formulas as `Formula` (never evaluated). No DOCTYPE is accepted, so
no entity can be declared or fetched.
"""

from __future__ import annotations

import contextlib
import posixpath
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import NoReturn
from xml.parsers import expat

from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format
from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900, from_excel

_CHUNK = 64 * 1024
_CELL_REF = re.compile(r"^\$?([A-Za-z]{1,3})\$?([0-9]{1,7})$")
_LAST_COLUMN = 16384  # XFD


class Refused(Exception):
    """The workbook breaks a limit or cannot be read. `message` is plain English, without advice on
    saving the file again (the caller adds that)."""

    def __init__(self, message: str, *, damaged: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.damaged = damaged


class Formula(str):
    """The text of a formula cell. Kept so the validator knows the cell was already reported."""


class _Stop(Exception):
    """Raised inside a handler to stop parsing a part early (not an error)."""


@dataclass(frozen=True)
class Limits:
    """What a sheet may hold. A strict sheet is refused past a limit; a lenient one stops reading."""

    rows: int
    columns: int
    cell_chars: int
    elements: int
    strict: bool = True


@dataclass
class _Cell:
    row: int
    column: int
    kind: str  # the cell's t attribute: "s", "str", "inlineStr", "b", "e", "d" or "n"
    style: int
    text: str
    formula: str | None


def column_letter(index: int) -> str:
    """1 -> "A", 28 -> "AB" (any positive index; openpyxl's stops at 18,278)."""
    letters = ""
    while index > 0:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def column_index(letters: str) -> int:
    index = 0
    for char in letters.upper():
        index = index * 26 + ord(char) - 64
    return index


def _local(name: str) -> str:
    return name.rpartition(" ")[2]


class _LocalNames(dict[str, str]):
    """{name as expat gives it ("namespace local"): its local name}, filled as names are met."""

    def __missing__(self, name: str) -> str:
        local = self[name] = name.rpartition(" ")[2]
        return local


def _parser() -> expat.XMLParserType:
    """An expat parser that refuses any document type declaration (so no entity is declared or
    fetched) and reports names as "namespace local"."""
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.buffer_text = True

    def forbid(*_args: object) -> NoReturn:
        raise Refused("The workbook contains a document type declaration.", damaged=True)

    parser.StartDoctypeDeclHandler = forbid
    parser.EntityDeclHandler = forbid
    parser.ExternalEntityRefHandler = forbid
    return parser


def _feed(archive: zipfile.ZipFile, member: str, parser: expat.XMLParserType) -> None:
    """Feed one zip member to `parser` in chunks; a handler raising `_Stop` ends it early."""
    try:
        with archive.open(member) as stream:
            while chunk := stream.read(_CHUNK):
                parser.Parse(chunk, False)
            parser.Parse(b"", True)
    except _Stop:
        return
    except expat.ExpatError as exc:
        raise Refused("A part of the workbook is not well-formed XML.", damaged=True) from exc


def _parse(
    archive: zipfile.ZipFile,
    member: str,
    start: Callable[[str, dict[str, str]], None],
    end: Callable[[str], None] | None = None,
    text: Callable[[str], None] | None = None,
) -> None:
    """Feed one zip member to expat, calling the handlers with each element's local name."""
    parser = _parser()
    # Each element's name is split from its namespace once per part, not once per element: a part
    # names few kinds of element.
    local = _LocalNames()

    def on_start(name: str, attrs: dict[str, str]) -> None:
        start(local[name], attrs)

    parser.StartElementHandler = on_start
    if end is not None:
        finish = end

        def on_end(name: str) -> None:
            finish(local[name])

        parser.EndElementHandler = on_end
    if text is not None:
        parser.CharacterDataHandler = text
    _feed(archive, member, parser)


def _attr(attrs: dict[str, str], local: str) -> str | None:
    """An attribute by its local name, whatever its namespace."""
    if local in attrs:
        return attrs[local]
    return next((value for key, value in attrs.items() if _local(key) == local), None)


@dataclass
class Workbook:
    """The parts of an XLSX needed to read cell values, found through the workbook's relationships."""

    archive: zipfile.ZipFile
    #: The most shared strings or cell styles read before a workbook is refused as too large.
    max_shared_strings: int = 2000
    max_styles: int = 2000
    #: The most a part that is parsed (workbook, sheet, shared strings, styles) may hold when opened.
    max_part_bytes: int = 1024 * 1024
    sheets: dict[str, str] = field(default_factory=dict)  # sheet name -> zip member
    shared_strings: str | None = None
    styles: str | None = None
    epoch: object = CALENDAR_WINDOWS_1900
    _names: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._names = {name.lower(): name for name in self.archive.namelist()}
        targets = self._relationships("xl/_rels/workbook.xml.rels")
        order: list[tuple[str, str]] = []
        count = [0]

        def start(name: str, attrs: dict[str, str]) -> None:
            count[0] += 1
            if count[0] > 10_000:
                raise Refused("The workbook lists too many sheets to be a return.")
            if name == "workbookPr" and _attr(attrs, "date1904") in ("1", "true"):
                self.epoch = CALENDAR_MAC_1904
            elif name == "sheet":
                order.append((attrs.get("name", ""), _attr(attrs, "id") or ""))
            elif name in ("definedNames", "calcPr"):
                raise _Stop

        _parse(self.archive, self._member("xl/workbook.xml"), start)
        for sheet_name, rel in order:
            target = targets.get(rel, ("", ""))[1]
            if target:
                self.sheets[sheet_name] = target
        for kind, target in targets.values():
            if kind.endswith("/sharedStrings"):
                self.shared_strings = target
            elif kind.endswith("/styles"):
                self.styles = target

    @property
    def sheetnames(self) -> list[str]:
        return list(self.sheets)

    def _member(self, path: str) -> str:
        """The zip member to parse for `path`, refused if it is missing or too large when opened."""
        try:
            name = self._names[path.lower()]
        except KeyError:
            raise Refused("A part of the workbook is missing.", damaged=True) from None
        size = self.archive.getinfo(name).file_size
        if size > self.max_part_bytes:
            raise Refused(
                f"A part of the workbook ({posixpath.basename(name)}) is {size / 1024 / 1024:.1f} MB when "
                f"opened; in a return it is a few KB (the limit is {self.max_part_bytes / 1024 / 1024:g} MB)."
            )
        return name

    def _relationships(self, path: str) -> dict[str, tuple[str, str]]:
        """Relationship id -> (type, zip member the target resolves to)."""
        found: dict[str, tuple[str, str]] = {}
        if path.lower() not in self._names:
            return found

        def start(name: str, attrs: dict[str, str]) -> None:
            if len(found) > 10_000:
                raise Refused("The workbook has too many parts to be a return.")
            if name == "Relationship" and attrs.get("TargetMode") != "External":
                target = attrs.get("Target", "")
                resolved = target[1:] if target.startswith("/") else posixpath.join("xl", target)
                found[attrs.get("Id", "")] = (attrs.get("Type", ""), posixpath.normpath(resolved))

        _parse(self.archive, self._member(path), start)
        return found

    # Cells ----------------------------------------------------------------------------------------

    def sheet_rows(self, sheet: str, limits: Limits) -> list[tuple[int, list[object]]]:
        """The sheet's rows that hold any value, as (row number, values from column A)."""
        cells = _SheetReader(limits).read(self.archive, self._member(self.sheets[sheet]), sheet)
        wanted = {int(c.text) for c in cells if c.kind == "s" and c.text.isdigit()}
        strings = self._strings(wanted, limits.cell_chars + 1)
        dates = self._date_styles({c.style for c in cells if c.kind == "n" and c.style})
        rows: dict[int, list[object]] = {}
        for cell in cells:
            value = self._value(cell, strings, dates, sheet, limits)
            values = rows.setdefault(cell.row, [])
            values.extend([None] * (cell.column - len(values)))
            values[cell.column - 1] = value
        return sorted(rows.items())

    def _value(
        self, cell: _Cell, strings: dict[int, str], dates: set[int], sheet: str, limits: Limits
    ) -> object:
        if cell.formula is not None:
            return Formula(cell.formula)
        if cell.kind == "s":
            if not cell.text.isdigit() or int(cell.text) not in strings:
                raise Refused("A cell refers to text the workbook does not hold.", damaged=True)
            value = strings[int(cell.text)]
            if len(value) > limits.cell_chars:
                if not limits.strict:
                    return value[: limits.cell_chars]
                raise Refused(_too_long(sheet, cell.column, cell.row, limits))
            return value
        if cell.kind == "b":
            return cell.text.strip() in ("1", "true")
        if cell.kind in ("str", "inlineStr", "e", "d"):
            return cell.text
        text = cell.text.strip()
        if not text:
            return None
        try:
            number: int | float = float(text) if any(c in text for c in ".eE") else int(text)
        except ValueError:
            return cell.text
        if cell.style in dates:
            try:
                return from_excel(number, self.epoch)
            except (ValueError, OverflowError):
                return number
        return number

    def _strings(self, wanted: set[int], cap: int) -> dict[int, str]:
        """The shared strings the sheet refers to, read up to the last one needed."""
        if not wanted:
            return {}
        last = max(wanted)
        if last >= self.max_shared_strings:
            raise Refused(
                f"The workbook holds more than {self.max_shared_strings:,} pieces of text, far more "
                "than a return."
            )
        if self.shared_strings is None:
            raise Refused("A cell refers to text the workbook does not hold.", damaged=True)
        found: dict[int, str] = {}
        # Only the strings a cell uses reach the text and end handlers, which are switched on for
        # them alone: every other string costs one call per element (issue 13: a cell may use the
        # 2,000th string, and calling three handlers on every element before it made that file
        # the dearest upload to read).
        parser = _parser()
        local = _LocalNames()
        limit = 4 * last + 1000  # plain strings take 2 elements, runs a few more
        index, elements, skip, size = -1, 0, 0, 0
        parts: list[str] = []

        def start(name: str, attrs: dict[str, str]) -> None:
            nonlocal index, elements, skip, size
            elements += 1
            if elements > limit:
                raise Refused("The workbook's text is laid out in an unusual way.", damaged=True)
            tag = local[name]
            if tag == "si":
                index += 1
                if index > last:
                    raise _Stop
                if index in wanted:
                    parts.clear()
                    skip = size = 0
                    parser.CharacterDataHandler = text
                    parser.EndElementHandler = end
                else:  # a string inside a wanted one (not valid, but possible): not read
                    parser.CharacterDataHandler = None
                    parser.EndElementHandler = None
            elif tag == "rPh":  # phonetic guides are not part of the text
                skip += 1

        def end(name: str) -> None:
            nonlocal skip
            tag = local[name]
            if tag == "rPh":
                skip -= 1
            elif tag == "si":
                found[index] = "".join(parts)
                if index >= last:
                    raise _Stop
                parser.CharacterDataHandler = None
                parser.EndElementHandler = None

        def text(data: str) -> None:
            nonlocal size
            if not skip and size < cap:
                parts.append(data)
                size += len(data)

        parser.StartElementHandler = start
        _feed(self.archive, self._member(self.shared_strings), parser)
        return found

    def _date_styles(self, wanted: set[int]) -> set[int]:
        """Which of the cell styles used by numbers show them as dates (as openpyxl would read them)."""
        if not wanted or self.styles is None:
            return set()
        last = max(wanted)
        if last >= self.max_styles:
            raise Refused(
                f"The workbook has more than {self.max_styles:,} cell styles, far more than a return."
            )
        custom: dict[int, str] = {}
        formats: list[int] = []
        state = {"in_xfs": False, "elements": 0}

        def start(name: str, attrs: dict[str, str]) -> None:
            state["elements"] += 1
            if state["elements"] > 20_000:
                raise Refused("The workbook's formatting is laid out in an unusual way.", damaged=True)
            if name == "numFmt":
                with contextlib.suppress(ValueError):
                    custom[int(attrs.get("numFmtId", ""))] = attrs.get("formatCode", "")[:200]
            elif name == "cellXfs":
                state["in_xfs"] = True
            elif name == "xf" and state["in_xfs"]:
                try:
                    formats.append(int(attrs.get("numFmtId", "0")))
                except ValueError:
                    formats.append(0)
                if len(formats) > last:
                    raise _Stop

        def end(name: str) -> None:
            if name == "cellXfs":
                raise _Stop

        _parse(self.archive, self._member(self.styles), start, end)
        dates = set()
        for style in wanted:
            if style < len(formats):
                number_format = custom.get(formats[style]) or BUILTIN_FORMATS.get(formats[style], "")
                if number_format and is_date_format(number_format):
                    dates.add(style)
        return dates


def _too_long(sheet: str, column: int, row: int, limits: Limits) -> str:
    return (
        f"Cell {column_letter(column)}{row} on the {sheet} sheet holds more than {limits.cell_chars:,} "
        "characters, far more than any cell of a return."
    )


class _SheetReader:
    """One pass over a worksheet part, keeping only cells with a value, within `limits`."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.cells: list[_Cell] = []
        self.elements = 0
        self.in_data = False
        self.row = 0
        self.column = 0
        self.cell: _Cell | None = None
        self.skip_cell = False
        self.collect: str | None = None  # "v", "t" or "f" while inside one
        self.parts: list[str] = []
        self.size = 0
        self.phonetic = 0
        self.shared_formulas: dict[str, str] = {}
        self.formula_si: str | None = None
        self.sheet = ""

    def read(self, archive: zipfile.ZipFile, member: str, sheet: str) -> list[_Cell]:
        self.sheet = sheet
        with contextlib.suppress(_Stop):
            _parse(archive, member, self.start, self.end, self.text)
        return self.cells

    def refuse(self, message: str) -> None:
        if self.limits.strict:
            raise Refused(message)
        raise _Stop

    def start(self, name: str, attrs: dict[str, str]) -> None:
        self.elements += 1
        if self.elements > self.limits.elements:
            self.refuse(
                f"The {self.sheet} sheet holds far more than a return (over {self.limits.elements:,} "
                "parts of cells)."
            )
        if name == "dimension" and self.limits.strict:
            self.check_dimension(attrs.get("ref", ""))
        elif name == "sheetData":
            self.in_data = True
        elif not self.in_data:
            return
        elif name == "row":
            self.start_row(attrs.get("r"))
        elif name == "c":
            self.start_cell(attrs)
        elif self.cell is None or self.skip_cell:
            return
        elif name == "v":
            self.begin("v")
        elif name == "f":
            self.formula_si = attrs.get("si") if attrs.get("t") == "shared" else None
            self.begin("f")
        elif name == "rPh":
            self.phonetic += 1
        elif name == "t" and not self.phonetic:
            self.begin("t")

    def begin(self, what: str) -> None:
        self.collect = what
        self.parts = []
        self.size = 0

    def check_dimension(self, ref: str) -> None:
        last = ref.rpartition(":")[2]
        match = _CELL_REF.match(last)
        if not match:
            return
        columns, rows = column_index(match.group(1)), int(match.group(2))
        if rows > self.limits.rows or columns > self.limits.columns:
            raise Refused(
                f"The {self.sheet} sheet says it uses cells up to {match.group(1).upper()}{rows}. A return "
                f"uses at most columns A to {column_letter(self.limits.columns)} and rows 1 to "
                f"{self.limits.rows}: delete the rows below and the columns to the right of your return."
            )

    def start_row(self, number: str | None) -> None:
        try:
            self.row = int(number) if number else self.row + 1
        except ValueError:
            raise Refused("A row of the workbook is numbered wrongly.", damaged=True) from None
        self.column = 0
        if self.row > self.limits.rows:
            self.refuse(
                f"The {self.sheet} sheet has something on row {self.row:,} (even blank cells or spaces "
                f"count). A return uses rows 1 to {self.limits.rows} at most: delete the rows below "
                "your return."
            )

    def start_cell(self, attrs: dict[str, str]) -> None:
        ref = attrs.get("r")
        if ref:
            match = _CELL_REF.match(ref)
            if not match:
                raise Refused("A cell of the workbook is named wrongly.", damaged=True)
            self.column = column_index(match.group(1))
        else:
            self.column += 1
        if self.column > _LAST_COLUMN:
            raise Refused("A cell of the workbook is beyond the last column.", damaged=True)
        try:
            style = int(attrs.get("s", "0"))
        except ValueError:
            style = 0
        self.cell = _Cell(self.row, self.column, attrs.get("t", "n"), style, "", None)
        self.skip_cell = self.column > self.limits.columns
        if self.skip_cell:
            self.refuse(
                f"The {self.sheet} sheet has something in cell {column_letter(self.column)}{self.row} "
                f"(even a blank cell or a space counts). A return uses columns A to "
                f"{column_letter(self.limits.columns)} at most: delete the columns to the right of "
                "your return."
            )

    def text(self, data: str) -> None:
        if self.collect is None:
            return
        self.size += len(data)
        if self.size > self.limits.cell_chars and self.collect != "f":
            if self.limits.strict:
                cell = self.cell
                assert cell is not None  # noqa: S101 - collect is only set inside a cell
                raise Refused(_too_long(self.sheet, cell.column, cell.row, self.limits))
            return
        if self.size <= max(self.limits.cell_chars, 8192):
            self.parts.append(data)

    def end(self, name: str) -> None:
        if name == "sheetData":
            raise _Stop
        cell = self.cell
        if cell is None or self.skip_cell:
            if name == "c":
                self.cell = None
            return
        if name == "rPh":
            self.phonetic -= 1
        elif name == self.collect:
            value = "".join(self.parts)
            if name == "f":
                if self.formula_si is not None:
                    if value:
                        self.shared_formulas.setdefault(self.formula_si, value)
                    value = value or self.shared_formulas.get(self.formula_si, "")
                cell.formula = "=" + value
            elif name == "t":
                cell.text += value
            else:
                cell.text = value
            self.collect = None
        elif name == "c":
            if cell.formula is not None or cell.text:
                self.cells.append(cell)
            self.cell = None
