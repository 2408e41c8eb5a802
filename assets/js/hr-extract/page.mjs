// "Build the return from your HR data": the page's side. It hands the chosen files to the worker
// (worker.mjs), shows its progress, asks the lead to confirm the columns and to say what each
// unmapped value means, then shows the counts and the rows that could not be placed.
//
// What leaves the browser, and only when the lead asks: the column and value mapping (PUT to the
// mapping API, columns and values only, never rows) and the counts (a normal form post to the
// check page). Every value from a file is put on the page with textContent, never as HTML.

const GROUP_LABELS = { white: "White", minority_ethnic: "Minority ethnic", unknown: "Unknown" };
const SERVICE_CHOICES = [
  ["adults", "Adult social care"],
  ["children", "Children's social care"],
  ["out_of_scope", "Not in scope: leave these rows out"],
];
const EXTRACT_NAMES = { staff: "staff", recruitment: "recruitment", survey: "survey" };
const SURVEY_MEASURES = ["survey_respondents", "harassed_by_public", "harassed_by_colleagues", "harassed_by_managers"];
const MAX_COUNT = 10_000_000;

function h(tag, attrs = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === false || value === null || value === undefined) continue;
    if (name === "class") element.className = value;
    else if (name === "text") element.textContent = value;
    else element.setAttribute(name, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return element;
}

const number = (n) => Number(n).toLocaleString("en-GB");

class Builder {
  constructor(root) {
    this.root = root;
    this.setup = JSON.parse(document.getElementById("hr-setup").textContent);
    this.vocabulary = this.setup.vocabulary;
    this.saved = this.setup.mapping || { columns: {}, values: { ethnicity: {}, service: {} } };
    this.worker = new Worker(root.dataset.workerUrl);
    this.worker.onmessage = (event) => this.receive(event.data);
    this.worker.onerror = () => this.fail("", "Something went wrong while reading the extracts. Reload the page and try again.");
    this.worker.postMessage({ type: "setup", vocabulary: this.vocabulary });
    this.summary = document.querySelector("[data-hr-error-summary]");
    this.errorList = document.querySelector("[data-hr-error-list]");
    this.timings = {};
    this.bind();
  }

  $(selector) {
    return this.root.querySelector(selector);
  }

  bind() {
    this.$("[data-hr-files-form]").addEventListener("submit", (event) => {
      event.preventDefault();
      this.readFiles();
    });
    this.$("[data-hr-columns-form]").addEventListener("submit", (event) => {
      event.preventDefault();
      this.confirmColumns();
    });
    this.$("[data-hr-values-form]").addEventListener("submit", (event) => {
      event.preventDefault();
      this.confirmValues();
    });
    this.$("[data-hr-survey-form]").addEventListener("submit", (event) => {
      event.preventDefault();
      this.confirmSurvey();
    });
    this.$("[data-hr-download]").addEventListener("click", () => this.download());
    this.$("[data-hr-restart]").addEventListener("click", (event) => {
      event.preventDefault();
      window.location.reload();
    });
  }

  // Steps and errors ----------------------------------------------------------------------------

  show(step) {
    for (const section of this.root.querySelectorAll("[data-hr-step]")) {
      const current = section.dataset.hrStep;
      const keep = current === "files" ? step === "files" : current === step;
      section.hidden = !keep;
    }
    this.root.dataset.hrState = step;
    const heading = this.$(`[data-hr-step="${step}"] h2`);
    if (heading && step !== "files") heading.focus();
  }

  clearErrors() {
    this.summary.hidden = true;
    this.errorList.replaceChildren();
    for (const message of this.root.querySelectorAll(".govuk-error-message")) message.hidden = true;
    for (const group of this.root.querySelectorAll(".govuk-form-group--error")) group.classList.remove("govuk-form-group--error");
  }

  errors(items) {
    this.errorList.replaceChildren(
      ...items.map((item) => h("li", {}, item.href ? h("a", { href: item.href, text: item.text }) : item.text)),
    );
    this.summary.hidden = false;
    this.summary.focus();
  }

  fail(extract, message) {
    this.$("[data-hr-progress]").hidden = true;
    this.show("files");
    const group = extract && this.$(`[data-hr-file-group="${extract}"]`);
    if (group) {
      group.classList.add("govuk-form-group--error");
      const error = group.querySelector(".govuk-error-message");
      error.querySelector("[data-hr-error-text]").textContent = message;
      error.hidden = false;
      this.errors([{ text: message, href: `#hr-file-${extract}` }]);
    } else this.errors([{ text: message }]);
  }

  receive(message) {
    if (message.type === "progress") this.progress(message);
    else if (message.type === "error") this.fail(message.extract, message.message);
    else if (message.type === "read-done") this.columnsStep(message);
    else if (message.type === "columns-invalid") this.columnErrors(message.problems);
    else if (message.type === "distinct-done") this.valuesStep(message);
    else if (message.type === "counted") this.counted(message);
  }

  // 1. Files -----------------------------------------------------------------------------------

  readFiles() {
    this.clearErrors();
    const files = {};
    const missing = [];
    for (const key of ["staff", "recruitment", "survey"]) {
      const input = this.$(`#hr-file-${key}`);
      files[key] = input.files[0] || null;
      if (!files[key] && key !== "survey") missing.push(key);
    }
    if (missing.length) {
      const items = missing.map((key) => {
        const text = `Choose your ${EXTRACT_NAMES[key]} extract`;
        const group = this.$(`[data-hr-file-group="${key}"]`);
        group.classList.add("govuk-form-group--error");
        const error = group.querySelector(".govuk-error-message");
        error.querySelector("[data-hr-error-text]").textContent = text;
        error.hidden = false;
        return { text, href: `#hr-file-${key}` };
      });
      this.errors(items);
      return;
    }
    this.surveyTyped = !files.survey;
    this.started = performance.now();
    const progress = this.$("[data-hr-progress]");
    progress.hidden = false;
    this.$("#hr-progress-bar").value = 0;
    this.$("[data-hr-progress-text]").textContent = "Reading your extracts…";
    this.worker.postMessage({ type: "read", files });
  }

  progress({ extract, fraction }) {
    const percent = Math.round(fraction * 100);
    this.$("#hr-progress-bar").value = percent;
    const text = `Reading the ${EXTRACT_NAMES[extract]} extract: ${percent}%`;
    // Announce in steps of a quarter, not every percent.
    const step = Math.floor(percent / 25);
    if (step !== this.lastStep) {
      this.lastStep = step;
      this.$("[data-hr-progress-text]").textContent = text;
    }
  }

  // 2. Columns ---------------------------------------------------------------------------------

  columnsStep({ extracts, ms }) {
    this.timings.read = ms;
    this.extracts = extracts;
    this.$("#hr-progress-bar").value = 100;
    this.$("[data-hr-progress-text]").textContent = "Your extracts have been read.";
    const container = this.$("[data-hr-columns]");
    container.replaceChildren();
    for (const [key, extract] of Object.entries(extracts)) {
      const fields = this.vocabulary.extracts[key].fields;
      const savedColumns = this.saved.columns[key] || {};
      const fieldset = h(
        "fieldset",
        { class: "govuk-fieldset govuk-!-margin-bottom-6" },
        h(
          "legend",
          { class: "govuk-fieldset__legend govuk-fieldset__legend--m" },
          h("h3", { class: "govuk-fieldset__heading", text: `${this.vocabulary.extracts[key].label}: ${extract.name}` }),
        ),
        h("p", {
          class: "govuk-body",
          text: `${number(extract.rows)} rows, ${extract.headers.length} columns${extract.sheet ? `, from the sheet “${extract.sheet}”` : ""}${extract.sheets > 1 ? ` (the first of ${extract.sheets} sheets)` : ""}.`,
        }),
      );
      for (const field of fields) {
        const id = `hr-col-${key}-${field.code}`;
        const chosen =
          savedColumns[field.code] !== undefined && (savedColumns[field.code] === "" || extract.headers.includes(savedColumns[field.code]))
            ? savedColumns[field.code]
            : extract.proposed[field.code];
        const select = h(
          "select",
          { class: "govuk-select", id, name: `${key}.${field.code}`, "data-extract": key, "data-field": field.code, "aria-describedby": `${id}-hint` },
          h("option", { value: "", text: field.optional ? "Not in this extract: count as no" : "Not in this extract" }),
          extract.headers.map((header, i) =>
            header ? h("option", { value: header, text: header, selected: header === chosen }) : h("option", { value: "", text: `(column ${i + 1} has no header)`, disabled: true }),
          ),
        );
        const hint = field.alternative ? this.alternativeHint(field) : field.optional ? "Leave as not in this extract if you do not record it: everyone counts as no." : "";
        fieldset.append(
          h(
            "div",
            { class: "govuk-form-group", "data-hr-column-group": `${key}.${field.code}` },
            h("label", { class: "govuk-label", for: id, text: field.label }),
            h("div", { class: "govuk-hint", id: `${id}-hint`, text: hint || `For example “${field.synonyms[1] || field.synonyms[0]}”.` }),
            h("p", { class: "govuk-error-message", id: `${id}-error`, hidden: true }, h("span", { class: "govuk-visually-hidden", text: "Error: " }), h("span", { "data-hr-error-text": true })),
            select,
          ),
        );
      }
      container.append(fieldset);
    }
    this.show("columns");
  }

  alternativeHint(field) {
    return {
      in_post_at_snapshot: "Or leave this and choose the start and end date columns below.",
      start_date: "Only if there is no in-post column.",
      end_date: "Only if there is no in-post column. Blank when still employed.",
      annual_salary_fte: "Or leave this and choose the pay band column below.",
      pay_band: "Only if there is no salary column.",
      left_in_period: "Or leave this and choose the leaving date column below.",
      leaving_date: "Only if there is no leaver column. It can be the same column as the end date.",
    }[field.code];
  }

  chosenColumns() {
    const columns = {};
    for (const select of this.root.querySelectorAll("[data-hr-columns] select")) {
      columns[select.dataset.extract] = columns[select.dataset.extract] || {};
      columns[select.dataset.extract][select.dataset.field] = select.value;
    }
    return columns;
  }

  confirmColumns() {
    this.clearErrors();
    this.columns = this.chosenColumns();
    this.worker.postMessage({ type: "distinct", columns: this.columns });
  }

  columnErrors(problems) {
    this.show("columns");
    const items = problems.map((problem) => {
      const id = `hr-col-${problem.extract}-${problem.field || "service"}`;
      const group = this.$(`[data-hr-column-group="${problem.extract}.${problem.field}"]`);
      const text = `${this.vocabulary.extracts[problem.extract].label}: ${problem.text}`;
      if (group) {
        group.classList.add("govuk-form-group--error");
        const error = group.querySelector(".govuk-error-message");
        error.querySelector("[data-hr-error-text]").textContent = problem.text;
        error.hidden = false;
      }
      return { text, href: `#${id}` };
    });
    this.errors(items);
  }

  // 3. Values ----------------------------------------------------------------------------------

  valuesStep({ values, ms }) {
    this.timings.distinct = ms;
    const container = this.$("[data-hr-values]");
    container.replaceChildren();
    this.unmapped = { ethnicity: [], service: [] };
    const defaults = { ethnicity: this.vocabulary.ethnicity, service: this.vocabulary.services };
    const covered = { ethnicity: [], service: [] };
    for (const kind of ["ethnicity", "service"]) {
      for (const entry of values[kind].sort((a, b) => b.count - a.count)) {
        if (defaults[kind][entry.value] !== undefined) covered[kind].push(entry);
        else this.unmapped[kind].push(entry);
      }
    }
    const intro = this.unmapped.ethnicity.length || this.unmapped.service.length
      ? "Some values in your extracts are not ones we recognise. Say what each one means. We have filled in what you chose last time, if you saved it."
      : "We recognised every value in your extracts. Check the lists below, then count.";
    container.append(h("p", { class: "govuk-body", text: intro }));
    container.append(this.valueTable("service", "Services", this.unmapped.service, SERVICE_CHOICES));
    container.append(
      this.valueTable("ethnicity", "Ethnicity", this.unmapped.ethnicity, Object.entries(GROUP_LABELS).map(([k, v]) => [k, v])),
    );
    for (const kind of ["service", "ethnicity"]) {
      if (!covered[kind].length) continue;
      const labels = kind === "service" ? Object.fromEntries(SERVICE_CHOICES) : GROUP_LABELS;
      container.append(
        h(
          "details",
          { class: "govuk-details" },
          h("summary", { class: "govuk-details__summary" }, h("span", { class: "govuk-details__summary-text", text: `${kind === "service" ? "Service" : "Ethnicity"} values we recognised (${covered[kind].length})` })),
          h(
            "div",
            { class: "govuk-details__text" },
            h(
              "ul",
              { class: "govuk-list" },
              covered[kind].map((entry) =>
                h("li", { text: `${entry.display || "(blank)"}: ${labels[defaults[kind][entry.value]]} (${number(entry.count)} rows)` }),
              ),
            ),
          ),
        ),
      );
    }
    this.show("values");
  }

  valueTable(kind, caption, entries, choices) {
    if (!entries.length) return h("div");
    const saved = (this.saved.values && this.saved.values[kind]) || {};
    return h(
      "table",
      { class: "govuk-table", "data-hr-value-table": kind },
      h("caption", { class: "govuk-table__caption govuk-table__caption--m", text: `${caption}: ${entries.length} value${entries.length === 1 ? "" : "s"} to map` }),
      h(
        "thead",
        { class: "govuk-table__head" },
        h(
          "tr",
          { class: "govuk-table__row" },
          h("th", { scope: "col", class: "govuk-table__header", text: "Value in your extracts" }),
          h("th", { scope: "col", class: "govuk-table__header govuk-table__header--numeric", text: "Rows" }),
          h("th", { scope: "col", class: "govuk-table__header", text: "What it means" }),
        ),
      ),
      h(
        "tbody",
        { class: "govuk-table__body" },
        entries.map((entry, i) => {
          const id = `hr-value-${kind}-${i}`;
          return h(
            "tr",
            { class: "govuk-table__row" },
            h("th", { scope: "row", class: "govuk-table__header", id: `${id}-label`, text: entry.display || "(blank)" }),
            h("td", { class: "govuk-table__cell govuk-table__cell--numeric", text: number(entry.count) }),
            h(
              "td",
              { class: "govuk-table__cell" },
              h(
                "div",
                { class: "govuk-form-group govuk-!-margin-bottom-0", "data-hr-value-group": id },
                h("label", { class: "govuk-label govuk-visually-hidden", for: id, text: `What “${entry.display || "(blank)"}” means` }),
                h("p", { class: "govuk-error-message", id: `${id}-error`, hidden: true }, h("span", { class: "govuk-visually-hidden", text: "Error: " }), h("span", { "data-hr-error-text": true })),
                h(
                  "select",
                  { class: "govuk-select", id, "data-kind": kind, "data-value": entry.value },
                  h("option", { value: "", text: "Choose" }),
                  choices.map(([value, label]) => h("option", { value, text: label, selected: saved[entry.value] === value })),
                ),
              ),
            ),
          );
        }),
      ),
    );
  }

  async confirmValues() {
    this.clearErrors();
    const chosen = { ethnicity: {}, service: {} };
    const items = [];
    for (const select of this.root.querySelectorAll("[data-hr-values] select")) {
      if (select.value) chosen[select.dataset.kind][select.dataset.value] = select.value;
      else {
        const display = this.$(`#${select.id}-label`).textContent;
        const text = `Say what the ${select.dataset.kind} value “${display}” means`;
        const group = this.$(`[data-hr-value-group="${select.id}"]`);
        group.classList.add("govuk-form-group--error");
        const error = group.querySelector(".govuk-error-message");
        error.querySelector("[data-hr-error-text]").textContent = text;
        error.hidden = false;
        items.push({ text, href: `#${select.id}` });
      }
    }
    if (items.length) {
      this.errors(items);
      return;
    }
    this.values = chosen;
    if (this.$("#hr-remember").checked) await this.remember();
    this.worker.postMessage({ type: "count", columns: this.columns, values: this.values, round: this.setup.round });
  }

  /** Save the columns and values (never rows) for next time, through the mapping API. */
  async remember() {
    const values = {
      ethnicity: { ...(this.saved.values?.ethnicity || {}), ...this.values.ethnicity },
      service: { ...(this.saved.values?.service || {}), ...this.values.service },
    };
    const token = document.querySelector("[data-hr-save-form] input[name=csrfmiddlewaretoken]").value;
    try {
      const response = await fetch(this.setup.mapping_url, {
        method: "PUT",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": token },
        body: JSON.stringify({ columns: this.columns, values }),
      });
      this.remembered = response.ok;
    } catch {
      this.remembered = false;
    }
  }

  // 4. Counts ----------------------------------------------------------------------------------

  counted(result) {
    this.timings.count = result.ms;
    this.result = result;
    this.services = Object.keys(this.setup.services).filter((s) => result.counts[s]);
    this.root.dataset.hrReadMs = String(Math.round(this.timings.read));
    this.root.dataset.hrCountMs = String(Math.round(result.ms + (this.timings.distinct || 0)));
    if (this.surveyTyped && this.services.length) this.surveyStep();
    else this.results();
  }

  surveyStep() {
    const container = this.$("[data-hr-survey]");
    container.replaceChildren();
    const current = this.setup.current_survey || {};
    for (const service of this.services) {
      const table = h(
        "table",
        { class: "govuk-table" },
        h("caption", { class: "govuk-table__caption govuk-table__caption--m", text: this.setup.services[service] }),
        h(
          "thead",
          { class: "govuk-table__head" },
          h("tr", { class: "govuk-table__row" }, h("th", { scope: "col", class: "govuk-table__header", text: "Measure" }), Object.values(GROUP_LABELS).map((label) => h("th", { scope: "col", class: "govuk-table__header", text: label }))),
        ),
        h(
          "tbody",
          { class: "govuk-table__body" },
          SURVEY_MEASURES.map((measure) =>
            h(
              "tr",
              { class: "govuk-table__row" },
              h("th", { scope: "row", class: "govuk-table__header", text: this.setup.measures[measure] }),
              Object.keys(GROUP_LABELS).map((group) => {
                const id = `hr-survey-${service}-${measure}-${group}`;
                const value = current[service]?.[measure]?.[group];
                return h(
                  "td",
                  { class: "govuk-table__cell" },
                  h(
                    "div",
                    { class: "govuk-form-group govuk-!-margin-bottom-0", "data-hr-survey-group": id },
                    h("label", { class: "govuk-label govuk-visually-hidden", for: id, text: `${this.setup.services[service]}, ${this.setup.measures[measure]}, ${GROUP_LABELS[group]}` }),
                    h("p", { class: "govuk-error-message", id: `${id}-error`, hidden: true }, h("span", { class: "govuk-visually-hidden", text: "Error: " }), h("span", { "data-hr-error-text": true })),
                    h("input", { class: "govuk-input govuk-input--width-5", id, type: "text", inputmode: "numeric", spellcheck: "false", value: value ?? "", "data-service": service, "data-measure": measure, "data-group": group }),
                  ),
                );
              }),
            ),
          ),
        ),
      );
      container.append(table);
    }
    this.show("survey");
  }

  confirmSurvey() {
    this.clearErrors();
    const typed = {};
    const items = [];
    const flag = (input, text) => {
      const group = this.$(`[data-hr-survey-group="${input.id}"]`);
      group.classList.add("govuk-form-group--error");
      const error = group.querySelector(".govuk-error-message");
      error.querySelector("[data-hr-error-text]").textContent = text;
      error.hidden = false;
      items.push({ text, href: `#${input.id}` });
    };
    for (const input of this.root.querySelectorAll("[data-hr-survey] input")) {
      const { service, measure, group } = input.dataset;
      const value = input.value.trim().replace(/,/g, "");
      const label = `${this.setup.services[service]}, ${this.setup.measures[measure].toLowerCase()}, ${GROUP_LABELS[group].toLowerCase()}`;
      if (!/^\d+$/.test(value) || Number(value) > MAX_COUNT) {
        flag(input, `${label}: enter a whole number, 0 if there were none`);
        continue;
      }
      typed[service] = typed[service] || {};
      typed[service][measure] = typed[service][measure] || {};
      typed[service][measure][group] = Number(value);
    }
    if (!items.length) {
      for (const input of this.root.querySelectorAll("[data-hr-survey] input")) {
        const { service, measure, group } = input.dataset;
        if (measure !== "survey_respondents" && typed[service][measure][group] > typed[service].survey_respondents[group]) {
          flag(input, `${this.setup.services[service]}, ${this.setup.measures[measure].toLowerCase()}, ${GROUP_LABELS[group].toLowerCase()}: cannot be more than the respondents`);
        }
      }
    }
    if (items.length) {
      this.errors(items);
      return;
    }
    for (const service of this.services) {
      for (const measure of SURVEY_MEASURES) this.result.counts[service][measure] = typed[service][measure];
    }
    this.results();
  }

  /** The return's rows, in template order: [{service, measure, pay_band, white, minority_ethnic, unknown}]. */
  returnRows() {
    const rows = [];
    for (const service of this.services) {
      for (const [measure, band] of this.setup.rows) {
        const counts = this.result.counts[service][band ? `${measure}:${band}` : measure];
        rows.push({ service, measure, pay_band: band, ...counts });
      }
    }
    return rows;
  }

  results() {
    const { unplaced, unplacedRows, stats } = this.result;
    const rows = this.returnRows();
    const unplacedBox = this.$("[data-hr-unplaced]");
    unplacedBox.replaceChildren();
    if (unplacedRows) {
      unplacedBox.append(
        h(
          "div",
          { class: "govuk-warning-text" },
          h("span", { class: "govuk-warning-text__icon", "aria-hidden": "true", text: "!" }),
          h(
            "strong",
            { class: "govuk-warning-text__text" },
            h("span", { class: "govuk-visually-hidden", text: "Warning" }),
            `${number(unplacedRows)} row${unplacedRows === 1 ? "" : "s"} could not be placed and ${unplacedRows === 1 ? "is" : "are"} not counted. Fix ${unplacedRows === 1 ? "it" : "them"} in your file and read it again, or save the counts without ${unplacedRows === 1 ? "it" : "them"}.`,
          ),
        ),
        h(
          "div",
          { class: "app-table-container", tabindex: "0", role: "region", "aria-label": "Rows that could not be placed" },
          h(
            "table",
            { class: "govuk-table app-table--small", "data-hr-unplaced-table": true },
            h("caption", { class: "govuk-table__caption govuk-table__caption--m", text: "Rows that could not be placed" }),
            h(
              "thead",
              { class: "govuk-table__head" },
              h("tr", { class: "govuk-table__row" }, ["Extract", "Row", "Column", "Value", "Why"].map((label) => h("th", { scope: "col", class: `govuk-table__header${label === "Row" ? " govuk-table__header--numeric" : ""}`, text: label }))),
            ),
            h(
              "tbody",
              { class: "govuk-table__body" },
              unplaced.map((p) =>
                h(
                  "tr",
                  { class: "govuk-table__row", "data-row": String(p.row), "data-extract": p.extract },
                  h("td", { class: "govuk-table__cell", text: EXTRACT_NAMES[p.extract] }),
                  h("td", { class: "govuk-table__cell govuk-table__cell--numeric", text: String(p.row) }),
                  h("td", { class: "govuk-table__cell", text: p.column }),
                  h("td", { class: "govuk-table__cell", text: p.value === "" ? "(blank)" : p.value }),
                  h("td", { class: "govuk-table__cell", text: p.why }),
                ),
              ),
            ),
          ),
        ),
      );
      if (unplaced.length < unplacedRows) {
        unplacedBox.append(h("p", { class: "govuk-body", text: `Only the first ${number(unplaced.length)} problems are listed.` }));
      }
    }
    const summary = this.$("[data-hr-summary]");
    summary.replaceChildren(
      h(
        "ul",
        { class: "govuk-list govuk-list--bullet" },
        Object.entries(stats).map(([key, s]) =>
          h("li", { text: `${this.vocabulary.extracts[key].label}: ${number(s.rows)} rows read, ${number(s.counted)} counted, ${number(s.outOfScope)} not in scope, ${number(s.unplaced)} not placed.` }),
        ),
        this.surveyTyped ? h("li", { text: "Staff survey: typed in from your survey provider's summary." }) : null,
        this.remembered === false ? h("li", { text: "Your columns and values could not be remembered for next time; the counts are not affected." }) : null,
        Object.entries(this.columns.staff || {})
          .filter(([code, header]) => !header && ["entered_disciplinary", "referred_ftp", "funded_cpd"].includes(code))
          .map(([code]) => h("li", { text: `No ${this.vocabulary.extracts.staff.fields.find((f) => f.code === code).label.toLowerCase()} column: counted as 0.` })),
      ),
    );
    const tables = this.$("[data-hr-tables]");
    tables.replaceChildren();
    if (!this.services.length) {
      tables.append(h("p", { class: "govuk-body", text: "Nobody in the staff extract could be placed in adult or children's social care, so there are no counts to save." }));
    }
    for (const service of this.services) {
      tables.append(
        h(
          "table",
          { class: "govuk-table app-table--figures", "data-hr-service": service },
          h("caption", { class: "govuk-table__caption govuk-table__caption--m", text: this.setup.services[service] }),
          h(
            "thead",
            { class: "govuk-table__head" },
            h("tr", { class: "govuk-table__row" }, h("th", { scope: "col", class: "govuk-table__header", text: "Measure" }), Object.values(GROUP_LABELS).map((label) => h("th", { scope: "col", class: "govuk-table__header govuk-table__header--numeric", text: label }))),
          ),
          h(
            "tbody",
            { class: "govuk-table__body" },
            rows
              .filter((row) => row.service === service)
              .map((row) =>
                h(
                  "tr",
                  { class: "govuk-table__row" },
                  h("th", { scope: "row", class: "govuk-table__header", text: row.pay_band ? `${this.setup.measures[row.measure]}: ${this.setup.bands[row.pay_band]}` : this.setup.measures[row.measure] }),
                  Object.keys(GROUP_LABELS).map((group) => h("td", { class: "govuk-table__cell govuk-table__cell--numeric", text: number(row[group]) })),
                ),
              ),
          ),
        ),
      );
    }
    this.$("[data-hr-counts]").value = JSON.stringify(rows);
    this.$("[data-hr-sources]").value = Object.entries(stats)
      .map(([key, s]) => `${EXTRACT_NAMES[key]} extract, ${s.counted} rows counted`)
      .concat(this.surveyTyped ? ["survey summary typed in"] : [])
      .join("; ");
    this.$("[data-hr-save-form]").hidden = !this.services.length;
    this.show("results");
  }

  /** The counts as a return CSV, made in the browser (no request). */
  download() {
    const header = ["service", "measure", "pay_band", "white", "minority_ethnic", "unknown"];
    const lines = [header.join(",")].concat(this.returnRows().map((row) => header.map((h) => row[h]).join(",")));
    const blob = new Blob([`${lines.join("\r\n")}\r\n`], { type: "text/csv" });
    const url = URL.createObjectURL(blob);
    const link = h("a", { href: url, download: `${this.setup.filename_prefix}.csv` });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  }
}

const root = document.querySelector('[data-module="app-hr-extract"]');
if (root && window.Worker) window.hrBuilder = new Builder(root);
