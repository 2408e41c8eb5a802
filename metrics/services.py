"""Compute and store results and national benchmarks. Both are safe to run twice, or in two
workers at once: results are written once per version (a unique key), and benchmarks are upserted
on their natural key under a per-round lock, so the rows come out the same."""

from __future__ import annotations

import logging
import os
import time
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import Sum

from submissions.models import CollectionRound, Return, ReturnRow, ReturnVersion
from submissions.schema import GROUPS, ReturnData, RowKey
from wres_portal.accounts.models import Authority

from .calculations import band_counts, compute_results, distribution, quantile
from .models import Benchmark, Result, VersionResults

logger = logging.getLogger(__name__)


def population_share(authority: Authority) -> float | None:
    """The authority's Census 2021 minority ethnic share as a fraction (metric 9), or None."""
    percent = authority.population_minority_ethnic_percent
    return float(percent) / 100 if percent is not None else None


def headline(entry: dict[str, Any]) -> float | None:
    """The one number an entry is ranked by: the band share for m1, the relative likelihood otherwise."""
    if entry["indicator"].startswith("m1_"):
        return (entry.get("share") or {}).get("band")
    return entry.get("relative_likelihood")


def metric_values(data: ReturnData, *, share: float | None) -> dict[tuple[str, str], float | None]:
    return {
        (e["service"], e["indicator"]): headline(e) for e in compute_results(data, population_share=share)
    }


def _test_pause() -> None:
    """Fault-injection hook for tests/test_worker_faults.py only: a worker started with
    WRES_TEST_TASK_DELAY=<seconds> pauses here, after computing and before storing, so the test can
    kill it in the middle of the work. Unset (always, outside that test) it does nothing."""
    delay = float(os.environ.get("WRES_TEST_TASK_DELAY") or 0)
    if delay > 0:
        logger.warning("WRES_TEST_TASK_DELAY: pausing %s s before storing results", delay)
        time.sleep(delay)


def results_compute(*, version: ReturnVersion) -> VersionResults:
    """Compute and store the results document of `version` (once: a second call returns the first)."""
    existing = VersionResults.objects.filter(version=version).first()
    if existing is not None:
        return existing
    authority = version.authority
    share = population_share(authority)
    document = {
        "schema": "wres-results/1",
        "results": compute_results(version.data(), population_share=share),
    }
    round_id = version.return_record.round_id
    _test_pause()
    try:
        with transaction.atomic():
            stored = VersionResults.objects.create(
                authority=authority,
                round_id=round_id,
                version=version,
                document=document,
                population_share=share,
            )
            Result.objects.bulk_create(
                Result(
                    authority=authority,
                    round_id=round_id,
                    version=version,
                    service=entry["service"],
                    indicator=entry["indicator"],
                    value=headline(entry),
                    four_fifths=entry.get("four_fifths") or "",
                    low_numbers=bool(entry["low_numbers"]),
                    calculable=bool(entry["calculable"]),
                )
                for entry in document["results"]
            )
    except IntegrityError:
        # Another worker stored them first: theirs are the same figures.
        return VersionResults.objects.get(version=version)
    return stored


def accepted_versions(collection_round: CollectionRound) -> list[tuple[int, int]]:
    """(version id, authority id) of the round's accepted returns."""
    return list(
        Return.objects.filter(round=collection_round, status=Return.Status.ACCEPTED)
        .exclude(current_version=None)
        .values_list("current_version_id", "authority_id")
    )


def _pooled_by(version_ids: list[int], field: str | None) -> dict[str, ReturnData]:
    """Summed counts per scope value, aggregated in the database (one query)."""
    fields = ["service", "measure", "pay_band"] + ([field] if field else [])
    rows = (
        ReturnRow.objects.filter(version_id__in=version_ids)
        .values(*fields)
        .annotate(**{f"sum_{g}": Sum(g) for g in GROUPS})
        .order_by()
    )
    pooled: dict[str, ReturnData] = defaultdict(dict)
    for row in rows:
        scope = row[field] if field else ""
        pooled[scope][RowKey(row["service"], row["measure"], row["pay_band"])] = {
            g: int(row[f"sum_{g}"]) for g in GROUPS
        }
    return pooled


SCOPE_FIELDS = {
    Benchmark.Scope.NATIONAL: None,
    Benchmark.Scope.REGION: "authority__region",
    Benchmark.Scope.TYPE: "authority__authority_type",
}


def _lock_round(collection_round: CollectionRound) -> None:
    """Serialise benchmark runs for one round (PostgreSQL advisory lock, released at commit)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [7301, collection_round.pk])


def _benchmark_rows(collection_round: CollectionRound, version_ids: list[int]) -> list[Benchmark]:
    values = list(
        Result.objects.filter(version_id__in=version_ids).values(
            "service", "indicator", "value", "four_fifths", "authority__region", "authority__authority_type"
        )
    )
    rows: list[Benchmark] = []
    for scope, field in SCOPE_FIELDS.items():
        grouped: dict[tuple[str, str, str], list[dict[str, Any]]] = defaultdict(list)
        for value in values:
            grouped[(value[field] if field else "", value["service"], value["indicator"])].append(value)
        pooled_entries = {
            (scope_value, e["service"], e["indicator"]): e
            for scope_value, data in _pooled_by(version_ids, field).items()
            for e in compute_results(data, population_share=None)
        }
        for (scope_value, service, indicator), members in sorted(grouped.items()):
            numbers = sorted(m["value"] for m in members if m["value"] is not None)
            rows.append(
                Benchmark(
                    round=collection_round,
                    service=service,
                    indicator=indicator,
                    scope=scope,
                    scope_value=scope_value,
                    n_authorities=len(members),
                    pooled=pooled_entries.get((scope_value, service, indicator), {}),
                    distribution=distribution(numbers),
                    p5=quantile(numbers, 0.05) if numbers else None,
                    p95=quantile(numbers, 0.95) if numbers else None,
                    bands=band_counts(m["four_fifths"] or None for m in members),
                )
            )
    return rows


def benchmarks_recompute(*, collection_round: CollectionRound) -> int:
    """Recompute the round's benchmarks from its accepted returns; returns the number of rows.

    Missing results are computed first. Rows are upserted on (round, service, indicator, scope,
    scope value) and rows no longer backed by any return are deleted, all in one transaction under
    a per-round lock, so two runs at once or one after another leave the same rows.
    """
    pairs = accepted_versions(collection_round)
    computed = set(
        VersionResults.objects.filter(version_id__in=[v for v, _ in pairs]).values_list(
            "version_id", flat=True
        )
    )
    for version in ReturnVersion.objects.filter(pk__in=[v for v, _ in pairs if v not in computed]):
        results_compute(version=version)
    with transaction.atomic():
        _lock_round(collection_round)
        rows = _benchmark_rows(collection_round, [v for v, _ in pairs])
        Benchmark.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["round", "service", "indicator", "scope", "scope_value"],
            update_fields=["n_authorities", "pooled", "distribution", "p5", "p95", "bands", "computed_at"],
        )
        keep = {(r.service, r.indicator, r.scope, r.scope_value) for r in rows}
        stale = [
            b.pk
            for b in Benchmark.objects.filter(round=collection_round).only(
                "service", "indicator", "scope", "scope_value"
            )
            if (b.service, b.indicator, b.scope, b.scope_value) not in keep
        ]
        Benchmark.objects.filter(pk__in=stale).delete()
    return len(rows)


def reference_ranges(collection_round: CollectionRound | None) -> dict[tuple[str, str], tuple[float, float]]:
    """The national 5th to 95th percentile of each (service, indicator) in a round, for warnings."""
    if collection_round is None:
        return {}
    return {
        (b.service, b.indicator): (b.p5, b.p95)
        for b in Benchmark.objects.filter(
            round=collection_round, scope=Benchmark.Scope.NATIONAL, n_authorities__gte=5
        )
        if b.p5 is not None and b.p95 is not None
    }


def versions_missing_results(limit: int = 500) -> Iterable[int]:
    """Versions of submitted (or later) returns that have no stored results yet: the sweep's work."""
    return (
        Return.objects.exclude(status=Return.Status.DRAFT)
        .exclude(current_version=None)
        .filter(current_version__results__isnull=True)
        .values_list("current_version_id", flat=True)[:limit]
    )
