"""The words the extract reader starts from: each extract's fields, the column headers proposed for
them, yes/no spellings, the service labels and the ethnicity defaults of spec hr-extract.md
section 5 (Census 2021, Census 2011 and the NHS data dictionary ethnic category codes).

Plain data, sent to the page as JSON (`for_page`), so the browser and the extract template say the
same thing. Values are compared after `normalise`: lower case, apostrophes dropped, every run of
other punctuation or spaces made one space ("White - British" and "white: british" are one value).
The tests' own aggregation (tests/hrdata/extracts.py) does not read this module.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

_APOSTROPHES = re.compile(r"['’‘`]")
_NON_WORD = re.compile(r"[^a-z0-9]+")


def normalise(value: str) -> str:
    """The form values and headers are matched in (the worker's `normalise` does the same)."""
    return _NON_WORD.sub(" ", _APOSTROPHES.sub("", value.lower())).strip()


@dataclass(frozen=True)
class Field:
    code: str
    label: str
    meaning: str
    values: str
    synonyms: tuple[str, ...] = ()
    #: Fields a row may do without: the lead can choose "not in this extract" (counted as no).
    optional: bool = False
    #: The alternative this field belongs to, when one of two ways of giving it is enough.
    alternative: str = ""


YES = ("y", "yes", "true", "1")
NO = ("n", "no", "false", "0")
YES_NO = "Y or N (also yes/no, true/false, 1/0; any mix of capitals)"
DATE = "a date, like 31/03/2025 or 2025-03-31"

_SERVICE = Field(
    "service",
    "Service",
    "The service the person works in (or applied to): adult or children's social care. Rows of "
    "other services are left out once you say so.",
    "your own labels, for example Adult Social Care, Children's Services",
    ("service", "service area", "service type", "social care service", "care service", "service group"),
)
_ETHNICITY = Field(
    "ethnicity",
    "Ethnicity",
    "The person's ethnic group as they recorded it.",
    "Census 2021 or 2011 categories, NHS ethnic category codes (A to Z, 99), or your own codes",
    (
        "ethnicity",
        "ethnic group",
        "ethnic origin",
        "ethnic category",
        "ethnicity code",
        "ethnic code",
        "ethnicity description",
        "ethnic background",
    ),
)

STAFF_FIELDS: tuple[Field, ...] = (
    _SERVICE,
    _ETHNICITY,
    Field(
        "in_post_at_snapshot",
        "In post at the snapshot date",
        "Whether the person was employed on the round's snapshot date. Instead of this column you "
        "can give a start date and an end date.",
        YES_NO + "; never blank",
        (
            "in post at snapshot",
            "in post at snapshot date",
            "in post on snapshot date",
            "in post",
            "employed at snapshot",
            "employed at snapshot date",
            "current employee",
        ),
        alternative="in_post",
    ),
    Field(
        "start_date",
        "Start date",
        "The date the person started (used with the end date in place of the in-post column).",
        DATE,
        ("start date", "employment start date", "date started", "contract start date", "hire date"),
        alternative="in_post",
    ),
    Field(
        "end_date",
        "End date",
        "The date the person's employment ended; blank if they are still employed.",
        DATE + "; blank if still employed",
        ("end date", "employment end date", "contract end date", "termination date"),
        alternative="in_post",
    ),
    Field(
        "annual_salary_fte",
        "Full-time-equivalent annual salary",
        "Salary in pounds for a full-time year, used to place the person in a national pay band. "
        "Instead of this column you can give the pay band.",
        "a number of pounds, like 32500 or £32,500.00",
        (
            "annual salary fte",
            "fte annual salary",
            "fte salary",
            "salary fte",
            "full time equivalent salary",
            "full time equivalent annual salary",
            "annual salary",
            "salary",
            "basic salary",
        ),
        alternative="pay",
    ),
    Field(
        "pay_band",
        "National pay band",
        "lower is under £30,000, middle £30,000 to £69,999, upper £70,000 and over.",
        "lower, middle or upper",
        ("pay band", "national pay band", "wres pay band", "salary band"),
        alternative="pay",
    ),
    Field(
        "regulated_professional",
        "Regulated professional",
        "A registered social worker or occupational therapist.",
        YES_NO + "; blank means no",
        (
            "regulated professional",
            "regulated",
            "regulated profession",
            "registered professional",
            "professionally registered",
        ),
    ),
    Field(
        "senior_manager",
        "Senior manager",
        "In a senior management role.",
        YES_NO + "; blank means no",
        ("senior manager", "senior management", "senior management role", "is senior manager"),
    ),
    Field(
        "entered_disciplinary",
        "Entered the formal disciplinary process",
        "Entered the formal disciplinary process during the reporting period. A date in the period "
        "also counts as yes.",
        YES_NO + ", or the date; blank means no",
        ("entered disciplinary", "disciplinary", "formal disciplinary", "disciplinary in period"),
        optional=True,
    ),
    Field(
        "referred_ftp",
        "Referred to fitness to practise",
        "Referred by the council to the fitness-to-practise process during the period (counted only "
        "for regulated professionals). A date in the period also counts as yes.",
        YES_NO + ", or the date; blank means no",
        (
            "referred ftp",
            "ftp referral",
            "ftp referred",
            "fitness to practise referral",
            "referred to fitness to practise",
            "fitness to practise",
        ),
        optional=True,
    ),
    Field(
        "funded_cpd",
        "Accessed funded CPD",
        "Accessed funded non-mandatory continuing professional development during the period "
        "(counted for staff in post at the snapshot date). A date in the period also counts as yes.",
        YES_NO + ", or the date; blank means no",
        ("funded cpd", "cpd", "accessed funded cpd", "non mandatory cpd", "funded non mandatory cpd"),
        optional=True,
    ),
    Field(
        "left_in_period",
        "Left in the period",
        "Left the council during the reporting period. Instead of this column you can give the "
        "leaving date (often the same column as the end date).",
        YES_NO + ", or the leaving date; blank means no",
        ("left in period", "leaver", "leaver in period", "left", "left during period"),
        alternative="left",
    ),
    Field(
        "leaving_date",
        "Leaving date",
        "The date the person left; blank if they have not.",
        DATE + "; blank if they have not left",
        ("leaving date", "date left", "date of leaving", "leaver date"),
        alternative="left",
    ),
)

RECRUITMENT_FIELDS: tuple[Field, ...] = (
    _SERVICE,
    _ETHNICITY,
    Field(
        "appointed",
        "Appointed",
        "Whether the shortlisted candidate was appointed. One row per shortlisted candidate.",
        YES_NO + "; blank means no",
        ("appointed", "was appointed", "candidate appointed", "successful", "offer accepted"),
    ),
)

_SURVEY_BLANK = YES_NO + "; blank means the question was not answered"
SURVEY_FIELDS: tuple[Field, ...] = (
    _SERVICE,
    _ETHNICITY,
    Field(
        "harassed_by_public",
        "Harassed by the public",
        "Reported harassment, bullying or abuse from people who use services, their relatives or "
        "the public in the last 12 months.",
        _SURVEY_BLANK,
        ("harassed by public", "harassed by the public", "harassment from public", "harassment public"),
    ),
    Field(
        "harassed_by_colleagues",
        "Harassed by colleagues",
        "Reported harassment, bullying or abuse from colleagues.",
        _SURVEY_BLANK,
        ("harassed by colleagues", "harassment from colleagues", "harassment colleagues"),
    ),
    Field(
        "harassed_by_managers",
        "Harassed by managers",
        "Reported harassment, bullying or abuse from managers.",
        _SURVEY_BLANK,
        ("harassed by managers", "harassment from managers", "harassment managers"),
    ),
)

EXTRACTS: dict[str, tuple[str, tuple[Field, ...]]] = {
    "staff": ("Staff extract", STAFF_FIELDS),
    "recruitment": ("Recruitment extract", RECRUITMENT_FIELDS),
    "survey": ("Staff survey extract", SURVEY_FIELDS),
}

SERVICE_DEFAULTS: dict[str, str] = {
    **dict.fromkeys(
        ("adults", "adult", "adult social care", "adult services", "adult care", "adults services", "asc"),
        "adults",
    ),
    **dict.fromkeys(
        (
            "children",
            "child",
            "childrens",
            "childrens social care",
            "childrens services",
            "children services",
            "children and families",
            "csc",
        ),
        "children",
    ),
}

# Ethnicity -----------------------------------------------------------------------------------------

CENSUS_2021: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    # (heading, group, categories): the 19 categories under their five headings.
    (
        "Asian, Asian British or Asian Welsh",
        "minority_ethnic",
        ("Bangladeshi", "Chinese", "Indian", "Pakistani", "Other Asian"),
    ),
    (
        "Black, Black British, Black Welsh, Caribbean or African",
        "minority_ethnic",
        ("African", "Caribbean", "Other Black"),
    ),
    (
        "Mixed or Multiple ethnic groups",
        "minority_ethnic",
        (
            "White and Asian",
            "White and Black African",
            "White and Black Caribbean",
            "Other Mixed or Multiple ethnic groups",
        ),
    ),
    (
        "White",
        "white",
        (
            "English, Welsh, Scottish, Northern Irish or British",
            "Irish",
            "Gypsy or Irish Traveller",
            "Roma",
            "Other White",
        ),
    ),
    ("Other ethnic group", "minority_ethnic", ("Arab", "Any other ethnic group")),
)

CENSUS_2011: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    (
        "White",
        "white",
        (
            "English/Welsh/Scottish/Northern Irish/British",
            "Irish",
            "Gypsy or Irish Traveller",
            "Any other White background",
        ),
    ),
    (
        "Mixed/multiple ethnic groups",
        "minority_ethnic",
        (
            "White and Black Caribbean",
            "White and Black African",
            "White and Asian",
            "Any other Mixed/multiple ethnic background",
        ),
    ),
    (
        "Asian/Asian British",
        "minority_ethnic",
        ("Indian", "Pakistani", "Bangladeshi", "Chinese", "Any other Asian background"),
    ),
    (
        "Black/African/Caribbean/Black British",
        "minority_ethnic",
        ("African", "Caribbean", "Any other Black/African/Caribbean background"),
    ),
    ("Other ethnic group", "minority_ethnic", ("Arab", "Any other ethnic group")),
)

#: NHS data dictionary ETHNIC CATEGORY codes: A-C White, D-S minority ethnic, Z not stated, 99 not known.
NHS_CODES: tuple[tuple[str, str, str], ...] = (
    ("A", "White - British", "white"),
    ("B", "White - Irish", "white"),
    ("C", "White - Any other White background", "white"),
    ("D", "Mixed - White and Black Caribbean", "minority_ethnic"),
    ("E", "Mixed - White and Black African", "minority_ethnic"),
    ("F", "Mixed - White and Asian", "minority_ethnic"),
    ("G", "Mixed - Any other mixed background", "minority_ethnic"),
    ("H", "Asian or Asian British - Indian", "minority_ethnic"),
    ("J", "Asian or Asian British - Pakistani", "minority_ethnic"),
    ("K", "Asian or Asian British - Bangladeshi", "minority_ethnic"),
    ("L", "Asian or Asian British - Any other Asian background", "minority_ethnic"),
    ("M", "Black or Black British - Caribbean", "minority_ethnic"),
    ("N", "Black or Black British - African", "minority_ethnic"),
    ("P", "Black or Black British - Any other Black background", "minority_ethnic"),
    ("R", "Other Ethnic Groups - Chinese", "minority_ethnic"),
    ("S", "Other Ethnic Groups - Any other ethnic group", "minority_ethnic"),
    ("Z", "Not stated", "unknown"),
    ("99", "Not known", "unknown"),
)

UNKNOWN_VALUES: tuple[str, ...] = (
    "",
    "prefer not to say",
    "not known",
    "not stated",
    "not recorded",
    "unknown",
    "not specified",
    "not disclosed",
    "do not wish to say",
    "declined to say",
    "refused",
)

#: Short forms HR systems commonly use beside the census wording.
COMMON_FORMS: tuple[tuple[str, str], ...] = (
    ("White", "white"),
    ("White British", "white"),
    ("White English", "white"),
    ("White Scottish", "white"),
    ("White Welsh", "white"),
    ("White Northern Irish", "white"),
    ("White Irish", "white"),
    ("White Other", "white"),
    ("Other White", "white"),
    ("Any other White background", "white"),
    ("White Gypsy or Irish Traveller", "white"),
    ("White Roma", "white"),
    ("Irish", "white"),
    ("Roma", "white"),
    ("Gypsy or Irish Traveller", "white"),
    ("Mixed", "minority_ethnic"),
    ("Asian", "minority_ethnic"),
    ("Black", "minority_ethnic"),
    ("Asian British", "minority_ethnic"),
    ("Black British", "minority_ethnic"),
    ("Indian", "minority_ethnic"),
    ("Pakistani", "minority_ethnic"),
    ("Bangladeshi", "minority_ethnic"),
    ("Chinese", "minority_ethnic"),
    ("African", "minority_ethnic"),
    ("Caribbean", "minority_ethnic"),
    ("Arab", "minority_ethnic"),
    ("Black African", "minority_ethnic"),
    ("Black Caribbean", "minority_ethnic"),
    ("Asian Indian", "minority_ethnic"),
    ("Asian Pakistani", "minority_ethnic"),
    ("Asian Bangladeshi", "minority_ethnic"),
    ("Asian Chinese", "minority_ethnic"),
    ("Any other ethnic group", "minority_ethnic"),
    ("Other ethnic group", "minority_ethnic"),
)


def _census_forms(table: tuple[tuple[str, str, tuple[str, ...]], ...]) -> dict[str, str]:
    forms: dict[str, str] = {}
    for heading, group, categories in table:
        forms[normalise(heading)] = group
        for category in categories:
            # The category alone too: every census category name is unambiguous without its heading.
            forms[normalise(category)] = group
            forms[normalise(f"{heading}: {category}")] = group
            forms[normalise(f"{heading} - {category}")] = group
    return forms


def ethnicity_defaults() -> dict[str, str]:
    """Every value (normalised) the defaults place, with its group."""
    defaults: dict[str, str] = {}
    defaults.update(_census_forms(CENSUS_2011))
    defaults.update(_census_forms(CENSUS_2021))
    for label, group in COMMON_FORMS:
        defaults[normalise(label)] = group
    for code, label, group in NHS_CODES:
        defaults[normalise(code)] = group
        defaults[normalise(label)] = group
        defaults[normalise(f"{code} {label}")] = group
    for value in UNKNOWN_VALUES:
        defaults[normalise(value)] = "unknown"
    return defaults


def _field_json(field: Field) -> dict[str, object]:
    return {
        "code": field.code,
        "label": field.label,
        "synonyms": [normalise(s) for s in (field.code.replace("_", " "), *field.synonyms)],
        "optional": field.optional,
        "alternative": field.alternative,
    }


def for_page() -> dict[str, Any]:
    """What the page's worker needs, as JSON-safe data."""
    return {
        "extracts": {
            key: {"label": label, "fields": [_field_json(f) for f in fields]}
            for key, (label, fields) in EXTRACTS.items()
        },
        "yes": list(YES),
        "no": list(NO),
        "services": SERVICE_DEFAULTS,
        "ethnicity": ethnicity_defaults(),
    }
