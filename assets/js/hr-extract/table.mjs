// An extract held column by column: each column keeps its distinct values once (a dictionary) and
// one integer code a row (a typed array), rather than an array of strings for every row. A column
// of 100,000 rows holds a few dozen spellings, so listing its values and counting the rows look
// each spelling up once (aggregate.mjs), and reading never makes an object or array per row.
//
// The readers (files.mjs) give each cell's code through the column's `text` (a range of the decoded
// CSV string, sliced and looked up), `bytes` (a range of the worksheet's bytes, hashed in place,
// so a spelling already seen is never decoded) or `code` (a string).

import { FORMULA } from "./aggregate.mjs";

export const MAX_ROWS = 200_000;
export const MAX_COLUMNS = 200;
export const MAX_CELL = 1000; // characters kept of a cell: longer values are cut

export class ExtractError extends Error {}

const UTF8 = new TextDecoder("utf-8");
const EMPTY = 0; // every column's code for ""

/** The keys of a hash table of ranges (open addressing, linear probing, power-of-two size). */
class Slots {
  constructor() {
    this.mask = 63;
    this.hashes = new Int32Array(64);
    this.entries = new Int32Array(64).fill(-1);
    this.size = 0;
  }

  grow() {
    const size = (this.mask + 1) * 2;
    const hashes = new Int32Array(size);
    const entries = new Int32Array(size).fill(-1);
    for (let i = 0; i <= this.mask; i += 1) {
      const entry = this.entries[i];
      if (entry < 0) continue;
      let slot = this.hashes[i] & (size - 1);
      while (entries[slot] >= 0) slot = (slot + 1) & (size - 1);
      hashes[slot] = this.hashes[i];
      entries[slot] = entry;
    }
    this.mask = size - 1;
    this.hashes = hashes;
    this.entries = entries;
  }
}

/** How many distinct ranges a column remembers; past that (a column of ids) it still reads each
 * cell correctly, through a string, but remembers no more ranges. */
const MAX_KEYS = 1 << 18;
const PLAIN_FROM = 2048;
const HASH_START = 0x811c9dc5; // FNV-1a
const HASH_FACTOR = 0x01000193;

export class Column {
  constructor(capacity, table) {
    this.values = [""];
    this.index = new Map([["", EMPTY]]);
    this.codes = new Int32Array(capacity);
    this.byteSlots = null; // ranges of bytes: key bytes copied into byteArena
    this.byteArena = null;
    this.byteStarts = null;
    this.byteCodes = null;
    this.byteUsed = 0;
    this.shared = null; // a workbook's shared-string index -> code + 1
    // A column of ids, names or salaries holds a new value nearly every row: remembering each costs
    // more than it saves, so past PLAIN_FROM values, if there are more than half as many values as rows, every cell gets a code
    // of its own (a value may then have several codes: readers of the table allow for it).
    this.plain = false;
    this.table = table; // rows so far: table.length
    // In plain mode, ASCII values read from bytes wait in `pending` to be decoded together, one
    // decoder call for many values rather than one each (most of what ids and salaries cost).
    this.pending = null;
    this.pendingUsed = 0;
    this.pendingEnds = null;
    this.pendingCodes = null;
    this.pendingCount = 0;
  }

  /** A code for the ASCII bytes b[from, to), its value decoded later, in flush(). */
  later(b, from, to) {
    const length = to - from;
    if (this.pending === null) {
      this.pending = new Uint8Array(1 << 16);
      this.pendingEnds = new Int32Array(1 << 12);
      this.pendingCodes = new Int32Array(1 << 12);
    }
    if (this.pendingUsed + length > this.pending.length || this.pendingCount === this.pendingEnds.length) this.flush();
    if (length > this.pending.length) return this.add(UTF8.decode(b.subarray(from, to)));
    const pending = this.pending;
    let used = this.pendingUsed;
    for (let i = from; i < to; i += 1) pending[used++] = b[i];
    this.pendingUsed = used;
    const code = this.values.length;
    this.values.push("");
    this.pendingEnds[this.pendingCount] = used;
    this.pendingCodes[this.pendingCount] = code;
    this.pendingCount += 1;
    return code;
  }

  /** Decode the values waiting in `pending`. */
  flush() {
    if (this.pendingCount === 0) return;
    const text = UTF8.decode(this.pending.subarray(0, this.pendingUsed)); // ASCII: one byte, one character
    let start = 0;
    for (let k = 0; k < this.pendingCount; k += 1) {
      const end = this.pendingEnds[k];
      this.values[this.pendingCodes[k]] = text.slice(start, Math.min(end, start + MAX_CELL));
      start = end;
    }
    this.pendingUsed = 0;
    this.pendingCount = 0;
  }

  add(value) {
    if (value.length > MAX_CELL) value = value.slice(0, MAX_CELL);
    const code = this.values.length;
    this.values.push(value);
    if (!this.plain) {
      this.index.set(value, code);
      if (code >= PLAIN_FROM && code * 2 > this.table.length) this.forget();
    }
    return code;
  }

  forget() {
    this.plain = true;
    this.index = null;
    this.byteSlots = this.byteArena = this.byteStarts = this.byteCodes = null;
  }

  /** The code of a value (cut to MAX_CELL characters), added if new. */
  code(value) {
    return this.intern(value);
  }

  intern(value) {
    if (value === "") return EMPTY;
    if (this.plain) return this.add(value);
    const code = this.index.get(value.length > MAX_CELL ? value.slice(0, MAX_CELL) : value);
    return code === undefined ? this.add(value) : code;
  }

  /** The code of text[from, to) as it stands, or of `make()` for it the first time it is seen. */
  text(text, from, to, make) {
    if (from === to) return EMPTY;
    const value = make === undefined ? text.slice(from, to) : make(text, from, to);
    return this.plain ? this.add(value) : this.intern(value);
  }

  /** The code of the UTF-8 bytes b[from, to), read by `make(b, from, to)` the first time they are seen. */
  bytes(b, from, to, make) {
    if (from === to) return EMPTY;
    if (this.plain) {
      for (let i = from; i < to; i += 1) {
        const c = b[i];
        if (c >= 0x80 || c === 38) return this.add(make(b, from, to)); // not ASCII, or an entity
      }
      return this.later(b, from, to);
    }
    let hash = HASH_START;
    for (let i = from; i < to; i += 1) hash = Math.imul(hash ^ b[i], HASH_FACTOR);
    let slots = this.byteSlots;
    if (slots === null) {
      slots = this.byteSlots = new Slots();
      this.byteArena = new Uint8Array(1 << 12);
      this.byteStarts = new Int32Array(65);
      this.byteCodes = new Int32Array(64);
    }
    const length = to - from;
    const arena = this.byteArena;
    const starts = this.byteStarts;
    let slot = hash & slots.mask;
    for (;;) {
      const entry = slots.entries[slot];
      if (entry < 0) break;
      if (slots.hashes[slot] === hash) {
        const start = starts[entry];
        if (starts[entry + 1] - start === length) {
          let k = 0;
          while (k < length && arena[start + k] === b[from + k]) k += 1;
          if (k === length) return this.byteCodes[entry];
        }
      }
      slot = (slot + 1) & slots.mask;
    }
    const code = this.intern(make(b, from, to));
    if (this.plain) return code;
    if (slots.size < MAX_KEYS) {
      const entry = slots.size;
      if (this.byteUsed + length > this.byteArena.length) {
        const bigger = new Uint8Array(Math.max(this.byteArena.length * 2, this.byteUsed + length));
        bigger.set(this.byteArena.subarray(0, this.byteUsed));
        this.byteArena = bigger;
      }
      if (entry + 1 >= this.byteCodes.length) {
        const starts = new Int32Array(this.byteCodes.length * 2 + 1);
        starts.set(this.byteStarts);
        this.byteStarts = starts;
        const codes = new Int32Array(this.byteCodes.length * 2);
        codes.set(this.byteCodes);
        this.byteCodes = codes;
      }
      this.byteArena.set(b.subarray(from, to), this.byteUsed);
      this.byteUsed += length;
      this.byteStarts[entry + 1] = this.byteUsed;
      this.byteCodes[entry] = code;
      slots.hashes[slot] = hash;
      slots.entries[slot] = entry;
      slots.size += 1;
      if (slots.size * 2 > slots.mask) slots.grow();
    }
    return code;
  }

  /** The code of a workbook's shared string `at` (from `strings`), or of "" when there is none. */
  sharedString(strings, at) {
    if (this.shared === null) this.shared = new Int32Array(strings.length);
    if (at >= 0 && at < strings.length) {
      const known = this.shared[at];
      if (known > 0) return known - 1;
      const code = this.code(strings[at]);
      this.shared[at] = code + 1;
      return code;
    }
    return this.code(strings[at] ?? "");
  }
}

/**
 * Rows in, a table out. A reader gives each row as codes in `row` (from `column(j)`), how many
 * cells it had (`count`, which may pass the columns kept) and whether any was not blank. The first
 * row that is not blank is the header row: its values name the columns and are then forgotten.
 */
export class TableBuilder {
  constructor() {
    this.headers = null;
    this.width = MAX_COLUMNS; // cells kept a row: every one until the headers are known
    this.capacity = 1024;
    this.columns = [];
    this.length = 0;
    this.numbers = new Int32Array(this.capacity);
    this.widths = new Uint8Array(this.capacity);
    this.row = new Int32Array(MAX_COLUMNS); // the reader's row, as codes; EMPTY where no cell
  }

  column(j) {
    while (this.columns.length <= j) this.columns.push(new Column(this.headers === null ? 0 : this.capacity, this));
    return this.columns[j];
  }

  /** Keep the row in `this.row[0, count)`; the reader clears `this.row` after. */
  add(number, count, blank) {
    if (blank) return;
    const row = this.row;
    if (this.headers === null) {
      if (count > MAX_COLUMNS) {
        throw new ExtractError(`The header row has ${count} columns. An extract can have at most ${MAX_COLUMNS}.`);
      }
      const headers = [];
      for (const column of this.columns) column.flush();
      for (let j = 0; j < count; j += 1) {
        headers.push(String(this.column(j).values[row[j]]).replace(FORMULA, "").trim());
      }
      this.headers = headers;
      this.width = headers.length;
      this.columns = headers.map(() => new Column(this.capacity, this));
      return;
    }
    if (this.length >= MAX_ROWS) {
      throw new ExtractError(`The file has more than ${MAX_ROWS.toLocaleString("en-GB")} rows. Split it by service and build the return from each part in turn.`);
    }
    if (this.length === this.capacity) this.grow();
    const at = this.length;
    const width = count < this.width ? count : this.width;
    const columns = this.columns;
    for (let j = 0; j < width; j += 1) columns[j].codes[at] = row[j];
    this.numbers[at] = number;
    this.widths[at] = width;
    this.length = at + 1;
  }

  grow() {
    const capacity = Math.min(this.capacity * 2, MAX_ROWS);
    for (const column of this.columns) {
      const codes = new Int32Array(capacity);
      codes.set(column.codes);
      column.codes = codes;
    }
    const numbers = new Int32Array(capacity);
    numbers.set(this.numbers);
    this.numbers = numbers;
    const widths = new Uint8Array(capacity);
    widths.set(this.widths);
    this.widths = widths;
    this.capacity = capacity;
  }

  done(sheet) {
    if (this.headers === null) throw new ExtractError("The file has no header row: it looks empty.");
    for (const column of this.columns) column.flush();
    const columns = this.columns.map((c) => ({ values: c.values, codes: c.codes.subarray(0, this.length) }));
    return { headers: this.headers, length: this.length, numbers: this.numbers.subarray(0, this.length), widths: this.widths.subarray(0, this.length), columns, sheet };
  }
}

/** The table's rows as {number, cells} (as the file had them, cut to the headers' width). */
export function rowsOf(table) {
  const rows = [];
  for (let r = 0; r < table.length; r += 1) rows.push({ number: table.numbers[r], cells: cellsOf(table, r) });
  return rows;
}

function cellsOf(table, r) {
  const cells = [];
  for (let j = 0; j < table.widths[r]; j += 1) cells.push(table.columns[j].values[table.columns[j].codes[r]]);
  return cells;
}

/** A table from rows of strings: for tests and small extracts made in code. */
export function tableFromRows(headers, rows) {
  const builder = new TableBuilder();
  builder.headers = headers;
  builder.width = headers.length;
  builder.columns = headers.map(() => new Column(builder.capacity, builder));
  for (const { number, cells } of rows) {
    const count = Math.min(cells.length, headers.length);
    for (let j = 0; j < count; j += 1) builder.row[j] = builder.columns[j].code(cells[j] ?? "");
    builder.add(number, count, false);
    builder.row.fill(EMPTY, 0, count);
  }
  return builder.done(null);
}
