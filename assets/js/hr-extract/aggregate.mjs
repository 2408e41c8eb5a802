// Pure functions of the HR-extract reader: proposing columns, reading yes/no, dates and salaries,
// listing the values to map, and counting rows into the return's measures (spec hr-extract.md).
// No DOM and no network: the worker (worker.mjs) calls these on rows it has parsed. The rules are
// repeated in plain words on the guidance page and the extract template; the tests check the
// counts against an aggregation written separately in Python.

const APOSTROPHES = /['’‘`]/g;
const NON_WORD = /[^a-z0-9]+/g;

/** Lower case, apostrophes dropped, every run of other characters one space (vocabulary.normalise). */
export function normalise(value) {
  return String(value ?? "")
    .toLowerCase()
    .replace(APOSTROPHES, "")
    .replace(NON_WORD, " ")
    .trim();
}

// A column holds few distinct values over many rows: normalise each once.
const NORMALISED = new Map();
function normaliseCached(value) {
  let found = NORMALISED.get(value);
  if (found === undefined) {
    found = normalise(value);
    if (NORMALISED.size > 50_000) NORMALISED.clear();
    NORMALISED.set(value, found);
  }
  return found;
}

/** A formula cell read from a workbook is kept as FORMULA + its cached value. */
export const FORMULA = "\u0000f";

/** Propose a header for each field: case-insensitive, common synonyms, each header used once. */
export function proposeColumns(headers, fields) {
  const byName = new Map();
  headers.forEach((header) => {
    const key = normalise(header);
    if (key && !byName.has(key)) byName.set(key, header);
  });
  const used = new Set();
  const proposed = {};
  for (const field of fields) {
    proposed[field.code] = "";
    for (const synonym of field.synonyms) {
      const header = byName.get(synonym);
      if (header !== undefined && !used.has(header)) {
        proposed[field.code] = header;
        used.add(header);
        break;
      }
    }
  }
  // One way of giving each alternative: the flag (or salary) column wins over the dates (or band).
  if (proposed.in_post_at_snapshot) {
    proposed.start_date = "";
    proposed.end_date = "";
  }
  if (proposed.annual_salary_fte) proposed.pay_band = "";
  if (proposed.left_in_period) proposed.leaving_date = "";
  else if (!proposed.leaving_date && proposed.end_date) proposed.leaving_date = proposed.end_date;
  return proposed;
}

/** Which columns must be chosen, in plain English; [] when the choice is complete. */
export function columnProblems(extract, columns, fields) {
  const problems = [];
  const has = (code) => Boolean(columns[code]);
  const label = (code) => fields.find((f) => f.code === code)?.label ?? code;
  for (const field of fields) {
    if (!field.optional && !field.alternative && !has(field.code)) {
      problems.push({ field: field.code, text: `Choose the column for ${label(field.code).toLowerCase()}` });
    }
  }
  if (extract === "staff") {
    if (!has("in_post_at_snapshot") && !has("start_date")) {
      problems.push({
        field: "in_post_at_snapshot",
        text: "Choose the in-post column, or the start date (and end date) columns",
      });
    }
    if (has("annual_salary_fte") === has("pay_band")) {
      problems.push({
        field: "annual_salary_fte",
        text: "Choose either the salary column or the pay band column, not both or neither",
      });
    }
    if (!has("left_in_period") && !has("leaving_date")) {
      problems.push({ field: "left_in_period", text: "Choose the leaver column, or the leaving date column" });
    }
  }
  return problems;
}

// Values ---------------------------------------------------------------------------------------

// A flag column holds a handful of spellings over many rows: read each once per vocabulary.
const YES_NO = new WeakMap();

/** true, false, null (blank) or undefined (not a yes or no). */
export function yesNo(raw, vocabulary) {
  let known = YES_NO.get(vocabulary);
  if (known === undefined) {
    known = new Map();
    YES_NO.set(vocabulary, known);
  }
  const key = String(raw);
  const seen = known.get(key);
  if (seen !== undefined) return ANSWERS[seen];
  const value = key.trim().toLowerCase();
  let code = 3; // not a yes or no
  if (value === "") code = 0;
  else if (vocabulary.yesSet.has(value)) code = 1;
  else if (vocabulary.noSet.has(value)) code = 2;
  if (known.size > 50_000) known.clear();
  known.set(key, code);
  return ANSWERS[code];
}
const ANSWERS = [null, true, false, undefined];

const MONTHS = {
  jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6, jul: 7, aug: 8, sep: 9, sept: 9, oct: 10, nov: 11, dec: 12,
  january: 1, february: 2, march: 3, april: 4, june: 6, july: 7, august: 8, september: 9, october: 10,
  november: 11, december: 12,
};
const ISO = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?Z?)?$/;
const DAY_FIRST = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4}|\d{2})(?: \d{1,2}:\d{2}(?::\d{2})?)?$/;
const WORDS = /^(\d{1,2})(?:st|nd|rd|th)?[ -]([a-z]{3,9})[ -,]+(\d{4})$/i;
const SERIAL = /^\d{1,6}(?:\.0+)?$/;
const EXCEL_EPOCH = -25569; // days from 1970-01-01 back to Excel's day 0 (1899-12-30)

function dayNumber(year, month, day) {
  if (month < 1 || month > 12 || day < 1 || day > 31) return undefined;
  const time = Date.UTC(year, month - 1, day);
  const date = new Date(time);
  if (date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return undefined;
  return Math.round(time / 86400000);
}

/** Days since 1970-01-01, null for blank, undefined when not a date. `serials` reads whole numbers
 * from 367 to 73050 (1901 to 2099) as Excel date serials, as workbooks store dates. */
export function parseDate(raw, serials = true) {
  const value = String(raw).trim();
  if (value === "") return null;
  let match = ISO.exec(value);
  if (match) return dayNumber(+match[1], +match[2], +match[3]);
  match = DAY_FIRST.exec(value);
  if (match) {
    let year = +match[3];
    if (match[3].length === 2) year += year <= 68 ? 2000 : 1900;
    return dayNumber(year, +match[2], +match[1]);
  }
  match = WORDS.exec(value);
  if (match) {
    const month = MONTHS[match[2].toLowerCase()];
    return month ? dayNumber(+match[3], month, +match[1]) : undefined;
  }
  if (serials && SERIAL.test(value)) {
    const serial = Math.floor(Number(value));
    if (serial >= 367 && serial <= 73050) return serial + EXCEL_EPOCH;
  }
  return undefined;
}

export function isoDay(days) {
  return new Date(days * 86400000).toISOString().slice(0, 10);
}

const MONEY = /^£?\s*(\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?$/;
const PLAIN_MONEY = /^\d+(?:\.\d+)?$/; // most salaries: nothing to take out

/** A salary in pounds, null for blank, undefined when not an amount. */
export function parseMoney(raw) {
  const value = String(raw).trim();
  if (value === "") return null;
  if (PLAIN_MONEY.test(value)) return Number(value);
  if (!MONEY.test(value)) return undefined;
  return Number(value.replace(/[£,\s]/g, ""));
}

export function bandOf(salary) {
  if (salary < 30000) return "lower";
  if (salary < 70000) return "middle";
  return "upper";
}

/** The distinct values of a table's column, normalised, with how each was first written and how
 * often, in the order they first appear. Each spelling is read once: the rows are only counted. */
export function distinctValues(table, index, limit) {
  const column = table.columns[index];
  const values = column ? column.values : [""];
  const tally = new Int32Array(values.length);
  // Codes are numbered in the order their values first appear, except "" (always 0): list it
  // after the codes seen before it first appears.
  let blankAfter = -1;
  if (column) {
    const codes = column.codes;
    let highest = 0;
    for (let r = 0; r < table.length; r += 1) {
      const code = codes[r];
      if (code > highest) highest = code;
      else if (code === 0 && blankAfter < 0) blankAfter = highest;
      tally[code] += 1;
    }
  } else if (table.length > 0) {
    tally[0] = table.length;
    blankAfter = 0;
  }
  const order = blankAfter === 0 ? [0] : [];
  for (let code = 1; code < values.length; code += 1) {
    if (tally[code] > 0) order.push(code);
    if (code === blankAfter) order.push(0);
  }
  const seen = new Map();
  for (const code of order) {
    const cell = values[code];
    const raw = cell.startsWith(FORMULA) ? cell.slice(FORMULA.length) : cell;
    const key = normaliseCached(raw);
    const entry = seen.get(key);
    if (entry) entry.count += tally[code];
    else {
      if (seen.size >= limit) return { values: [...seen.values()], overflow: true };
      seen.set(key, { value: key, display: raw.trim(), count: tally[code] });
    }
  }
  return { values: [...seen.values()], overflow: false };
}

// Counting -------------------------------------------------------------------------------------

export const GROUPS = ["white", "minority_ethnic", "unknown"];
export const BANDS = ["lower", "middle", "upper"];
const BAND_MEASURES = { lower: "headcount_band:lower", middle: "headcount_band:middle", upper: "headcount_band:upper" };

function emptyCounts(measures) {
  const counts = {};
  for (const measure of measures) counts[measure] = { white: 0, minority_ethnic: 0, unknown: 0 };
  return counts;
}

const STAFF_MEASURES = [
  "headcount", "headcount_band:lower", "headcount_band:middle", "headcount_band:upper",
  "regulated_headcount", "senior_managers", "disciplinary", "ftp_referrals", "cpd", "leavers",
];
const RECRUITMENT_MEASURES = ["shortlisted", "appointed"];
const SURVEY_MEASURES = ["survey_respondents", "harassed_by_public", "harassed_by_colleagues", "harassed_by_managers"];
const ALL_MEASURES = [...STAFF_MEASURES, ...RECRUITMENT_MEASURES, ...SURVEY_MEASURES];
const BIT = Object.fromEntries(ALL_MEASURES.map((measure, i) => [measure, 1 << i]));

function newCounts() {
  return { ...emptyCounts(STAFF_MEASURES), ...emptyCounts(RECRUITMENT_MEASURES), ...emptyCounts(SURVEY_MEASURES) };
}

/**
 * Count the extracts. `extracts` is {staff: {headers, rows}, recruitment, survey?} where rows are
 * {number, cells}; `columns` is {extract: {field: header}}; `values` is {ethnicity: {value: group},
 * service: {value: service or "out_of_scope"}} (every value must be mapped: defaults merged in by
 * the caller); `period` is {start, end, snapshot} as day numbers. Returns the counts by service
 * and measure, and the rows that could not be placed (each with its row, column, value and why).
 */
export function aggregate({ extracts, columns, values, period, vocabulary, maxListed = 1000 }) {
  const counts = {};
  const unplaced = [];
  let unplacedRows = 0;
  const stats = {};
  const listProblem = (extract, row, column, value, why) => {
    if (unplaced.length < maxListed) unplaced.push({ extract, row, column, value, why });
  };

  // A value's mapping, looked up once per spelling: `known` maps raw → [mapped value].
  const lookUp = (known, mapping, raw) => {
    let found = known.get(raw);
    if (found === undefined) {
      found = [mapping[normaliseCached(raw)]];
      if (known.size < 50_000) known.set(raw, found);
    }
    return found[0];
  };

  // A field's column in a table: {codes, values}, or every row "" when no column is chosen.
  const columnOf = (table, header) => {
    const i = header ? table.headers.indexOf(header) : -1;
    return i >= 0 && i < table.columns.length ? table.columns[i] : { codes: null, values: [""] };
  };
  // A per-row reading of a field, worked out once per distinct value: `read(raw)` gives a small
  // integer (or, with `Float64Array`, a number) for the value without any formula mark.
  const perValue = (column, read, Kind = Int8Array) => {
    const known = new Kind(column.values.length).fill(Kind === Int8Array ? -128 : NaN);
    const { codes, values } = column;
    return (r) => {
      const code = codes === null ? 0 : codes[r];
      let found = known[code];
      if (found === -128 || found !== found) {
        const raw = values[code];
        found = known[code] = read(raw.startsWith(FORMULA) ? raw.slice(FORMULA.length) : raw);
      }
      return found;
    };
  };
  const services = []; // the services rows are counted in, by index
  const serviceIndex = new Map();

  const place = (extractKey, measures, handle, quick) => {
    const table = extracts[extractKey];
    if (!table) return;
    const cols = columns[extractKey];
    const index = {};
    for (const [field, header] of Object.entries(cols)) {
      index[field] = header ? table.headers.indexOf(header) : -1;
    }
    const stat = { rows: 0, counted: 0, outOfScope: 0, unplaced: 0 };
    stats[extractKey] = stat;
    // One row at a time: `cell` and `problem` read the current row's state, made once per extract
    // rather than once per row (100,000 rows make that worth it).
    let cells = null;
    const problems = [];
    const formulas = [];
    const cell = (field) => {
      const i = index[field];
      if (i === undefined || i < 0) return "";
      const raw = i < cells.length ? cells[i] : "";
      if (raw.startsWith(FORMULA)) {
        formulas.push(field);
        return raw.slice(FORMULA.length);
      }
      return raw;
    };
    const problem = (field, why) => problems.push({ field, value: cell(field), why });
    const serviceOf = new Map();
    const groupOf = new Map();

    // The quick path, for a row with nothing to report: every field it reads is looked up by its
    // value's code (the same rules, applied once per distinct value), its measures come back as
    // bits, and it is counted in typed arrays. Any row the quick path cannot count whole (a
    // problem, a formula, a service with no staff) is counted by the row-by-row rules below.
    const column = (field) => columnOf(table, cols[field]);
    const OUT = -2;
    const serviceOfCode = perValue(column("service"), (raw) => {
      const service = values.service[normaliseCached(raw)];
      if (service === "out_of_scope") return OUT;
      if (typeof service !== "string" || service === "") return -1;
      if (extractKey !== "staff" && !counts[service]) return -1; // a problem for that row
      let at = serviceIndex.get(service);
      if (at === undefined) {
        at = services.length;
        services.push(service);
        serviceIndex.set(service, at);
      }
      return at > 126 ? -1 : at;
    });
    const groupOfCode = perValue(column("ethnicity"), (raw) => GROUPS.indexOf(values.ethnicity[normaliseCached(raw)]));
    // Rows whose read fields hold a formula go the long way, where it is listed.
    const formulaColumns = quick.fields.map(column).filter((c) => c.codes !== null && c.values.some((v) => v.startsWith(FORMULA)));
    const formulaOf = formulaColumns.map((c) => Uint8Array.from(c.values, (v) => (v.startsWith(FORMULA) ? 1 : 0)));
    const effectsOf = quick.make(column);
    const tally = new Int32Array(128 * ALL_MEASURES.length * 3);

    for (let r = 0; r < table.length; r += 1) {
      stat.rows += 1;
      const s = serviceOfCode(r);
      if (s === OUT) {
        stat.outOfScope += 1;
        continue;
      }
      if (s >= 0) {
        const g = groupOfCode(r);
        let formula = false;
        for (let f = 0; f < formulaColumns.length && !formula; f += 1) formula = formulaOf[f][formulaColumns[f].codes[r]] === 1;
        const bits = g >= 0 && !formula ? effectsOf(r) : -1;
        if (bits >= 0) {
          stat.counted += 1;
          const service = services[s];
          if (!counts[service]) counts[service] = newCounts();
          let left = bits;
          while (left !== 0) {
            const bit = left & -left;
            tally[(s * ALL_MEASURES.length + 31 - Math.clz32(bit)) * 3 + g] += 1;
            left ^= bit;
          }
          continue;
        }
      }
      // The long way, the rules as written, for the rows with something to say.
      const number = table.numbers[r];
      cells = [];
      for (let j = 0; j < table.widths[r]; j += 1) cells.push(table.columns[j].values[table.columns[j].codes[r]]);
      problems.length = 0;
      formulas.length = 0;
      const service = lookUp(serviceOf, values.service, cell("service"));
      if (service === "out_of_scope") {
        stat.outOfScope += 1;
        continue;
      }
      const group = lookUp(groupOf, values.ethnicity, cell("ethnicity"));
      if (service === undefined) problem("service", "This service value has not been mapped.");
      if (group === undefined) problem("ethnicity", "This ethnicity value has not been mapped.");
      const effects = handle(cell, problem, service);
      if (extractKey !== "staff" && service && !counts[service]) {
        problem("service", "The staff extract has nobody placed in this service, so it is not in the return.");
      }
      // cell() below notes the formula again: walk a copy, or the loop would never end.
      if (formulas.length) for (const field of [...new Set(formulas)]) {
        problems.push({
          field,
          value: cell(field),
          why: "The cell holds a formula. Copy the column and paste it back as values.",
        });
      }
      if (problems.length) {
        stat.unplaced += 1;
        unplacedRows += 1;
        const seen = new Set();
        for (const p of problems) {
          const key = `${p.field}:${p.why}`;
          if (seen.has(key)) continue;
          seen.add(key);
          listProblem(extractKey, number, cols[p.field] || p.field, p.value, p.why);
        }
        continue;
      }
      stat.counted += 1;
      if (!counts[service]) counts[service] = newCounts();
      for (const measure of effects) counts[service][measure][group] += 1;
    }
    for (let s = 0; s < services.length && s < 128; s += 1) {
      for (let m = 0; m < ALL_MEASURES.length; m += 1) {
        for (let g = 0; g < 3; g += 1) {
          const n = tally[(s * ALL_MEASURES.length + m) * 3 + g];
          if (n) counts[services[s]][ALL_MEASURES[m]][GROUPS[g]] += n;
        }
      }
    }
    return measures;
  };

  const flag = (cell, problem, field, { blank = false, events = false } = {}) => {
    const raw = cell(field);
    const answer = yesNo(raw, vocabulary);
    if (answer === null) return blank;
    if (answer !== undefined) return answer;
    if (events) {
      const day = parseDate(raw);
      if (typeof day === "number") return day >= period.start && day <= period.end;
    }
    problem(field, `“${String(raw).trim()}” is not yes or no. Use Y or N${events ? ", or the date it happened" : ""}.`);
    return false;
  };
  const date = (cell, problem, field, label) => {
    const raw = cell(field);
    const day = parseDate(raw);
    if (day === undefined) problem(field, `“${String(raw).trim()}” is not a date that can be read. Write the ${label} like 31/03/2025.`);
    return day;
  };

  // The quick path's readings (see place): 0 no, 1 yes, 2 a problem.
  const flagReader = (events) => (raw) => {
    const answer = yesNo(raw, vocabulary);
    if (answer === null) return 0;
    if (answer !== undefined) return answer ? 1 : 0;
    if (events) {
      const day = parseDate(raw);
      if (typeof day === "number") return day >= period.start && day <= period.end ? 1 : 0;
    }
    return 2;
  };
  const dayReader = (raw) => {
    const day = parseDate(raw);
    return day === null ? Infinity : day === undefined ? -Infinity : day; // blank, unreadable
  };
  const no = () => 0;
  const staffCols = columns.staff || {};
  const quickStaff = {
    fields: [
      "service", "ethnicity",
      ...(staffCols.in_post_at_snapshot ? ["in_post_at_snapshot"] : ["start_date", ...(staffCols.end_date ? ["end_date"] : [])]),
      staffCols.annual_salary_fte ? "annual_salary_fte" : "pay_band",
      "regulated_professional", "senior_manager",
      ...["entered_disciplinary", "referred_ftp", "funded_cpd"].filter((f) => staffCols[f]),
      staffCols.left_in_period ? "left_in_period" : "leaving_date",
    ],
    make(column) {
      const cols = staffCols;
      const inPostOf = cols.in_post_at_snapshot
        ? perValue(column("in_post_at_snapshot"), (raw) => {
            const answer = yesNo(raw, vocabulary);
            return answer === null || answer === undefined ? 2 : answer ? 1 : 0;
          })
        : null;
      const startOf = inPostOf ? null : perValue(column("start_date"), dayReader, Float64Array);
      const endOf = !inPostOf && cols.end_date ? perValue(column("end_date"), dayReader, Float64Array) : null;
      // 0 to 2 a band, 3 blank, 4 not a salary or band
      const salaryOf = cols.annual_salary_fte
        ? perValue(column("annual_salary_fte"), (raw) => {
            const salary = parseMoney(raw);
            return salary === null ? 3 : salary === undefined ? 4 : BANDS.indexOf(bandOf(salary));
          })
        : null;
      const payBandOf = salaryOf
        ? null
        : perValue(column("pay_band"), (raw) => {
            const value = normalise(raw);
            const at = BANDS.indexOf(value);
            return at >= 0 ? at : value === "" ? 3 : 4;
          });
      const regulatedOf = perValue(column("regulated_professional"), flagReader(false));
      const seniorOf = perValue(column("senior_manager"), flagReader(false));
      const disciplinaryOf = cols.entered_disciplinary ? perValue(column("entered_disciplinary"), flagReader(true)) : no;
      const referredOf = cols.referred_ftp ? perValue(column("referred_ftp"), flagReader(true)) : no;
      const cpdOf = cols.funded_cpd ? perValue(column("funded_cpd"), flagReader(true)) : no;
      const leftOf = cols.left_in_period
        ? perValue(column("left_in_period"), flagReader(true))
        : perValue(column("leaving_date"), (raw) => {
            const day = parseDate(raw);
            if (day === undefined) return 2;
            return typeof day === "number" && day >= period.start && day <= period.end ? 1 : 0;
          });
      const bandBits = BANDS.map((band) => BIT[BAND_MEASURES[band]]);
      const snapshot = period.snapshot;
      return (r) => {
        let inPost;
        if (inPostOf !== null) {
          const answer = inPostOf(r);
          if (answer === 2) return -1;
          inPost = answer === 1;
        } else {
          const start = startOf(r);
          if (start === Infinity || start === -Infinity) return -1;
          const end = endOf === null ? Infinity : endOf(r);
          if (end === -Infinity || (end !== Infinity && end < start)) return -1;
          inPost = start <= snapshot && (end === Infinity || end >= snapshot);
        }
        const band = salaryOf !== null ? salaryOf(r) : payBandOf(r);
        if (band === 4 || (band === 3 && inPost)) return -1;
        const regulated = regulatedOf(r);
        const senior = seniorOf(r);
        const disciplinary = disciplinaryOf(r);
        const referred = referredOf(r);
        const cpd = cpdOf(r);
        const left = leftOf(r);
        if (regulated === 2 || senior === 2 || disciplinary === 2 || referred === 2 || cpd === 2 || left === 2) return -1;
        let bits = 0;
        if (inPost) {
          bits |= BIT.headcount;
          if (band < 3) bits |= bandBits[band];
          if (regulated) bits |= BIT.regulated_headcount;
          if (senior) bits |= BIT.senior_managers;
          if (cpd) bits |= BIT.cpd;
        }
        if (disciplinary) bits |= BIT.disciplinary;
        if (referred && regulated) bits |= BIT.ftp_referrals;
        if (left) bits |= BIT.leavers;
        return bits;
      };
    },
  };
  const HARASSED = ["harassed_by_public", "harassed_by_colleagues", "harassed_by_managers"];
  const quickRecruitment = {
    fields: ["service", "ethnicity", "appointed"],
    make(column) {
      const appointedOf = perValue(column("appointed"), flagReader(false));
      return (r) => {
        const appointed = appointedOf(r);
        return appointed === 2 ? -1 : appointed ? BIT.shortlisted | BIT.appointed : BIT.shortlisted;
      };
    },
  };
  const quickSurvey = {
    fields: ["service", "ethnicity", ...HARASSED],
    make(column) {
      const flags = HARASSED.map((field) => perValue(column(field), flagReader(false)));
      const bits = HARASSED.map((field) => BIT[field]);
      return (r) => {
        let found = BIT.survey_respondents;
        for (let f = 0; f < flags.length; f += 1) {
          const answer = flags[f](r);
          if (answer === 2) return -1;
          if (answer) found |= bits[f];
        }
        return found;
      };
    },
  };

  place("staff", STAFF_MEASURES, (cell, problem) => {
    const cols = columns.staff;
    let inPost = false;
    if (cols.in_post_at_snapshot) {
      const answer = yesNo(cell("in_post_at_snapshot"), vocabulary);
      if (answer === null) problem("in_post_at_snapshot", "Whether the person was in post at the snapshot date is blank. Enter Y or N.");
      else if (answer === undefined) problem("in_post_at_snapshot", `“${cell("in_post_at_snapshot").trim()}” is not yes or no. Enter Y or N.`);
      else inPost = answer;
    } else {
      const start = date(cell, problem, "start_date", "start date");
      const end = cols.end_date ? date(cell, problem, "end_date", "end date") : null;
      if (start === null) problem("start_date", "The start date is blank. Enter the date the person started.");
      if (typeof start === "number" && typeof end === "number" && end < start) {
        problem("end_date", "The end date is before the start date.");
      }
      if (typeof start === "number" && end !== undefined) {
        inPost = start <= period.snapshot && (end === null || end >= period.snapshot);
      }
    }
    let band = null;
    if (cols.annual_salary_fte) {
      const raw = cell("annual_salary_fte");
      const salary = parseMoney(raw);
      if (inPost && salary === null) problem("annual_salary_fte", "The salary is blank. It is needed to place someone in post in a pay band.");
      else if (salary === undefined) problem("annual_salary_fte", `“${raw.trim()}” is not an amount in pounds. Write it like 32500.`);
      else if (salary !== null) band = bandOf(salary);
    } else {
      const raw = cell("pay_band");
      const value = normalise(raw);
      if (BANDS.includes(value)) band = value;
      else if (value !== "" || inPost) problem("pay_band", value === "" ? "The pay band is blank. Enter lower, middle or upper." : `“${raw.trim()}” is not lower, middle or upper.`);
    }
    const regulated = flag(cell, problem, "regulated_professional");
    const senior = flag(cell, problem, "senior_manager");
    const disciplinary = cols.entered_disciplinary ? flag(cell, problem, "entered_disciplinary", { events: true }) : false;
    const referred = cols.referred_ftp ? flag(cell, problem, "referred_ftp", { events: true }) : false;
    const cpd = cols.funded_cpd ? flag(cell, problem, "funded_cpd", { events: true }) : false;
    let left = false;
    if (cols.left_in_period) left = flag(cell, problem, "left_in_period", { events: true });
    else {
      const day = date(cell, problem, "leaving_date", "leaving date");
      left = typeof day === "number" && day >= period.start && day <= period.end;
    }
    const effects = [];
    if (inPost) {
      effects.push("headcount");
      if (band) effects.push(BAND_MEASURES[band]);
      if (regulated) effects.push("regulated_headcount");
      if (senior) effects.push("senior_managers");
      if (cpd) effects.push("cpd");
    }
    if (disciplinary) effects.push("disciplinary");
    if (referred && regulated) effects.push("ftp_referrals");
    if (left) effects.push("leavers");
    return effects;
  }, quickStaff);
  place("recruitment", RECRUITMENT_MEASURES, (cell, problem) => {
    const appointed = flag(cell, problem, "appointed");
    return appointed ? ["shortlisted", "appointed"] : ["shortlisted"];
  }, quickRecruitment);
  place("survey", SURVEY_MEASURES, (cell, problem) => {
    const effects = ["survey_respondents"];
    for (const field of ["harassed_by_public", "harassed_by_colleagues", "harassed_by_managers"]) {
      if (flag(cell, problem, field)) effects.push(field);
    }
    return effects;
  }, quickSurvey);
  return { counts, unplaced, unplacedRows, stats };
}
