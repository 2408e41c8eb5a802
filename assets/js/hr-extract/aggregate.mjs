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

/** The distinct values of a column, normalised, with how each was first written and how often. */
export function distinctValues(rows, index, limit) {
  const seen = new Map();
  const byRaw = new Map(); // each spelling looked up once, however many rows have it
  for (const row of rows) {
    const cell = index < row.cells.length ? row.cells[index] : "";
    const known = byRaw.get(cell);
    if (known !== undefined) {
      known.count += 1;
      continue;
    }
    const raw = cell.startsWith(FORMULA) ? cell.slice(FORMULA.length) : cell;
    const key = normaliseCached(raw);
    let entry = seen.get(key);
    if (entry) entry.count += 1;
    else {
      if (seen.size >= limit) return { values: [...seen.values()], overflow: true };
      entry = { value: key, display: raw.trim(), count: 1 };
      seen.set(key, entry);
    }
    if (byRaw.size < 50_000) byRaw.set(cell, entry);
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

  const place = (extractKey, measures, handle) => {
    const extract = extracts[extractKey];
    if (!extract) return;
    const cols = columns[extractKey];
    const index = {};
    for (const [field, header] of Object.entries(cols)) {
      index[field] = header ? extract.headers.indexOf(header) : -1;
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
    for (const row of extract.rows) {
      stat.rows += 1;
      cells = row.cells;
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
          listProblem(extractKey, row.number, cols[p.field] || p.field, p.value, p.why);
        }
        continue;
      }
      stat.counted += 1;
      if (!counts[service]) {
        counts[service] = { ...emptyCounts(STAFF_MEASURES), ...emptyCounts(RECRUITMENT_MEASURES), ...emptyCounts(SURVEY_MEASURES) };
      }
      for (const measure of effects) counts[service][measure][group] += 1;
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
  });
  place("recruitment", RECRUITMENT_MEASURES, (cell, problem) => {
    const appointed = flag(cell, problem, "appointed");
    return appointed ? ["shortlisted", "appointed"] : ["shortlisted"];
  });
  place("survey", SURVEY_MEASURES, (cell, problem) => {
    const effects = ["survey_respondents"];
    for (const field of ["harassed_by_public", "harassed_by_colleagues", "harassed_by_managers"]) {
      if (flag(cell, problem, field)) effects.push(field);
    }
    return effects;
  });
  return { counts, unplaced, unplacedRows, stats };
}
