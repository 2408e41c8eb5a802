// Reading an extract file in the worker into a table held column by column (table.mjs): CSV split
// by hand in papaparse's way (papaparse still guesses the delimiter and line break), XLSX by unzipping with the browser's
// own inflater (DecompressionStream) and walking the worksheet XML's bytes. The same safety rules
// as the server's upload reader (submissions/returnfile.py), scaled for staff-level extracts: a
// size limit, the zip's central directory checked before anything is decompressed (member count,
// declared sizes, compression ratio, macros, encryption), decompressed bytes never beyond what was
// declared, formulas kept apart so they are never trusted, and limits on rows and columns so the
// cost is bounded.

import Papa from "papaparse";

import { FORMULA } from "./aggregate.mjs";
import { ExtractError, MAX_COLUMNS, MAX_ROWS, TableBuilder } from "./table.mjs";

export const MAX_FILE_BYTES = 100 * 1024 * 1024;
export { ExtractError, MAX_COLUMNS, MAX_ROWS };
const MAX_ZIP_MEMBERS = 200;
const MAX_MEMBER_BYTES = 512 * 1024 * 1024;
const MAX_TOTAL_BYTES = 640 * 1024 * 1024;
const MAX_COMPRESSION_RATIO = 100;
const RATIO_CHECK_FROM_BYTES = 1024 * 1024;
const SAVE_AS = "Save it as Excel Workbook (.xlsx) or CSV UTF-8 (.csv) and choose it again.";

const OLE = [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1];

function startsWith(bytes, magic) {
  return magic.every((b, i) => bytes[i] === b);
}

/** Read a File into a table (table.mjs: {headers, length, numbers, columns, sheet}). `progress(fraction)` is called as it goes. */
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

// CSV ------------------------------------------------------------------------------------------

function decode(bytes) {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    // Excel's plain "CSV (comma delimited)" is Windows-1252, not UTF-8.
    return new TextDecoder("windows-1252").decode(bytes);
  }
}

/** The delimiter and line break of the text, as papaparse guesses them from its start (the first
 * ten rows, the first megabyte of its first 4 MB chunk), so a file is split as it was when
 * papaparse split all of it. Without a quote, papaparse splits all the text it is given into lines
 * for each delimiter it tries: it is given the first megabyte and at least a dozen lines. */
function dialect(text) {
  let head = text.slice(0, 4 << 20);
  if (head.indexOf('"') < 0) {
    let end = 1 << 20;
    let breaks = 0;
    for (let i = 0; i < head.length && breaks < 24; i += 1) {
      const c = head.charCodeAt(i);
      if (c === 10 || c === 13) {
        breaks += 1;
        if (breaks === 24 && i + 1 > end) end = i + 1;
      }
    }
    if (breaks >= 24) head = head.slice(0, end);
  }
  const meta = Papa.parse(head, { preview: 1, skipEmptyLines: false }).meta;
  return { delimiter: meta.delimiter || ",", linebreak: meta.linebreak || "\n" };
}

const DOUBLED_QUOTES = /""/g;

function unquote(text, from, to) {
  return text.slice(from, to).replace(DOUBLED_QUOTES, '"');
}

function readCsv(bytes, progress) {
  let text = decode(bytes);
  if (text.includes("\u0000")) throw new ExtractError(`The file is not a CSV file or an Excel workbook. ${SAVE_AS}`);
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1); // a second byte-order mark (papaparse drops it)
  const { delimiter, linebreak } = dialect(text);
  const table = new TableBuilder();
  splitCsv(text, delimiter, linebreak, table, progress);
  progress(1);
  return table.done(null);
}

// The splitter. papaparse gave every row as an array of strings (100,000 arrays for a 100,000-row
// extract), which the counting then looked up again cell by cell; this finds each cell with the
// engine's own indexOf, as papaparse does, and hands it straight to its column (table.mjs), which
// keeps a code for it: no row is ever made. It
// splits as papaparse does: a field that starts with a quote runs to the closing quote, "" inside
// it is one quote, a line break inside it is part of it, spaces between the closing quote and the
// delimiter are dropped, a malformed closing quote is kept in the value and an unclosed quote runs
// to the end of the file; any other field runs to the next delimiter or line break, quotes and all.

/** papaparse's reading of a closing quote at q that is not followed at once by the delimiter or
 * line break: the position after the field and whether the row ends there, or null when the quote
 * does not close the field (spaces alone between it and the delimiter or line break are allowed). */
function afterSpaces(text, q, delimiter, linebreak) {
  const nextDelimiter = text.indexOf(delimiter, q + 1);
  const nextLinebreak = text.indexOf(linebreak, q + 1);
  const spaces = (index) => {
    if (index === -1) return 0;
    const between = text.substring(q + 1, index);
    return between && between.trim() === "" ? between.length : 0;
  };
  const upTo = nextLinebreak === -1 ? nextDelimiter : Math.min(nextDelimiter, nextLinebreak);
  const before = spaces(upTo);
  if (text.substr(q + 1 + before, delimiter.length) === delimiter) return { next: q + 1 + before + delimiter.length, ends: false };
  const beforeBreak = spaces(nextLinebreak);
  const at = q + 1 + beforeBreak;
  if (text.substring(at, at + linebreak.length) === linebreak) return { next: at + linebreak.length, ends: true };
  return null;
}

function splitCsv(text, delimiter, linebreak, table, progress) {
  const n = text.length;
  const D = delimiter.charCodeAt(0);
  const NL = linebreak.charCodeAt(0);
  const crlf = linebreak.length === 2; // "\r\n"; otherwise "\n" or "\r"
  const breakLength = linebreak.length;
  const row = table.row;
  let number = 0;
  let pos = 0;
  let report = 1 << 20;
  let nextDelimiter = -2; // the next delimiter and line break at or after pos (-1: none left)
  let nextBreak = -2;
  while (pos < n) {
    number += 1;
    const width = table.width;
    let count = 0;
    let blank = true;
    let ends = false;
    while (!ends) {
      let code = 0; // the field's code in its column, when the column is kept
      let empty;
      if (text.charCodeAt(pos) === QUOTE) {
        const from = pos + 1;
        let q = pos;
        let plain = true; // no quote inside: the value is the range itself
        let value = null;
        let to = -1;
        for (;;) {
          q = text.indexOf('"', q + 1);
          if (q < 0) {
            value = text.slice(from); // never closed: the rest of the file, as it is
            pos = n;
            ends = true;
            break;
          }
          if (q === n - 1) {
            to = q;
            pos = n;
            ends = true;
            break;
          }
          const c = text.charCodeAt(q + 1);
          if (c === QUOTE) {
            q += 1;
            plain = false;
            continue;
          }
          if (c === D) {
            to = q;
            pos = q + 2;
            break;
          }
          if (c === NL && (!crlf || text.charCodeAt(q + 2) === 10)) {
            to = q;
            pos = q + 1 + breakLength;
            ends = true;
            break;
          }
          const after = afterSpaces(text, q, delimiter, linebreak);
          if (after !== null) {
            to = q;
            pos = after.next;
            ends = after.ends;
            break;
          }
          plain = false; // a stray quote, kept in the value
        }
        if (value === null && !plain) value = unquote(text, from, to);
        if (value === null) {
          empty = to === from;
          if (count < width) code = table.column(count).text(text, from, to);
        } else {
          empty = value === "";
          if (count < width) code = table.column(count).code(value);
        }
      } else {
        // The field runs to the next delimiter or line break, found by the engine's own search.
        if (nextDelimiter !== -1 && nextDelimiter < pos) nextDelimiter = text.indexOf(delimiter, pos);
        if (nextBreak !== -1 && nextBreak < pos) nextBreak = text.indexOf(linebreak, pos);
        let i;
        if (nextDelimiter !== -1 && (nextBreak === -1 || nextDelimiter < nextBreak)) i = nextDelimiter;
        else {
          i = nextBreak === -1 ? n : nextBreak;
          ends = true;
        }
        empty = i === pos;
        if (count < width && !empty) code = table.column(count).text(text, pos, i);
        pos = i >= n ? n : ends ? i + breakLength : i + 1;
      }
      if (count < width) row[count] = code;
      if (!empty) blank = false;
      count += 1;
    }
    table.add(number, count, blank);
    row.fill(0, 0, Math.min(count, width));
    if (pos > report) {
      report = pos + (1 << 20);
      progress(pos / n);
    }
  }
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

/** Decompress one member into a buffer of its declared size, never past it. The browser's own
 * inflater (DecompressionStream: zlib, native code, quicker than fflate's JavaScript) is fed
 * slices of 64 KB one at a time, and what comes out is checked against the declared size chunk by
 * chunk: a member that inflates past it is stopped within one slice of input, so at most about
 * 64 MB is ever inflated from it (deflate expands at most 1032 times), whatever the member holds. */
const SLICE = 64 << 10;

async function inflateMember(bytes, member, onSlice) {
  const at = member.local;
  if (u32(bytes, at) !== 0x04034b50) throw new ExtractError(`The workbook is damaged and cannot be read. ${SAVE_AS}`);
  const start = at + 30 + u16(bytes, at + 26) + u16(bytes, at + 28);
  const data = bytes.subarray(start, start + member.compressed);
  const unusual = () => new ExtractError(`The workbook is compressed in an unusual way and cannot be read. ${SAVE_AS}`);
  if (member.method === 0) {
    if (data.length !== member.size) throw unusual();
    return data;
  }
  if (data.length === 0) {
    if (member.size !== 0) throw unusual();
    return new Uint8Array(0);
  }
  const out = new Uint8Array(member.size);
  let produced = 0;
  let failed = false;
  const stream = new DecompressionStream("deflate-raw");
  const writer = stream.writable.getWriter();
  const reader = stream.readable.getReader();
  const reading = (async () => {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      if (produced + value.length > member.size) {
        failed = true;
        await reader.cancel();
        return;
      }
      out.set(value, produced);
      produced += value.length;
    }
  })().catch(() => {
    failed = true; // not deflate data, or it ends too soon or has junk after its end
  });
  try {
    for (let i = 0; i < data.length && !failed; i += SLICE) {
      // Wait until the reader has taken everything the last slice produced (backpressure), so at
      // most one slice's output is ever held, however slowly the reader is scheduled.
      await writer.ready;
      if (failed) break;
      await writer.write(data.subarray(i, i + SLICE));
      if (onSlice) onSlice(Math.min(1, (i + SLICE) / data.length));
    }
    if (failed) await writer.abort();
    else await writer.close();
  } catch {
    failed = true; // the reader stopped it, or the data was not deflate
  }
  await reading;
  if (failed || produced !== member.size) throw unusual();
  return out;
}

async function memberText(bytes, members, name) {
  const member = members.get(name.toLowerCase());
  if (!member) return null;
  return new TextDecoder("utf-8").decode(await inflateMember(bytes, member));
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
async function firstSheet(bytes, members) {
  const workbook = (await memberText(bytes, members, "xl/workbook.xml")) || "";
  const sheet = /<(?:\w+:)?sheet\b([^>]*)\/?>/.exec(workbook);
  if (!sheet) throw new ExtractError(`The workbook has no worksheet. ${SAVE_AS}`);
  const name = unescapeXml((/\bname="([^"]*)"/.exec(sheet[1]) || [])[1] || "Sheet1");
  const id = (/\b(?:\w+:)?id="([^"]*)"/.exec(sheet[1]) || [])[1];
  const rels = (await memberText(bytes, members, "xl/_rels/workbook.xml.rels")) || "";
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

// The worksheet scanner. A worksheet is one long run of <row><c>…</c></row> elements. It is read
// as the inflated bytes, never decoded whole into a string: a loop walks the bytes from one "<" to
// the next, recognising the fixed tags, and a cell's value is looked up in its column by its bytes
// (table.mjs): only a spelling the column has not seen before is decoded into a string.
// Every element of a worksheet is in one namespace, written with the same prefix (none, or e.g.
// "x:") by every writer: the prefix is read from the first row. The common cells, <v>value</v> and
// <is><t>text</t></is>, are read from the bytes; any other cell (rich text, a formula, comments)
// is decoded alone and read by the string functions above and below. It reads double-quoted
// attributes, shared and inline strings (phonetic runs left out), booleans, numbers and cached
// formula values (marked as formulas).

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

/** A cell's value from its decoded content, for the cells the byte reader leaves to strings. */
function cellFromText(inner, type, strings, P) {
  const IS = `<${P}is>`, IS_END = `</${P}is>`, T_OPEN = `<${P}t`, T_END = `</${P}t>`, V = `<${P}v`, V_END = `</${P}v>`;
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
  const F = `<${P}f`;
  let f = inner.indexOf(F);
  while (f >= 0 && !tagEnds(inner, f + F.length)) f = inner.indexOf(F, f + 1);
  if (f >= 0) value = FORMULA + value;
  return value;
}

const LT = 60;
const GT = 62;
const SLASH = 47;
const QUOTE = 34;
const AMP = 38;
const COLON = 58;
const UTF8 = new TextDecoder("utf-8");

function endsTag(c) {
  return c === 62 || c === 47 || c === 32 || c === 9 || c === 10 || c === 13; // > / space tab LF CR
}

function asBytes(tag) {
  return Uint8Array.from(tag, (ch) => ch.charCodeAt(0)); // tags and prefixes are ASCII
}

/** A fixed tag's bytes, with its first, middle and last four (or two) bytes as numbers, so `is`
 * can compare a tag of up to twelve bytes with two or three loads rather than a loop. */
class Tag {
  constructor(text) {
    this.bytes = asBytes(text);
    this.length = this.bytes.length;
    const view = new DataView(this.bytes.buffer);
    this.head = this.length >= 4 ? view.getInt32(0, true) : this.length >= 2 ? view.getInt16(0, true) : 0;
    this.tail = this.length >= 4 ? view.getInt32(this.length - 4, true) : this.length === 3 ? this.bytes[2] : 0;
    this.middle = this.length >= 8 ? view.getInt32(4, true) : 0;
  }
}

/** Whether the bytes seen through `view` (n of them) hold `tag` at `at`. */
function is(view, n, at, tag) {
  const length = tag.length;
  if (at + length > n) return false;
  if (length >= 4) {
    if (length <= 8) return view.getInt32(at, true) === tag.head && view.getInt32(at + length - 4, true) === tag.tail;
    if (length <= 12) {
      return view.getInt32(at, true) === tag.head && view.getInt32(at + 4, true) === tag.middle && view.getInt32(at + length - 4, true) === tag.tail;
    }
    for (let i = 0; i < length; i += 1) if (view.getUint8(at + i) !== tag.bytes[i]) return false;
    return true;
  }
  if (length === 3) return view.getInt16(at, true) === tag.head && view.getUint8(at + 2) === tag.tail;
  return view.getInt16(at, true) === tag.head;
}

/** The first row element: {at, prefix}, or null (as /<((?:\w+:)?)row[\s>/]/ would find it). */
function firstRow(b) {
  const n = b.length;
  for (let i = 0; i < n; i += 1) {
    if (b[i] !== LT) continue;
    let j = i + 1;
    while (j < n && isWordCode(b[j])) j += 1;
    const name = b[j] === COLON && j > i + 1 ? j + 1 : i + 1;
    if (b[name] === 114 && b[name + 1] === 111 && b[name + 2] === 119 && name + 3 < n && endsTag(b[name + 3])) {
      return { at: i, prefix: name === i + 1 ? "" : String.fromCharCode(...b.subarray(i + 1, name)) };
    }
  }
  return null;
}

/** The double-quoted attributes `r` and `t` (any prefix) of the tag that runs from b[from] to the
 * first ">" (found[4]; n when there is none): [rFrom, rTo, tFrom, tTo], -1 when absent. One pass
 * finds the tag's end and reads it. */
function cellAttributes(b, from, n, found) {
  found[0] = found[1] = found[2] = found[3] = -1;
  let i = from;
  for (;;) {
    while (i < n) {
      const c = b[i];
      if (c === GT || c === QUOTE || c === 39 || c === 61) break;
      i += 1;
    }
    if (i >= n || b[i] === GT) break;
    const c = b[i];
    if (c !== 61) {
      let close = i + 1;
      while (close < n && b[close] !== c && b[close] !== GT) close += 1;
      if (close >= n || b[close] === GT) {
        i = close;
        break;
      }
      i = close + 1; // a value skipped without reading names in it
      continue;
    }
    if (b[i + 1] === QUOTE && i - 1 >= from) {
      // name="…": the name is the one character before "=", with no word character before it
      const letter = b[i - 1];
      if ((letter === 114 || letter === 116) && (i - 2 < from || !isWordCode(b[i - 2]))) {
        let close = i + 2;
        while (close < n && b[close] !== QUOTE && b[close] !== GT) close += 1;
        if (close >= n || b[close] === GT) {
          i = close;
          break;
        }
        const slot = letter === 114 ? 0 : 2;
        if (found[slot] < 0) {
          found[slot] = i + 2;
          found[slot + 1] = close;
        }
        i = close + 1;
        continue;
      }
    }
    i += 1;
  }
  found[4] = i;
  return found;
}

const TYPE_OTHER = 0;
const TYPE_SHARED = 1;
const TYPE_BOOLEAN = 2;
const TYPE_INLINE = 3;
const INLINE_STR = new Tag("inlineStr");

/** Read a worksheet's bytes into the table, cell by cell. */
function scanSheet(b, strings, table, progress) {
  const n = b.length;
  const first = firstRow(b);
  const P = first ? first.prefix : "";
  const ROW = new Tag(`<${P}row`), ROW_END = new Tag(`</${P}row>`), C = new Tag(`<${P}c`), C_END = new Tag(`</${P}c>`);
  const V = new Tag(`<${P}v>`), V_END = new Tag(`</${P}v>`), IS = new Tag(`<${P}is>`), IS_END = new Tag(`</${P}is>`);
  const T = new Tag(`<${P}t`), T_END = new Tag(`</${P}t>`);
  const view = new DataView(b.buffer, b.byteOffset, b.length);
  const notClosed = () => new ExtractError(`The worksheet is damaged: a row is not closed. ${SAVE_AS}`);
  const found = [-1, -1, -1, -1, -1];
  // A cell's text is looked up in its column by its bytes (table.mjs): decoded only the first time.
  const decodeText = (bytes, from, to) => {
    const value = UTF8.decode(bytes.subarray(from, to));
    return value.indexOf("&") >= 0 ? unescapeXml(value) : value;
  };
  const row = table.row;

  let lastRow = 0;
  let reported = 0;
  let p = first ? first.at : n;
  while (p < n) {
    if (b[p] !== LT || !is(view, n, p, ROW) || !endsTag(b[p + ROW.length])) {
      p += 1;
      continue;
    }
    cellAttributes(b, p + ROW.length, n, found);
    const gt = found[4];
    if (gt >= n) throw notClosed();
    let number = lastRow + 1;
    if (found[0] >= 0 && found[1] > found[0]) {
      let r = 0;
      let i = found[0];
      for (; i < found[1]; i += 1) {
        const code = b[i];
        if (code < 48 || code > 57) break;
        r = r * 10 + (code - 48);
      }
      if (i === found[1]) number = r;
    }
    lastRow = number;
    if (b[gt - 1] === SLASH) {
      p = gt + 1;
      continue;
    }
    const width = table.width;
    let count = 0; // cells in the row, gaps included
    let blank = true;
    let next = 0;
    let q = gt + 1;
    for (;;) {
      while (q < n && b[q] !== LT) q += 1;
      if (q >= n) throw notClosed();
      if (b[q + 1] === SLASH && is(view, n, q, ROW_END)) {
        q += ROW_END.length;
        break;
      }
      if (!is(view, n, q, C) || !endsTag(b[q + C.length])) {
        q += 1;
        continue;
      }
      cellAttributes(b, q + C.length, n, found);
      const cgt = found[4];
      if (cgt >= n) throw notClosed();
      let index = next;
      if (found[0] >= 0) {
        let column = 0;
        let i = found[0];
        for (; i < found[1]; i += 1) {
          const code = b[i];
          if (code < 65 || code > 90) break;
          column = column * 26 + (code - 64);
        }
        if (i > found[0]) index = column - 1;
      }
      next = index + 1;
      if (index >= MAX_COLUMNS) {
        throw new ExtractError(`Row ${number} has a value beyond column ${MAX_COLUMNS}. An extract can have at most ${MAX_COLUMNS} columns.`);
      }
      if (index >= count) count = index + 1;
      const kept = index < width; // cells past the headers are only looked at to see the row is not blank
      if (kept) row[index] = 0;
      let type = TYPE_OTHER;
      const typeLength = found[3] - found[2];
      if (found[2] >= 0) {
        if (typeLength === 1 && b[found[2]] === 115) type = TYPE_SHARED; // s
        else if (typeLength === 1 && b[found[2]] === 98) type = TYPE_BOOLEAN; // b
        else if (typeLength === INLINE_STR.length && is(view, n, found[2], INLINE_STR)) type = TYPE_INLINE;
      }
      if (b[cgt - 1] === SLASH) {
        q = cgt + 1;
        continue;
      }
      const from = cgt + 1;
      if (is(view, n, from, C_END)) {
        q = from + C_END.length;
        continue;
      }
      // The common cells, read from the bytes: <v>value</v></c> and <is><t…>text</t></is></c>.
      let code = 0; // "" unless found below
      let value = null; // or the value as a string, coded below
      let read = false;
      if (type === TYPE_INLINE) {
        if (is(view, n, from, IS) && is(view, n, from + IS.length, T) && endsTag(b[from + IS.length + T.length])) {
          let tgt = from + IS.length + T.length;
          while (tgt < n && b[tgt] !== GT) tgt += 1;
          if (b[tgt - 1] !== SLASH) {
            let k = tgt + 1;
            while (k < n && b[k] !== LT) k += 1;
            const after = k + T_END.length + IS_END.length;
            if (is(view, n, k, T_END) && is(view, n, k + T_END.length, IS_END) && is(view, n, after, C_END)) {
              if (k > tgt + 1) {
                blank = false;
                if (kept) code = table.column(index).bytes(b, tgt + 1, k, decodeText);
              }
              q = after + C_END.length;
              read = true;
            }
          }
        }
      } else if (is(view, n, from, V)) {
        let k = from + V.length;
        while (k < n && b[k] !== LT) k += 1;
        if (is(view, n, k, V_END) && is(view, n, k + V_END.length, C_END)) {
          const start = from + V.length;
          if (type === TYPE_SHARED) {
            let at = 0;
            let i = start;
            for (; i < k; i += 1) {
              const code = b[i];
              if (code < 48 || code > 57) break;
              at = at * 10 + (code - 48);
            }
            if (i !== k || k === start) at = Number(UTF8.decode(b.subarray(start, k)));
            if (kept) code = table.column(index).sharedString(strings, at);
            if (code !== 0 || (!kept && (strings[at] ?? "") !== "")) blank = false;
          } else if (type === TYPE_BOOLEAN) value = k === start + 1 && b[start] === 49 ? "TRUE" : "FALSE";
          else if (k > start) {
            blank = false;
            if (kept) code = table.column(index).bytes(b, start, k, decodeText);
          }
          q = k + V_END.length + C_END.length;
          read = true;
        }
      }
      if (!read) {
        // Any other cell: found its end, decoded alone and read as a string.
        let end = from;
        for (;;) {
          while (end < n && b[end] !== LT) end += 1;
          if (end >= n || is(view, n, end, ROW_END)) throw notClosed();
          if (is(view, n, end, C_END)) break;
          end += 1;
        }
        const typeName = found[2] >= 0 ? UTF8.decode(b.subarray(found[2], found[3])) : "n";
        value = cellFromText(UTF8.decode(b.subarray(from, end)), typeName, strings, P);
        q = end + C_END.length;
      }
      if (value !== null && value !== "") {
        blank = false;
        if (kept) code = table.column(index).code(value);
      }
      if (kept) row[index] = code;
    }
    table.add(number, count, blank);
    row.fill(0, 0, Math.min(count, width));
    p = q;
    if (p - reported > 4 << 20) {
      reported = p;
      progress(0.6 + (0.4 * p) / n);
    }
  }
}

async function readXlsx(bytes, progress) {
  const members = zipMembers(bytes);
  const strings = sharedStrings(await memberText(bytes, members, "xl/sharedStrings.xml"));
  const sheet = await firstSheet(bytes, members);
  const member = members.get(sheet.path.toLowerCase());
  if (!member) throw new ExtractError(`The workbook's first worksheet is missing. ${SAVE_AS}`);
  const table = new TableBuilder();
  const xml = await inflateMember(bytes, member, (fraction) => progress(fraction * 0.6));
  scanSheet(xml, strings, table, progress);
  progress(1);
  const result = table.done(sheet.name);
  result.sheets = sheet.sheets;
  return result;
}
