// Reading an extract file in the worker: CSV with papaparse, XLSX by unzipping with fflate and
// streaming the worksheet XML. The same safety rules as the server's upload reader
// (submissions/returnfile.py), scaled for staff-level extracts: a size limit, the zip's central
// directory checked before anything is decompressed (member count, declared sizes, compression
// ratio, macros, encryption), decompressed bytes never beyond what was declared, formulas kept
// apart so they are never trusted, and limits on rows and columns so the cost is bounded.

import { Inflate } from "fflate";
import Papa from "papaparse";

import { FORMULA } from "./aggregate.mjs";

export const MAX_FILE_BYTES = 100 * 1024 * 1024;
export const MAX_ROWS = 200_000;
export const MAX_COLUMNS = 200;
const MAX_ZIP_MEMBERS = 200;
const MAX_MEMBER_BYTES = 512 * 1024 * 1024;
const MAX_TOTAL_BYTES = 640 * 1024 * 1024;
const MAX_COMPRESSION_RATIO = 100;
const RATIO_CHECK_FROM_BYTES = 1024 * 1024;
const SAVE_AS = "Save it as Excel Workbook (.xlsx) or CSV UTF-8 (.csv) and choose it again.";

export class ExtractError extends Error {}

const OLE = [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1];

function startsWith(bytes, magic) {
  return magic.every((b, i) => bytes[i] === b);
}

/** Read a File into {headers, rows: [{number, cells}], sheet}. `progress(fraction)` is called as it goes. */
export async function readExtract(file, progress) {
  if (file.size > MAX_FILE_BYTES) {
    const mb = Math.ceil((file.size / (1024 * 1024)) * 10) / 10;
    throw new ExtractError(`The file is ${mb.toFixed(1)} MB. The largest extract this page reads is 100 MB.`);
  }
  if (file.size === 0) throw new ExtractError("The file is empty.");
  const bytes = new Uint8Array(await file.arrayBuffer());
  const name = file.name.toLowerCase();
  if (startsWith(bytes, OLE)) {
    const text = new TextDecoder("utf-16le", { fatal: false }).decode(bytes.subarray(0, Math.min(bytes.length, 1 << 20)));
    if (text.includes("EncryptedPackage")) {
      throw new ExtractError("The workbook is protected with a password, so it cannot be read. Remove the password, save it and choose it again.");
    }
    throw new ExtractError(`The file is an old-format Excel workbook (.xls), which cannot be read. ${SAVE_AS}`);
  }
  if (bytes[0] === 0x50 && bytes[1] === 0x4b) {
    if (/\.(xlsm|xltm|xlsb)$/.test(name)) {
      throw new ExtractError("Macro-enabled workbooks are not read. Save it as Excel Workbook (.xlsx) and choose it again.");
    }
    return readXlsx(bytes, progress);
  }
  if (/\.(xlsx|xls|ods|numbers)$/.test(name)) {
    throw new ExtractError(`The file is named like a spreadsheet but is not an Excel workbook. ${SAVE_AS}`);
  }
  return readCsv(bytes, progress);
}

function tableBuilder() {
  let headers = null;
  const rows = [];
  return {
    add(number, cells) {
      let blank = true;
      for (const cell of cells) {
        if (cell !== "" && cell !== undefined) {
          blank = false;
          break;
        }
      }
      if (blank) return;
      if (headers === null) {
        if (cells.length > MAX_COLUMNS) {
          throw new ExtractError(`The header row has ${cells.length} columns. An extract can have at most ${MAX_COLUMNS}.`);
        }
        headers = cells.map((c) => String(c ?? "").replace(FORMULA, "").trim());
        return;
      }
      if (rows.length >= MAX_ROWS) {
        throw new ExtractError(`The file has more than ${MAX_ROWS.toLocaleString("en-GB")} rows. Split it by service and build the return from each part in turn.`);
      }
      if (cells.length > headers.length) cells.length = headers.length;
      rows.push({ number, cells });
    },
    done(sheet) {
      if (headers === null) throw new ExtractError("The file has no header row: it looks empty.");
      return { headers, rows, sheet };
    },
  };
}

// CSV ------------------------------------------------------------------------------------------

function decode(bytes) {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    // Excel's plain "CSV (comma delimited)" is Windows-1252, not UTF-8.
    return new TextDecoder("windows-1252").decode(bytes);
  }
}

function readCsv(bytes, progress) {
  const text = decode(bytes);
  if (text.includes("\u0000")) throw new ExtractError(`The file is not a CSV file or an Excel workbook. ${SAVE_AS}`);
  const table = tableBuilder();
  let number = 0;
  let failure = null;
  Papa.parse(text, {
    skipEmptyLines: false,
    chunkSize: 1 << 20,
    chunk(results, parser) {
      try {
        for (const record of results.data) {
          number += 1;
          table.add(number, record.map((c) => (c.length > 1000 ? c.slice(0, 1000) : c)));
        }
      } catch (error) {
        failure = error;
        parser.abort();
        return;
      }
      progress(Math.min(1, results.meta.cursor / text.length));
    },
  });
  if (failure) throw failure;
  progress(1);
  return table.done(null);
}

// XLSX -----------------------------------------------------------------------------------------

function u16(b, o) {
  return b[o] | (b[o + 1] << 8);
}
function u32(b, o) {
  return (b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24)) >>> 0;
}

/** The zip's members from its central directory, checked before anything is decompressed. */
function zipMembers(bytes) {
  let eocd = -1;
  for (let i = bytes.length - 22; i >= Math.max(0, bytes.length - 22 - 65535); i -= 1) {
    if (u32(bytes, i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new ExtractError(`The workbook is damaged and cannot be read. ${SAVE_AS}`);
  const count = u16(bytes, eocd + 10);
  const offset = u32(bytes, eocd + 16);
  if (count === 0xffff || offset === 0xffffffff) {
    throw new ExtractError(`The workbook is too large to be read in the browser. ${SAVE_AS}`);
  }
  if (count > MAX_ZIP_MEMBERS) throw new ExtractError(`The workbook has too many parts to be an extract. ${SAVE_AS}`);
  const members = new Map();
  let total = 0;
  let at = offset;
  for (let n = 0; n < count; n += 1) {
    if (at + 46 > bytes.length || u32(bytes, at) !== 0x02014b50) {
      throw new ExtractError(`The workbook is damaged and cannot be read. ${SAVE_AS}`);
    }
    const flags = u16(bytes, at + 8);
    const method = u16(bytes, at + 10);
    const compressed = u32(bytes, at + 20);
    const size = u32(bytes, at + 24);
    const nameLength = u16(bytes, at + 28);
    const extra = u16(bytes, at + 30);
    const comment = u16(bytes, at + 32);
    const local = u32(bytes, at + 42);
    const name = new TextDecoder().decode(bytes.subarray(at + 46, at + 46 + nameLength));
    at += 46 + nameLength + extra + comment;
    if (flags & 1) throw new ExtractError("The workbook is encrypted, so it cannot be read. Remove the password, save it and choose it again.");
    if (size > MAX_MEMBER_BYTES || size === 0xffffffff) {
      throw new ExtractError(`The workbook is too large when opened (over 512 MB). Split it and choose each part in turn.`);
    }
    total += size;
    if (size > RATIO_CHECK_FROM_BYTES && size / Math.max(compressed, 1) > MAX_COMPRESSION_RATIO) {
      throw new ExtractError(`The workbook is compressed in an unusual way and cannot be read. ${SAVE_AS}`);
    }
    if (method !== 0 && method !== 8) throw new ExtractError(`The workbook is compressed in an unusual way and cannot be read. ${SAVE_AS}`);
    members.set(name.replace(/^\//, "").toLowerCase(), { name, method, compressed, size, local });
  }
  if (total > MAX_TOTAL_BYTES) throw new ExtractError(`The workbook is too large when opened (over 640 MB). ${SAVE_AS}`);
  const names = [...members.keys()];
  if (names.some((n) => n.endsWith("vbaproject.bin"))) {
    throw new ExtractError("Macro-enabled workbooks are not read. Save it as Excel Workbook (.xlsx) and choose it again.");
  }
  if (!members.has("xl/workbook.xml")) {
    if (members.has("mimetype")) throw new ExtractError(`OpenDocument spreadsheets (.ods) cannot be read. ${SAVE_AS}`);
    throw new ExtractError(`The file is not an Excel workbook. ${SAVE_AS}`);
  }
  return members;
}

/** Decompress one member in slices, never past its declared size; `onText` gets the decoded text. */
function inflateMember(bytes, member, onText, onSlice) {
  const at = member.local;
  if (u32(bytes, at) !== 0x04034b50) throw new ExtractError(`The workbook is damaged and cannot be read. ${SAVE_AS}`);
  const start = at + 30 + u16(bytes, at + 26) + u16(bytes, at + 28);
  const data = bytes.subarray(start, start + member.compressed);
  const decoder = new TextDecoder("utf-8");
  let produced = 0;
  const take = (chunk, final) => {
    produced += chunk.length;
    if (produced > member.size) {
      throw new ExtractError(`The workbook is compressed in an unusual way and cannot be read. ${SAVE_AS}`);
    }
    onText(decoder.decode(chunk, { stream: !final }), final);
  };
  if (member.method === 0) {
    take(data, true);
    return;
  }
  const inflater = new Inflate((chunk, final) => take(chunk, final));
  const slice = 64 << 10; // at most about 64 MB inflated before the size check, even from a bomb
  for (let i = 0; i < data.length; i += slice) {
    inflater.push(data.subarray(i, i + slice), i + slice >= data.length);
    if (onSlice) onSlice(Math.min(1, (i + slice) / data.length));
  }
  if (data.length === 0) inflater.push(new Uint8Array(0), true);
}

function memberText(bytes, members, name) {
  const member = members.get(name.toLowerCase());
  if (!member) return null;
  const parts = [];
  inflateMember(bytes, member, (text) => parts.push(text));
  return parts.join("");
}

const ENTITY = /&(?:#(\d+)|#x([0-9a-fA-F]+)|(amp|lt|gt|quot|apos));/g;
const NAMED = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };

function unescapeXml(text) {
  if (text.indexOf("&") < 0) return text;
  return text.replace(ENTITY, (_, dec, hex, name) =>
    name ? NAMED[name] : String.fromCodePoint(dec ? Number(dec) : parseInt(hex, 16)),
  );
}

const T_TEXT = /<(?:\w+:)?t(?:\s[^>]*)?>([\s\S]*?)<\/(?:\w+:)?t>/g;
const PHONETIC = /<(?:\w+:)?rPh\b[\s\S]*?<\/(?:\w+:)?rPh>/g;

function richText(xml) {
  const clean = xml.indexOf("rPh") >= 0 ? xml.replace(PHONETIC, "") : xml;
  let text = "";
  T_TEXT.lastIndex = 0;
  let match;
  while ((match = T_TEXT.exec(clean))) text += match[1];
  return unescapeXml(text);
}

function sharedStrings(xml) {
  const strings = [];
  if (!xml) return strings;
  const si = /<(?:\w+:)?si>([\s\S]*?)<\/(?:\w+:)?si>|<(?:\w+:)?si\/>/g;
  let match;
  while ((match = si.exec(xml))) strings.push(match[1] === undefined ? "" : richText(match[1]));
  return strings;
}

/** The path of the workbook's first worksheet, and its name. */
function firstSheet(bytes, members) {
  const workbook = memberText(bytes, members, "xl/workbook.xml") || "";
  const sheet = /<(?:\w+:)?sheet\b([^>]*)\/?>/.exec(workbook);
  if (!sheet) throw new ExtractError(`The workbook has no worksheet. ${SAVE_AS}`);
  const name = unescapeXml((/\bname="([^"]*)"/.exec(sheet[1]) || [])[1] || "Sheet1");
  const id = (/\b(?:\w+:)?id="([^"]*)"/.exec(sheet[1]) || [])[1];
  const rels = memberText(bytes, members, "xl/_rels/workbook.xml.rels") || "";
  let target = null;
  const rel = /<(?:\w+:)?Relationship\b([^>]*)\/?>/g;
  let match;
  while ((match = rel.exec(rels))) {
    if ((/\bId="([^"]*)"/.exec(match[1]) || [])[1] === id) target = (/\bTarget="([^"]*)"/.exec(match[1]) || [])[1];
  }
  if (!target) target = "worksheets/sheet1.xml";
  const path = target.startsWith("/") ? target.slice(1) : `xl/${target}`;
  const sheets = (workbook.match(/<(?:\w+:)?sheet\b/g) || []).length;
  return { path: path.replace(/\/\.\//g, "/"), name, sheets };
}

function columnIndex(ref) {
  let index = 0;
  for (let i = 0; i < ref.length; i += 1) {
    const code = ref.charCodeAt(i);
    if (code < 65 || code > 90) break;
    index = index * 26 + (code - 64);
  }
  return index - 1;
}

const CELL = /<(?:\w+:)?c\b([^>]*?)(?:\/>|>([\s\S]*?)<\/(?:\w+:)?c>)/g;
const V_VALUE = /<(?:\w+:)?v(?:\s[^>]*)?>([\s\S]*?)<\/(?:\w+:)?v>/;
const IS_VALUE = /<(?:\w+:)?is>([\s\S]*?)<\/(?:\w+:)?is>/;
const ROW_OPEN = /<((?:\w+:)?)row\b([^>]*?)(\/?)>/g;

function readXlsx(bytes, progress) {
  const members = zipMembers(bytes);
  const strings = sharedStrings(memberText(bytes, members, "xl/sharedStrings.xml"));
  const sheet = firstSheet(bytes, members);
  const member = members.get(sheet.path.toLowerCase());
  if (!member) throw new ExtractError(`The workbook's first worksheet is missing. ${SAVE_AS}`);
  const table = tableBuilder();
  let buffer = "";
  let lastRow = 0;

  const parseRow = (attrs, content) => {
    const rowMatch = /\br="(\d+)"/.exec(attrs);
    const number = rowMatch ? Number(rowMatch[1]) : lastRow + 1;
    lastRow = number;
    const cells = [];
    let next = 0;
    CELL.lastIndex = 0;
    let match;
    while ((match = CELL.exec(content))) {
      const cellAttrs = match[1];
      const inner = match[2];
      const ref = /\br="([A-Z]+)\d*"/.exec(cellAttrs);
      const index = ref ? columnIndex(ref[1]) : next;
      next = index + 1;
      if (index >= MAX_COLUMNS) {
        throw new ExtractError(`Row ${number} has a value beyond column ${MAX_COLUMNS}. An extract can have at most ${MAX_COLUMNS} columns.`);
      }
      while (cells.length < index) cells.push("");
      if (inner === undefined || inner === "") {
        cells[index] = "";
        continue;
      }
      const type = (/\bt="(\w+)"/.exec(cellAttrs) || [])[1] || "n";
      let value = "";
      if (type === "inlineStr") {
        const is = IS_VALUE.exec(inner);
        value = is ? richText(is[1]) : "";
      } else {
        const v = V_VALUE.exec(inner);
        const raw = v ? v[1] : "";
        if (type === "s") value = strings[Number(raw)] ?? "";
        else if (type === "b") value = raw === "1" ? "TRUE" : "FALSE";
        else value = unescapeXml(raw);
      }
      if (inner.indexOf("<f") >= 0 && /<(?:\w+:)?f[\s>/]/.test(inner)) value = FORMULA + value;
      cells[index] = value.length > 1000 ? value.slice(0, 1000) : value;
    }
    table.add(number, cells);
  };

  const scan = (final) => {
    ROW_OPEN.lastIndex = 0;
    let consumed = 0;
    let match;
    while ((match = ROW_OPEN.exec(buffer))) {
      if (match[3] === "/") {
        consumed = ROW_OPEN.lastIndex;
        continue;
      }
      const closing = `</${match[1]}row>`;
      const end = buffer.indexOf(closing, ROW_OPEN.lastIndex);
      if (end < 0) break;
      parseRow(match[2], buffer.slice(ROW_OPEN.lastIndex, end));
      consumed = end + closing.length;
      ROW_OPEN.lastIndex = consumed;
    }
    buffer = buffer.slice(consumed);
    if (final && /<(?:\w+:)?row\b/.test(buffer)) {
      throw new ExtractError(`The worksheet is damaged: a row is not closed. ${SAVE_AS}`);
    }
  };

  inflateMember(
    bytes,
    member,
    (text, final) => {
      buffer += text;
      if (buffer.length > 4 << 20 || final) scan(final);
    },
    progress,
  );
  progress(1);
  const result = table.done(sheet.name);
  result.sheets = sheet.sheets;
  return result;
}
