"""A worked return shared by the metrics tests: the spec's adult social care rows, completed."""

from __future__ import annotations

from submissions.schema import GROUPS, RowKey

ADULTS = {
    ("headcount", ""): (812, 143, 21),
    ("headcount_band", "lower"): (402, 88, 10),
    ("headcount_band", "middle"): (371, 51, 9),
    ("headcount_band", "upper"): (39, 4, 2),
    ("shortlisted", ""): (310, 164, 7),
    ("appointed", ""): (96, 31, 1),
    ("disciplinary", ""): (12, 5, 0),
    ("regulated_headcount", ""): (200, 60, 3),
    ("ftp_referrals", ""): (2, 0, 0),
    ("cpd", ""): (300, 40, 5),
    ("survey_respondents", ""): (500, 90, 10),
    ("harassed_by_public", ""): (100, 25, 2),
    ("harassed_by_colleagues", ""): (50, 12, 1),
    ("harassed_by_managers", ""): (30, 9, 0),
    ("leavers", ""): (80, 20, 2),
    ("senior_managers", ""): (20, 1, 0),
}


def make_return(rows: dict[tuple[str, str], tuple[int, int, int]], service: str = "adults") -> dict:
    return {RowKey(service, m, b): dict(zip(GROUPS, counts, strict=True)) for (m, b), counts in rows.items()}


def entry(results: list[dict], service: str, indicator: str) -> dict:
    return next(r for r in results if r["service"] == service and r["indicator"] == indicator)
