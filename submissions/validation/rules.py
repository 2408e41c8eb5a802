"""The rules of spec section 2 that apply to typed figures, whatever their source.

Used directly by web entry and the JSON API (problems carry `key` and `group`, no place) and by
`check_table`, which adds the place in the file.
"""

from __future__ import annotations

from collections.abc import Iterable

from submissions.returnfile import Place, Problem
from submissions.schema import (
    GROUP_LABELS,
    GROUPS,
    MAX_COUNT,
    MEASURES_BY_CODE,
    PAY_BANDS,
    SERVICE_LABELS,
    SERVICES,
    Counts,
    ReturnData,
    RowKey,
    row_keys,
    services_in,
)
from submissions.validation.counts import CountError, parse_count

# (measure, the measure it cannot exceed, problem code, why)
CROSS_RULES: tuple[tuple[str, str, str, str], ...] = (
    (
        "appointed",
        "shortlisted",
        "appointed_over_shortlisted",
        "only shortlisted candidates can be appointed",
    ),
    *(
        (measure, "headcount", "over_headcount", "these staff are part of the headcount")
        for measure in ("disciplinary", "cpd", "leavers", "senior_managers", "regulated_headcount")
    ),
    (
        "ftp_referrals",
        "regulated_headcount",
        "ftp_over_regulated",
        "only regulated professionals can be referred to fitness to practise",
    ),
    *(
        (measure, "survey_respondents", "harassed_over_respondents", "only survey respondents are counted")
        for measure in ("harassed_by_public", "harassed_by_colleagues", "harassed_by_managers")
    ),
)


def group_phrase(group: str) -> str:
    """ "white", "minority ethnic", "unknown ethnicity"."""
    return "unknown ethnicity" if group == "unknown" else GROUP_LABELS[group].lower()


def count_problem(error: CountError, key: RowKey, group: str, place: Place | None = None) -> Problem:
    return Problem(error.code, f"{key}, {group_phrase(group)}: {error.message}", error.fix, place, key, group)


def check_data(data: ReturnData) -> list[Problem]:
    """Every error in typed data: unknown rows, counts, completeness and cross-field rules."""
    if not data:
        return [no_rows_problem(None)]
    problems = [p for key, counts in data.items() for p in _value_problems(key, counts)]
    problems += missing_rows(data)
    problems += cross_field_problems(data)
    return problems


def check_service(data: ReturnData, service: str) -> list[Problem]:
    """The errors of one service, for saving a single service from the web form."""
    part = {key: counts for key, counts in data.items() if key.service == service}
    if not part:
        label = SERVICE_LABELS.get(service, service)
        return [Problem("missing_row", f"There are no figures for {label.lower()}.", "Enter every figure.")]
    return check_data(part)


def _value_problems(key: RowKey, counts: Counts) -> list[Problem]:
    if key.service not in SERVICES or key not in row_keys(key.service):
        what = " ".join(part for part in (key.service, key.measure, key.pay_band) if part)
        return [Problem("unknown_row", f'"{what}" is not a row of the return.', "Remove it.", key=key)]
    problems = []
    for group in GROUPS:
        try:
            parse_count(counts.get(group))
        except CountError as error:
            problems.append(count_problem(error, key, group))
    return problems


def missing_rows(keys: Iterable[RowKey]) -> list[Problem]:
    """Every measure of a submitted service is required (a service is submitted if any row names it)."""
    present = set(keys)
    problems = []
    for service in SERVICES:
        if any(k.service == service for k in present):
            problems += [_missing_row_problem(key) for key in row_keys(service) if key not in present]
    return problems


def _missing_row_problem(key: RowKey) -> Problem:
    band = f", pay_band {key.pay_band}" if key.pay_band else ""
    return Problem(
        "missing_row",
        f"There is no row for {key}.",
        f"Add a row with service {key.service}, measure {key.measure}{band}. Every measure is needed for "
        "each service you submit. If you do not submit this service, delete all its rows.",
        key=key,
    )


def _valid(data: ReturnData, key: RowKey, group: str) -> int | None:
    """A valid count, or None when the row or the count is missing or not valid."""
    value = data.get(key, {}).get(group)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_COUNT:
        return None
    return value


def cross_field_problems(data: ReturnData) -> list[Problem]:
    """Rules between the rows of a service, per group, checked only where the counts involved are valid.

    Each problem is keyed to the row to change: the smaller-or-equal side of a rule, and the headcount
    row when the pay bands do not add up to it.
    """
    problems = []
    for service in services_in(data):
        for group in GROUPS:
            problems += _limit_problems(data, service, group)
            problems += _band_problems(data, service, group)
    return problems


def _label(measure: str) -> str:
    return MEASURES_BY_CODE[measure].in_sentence


def _limit_problems(data: ReturnData, service: str, group: str) -> list[Problem]:
    problems = []
    for measure, limit, code, why in CROSS_RULES:
        key = RowKey(service, measure)
        value, maximum = _valid(data, key, group), _valid(data, RowKey(service, limit), group)
        if value is None or maximum is None or value <= maximum:
            continue
        problems.append(
            Problem(
                code,
                f"{SERVICE_LABELS[service]}, {group_phrase(group)}: {_label(measure)} ({value:,}) is "
                f"more than {_label(limit)} ({maximum:,}).",
                f"Check both figures: {_label(measure)} cannot be more than {_label(limit)}, because {why}.",
                key=key,
                group=group,
            )
        )
    return problems


def _band_problems(data: ReturnData, service: str, group: str) -> list[Problem]:
    key = RowKey(service, "headcount")
    headcount = _valid(data, key, group)
    bands = [_valid(data, RowKey(service, "headcount_band", band), group) for band in PAY_BANDS]
    if headcount is None or None in bands:
        return []
    values = [b for b in bands if b is not None]
    if sum(values) == headcount:
        return []
    parts = " + ".join(f"{b:,}" for b in values)
    return [
        Problem(
            "bands_not_headcount",
            f"{SERVICE_LABELS[service]}, {group_phrase(group)}: the pay bands add up to {sum(values):,} "
            f"({parts}) but the headcount is {headcount:,}.",
            "The lower, middle and upper pay band figures must add up to the headcount. Correct the "
            "headcount or the pay band figures.",
            key=key,
            group=group,
        )
    ]


def no_rows_problem(place: Place | None) -> Problem:
    return Problem(
        "no_rows",
        "The return has no figures in it.",
        "Add one row for each measure of each service you submit, under the header row. The template "
        "shows every row you need.",
        place=place,
    )
