"""Synthetic HR extracts as an HR system would export them (messy labels, mixed case and spacing,
yes/no spelt many ways, dates in place of flags, codes the defaults do not know, people in post
for part of the period, rows that cannot be placed), each row generated from a known truth.

`expected_counts` is the tests' own aggregation: written here from the spec (hr-extract.md) and the
truth behind every generated row, sharing no code with the browser's JavaScript or with
`submissions.hrdata.vocabulary`. The browser's counts must equal it field by field.
"""

from __future__ import annotations

import csv
import datetime
import io
import random
from dataclasses import dataclass, field

from openpyxl import Workbook

W, M, U = "white", "minority_ethnic", "unknown"

# (label as exported, truth). Labels the portal's defaults cover...
SERVICE_LABELS = {
    "adults": [
        "Adult Social Care",
        " adult social care ",
        "ADULTS",
        "Adults Services",
        "adult  social   care",
    ],
    "children": [
        "Children's Social Care",
        "CHILDRENS SERVICES",
        "Children and Families",
        "children’s social care",
    ],
}
ETHNICITY_LABELS = {
    W: [
        "White: English, Welsh, Scottish, Northern Irish or British",
        "white - british",
        "WHITE BRITISH",
        "A",
        "White Irish",
        "Other White",
        "White: Roma",
        "White - Gypsy or Irish Traveller",
        "English/Welsh/Scottish/Northern Irish/British",
    ],
    M: [
        "Asian, Asian British or Asian Welsh: Indian",
        "Black or Black British - African",
        "Mixed - White and Asian",
        "H",
        "n",
        "Pakistani",
        "Any other ethnic group",
        "Black, Black British, Black Welsh, Caribbean or African: Caribbean",
        "Other ethnic group: Arab",
        "Mixed or Multiple ethnic groups: Other Mixed or Multiple ethnic groups",
    ],
    U: ["", "Prefer not to say", "not known", "Z", "99", "NOT STATED", "  prefer  not to say "],
}
# ...and codes the defaults do not know, which the lead maps on the page (value -> what it means).
UNMAPPED_ETHNICITY = {
    "WBRI": W,
    "BAFR": M,
    "Other - not listed": M,
    "NSTAT": U,
    "Asian Other (Local Code 7)": M,
}
UNMAPPED_SERVICE = {"Housing": None, "ASC - Reablement": "adults", "Early Help Hub": "children"}

YES = ["Y", "y", "Yes", "YES", " yes ", "TRUE", "true", "1"]
NO = ["N", "n", "No", "no ", "FALSE", "0"]

FIRST = ["Zelphira", "Quennell", "Ottoline", "Brannoch", "Ysolde", "Kestrin", "Mavourna", "Tarquil"]
LAST = ["Quonsett", "Pellowe", "Ardagh", "Venncombe", "Scrivener", "Halloran", "Tremayne", "Ostrowe"]


@dataclass
class Round:
    period_start: datetime.date
    period_end: datetime.date
    snapshot: datetime.date


@dataclass
class Extract:
    headers: list[str]
    rows: list[list[object]]  # as written (str, or for XLSX also numbers, booleans and dates)
    truth: list[dict[str, object]]  # one per row: service, group, and what the row counts for
    unplaced: set[int] = field(default_factory=set)  # file row numbers (header = 1)
    secrets: set[str] = field(default_factory=set)  # values found only in the extract

    def csv_bytes(self, encoding: str = "utf-8-sig") -> bytes:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(self.headers)
        for row in self.rows:
            writer.writerow(["" if v is None else _text(v) for v in row])
        return out.getvalue().encode(encoding)

    def xlsx_bytes(self) -> bytes:
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet("Extract")
        sheet.append(self.headers)
        for row in self.rows:
            sheet.append(row)
        out = io.BytesIO()
        workbook.save(out)
        return out.getvalue()


def _text(value: object) -> str:
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y")
    return str(value)


def _pick_service(rng: random.Random) -> tuple[str, str | None]:
    roll = rng.random()
    if roll < 0.04:
        label = rng.choice(list(UNMAPPED_SERVICE))
        return label, UNMAPPED_SERVICE[label]
    service = "adults" if roll < 0.62 else "children"
    return rng.choice(SERVICE_LABELS[service]), service


def _pick_ethnicity(rng: random.Random) -> tuple[str, str]:
    roll = rng.random()
    if roll < 0.06:
        label = rng.choice(list(UNMAPPED_ETHNICITY))
        return label, UNMAPPED_ETHNICITY[label]
    group = W if roll < 0.62 else M if roll < 0.9 else U
    return rng.choice(ETHNICITY_LABELS[group]), group


def _flag(rng: random.Random, value: bool, blank_is_no: bool = True) -> str:
    if not value and blank_is_no and rng.random() < 0.3:
        return ""
    return rng.choice(YES if value else NO)


def _day(rng: random.Random, start: datetime.date, end: datetime.date) -> datetime.date:
    return start + datetime.timedelta(days=rng.randrange((end - start).days + 1))


def staff_extract(
    n: int, rnd: Round, *, seed: int = 1, dates: bool = False, bands: bool = False, xlsx_types: bool = False,
    bad_rows: bool = True,
) -> Extract:  # fmt: skip
    """One row per person employed at some time in the period. `dates`: start and end dates in place
    of the in-post and leaver flags; `bands`: pay bands in place of salaries; `xlsx_types`: write
    numbers, booleans and dates as a workbook would hold them."""
    rng = random.Random(seed)  # noqa: S311 (test data, not secrets)
    headers = ["Employee Number", "Full Name", "Date of Birth", " Service Area ", "Ethnic Origin"]
    headers += ["Start Date", "End Date"] if dates else ["In Post at Snapshot"]
    headers += ["Pay Band" if bands else "FTE Salary", "Regulated Professional", "Senior Manager"]
    headers += ["Disciplinary", "FTP Referral", "Funded CPD"] + ([] if dates else ["Leaver"]) + ["Job Title"]
    extract = Extract(headers, [], [])
    for i in range(n):
        number = i + 2
        employee, name = f"EMP{seed:02d}{i:06d}X", f"{rng.choice(FIRST)} {rng.choice(LAST)}-{i:05d}"
        dob = datetime.date(1960, 1, 1) + datetime.timedelta(days=rng.randrange(15000))
        service_label, service = _pick_service(rng)
        ethnicity_label, group = _pick_ethnicity(rng)
        # In post at the snapshot, or in post for part of the period only (joined late, or left).
        shape = rng.random()
        start = (
            _day(rng, datetime.date(1995, 1, 1), rnd.period_start)
            if shape < 0.75
            else _day(rng, rnd.period_start, rnd.snapshot)
        )
        left = shape > 0.85 and start < rnd.snapshot
        end = (
            _day(rng, max(start, rnd.period_start), rnd.snapshot - datetime.timedelta(days=1))
            if left
            else None
        )
        in_post = start <= rnd.snapshot and (end is None or end >= rnd.snapshot)
        salary = round(rng.uniform(18000, 95000), 2)
        if rng.random() < 0.05:
            salary = rng.choice([29999.99, 30000.0, 69999.99, 70000.0])
        band = "lower" if salary < 30000 else "middle" if salary < 70000 else "upper"
        regulated, senior = rng.random() < 0.35, rng.random() < 0.05
        disciplinary, referred, cpd = rng.random() < 0.04, rng.random() < 0.15, rng.random() < 0.3
        row: list[object] = [
            employee,
            name,
            dob if xlsx_types else dob.isoformat(),
            service_label,
            ethnicity_label,
        ]
        truth: dict[str, object] = {"service": service, "group": group, "in_post": in_post, "band": band}
        if dates:
            row += [
                start if xlsx_types and rng.random() < 0.7 else _date_text(rng, start),
                "" if end is None else _date_text(rng, end),
            ]
        else:
            row.append(_flag(rng, in_post, blank_is_no=False))
            if xlsx_types and rng.random() < 0.3:
                row[-1] = in_post
        if bands:
            row.append(rng.choice([band, band.upper(), f" {band.capitalize()} "]))
        else:
            row.append(
                salary
                if xlsx_types and rng.random() < 0.6
                else rng.choice([f"{salary:.2f}", f"£{salary:,.2f}", f"{salary:,.2f}"])
            )
            extract.secrets.add(f"{salary:.2f}")
        row += [_flag(rng, regulated), _flag(rng, senior)]
        # Event columns: a flag, or now and then the date it happened (in the period: yes; before: no).
        for value in (disciplinary, referred, cpd):
            if rng.random() < 0.1:
                row.append(
                    _date_text(rng, _day(rng, rnd.period_start, rnd.period_end))
                    if value
                    else _date_text(
                        rng,
                        _day(rng, datetime.date(2015, 1, 1), rnd.period_start - datetime.timedelta(days=1)),
                    )
                )
            else:
                row.append(_flag(rng, value))
        if not dates:
            row.append(_flag(rng, left))
        row.append(rng.choice(["Social Worker", "Care Assistant", "Team Manager", "Occupational Therapist"]))
        truth.update(
            regulated=regulated,
            senior=senior,
            disciplinary=disciplinary,
            referred=referred,
            cpd=cpd,
            left=left,
        )
        if bad_rows and rng.random() < 0.01:
            _spoil(rng, headers, row, dates, bands)
            extract.unplaced.add(number)
        if service is None:  # out of scope: never counted, never listed
            extract.unplaced.discard(number)
        extract.rows.append(row)
        extract.truth.append(truth)
        extract.secrets.update({employee, name})
    return extract


def _date_text(rng: random.Random, day: datetime.date) -> str:
    return rng.choice(
        [
            day.strftime("%d/%m/%Y"),
            day.isoformat(),
            day.strftime("%d-%m-%Y"),
            day.strftime("%-d %B %Y"),
            day.strftime("%d %b %Y"),
        ]
    )


def _spoil(rng: random.Random, headers: list[str], row: list[object], dates: bool, bands: bool) -> None:
    """Make a row the reader cannot place, as people's files do."""
    choices = ["regulated", "senior"]
    choices += ["start"] if dates else ["in_post_blank", "in_post_word"]
    choices += ["band"] if bands else ["salary"]
    what = rng.choice(choices)
    if what == "regulated":
        row[headers.index("Regulated Professional")] = "maybe"
    elif what == "senior":
        row[headers.index("Senior Manager")] = "x"
    elif what == "start":
        row[headers.index("Start Date")] = "31/02/2024"
    elif what == "in_post_blank":
        row[headers.index("In Post at Snapshot")] = ""
    elif what == "in_post_word":
        row[headers.index("In Post at Snapshot")] = "on leave"
    elif what == "band":
        row[headers.index("Pay Band")] = "Band 7"
    else:
        row[headers.index("FTE Salary")] = "tbc"


def recruitment_extract(n: int, *, seed: int = 2) -> Extract:
    rng = random.Random(seed)  # noqa: S311 (test data, not secrets)
    extract = Extract(
        ["Candidate ID", "Candidate Name", "Vacancy", "Service", "Ethnic Group", "Appointed"], [], []
    )
    for i in range(n):
        service_label, service = _pick_service(rng)
        ethnicity_label, group = _pick_ethnicity(rng)
        appointed = rng.random() < 0.3
        candidate, name = f"CAND{seed:02d}{i:06d}Q", f"{rng.choice(FIRST)} {rng.choice(LAST)}-c{i:05d}"
        extract.rows.append(
            [
                candidate,
                name,
                f"VAC-{rng.randrange(900)}",
                service_label,
                ethnicity_label,
                _flag(rng, appointed),
            ]
        )
        extract.truth.append({"service": service, "group": group, "appointed": appointed})
        extract.secrets.update({candidate, name})
    return extract


def survey_extract(n: int, *, seed: int = 3) -> Extract:
    rng = random.Random(seed)  # noqa: S311 (test data, not secrets)
    extract = Extract(
        [
            "Respondent ID",
            "Service",
            "Ethnicity",
            "Harassed by Public",
            "Harassed by Colleagues",
            "Harassed by Managers",
        ],
        [],
        [],
    )
    for i in range(n):
        service_label, service = _pick_service(rng)
        ethnicity_label, group = _pick_ethnicity(rng)
        answers = {}
        row: list[object] = [f"RESP{seed:02d}{i:06d}Z", service_label, ethnicity_label]
        for kind, rate in (("public", 0.25), ("colleagues", 0.15), ("managers", 0.1)):
            if rng.random() < 0.12:  # did not answer the question: a respondent who did not report it
                answers[kind] = False
                row.append("")
            else:
                answers[kind] = rng.random() < rate
                row.append(rng.choice(YES if answers[kind] else NO))
        extract.rows.append(row)
        extract.truth.append({"service": service, "group": group, **answers})
        extract.secrets.add(str(row[0]))
    return extract


MEASURES = (
    "headcount", "headcount_band:lower", "headcount_band:middle", "headcount_band:upper", "shortlisted",
    "appointed", "disciplinary", "regulated_headcount", "ftp_referrals", "cpd", "survey_respondents",
    "harassed_by_public", "harassed_by_colleagues", "harassed_by_managers", "leavers", "senior_managers",
)  # fmt: skip


def expected_counts(
    staff: Extract, recruitment: Extract, survey: Extract | None
) -> dict[str, dict[str, dict[str, int]]]:
    """The counts the return should carry, from the truth behind each row (spec hr-extract.md 2-4)."""
    counts: dict[str, dict[str, dict[str, int]]] = {}

    def add(service: str, measure: str, group: str) -> None:
        counts.setdefault(service, {m: {W: 0, M: 0, U: 0} for m in MEASURES})[measure][group] += 1

    for number, t in enumerate(staff.truth, start=2):
        if t["service"] is None or number in staff.unplaced:
            continue
        service, group = str(t["service"]), str(t["group"])
        counts.setdefault(service, {m: {W: 0, M: 0, U: 0} for m in MEASURES})
        if t["in_post"]:
            add(service, "headcount", group)
            add(service, f"headcount_band:{t['band']}", group)
            if t["regulated"]:
                add(service, "regulated_headcount", group)
            if t["senior"]:
                add(service, "senior_managers", group)
            if t["cpd"]:
                add(service, "cpd", group)
        if t["disciplinary"]:
            add(service, "disciplinary", group)
        if t["referred"] and t["regulated"]:
            add(service, "ftp_referrals", group)
        if t["left"]:
            add(service, "leavers", group)
    for t in recruitment.truth:
        if t["service"] is None or t["service"] not in counts:
            continue
        add(str(t["service"]), "shortlisted", str(t["group"]))
        if t["appointed"]:
            add(str(t["service"]), "appointed", str(t["group"]))
    for t in survey.truth if survey else []:
        if t["service"] is None or t["service"] not in counts:
            continue
        add(str(t["service"]), "survey_respondents", str(t["group"]))
        for kind in ("public", "colleagues", "managers"):
            if t[kind]:
                add(str(t["service"]), f"harassed_by_{kind}", str(t["group"]))
    return counts


def value_choices() -> dict[str, dict[str, str]]:
    """What the lead says each unmapped value means (display text -> option value on the page)."""
    return {
        "ethnicity": dict(UNMAPPED_ETHNICITY),
        "service": {label: service or "out_of_scope" for label, service in UNMAPPED_SERVICE.items()},
    }
