// The Web Worker that reads and counts the extracts, off the page's main thread (so the page never
// freezes). It makes no network request of any kind: it receives File objects and mappings from the
// page and sends back headers, distinct values, counts and the rows it could not place. The rows
// themselves stay here, in this worker's memory, until the page is closed.

import { aggregate, columnProblems, distinctValues, parseDate, proposeColumns } from "./aggregate.mjs";
import { ExtractError, readExtract } from "./files.mjs";

const MAX_DISTINCT = 2000;
const extracts = {};
let vocabulary = null;

function post(message) {
  self.postMessage(message);
}

function fieldsOf(extract) {
  return vocabulary.extracts[extract].fields;
}

async function read({ files }) {
  const started = performance.now();
  for (const key of Object.keys(extracts)) delete extracts[key];
  const summary = {};
  const names = Object.keys(files).filter((k) => files[k]);
  for (const [n, key] of names.entries()) {
    const file = files[key];
    const fileStarted = performance.now();
    try {
      let last = -1;
      extracts[key] = await readExtract(file, (fraction) => {
        const overall = (n + fraction) / names.length;
        if (overall - last < 0.01 && fraction < 1) return; // one message per percent at most
        last = overall;
        post({ type: "progress", extract: key, fraction: overall });
      });
    } catch (error) {
      const message = error instanceof ExtractError ? error.message : "The file could not be read. Save it again as CSV or Excel (.xlsx) and choose it again.";
      post({ type: "error", extract: key, message });
      if (!(error instanceof ExtractError)) console.error(error);
      return;
    }
    const extract = extracts[key];
    summary[key] = {
      name: file.name,
      headers: extract.headers,
      rows: extract.length,
      sheet: extract.sheet,
      sheets: extract.sheets || 0,
      proposed: proposeColumns(extract.headers, fieldsOf(key)),
      ms: performance.now() - fileStarted,
    };
  }
  post({ type: "read-done", extracts: summary, ms: performance.now() - started });
}

function checkColumns(columns) {
  const problems = [];
  for (const key of Object.keys(extracts)) {
    const chosen = columns[key] || {};
    for (const header of Object.values(chosen)) {
      if (header && !extracts[key].headers.includes(header)) {
        problems.push({ extract: key, field: "", text: `There is no column “${header}” in the ${key} extract` });
      }
    }
    for (const problem of columnProblems(key, chosen, fieldsOf(key))) problems.push({ extract: key, ...problem });
  }
  return problems;
}

function distinct({ columns }) {
  const started = performance.now();
  const problems = checkColumns(columns);
  if (problems.length) {
    post({ type: "columns-invalid", problems });
    return;
  }
  const values = { ethnicity: new Map(), service: new Map() };
  for (const key of Object.keys(extracts)) {
    for (const kind of ["ethnicity", "service"]) {
      const index = extracts[key].headers.indexOf(columns[key][kind]);
      const found = distinctValues(extracts[key], index, MAX_DISTINCT);
      if (found.overflow) {
        post({
          type: "columns-invalid",
          problems: [{ extract: key, field: kind, text: `The ${kind} column of the ${key} extract has more than ${MAX_DISTINCT.toLocaleString("en-GB")} different values: check it is the right column` }],
        });
        return;
      }
      for (const entry of found.values) {
        const seen = values[kind].get(entry.value);
        if (seen) seen.count += entry.count;
        else values[kind].set(entry.value, { ...entry });
      }
    }
  }
  post({
    type: "distinct-done",
    values: { ethnicity: [...values.ethnicity.values()], service: [...values.service.values()] },
    ms: performance.now() - started,
  });
}

function count({ columns, values, round }) {
  const started = performance.now();
  const period = {
    start: parseDate(round.period_start),
    end: parseDate(round.period_end),
    snapshot: parseDate(round.snapshot_date),
  };
  const merged = {
    ethnicity: { ...vocabulary.ethnicity, ...values.ethnicity },
    service: { ...vocabulary.services, ...values.service },
  };
  const result = aggregate({ extracts, columns, values: merged, period, vocabulary });
  post({ type: "counted", ...result, ms: performance.now() - started });
}

self.onmessage = async (event) => {
  const message = event.data;
  try {
    if (message.type === "setup") {
      vocabulary = message.vocabulary;
      vocabulary.yesSet = new Set(vocabulary.yes);
      vocabulary.noSet = new Set(vocabulary.no);
    } else if (message.type === "read") await read(message);
    else if (message.type === "distinct") distinct(message);
    else if (message.type === "count") count(message);
  } catch (error) {
    console.error(error);
    post({ type: "error", extract: "", message: "Something went wrong while reading the extracts. Reload the page and try again." });
  }
};

