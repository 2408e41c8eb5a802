"""The SC-WRES return schema (spec section 2): services, groups, pay bands and measures, in the
order the template lists them, with the guidance shown beside each measure.

Everything here is plain data shared by the file reader, the validator, the web entry forms, the
template and the metrics engine.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

SERVICES: tuple[str, ...] = ("adults", "children")
SERVICE_LABELS = {"adults": "Adult social care", "children": "Children's social care", "all": "Both services"}
GROUPS: tuple[str, ...] = ("white", "minority_ethnic", "unknown")
GROUP_LABELS = {"white": "White", "minority_ethnic": "Minority ethnic", "unknown": "Unknown"}
PAY_BANDS: tuple[str, ...] = ("lower", "middle", "upper")
PAY_BAND_LABELS = {
    "lower": "Lower (under £30,000)",
    "middle": "Middle (£30,000 to £69,999)",
    "upper": "Upper (£70,000 and over)",
}
HEADER: tuple[str, ...] = ("service", "measure", "pay_band", *GROUPS)
MAX_COUNT = 10_000_000


@dataclass(frozen=True)
class Measure:
    code: str
    label: str
    guidance: str
    metric: str

    @property
    def in_sentence(self) -> str:
        """The label inside a sentence: "headcount", "funded CPD" (only the first letter lowered, so
        an abbreviation keeps its capitals)."""
        return self.label[:1].lower() + self.label[1:]


MEASURES: tuple[Measure, ...] = (
    Measure("headcount", "Headcount", "Directly employed staff at the snapshot date.", "1, 3, 5, 8, 9"),
    Measure(
        "headcount_band",
        "Headcount by pay band",
        "Staff in each national pay band at the snapshot date. The three bands add up to the headcount.",
        "1",
    ),
    Measure(
        "shortlisted", "Shortlisted", "Candidates shortlisted for jobs during the reporting period.", "2"
    ),
    Measure("appointed", "Appointed", "Shortlisted candidates who were appointed.", "2"),
    Measure("disciplinary", "Disciplinary", "Staff who entered the formal disciplinary process.", "3"),
    Measure(
        "regulated_headcount",
        "Regulated professionals",
        "Regulated professionals (social workers, occupational therapists) at the snapshot date.",
        "4",
    ),
    Measure(
        "ftp_referrals",
        "Fitness-to-practise referrals",
        "Regulated professionals the council referred to the fitness-to-practise process.",
        "4",
    ),
    Measure(
        "cpd",
        "Funded CPD",
        "Staff who accessed funded non-mandatory continuing professional development.",
        "5",
    ),
    Measure("survey_respondents", "Survey respondents", "Staff who answered the staff survey.", "6, 7"),
    Measure(
        "harassed_by_public",
        "Harassed by the public",
        "Respondents reporting harassment, bullying or abuse from people who use services, their "
        "relatives or the public.",
        "6",
    ),
    Measure(
        "harassed_by_colleagues",
        "Harassed by colleagues",
        "Respondents reporting harassment, bullying or abuse from colleagues.",
        "7a",
    ),
    Measure(
        "harassed_by_managers",
        "Harassed by managers",
        "Respondents reporting harassment, bullying or abuse from managers.",
        "7b",
    ),
    Measure("leavers", "Leavers", "Staff who left the council during the reporting period.", "8"),
    Measure(
        "senior_managers", "Senior managers", "Staff in senior management roles at the snapshot date.", "9"
    ),
)
MEASURES_BY_CODE = {m.code: m for m in MEASURES}
#: Event counts: a service whose every one of these is 0 gets a warning.
EVENT_MEASURES: tuple[str, ...] = (
    "shortlisted",
    "appointed",
    "disciplinary",
    "ftp_referrals",
    "cpd",
    "harassed_by_public",
    "harassed_by_colleagues",
    "harassed_by_managers",
    "leavers",
)


@dataclass(frozen=True, order=True)
class RowKey:
    """One row of a return: a service, a measure and (for headcount_band only) a pay band."""

    service: str
    measure: str
    pay_band: str = ""

    def __str__(self) -> str:
        band = f" ({self.pay_band} pay band)" if self.pay_band else ""
        return f"{SERVICE_LABELS[self.service]}: {MEASURES_BY_CODE[self.measure].in_sentence}{band}"


Counts = dict[str, int]  # group -> count
ReturnData = dict[RowKey, Counts]


@functools.cache
def row_keys(service: str) -> tuple[RowKey, ...]:
    """Every row a submitted service must have, in template order (worked out once per service: the
    checks ask for it for every row of every upload)."""
    keys: list[RowKey] = []
    for measure in MEASURES:
        if measure.code == "headcount_band":
            keys.extend(RowKey(service, measure.code, band) for band in PAY_BANDS)
        else:
            keys.append(RowKey(service, measure.code))
    return tuple(keys)


def all_row_keys() -> list[RowKey]:
    return [key for service in SERVICES for key in row_keys(service)]


def services_in(data: ReturnData) -> list[str]:
    present = {key.service for key in data}
    return [s for s in SERVICES if s in present]
