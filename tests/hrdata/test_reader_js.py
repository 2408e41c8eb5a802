"""The extract reader's JavaScript (assets/js/hr-extract), run under Node on workbooks and rows made
here: the worksheet scanner reads what Excel-like writers write (shared and inline strings, rich
text, a namespace prefix, formulas), refuses a member that inflates past its declared size, and a
formula cell in a counted column is listed as a problem rather than hanging the count."""

from __future__ import annotations

import io
import json
import shutil
import struct
import subprocess
import zipfile
import zlib
from pathlib import Path

import pytest
from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet

ROOT = Path(__file__).resolve().parents[2]
NODE = shutil.which("node")
pytestmark = pytest.mark.skipif(NODE is None, reason="needs node")

READ = """
import { readFileSync } from "node:fs";
const { readExtract } = await import(process.argv[1] + "/assets/js/hr-extract/files.mjs");
const { rowsOf } = await import(process.argv[1] + "/assets/js/hr-extract/table.mjs");
const buf = readFileSync(process.argv[2]);
const file = { name: process.argv[3], size: buf.length,
  arrayBuffer: async () => buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.length) };
try {
  const table = await readExtract(file, () => {});
  console.log(JSON.stringify({ headers: table.headers, sheet: table.sheet, rows: rowsOf(table) }));
} catch (e) { console.log(JSON.stringify({ error: e.message })); }
"""

# Reads a file as READ does, and says how much memory (peak resident set) and CPU time it took.
# The peak is Linux's VmHWM of node's own address space: getrusage's maxRSS survives exec, so it
# would report the pytest process's size at the fork (578 MB once, late in a full CI run).
READ_COST = """
import { readFileSync } from "node:fs";
const peakMb = () => {
  try {
    const hwm = /VmHWM:\\s+(\\d+) kB/.exec(readFileSync("/proc/self/status", "utf8"));
    if (hwm) return Number(hwm[1]) / 1024;
  } catch {}
  return process.resourceUsage().maxRSS / 1024;
};
const { readExtract } = await import(process.argv[1] + "/assets/js/hr-extract/files.mjs");
const buf = readFileSync(process.argv[2]);
const file = { name: process.argv[3], size: buf.length,
  arrayBuffer: async () => buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.length) };
const cpu = process.cpuUsage();
let error = null;
try { await readExtract(file, () => {}); } catch (e) { error = e.message; }
const used = process.cpuUsage(cpu);
console.log(JSON.stringify({ error, cpu_ms: (used.user + used.system) / 1000,
  max_rss_mb: peakMb() }));
"""

COUNT = """
const { aggregate, parseDate, FORMULA } = await import(
  process.argv[1] + "/assets/js/hr-extract/aggregate.mjs");
const { tableFromRows } = await import(process.argv[1] + "/assets/js/hr-extract/table.mjs");
const vocabulary = { yes: ["y", "yes"], no: ["n", "no"] };
vocabulary.yesSet = new Set(vocabulary.yes); vocabulary.noSet = new Set(vocabulary.no);
const headers = ["Service", "Ethnicity", "In post", "Salary", "Regulated", "Senior", "Leaver"];
const rows = [
  { number: 2, cells: ["adults", "white", "Y", FORMULA + "30000", "N", "N", "N"] },
  { number: 3, cells: ["adults", "white", "Y", "31000", "N", "N", "N"] },
];
const columns = { staff: { service: "Service", ethnicity: "Ethnicity", in_post_at_snapshot: "In post",
  annual_salary_fte: "Salary", pay_band: "", regulated_professional: "Regulated",
  senior_manager: "Senior", left_in_period: "Leaver" } };
const result = aggregate({ extracts: { staff: tableFromRows(headers, rows) }, columns,
  values: { ethnicity: { white: "white" }, service: { adults: "adults" } },
  period: { start: parseDate("2025-04-01"), end: parseDate("2026-03-31"), snapshot: parseDate("2026-03-31") },
  vocabulary });
console.log(JSON.stringify({ unplaced: result.unplaced, headcount: result.counts.adults.headcount }));
"""


def _node(script: str, *args: str) -> dict:
    done = subprocess.run(  # noqa: S603 - fixed arguments
        [NODE or "node", "--input-type=module", "-e", script, str(ROOT), *args],
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    return json.loads(done.stdout)


def _read(tmp_path: Path, content: bytes, name: str = "staff.xlsx") -> dict:
    path = tmp_path / name
    path.write_bytes(content)
    return _node(READ, str(path), name)


def test_a_formula_in_a_counted_column_is_listed_not_counted_and_the_count_ends() -> None:
    result = _node(COUNT)
    assert result["unplaced"] == [
        {
            "extract": "staff",
            "row": 2,
            "column": "Salary",
            "value": "30000",
            "why": "The cell holds a formula. Copy the column and paste it back as values.",
        }
    ]
    assert result["headcount"] == {"white": 1, "minority_ethnic": 0, "unknown": 0}


def test_shared_strings_numbers_booleans_and_formulas(tmp_path) -> None:
    book = Workbook()
    sheet = book.active
    assert isinstance(sheet, Worksheet)
    sheet.title = "Staff & pay"
    sheet.append(["Service", "Ethnicity <code>", "Salary", "Regulated"])
    sheet.append(["Adults", "White British", 30500, True])
    sheet.append(["Children’s", "Asian & British", 41000.5, False])
    sheet["C4"] = "=C2+C3"
    sheet["A4"] = "Adults"
    sheet["E5"] = "beyond the headers"
    out = io.BytesIO()
    book.save(out)
    result = _read(tmp_path, out.getvalue())
    assert result["sheet"] == "Staff & pay"
    assert result["headers"] == ["Service", "Ethnicity <code>", "Salary", "Regulated"]
    rows = {row["number"]: row["cells"] for row in result["rows"]}
    assert rows[2] == ["Adults", "White British", "30500", "TRUE"]
    assert rows[3] == ["Children’s", "Asian & British", "41000.5", "FALSE"]
    assert rows[4] == ["Adults", "", "\u0000f"]  # a formula, marked, with no cached value
    assert rows[5] == ["", "", "", ""]  # cut to the headers' width


def _workbook(sheet_xml: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(
            "xl/workbook.xml",
            '<x:workbook xmlns:x="main" xmlns:r="rel"><x:sheets>'
            '<x:sheet name="Extract" sheetId="1" r:id="rId1"/></x:sheets></x:workbook>',
        )
        z.writestr(
            "xl/_rels/workbook.xml.rels",
            '<Relationships><Relationship Id="rId1" Target="worksheets/sheet1.xml"/></Relationships>',
        )
        z.writestr("xl/worksheets/sheet1.xml", sheet_xml)
    return out.getvalue()


def test_a_prefixed_worksheet_with_rich_and_inline_text(tmp_path) -> None:
    xml = (
        '<x:worksheet xmlns:x="main"><x:sheetData>'
        '<x:row r="1"><x:c r="A1" t="inlineStr"><x:is><x:t>Service</x:t></x:is></x:c>'
        '<x:c r="C1" t="inlineStr"><x:is><x:r><x:t>Ethnic</x:t></x:r>'
        '<x:r><x:t xml:space="preserve"> group</x:t></x:r>'
        "<x:rPh><x:t>ignored</x:t></x:rPh></x:is></x:c></x:row>"
        '<x:row r="3" spans="1:3"><x:c r="A3" t="inlineStr"><x:is><x:t>A &amp; B</x:t></x:is></x:c>'
        '<x:c r="C3"><x:f>1+1</x:f><x:v>2</x:v></x:c></x:row>'
        '<x:row r="4"/><x:row><x:c t="b"><x:v>1</x:v></x:c></x:row>'
        "</x:sheetData></x:worksheet>"
    )
    result = _read(tmp_path, _workbook(xml))
    assert result["headers"] == ["Service", "", "Ethnic group"]
    assert result["rows"] == [
        {"number": 3, "cells": ["A & B", "", "\u0000f2"]},
        {"number": 5, "cells": ["TRUE"]},
    ]


def test_a_row_never_closed_is_refused(tmp_path) -> None:
    xml = '<worksheet><sheetData><row r="1"><c t="inlineStr"><is><t>Service</t></is></c>'
    assert "a row is not closed" in _read(tmp_path, _workbook(xml))["error"]


def test_a_member_inflating_past_its_declared_size_is_refused(tmp_path) -> None:
    xml = "<worksheet><sheetData>" + '<row><c t="inlineStr"><is><t>x</t></is></c></row>' * 50_000
    content = bytearray(_workbook(xml + "</sheetData></worksheet>"))
    # Declare the worksheet 100 times smaller than it is, in both headers (a zip bomb's lie).
    name = b"xl/worksheets/sheet1.xml"
    for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        at = content.find(signature)
        while at >= 0:
            length = 30 if signature == b"PK\x03\x04" else 46
            if content[at + length : at + length + len(name)] == name:
                (size,) = struct.unpack_from("<I", content, at + offset)
                struct.pack_into("<I", content, at + offset, size // 100)
            at = content.find(signature, at + 4)
    assert "compressed in an unusual way" in _read(tmp_path, bytes(content))["error"]


def test_a_member_that_would_inflate_to_two_gigabytes_is_stopped_early_in_memory_and_cpu(
    tmp_path,
) -> None:
    """A zip bomb: the worksheet declares 1 MB (under the compression-ratio check's threshold) but
    inflates to 2 GB of zeros. The reader must stop within a slice of input of passing the declared
    size: its memory stays far below the gigabyte and it spends a fraction of the time inflating
    the whole would take."""
    # Deflate data for 2,000 MB of zeros: after a full flush each megabyte compresses to the same
    # kilobyte, so the stream is that kilobyte 2,000 times and an empty final block.
    deflate = zlib.compressobj(9, zlib.DEFLATED, -15)
    megabyte = deflate.compress(bytes(1 << 20)) + deflate.flush(zlib.Z_FULL_FLUSH)
    data = megabyte * 2000 + deflate.flush()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr(
            "xl/workbook.xml",
            '<workbook><sheets><sheet name="Extract" sheetId="1" r:id="rId1"/></sheets></workbook>',
        )
        z.writestr(
            "xl/_rels/workbook.xml.rels",
            '<Relationships><Relationship Id="rId1" Target="worksheets/sheet1.xml"/></Relationships>',
        )
        z.writestr("xl/worksheets/sheet1.xml", data)  # stored; marked deflated below
    content = bytearray(out.getvalue())
    assert len(content) < 3 << 20  # about 2 MB that would become 2,000 MB
    name = b"xl/worksheets/sheet1.xml"
    # In both headers: the method (deflate, 8) and the declared size (1 MB, under the
    # compression-ratio check's threshold).
    for signature, method, size, length in ((b"PK\x03\x04", 8, 22, 30), (b"PK\x01\x02", 10, 24, 46)):
        at = content.find(signature)
        while at >= 0:
            if content[at + length : at + length + len(name)] == name:
                struct.pack_into("<H", content, at + method, 8)
                struct.pack_into("<I", content, at + size, 1 << 20)
            at = content.find(signature, at + 4)
    path = tmp_path / "bomb.xlsx"
    path.write_bytes(bytes(content))
    result = _node(READ_COST, str(path), "bomb.xlsx")
    assert "compressed in an unusual way" in result["error"]
    # Inflating it all would need 2,000 MB kept, or a second or more of CPU time discarded as it
    # comes; stopping within a 64 KB slice of input takes about a tenth of a second.
    assert result["max_rss_mb"] < 400, result
    assert result["cpu_ms"] < 250, result


# The CSV splitter is hand-written (files.mjs): it must split every file as papaparse, which it
# replaced for speed, would. Each case is split by both, and the rows compared.
SPLIT_AS_PAPAPARSE = """
import { readFileSync } from "node:fs";
const root = process.argv[1];
const { readExtract } = await import(root + "/assets/js/hr-extract/files.mjs");
const { rowsOf } = await import(root + "/assets/js/hr-extract/table.mjs");
const Papa = (await import(root + "/node_modules/papaparse/papaparse.js")).default;
const cases = JSON.parse(readFileSync(process.argv[2], "utf8"));
const results = [];
for (const hex of cases) {
  const buf = Buffer.from(hex, "hex");
  const file = { name: "x.csv", size: buf.length,
    arrayBuffer: async () => buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.length) };
  let ours;
  try {
    const table = await readExtract(file, () => {});
    ours = { headers: table.headers, rows: rowsOf(table) };
  } catch (e) { ours = { error: e.message }; }
  // papaparse as the reader used it: the whole text, blank rows skipped, the first row the
  // headers, cells cut to the headers' width and to 1,000 characters.
  let text;
  try { text = new TextDecoder("utf-8", { fatal: true }).decode(buf); }
  catch { text = new TextDecoder("windows-1252").decode(buf); }
  const data = [];
  Papa.parse(text, { skipEmptyLines: false, fastMode: text.indexOf('"') < 0, chunkSize: 4 << 20,
    chunk: (r) => { for (const record of r.data) data.push(record); } });
  let headers = null; const rows = [];
  data.forEach((record, i) => {
    const cells = record.map((c) => (c.length > 1000 ? c.slice(0, 1000) : c));
    if (cells.every((c) => c === "")) return;
    if (headers === null) { headers = cells.map((c) => c.trim()); return; }
    rows.push({ number: i + 1, cells: cells.slice(0, headers.length) });
  });
  results.push({ ours, papaparse: { headers, rows } });
}
console.log(JSON.stringify(results));
"""

CSV_CASES = [
    b'Service,Ethnicity,Note\r\nAdults,White,"a, b"\r\nChildren,"Asian ""Other""","line one\r\nline two"\r\n',
    b"\xef\xbb\xbfService,Ethnicity\nAdults,White\n\n,\nChildren,Black\n",  # BOM, blank rows
    # two byte-order marks, semicolons
    b"\xef\xbb\xbf\xef\xbb\xbfService;Ethnicity;Salary\nAdults;White;30000,50\nChildren;Mixed;1\n",
    b"Service\tEthnicity\nAdults\tWhite\nChildren\tBlack\n",  # tabs
    b'Service,Ethnicity\rAdults,"White\rIrish"\rChildren,Black',  # old Mac line breaks, no final one
    # spaces after a closing quote, stray quotes
    b'Service,Ethnicity\nAdults,"White" ,x\nChildren,"Bl"ack",y\nYouth,ab"c,z\n',
    b'Service,Ethnicity\nAdults,"White\nChildren,Black\n',  # a quote never closed
    b'Service,Ethnicity,Extra\nAdults,White,1,2,3\nChildren\n"",""\nEnd,"x"',  # ragged rows, quoted blanks
    "Service,Ethnicity\nCaf\u00e9,Wei\u00df\n".encode("cp1252"),  # Windows-1252
    b"Service,Ethnicity\nA," + b"x" * 1500 + b"\nB,C\n",  # a long cell
    # no quote, more than a megabyte: the delimiter is guessed from the file's start
    b"Service;Id;Note\r\n" + b"".join(f"S{i % 5};{i};a,b|c\r\n".encode() for i in range(90_000)),
    b"Service,Id,Ethnicity\n"
    + b"".join(f"S{i % 7},ID{i:05d},{'White' if i % 3 else 'Black'}\n".encode() for i in range(6000)),
]


def test_the_csv_splitter_splits_as_papaparse_does(tmp_path) -> None:
    cases = tmp_path / "cases.json"
    cases.write_text(json.dumps([case.hex() for case in CSV_CASES]))
    results = _node(SPLIT_AS_PAPAPARSE, str(cases))
    for case, result in zip(CSV_CASES, results, strict=True):
        assert result["ours"] == result["papaparse"], case[:200]
    assert results[0]["ours"]["rows"][1]["cells"] == ["Children", 'Asian "Other"', "line one\r\nline two"]
    assert results[-2]["ours"]["rows"][89999]["cells"] == ["S4", "89999", "a,b|c"]
    assert results[-1]["ours"]["rows"][5999]["cells"] == ["S0", "ID05999", "White"]


def test_a_column_of_ids_is_read_exactly(tmp_path) -> None:
    """A column where nearly every row is new (ids, names, salaries) is no longer remembered value
    by value past 2,048 values (table.mjs): each cell is still read exactly, entities and non-ASCII
    text included, and a column of few values beside it is unaffected."""
    names = {i: f"N{i}" for i in range(1, 6001)}
    names[2500] = "Caf\u00e9 &amp; Co"
    names[4000] = "&lt;tag&gt;"
    names[4001] = "x" * 1200
    rows = "".join(
        f'<row r="{i + 1}"><c r="A{i + 1}" t="inlineStr"><is><t>{names[i]}</t></is></c>'
        f'<c r="B{i + 1}"><v>{30000 + i}.5</v></c>'
        f'<c r="C{i + 1}" t="inlineStr"><is><t>{"Adults" if i % 2 else "Children"}</t></is></c></row>'
        for i in range(1, 6001)
    )
    xml = (
        '<worksheet><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>Name</t></is></c>'
        '<c r="B1" t="inlineStr"><is><t>Salary</t></is></c>'
        '<c r="C1" t="inlineStr"><is><t>Service</t></is></c>'
        f"</row>{rows}</sheetData></worksheet>"
    )
    result = _read(tmp_path, _workbook(xml))
    assert result["headers"] == ["Name", "Salary", "Service"]
    cells = {row["number"]: row["cells"] for row in result["rows"]}
    assert len(cells) == 6000
    assert cells[2] == ["N1", "30001.5", "Adults"]
    assert cells[2501] == ["Caf\u00e9 & Co", "32500.5", "Children"]
    assert cells[4001] == ["<tag>", "34000.5", "Children"]
    assert cells[4002] == ["x" * 1000, "34001.5", "Adults"]
    assert cells[6001] == ["N6000", "36000.5", "Children"]
    assert all(cells[i + 1][0] == names[i] for i in range(1, 6001) if names[i].startswith("N"))
