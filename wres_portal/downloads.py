"""Every CSV, XLSX and PDF the portal sends goes through here (issue 13, L3 and L4).

- **Formula injection** (OWASP "CSV Injection"): a text cell that begins with `=`, `+`, `-`, `@`,
  tab or carriage return is opened by Excel or LibreOffice as a formula. Such cells get a leading
  apostrophe, which spreadsheets show as text. Numbers are never touched, so counts stay numbers.
  Authority names, sheet names and headers copied from an upload, plan text and round labels all
  pass through `safe_cell`; `csv_text`, `dataset_csv`, `workbook_bytes` and `dataset_xlsx` apply
  it to every cell, so an export cannot forget it.
- **File names**: `attachment` builds `Content-Disposition` as RFC 6266 says: an ASCII `filename`
  with anything risky replaced, and the exact name as RFC 5987 `filename*`. A name holding `/`,
  quotes, newlines or non-ASCII text cannot break the header or the response.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterable
from typing import Any
from urllib.parse import quote

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.utils.cache import patch_vary_headers

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CSV = "text/csv; charset=utf-8"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PDF = "application/pdf"

_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9._ -]+")


def safe_cell(value: Any) -> Any:
    """A text that a spreadsheet would run as a formula, with a leading apostrophe; anything else
    (numbers, dates, None, other text) as it is."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return f"'{value}"
    return value


def safe_row(values: Iterable[Any]) -> list[Any]:
    return [safe_cell(value) for value in values]


def csv_text(rows: Iterable[Iterable[Any]], *, lineterminator: str = "\r\n") -> str:
    """Rows as CSV text, every cell neutralised."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator=lineterminator)
    for row in rows:
        writer.writerow(safe_row(row))
    return out.getvalue()


def dataset_csv(dataset: Any) -> str:
    """A tablib Dataset as CSV text, its headers and every cell neutralised."""
    return csv_text([list(dataset.headers or []), *(list(row) for row in dataset)])


def workbook_bytes(workbook: Any) -> bytes:
    """An openpyxl workbook saved to bytes after every text cell of every sheet is neutralised
    (openpyxl would otherwise store a text beginning with "=" as a formula)."""
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.value.startswith(FORMULA_STARTS):
                    cell.value = safe_cell(cell.value)
                    cell.data_type = "s"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def dataset_xlsx(*sheets: tuple[str, Any]) -> bytes:
    """tablib Datasets as one workbook, a sheet each (title, dataset), every cell neutralised."""
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.remove(workbook.worksheets[0])  # the empty sheet a new workbook starts with
    for title, dataset in sheets:
        sheet = workbook.create_sheet(title=_sheet_title(title))
        if dataset.headers:
            sheet.append(list(dataset.headers))
        for row in dataset:
            sheet.append(list(row))
    return workbook_bytes(workbook)


def _sheet_title(title: str) -> str:
    return re.sub(r"[\[\]:*?/\\]", "-", title)[:31] or "Sheet"


def ascii_filename(name: str) -> str:
    """The name in plain ASCII for the `filename` parameter: accents dropped, anything other than
    letters, digits, dot, hyphen, underscore and space made a hyphen."""
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    plain = _UNSAFE_NAME.sub("-", plain).strip(" .-")
    return plain or "download"


def content_disposition(filename: str) -> str:
    """`attachment; filename="..."; filename*=UTF-8''...` (RFC 6266, RFC 5987)."""
    cleaned = "".join(ch for ch in filename if unicodedata.category(ch)[0] != "C").replace("/", "-")
    cleaned = cleaned.replace("\\", "-").strip() or "download"
    return f"attachment; filename=\"{ascii_filename(cleaned)}\"; filename*=UTF-8''{quote(cleaned, safe='')}"


def attachment(content: bytes | str, filename: str, content_type: str) -> HttpResponse:
    """A download: the content with its type and a safe `Content-Disposition`."""
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition(filename)
    return response


def accepts_gzip(request: HttpRequest) -> bool:
    """Whether the request's `Accept-Encoding` accepts gzip (RFC 9110, 12.5.3): `gzip` (or its
    alias `x-gzip`) listed with a quality above 0, or else `*` so listed. Browsers send it on
    every request; a client that sends none, or `gzip;q=0`, is sent the plain bytes."""
    listed: float | None = None
    anything: float | None = None
    for part in request.headers.get("Accept-Encoding", "").split(","):
        coding, *parameters = (piece.strip() for piece in part.split(";"))
        quality = 1.0
        for parameter in parameters:
            name, _, value = parameter.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        coding = coding.lower()
        if coding in ("gzip", "x-gzip"):
            listed = max(listed or 0.0, quality)
        elif coding == "*":
            anything = quality
    found = listed if listed is not None else anything
    return found is not None and found > 0


def stored_attachment(content: bytes, filename: str, content_type: str, *, gzipped: bool) -> HttpResponse:
    """A download stored both plain and gzipped, as the caller chose for this request
    (`accepts_gzip`): `content` is the gzip when `gzipped` (`Content-Encoding: gzip`; the browser
    saves the file unpacked). Either way `Vary: Accept-Encoding`, so no cache gives one client
    the other's encoding. Content-Length is the length sent (CommonMiddleware sets it)."""
    response = attachment(content, filename, content_type)
    if gzipped:
        response["Content-Encoding"] = "gzip"
    patch_vary_headers(response, ["Accept-Encoding"])
    return response


def streamed_attachment(
    chunks: Iterable[str | bytes], filename: str, content_type: str
) -> StreamingHttpResponse:
    """A download sent as it is produced (a long CSV read from a database cursor), with a safe
    `Content-Disposition`. The chunks must already be neutralised (`csv_text` does it)."""
    response = StreamingHttpResponse(chunks, content_type=content_type)
    response["Content-Disposition"] = content_disposition(filename)
    return response
