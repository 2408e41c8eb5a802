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
    // Without a quote anywhere, no field can hold a comma or a line break: papaparse may then split
    // each line directly (fastMode), which is several times quicker.
    fastMode: text.indexOf('"') < 0,
    chunkSize: 4 << 20,
    chunk(results, parser) {
      try {
        for (const record of results.data) {
          number += 1;
          for (let i = 0; i < record.length; i += 1) if (record[i].length > 1000) record[i] = record[i].slice(0, 1000);
          table.add(number, record);
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

/** Decompress one member into a buffer of its declared size, never past it: `Inflate` is fed slices
 * of 256 KB (at most about 260 MB inflated from one slice, even from a bomb), each slice's output is
 * checked against the declared size before the next, and what was produced must be exactly that size. */
function inflateMember(bytes, member, onSlice) {
  const at = member.local;
  if (u32(bytes, at) !== 0x04034b50) throw new ExtractError(`The workbook is damaged and cannot be read. ${SAVE_AS}`);
  const start = at + 30 + u16(bytes, at + 26) + u16(bytes, at + 28);
  const data = bytes.subarray(start, start + member.compressed);
  const unusual = () => new ExtractError(`The workbook is compressed in an unusual way and cannot be read. ${SAVE_AS}`);
  if (member.method === 0) {
    if (data.length !== member.size) throw unusual();
    return data;
  }
  const out = new Uint8Array(member.size);
  let produced = 0;
  const inflater = new Inflate((chunk) => {
    if (produced + chunk.length > member.size) throw unusual();
    out.set(chunk, produced);
    produced += chunk.length;
  });
  const slice = 256 << 10;
  for (let i = 0; i < data.length; i += slice) {
    inflater.push(data.subarray(i, i + slice), i + slice >= data.length);
    if (onSlice) onSlice(Math.min(1, (i + slice) / data.length));
  }
  if (data.length === 0) inflater.push(new Uint8Array(0), true);
  if (produced !== member.size) throw unusual();
  return out;
}

function memberText(bytes, members, name) {
  const member = members.get(name.toLowerCase());
  if (!member) return null;
  return new TextDecoder("utf-8").decode(inflateMember(bytes, member));
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

// The worksheet scanner. A worksheet is one long run of <row><c>…</c></row> elements. Rather than
// matching regular expressions cell by cell, it decodes the sheet once and walks it with indexOf on
// the fixed tags, which V8 does at memory speed. Every element of a worksheet is in one namespace,
// written with the same prefix (none, or e.g. "x:") by every writer: the prefix is read from the
// first row. It reads double-quoted attributes, shared and inline strings (phonetic runs left out,
// through `richText` when a string has more than one run), booleans, numbers and cached formula
// values (marked as formulas).

function tagEnds(xml, at) {
  const c = xml.charCodeAt(at);
  return c === 62 || c === 47 || c === 32 || c === 9 || c === 10 || c === 13; // > / space tab LF CR
}

function isWordCode(c) {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
}

/** The value of a double-quoted attribute `name` of the tag xml[from, to), or null. */
function attribute(xml, from, to, name) {
  const tag = xml.slice(from, to); // the search never leaves the tag
  const key = `${name}="`;
  let at = tag.indexOf(key);
  while (at >= 0) {
    const before = tag.charCodeAt(at - 1);
    if (!isWordCode(before)) {
      const end = tag.indexOf('"', at + key.length);
      return end < 0 ? null : tag.slice(at + key.length, end);
    }
    at = tag.indexOf(key, at + 1);
  }
  return null;
}

function readXlsx(bytes, progress) {
  const members = zipMembers(bytes);
  const strings = sharedStrings(memberText(bytes, members, "xl/sharedStrings.xml"));
  const sheet = firstSheet(bytes, members);
  const member = members.get(sheet.path.toLowerCase());
  if (!member) throw new ExtractError(`The workbook's first worksheet is missing. ${SAVE_AS}`);
  const table = tableBuilder();
  const xml = new TextDecoder("utf-8").decode(inflateMember(bytes, member, (fraction) => progress(fraction * 0.6)));
  const first = /<((?:\w+:)?)row[\s>/]/.exec(xml);
  const P = first ? first[1] : "";
  const ROW = `<${P}row`, ROW_END = `</${P}row>`, C = `<${P}c`, C_END = `</${P}c>`;
  const V = `<${P}v`, V_END = `</${P}v>`, IS = `<${P}is>`, IS_END = `</${P}is>`, F = `<${P}f`;
  const T_OPEN = `<${P}t`, T_END = `</${P}t>`;
  const n = xml.length;
  let lastRow = 0;
  let reported = 0;
  let p = first ? first.index : n;
  for (;;) {
    const at = xml.indexOf(ROW, p);
    if (at < 0) break;
    if (!tagEnds(xml, at + ROW.length)) {
      p = at + ROW.length;
      continue;
    }
    const gt = xml.indexOf(">", at);
    if (gt < 0) throw new ExtractError(`The worksheet is damaged: a row is not closed. ${SAVE_AS}`);
    const r = attribute(xml, at, gt, "r");
    let number = r !== null && /^\d+$/.test(r) ? Number(r) : lastRow + 1;
    lastRow = number;
    if (xml.charCodeAt(gt - 1) === 47) {
      p = gt + 1;
      continue;
    }
    const rowEnd = xml.indexOf(ROW_END, gt);
    if (rowEnd < 0) throw new ExtractError(`The worksheet is damaged: a row is not closed. ${SAVE_AS}`);
    const cells = [];
    let next = 0;
    let q = gt + 1;
    for (;;) {
      const c = xml.indexOf(C, q);
      if (c < 0 || c >= rowEnd) break;
      if (!tagEnds(xml, c + C.length)) {
        q = c + C.length;
        continue;
      }
      const cgt = xml.indexOf(">", c);
      const ref = attribute(xml, c, cgt, "r");
      let index = next;
      if (ref !== null) {
        let column = 0;
        let i = 0;
        for (; i < ref.length; i += 1) {
          const code = ref.charCodeAt(i);
          if (code < 65 || code > 90) break;
          column = column * 26 + (code - 64);
        }
        if (i > 0) index = column - 1;
      }
      next = index + 1;
      if (index >= MAX_COLUMNS) {
        throw new ExtractError(`Row ${number} has a value beyond column ${MAX_COLUMNS}. An extract can have at most ${MAX_COLUMNS} columns.`);
      }
      while (cells.length < index) cells.push("");
      if (xml.charCodeAt(cgt - 1) === 47) {
        cells[index] = "";
        q = cgt + 1;
        continue;
      }
      const end = xml.indexOf(C_END, cgt);
      if (end < 0 || end > rowEnd) throw new ExtractError(`The worksheet is damaged: a row is not closed. ${SAVE_AS}`);
      q = end + C_END.length;
      if (end === cgt + 1) {
        cells[index] = "";
        continue;
      }
      const type = attribute(xml, c, cgt, "t") || "n";
      const inner = xml.slice(cgt + 1, end); // every search below stays inside the cell
      let value = "";
      if (type === "inlineStr") {
        const is = inner.indexOf(IS);
        if (is >= 0) {
          const isEnd = inner.indexOf(IS_END, is);
          const from = is + IS.length;
          const to = isEnd < 0 ? inner.length : isEnd;
          // the common case, one run: <is><t>text</t></is>
          const tgt = inner.startsWith(T_OPEN, from) && tagEnds(inner, from + T_OPEN.length) ? inner.indexOf(">", from) : -1;
          const tEnd = to - T_END.length;
          if (tgt >= 0 && tgt < tEnd && inner.charCodeAt(tgt - 1) !== 47 && inner.startsWith(T_END, tEnd) && inner.indexOf("<", tgt + 1) === tEnd) {
            value = unescapeXml(inner.slice(tgt + 1, tEnd));
          } else value = richText(inner.slice(from, to));
        }
      } else {
        let v = inner.indexOf(V);
        while (v >= 0 && !tagEnds(inner, v + V.length)) v = inner.indexOf(V, v + 1);
        if (v >= 0) {
          const vgt = inner.indexOf(">", v);
          const vEnd = inner.charCodeAt(vgt - 1) === 47 ? vgt : inner.indexOf(V_END, vgt);
          const raw = vEnd > vgt ? inner.slice(vgt + 1, vEnd) : "";
          if (type === "s") value = strings[Number(raw)] ?? "";
          else if (type === "b") value = raw === "1" ? "TRUE" : "FALSE";
          else value = unescapeXml(raw);
        }
      }
      let f = inner.indexOf(F);
      while (f >= 0 && !tagEnds(inner, f + F.length)) f = inner.indexOf(F, f + 1);
      if (f >= 0) value = FORMULA + value;
      cells[index] = value.length > 1000 ? value.slice(0, 1000) : value;
    }
    table.add(number, cells);
    p = rowEnd + ROW_END.length;
    if (p - reported > 4 << 20) {
      reported = p;
      progress(0.6 + (0.4 * p) / n);
    }
  }
  progress(1);
  const result = table.done(sheet.name);
  result.sheets = sheet.sheets;
  return result;
}
