"""Plausible, valid, made-up returns for the demo, tests and benchmarks (never real data)."""

from __future__ import annotations

import random

from .schema import GROUPS, PAY_BANDS, ReturnData, RowKey


def _split(rng: random.Random, total: int, shares: list[float]) -> list[int]:
    """`total` split by `shares` (which add up to 1); the last part takes the rounding."""
    parts = [int(total * s) for s in shares[:-1]]
    return [*parts, total - sum(parts)]


def _portion(rng: random.Random, counts: dict[str, int], low: float, high: float) -> dict[str, int]:
    return {g: min(counts[g], round(counts[g] * rng.uniform(low, high))) for g in GROUPS}


def synthetic_service(rng: random.Random, service: str, *, size: int, minority_share: float) -> ReturnData:
    """One service's figures: `size` staff, of whom about `minority_share` are minority ethnic."""
    minority_share = min(max(minority_share, 0.0), 0.95)
    unknown = max(0, round(size * rng.uniform(0.01, 0.07)))
    minority = round((size - unknown) * minority_share)
    head = {"white": size - unknown - minority, "minority_ethnic": minority, "unknown": unknown}
    data: ReturnData = {RowKey(service, "headcount"): head}
    lower = 0.5 + rng.uniform(-0.1, 0.1)
    bands = {g: _split(rng, head[g], [lower, (1 - lower) * 0.84, (1 - lower) * 0.16]) for g in GROUPS}
    for index, band in enumerate(PAY_BANDS):
        data[RowKey(service, "headcount_band", band)] = {g: bands[g][index] for g in GROUPS}
    shortlisted = {g: max(0, round(head[g] * rng.uniform(0.25, 0.6))) for g in GROUPS}
    data[RowKey(service, "shortlisted")] = shortlisted
    data[RowKey(service, "appointed")] = _portion(rng, shortlisted, 0.15, 0.4)
    data[RowKey(service, "disciplinary")] = _portion(rng, head, 0.005, 0.04)
    regulated = _portion(rng, head, 0.25, 0.45)
    data[RowKey(service, "regulated_headcount")] = regulated
    data[RowKey(service, "ftp_referrals")] = _portion(rng, regulated, 0.0, 0.02)
    data[RowKey(service, "cpd")] = _portion(rng, head, 0.2, 0.6)
    survey = _portion(rng, head, 0.3, 0.6)
    data[RowKey(service, "survey_respondents")] = survey
    data[RowKey(service, "harassed_by_public")] = _portion(rng, survey, 0.1, 0.35)
    data[RowKey(service, "harassed_by_colleagues")] = _portion(rng, survey, 0.05, 0.2)
    data[RowKey(service, "harassed_by_managers")] = _portion(rng, survey, 0.03, 0.12)
    data[RowKey(service, "leavers")] = _portion(rng, head, 0.08, 0.18)
    data[RowKey(service, "senior_managers")] = _portion(rng, head, 0.01, 0.05)
    return data


def synthetic_return(seed: int | str, *, minority_share: float = 0.15, size: int | None = None) -> ReturnData:
    """Both services' figures, the same for the same seed."""
    rng = random.Random(str(seed))  # noqa: S311 - made-up figures, not secrets
    size = size or rng.randint(300, 2500)
    data = synthetic_service(rng, "adults", size=size, minority_share=minority_share * rng.uniform(0.8, 1.3))
    data |= synthetic_service(
        rng,
        "children",
        size=round(size * rng.uniform(0.5, 0.9)),
        minority_share=minority_share * rng.uniform(0.7, 1.2),
    )
    return data
