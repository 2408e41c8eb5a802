"""Compute and store results and national benchmarks. Both are safe to run twice, or in two
workers at once: results are written once per version (a unique key), and benchmarks are upserted
on their natural key under a per-round lock, so the rows come out the same."""

from __future__ import annotations

import hashlib
import logging
import os
import time
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.db import connection, models, transaction
from django.db.models import Sum
from django.utils import timezone

from accounts.models import Authority
from submissions.models import CollectionRound, Return, ReturnRow, ReturnVersion
from submissions.schema import GROUPS, ReturnData, RowKey
from wres_portal.bulk import insert_ignoring_conflicts

from .calculations import (
    ADVERSE_TO_MINORITY_ETHNIC,
    ADVERSE_TO_WHITE,
    FOUR_FIFTHS_BANDS,
    RESULTS_SCHEMA,
    WITHIN_RANGE,
    band_counts,
    compute_results,
    distribution,
    quantile,
)
from .disclosure import MIN_AUTHORITIES
from .models import Benchmark, BenchmarkRun, Result, VersionResults

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
    results_compute_many(version_ids=[version.pk])
    return VersionResults.objects.get(version=version)


def _version_data(version_ids: list[int]) -> dict[int, ReturnData]:
    """The figures of many versions, read in one query."""
    data: dict[int, ReturnData] = defaultdict(dict)
    rows = ReturnRow.objects.filter(version_id__in=version_ids).values_list(
        "version_id", "service", "measure", "pay_band", *GROUPS
    )
    for version_id, service, measure, pay_band, *counts in rows.iterator(chunk_size=10_000):
        data[version_id][RowKey(service, measure, pay_band)] = dict(zip(GROUPS, counts, strict=True))
    return data


DOCUMENT_FIELDS = ("authority", "round", "version", "document", "population_share", "computed_at")
RESULT_FIELDS = (
    "authority",
    "round",
    "version",
    "service",
    "indicator",
    "value",
    "four_fifths",
    "low_numbers",
    "calculable",
)


def results_compute_many(*, version_ids: Iterable[int], batch_size: int = 500) -> int:
    """Compute and store the results of every version in `version_ids` that has none yet, in bulk:
    per batch, one query reads the figures, the calculations run in memory, and two bulk inserts
    (COPY on PostgreSQL, see `wres_portal.bulk`) store the documents and their headline rows in
    one transaction. Returns how many it computed.

    Safe to run twice or in two workers at once: both tables have a unique key per version (and
    per indicator), conflicting rows are skipped, and the figures are the same whoever stores them.
    """
    wanted = sorted(set(version_ids))
    have = set(VersionResults.objects.filter(version_id__in=wanted).values_list("version_id", flat=True))
    todo = [v for v in wanted if v not in have]
    for start in range(0, len(todo), batch_size):
        batch = todo[start : start + batch_size]
        versions = ReturnVersion.objects.filter(pk__in=batch).values_list(
            "pk",
            "authority_id",
            "return_record__round_id",
            "authority__population_minority_ethnic_percent",
        )
        data = _version_data(batch)
        now = timezone.now()
        documents: list[tuple[object, ...]] = []
        results: list[tuple[object, ...]] = []
        for version_id, authority_id, round_id, percent in versions:
            share = float(percent) / 100 if percent is not None else None
            entries = compute_results(data.get(version_id, {}), population_share=share)
            document = {"schema": RESULTS_SCHEMA, "results": entries}
            documents.append((authority_id, round_id, version_id, document, share, now))
            results.extend(
                (
                    authority_id,
                    round_id,
                    version_id,
                    entry["service"],
                    entry["indicator"],
                    headline(entry),
                    entry.get("four_fifths") or "",
                    bool(entry["low_numbers"]),
                    bool(entry["calculable"]),
                )
                for entry in entries
            )
        _test_pause()
        with transaction.atomic():
            insert_ignoring_conflicts(VersionResults, DOCUMENT_FIELDS, documents)
            insert_ignoring_conflicts(Result, RESULT_FIELDS, results)
    return len(todo)


def accepted_versions(collection_round: CollectionRound) -> list[tuple[int, int]]:
    """(version id, authority id) of the round's accepted returns."""
    return list(_accepted(collection_round).values_list("current_version_id", "authority_id"))


def _accepted(collection_round: CollectionRound) -> models.QuerySet[Return]:
    return Return.objects.filter(round=collection_round, status=Return.Status.ACCEPTED).exclude(
        current_version=None
    )


def _pooled_by(collection_round: CollectionRound, field: str | None) -> dict[str, ReturnData]:
    """Summed counts of the accepted returns per scope value, aggregated in the database."""
    fields = ["service", "measure", "pay_band"] + ([field] if field else [])
    rows = (
        ReturnRow.objects.filter(version__in=_accepted(collection_round).values("current_version"))
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


#: (scope, scope value, service, indicator): a benchmark row's key.
Key = tuple[str, str, str, str]
#: n_authorities, distribution, p5, p95 and bands of one benchmark row.
Stats = tuple[int, dict[str, Any], float | None, float | None, dict[str, Any]]


def _bands(counts: dict[str, int], not_calculable: int) -> dict[str, Any]:
    """`calculations.band_counts` from counts already made: number and share in each band."""
    banded = sum(counts.values())
    return {
        "n": banded,
        "not_calculable": not_calculable,
        "bands": {
            band: {"n": counts[band], "share": counts[band] / banded if banded else None}
            for band in FOUR_FIFTHS_BANDS
        },
    }


def _value_stats_python(collection_round: CollectionRound) -> dict[Key, Stats]:
    """Per benchmark row: one pass over the accepted returns' headline values, read as tuples with
    the authorities' region and type from a lookup rather than a join (any database)."""
    places = {
        pk: (region, kind)
        for pk, region, kind in Authority.objects.values_list("pk", "region", "authority_type")
    }
    grouped: dict[Key, list[tuple[float | None, str]]] = defaultdict(list)
    values = Result.objects.filter(
        version__in=_accepted(collection_round).values("current_version")
    ).values_list("authority_id", "service", "indicator", "value", "four_fifths")
    for authority_id, service, indicator, value, band in values.iterator(chunk_size=20_000):
        region, kind = places[authority_id]
        member = (value, band)
        grouped[(Benchmark.Scope.NATIONAL, "", service, indicator)].append(member)
        grouped[(Benchmark.Scope.REGION, region, service, indicator)].append(member)
        grouped[(Benchmark.Scope.TYPE, kind, service, indicator)].append(member)
    stats = {}
    for key, members in grouped.items():
        numbers = sorted(value for value, _ in members if value is not None)
        stats[key] = (
            len(members),
            distribution(numbers),
            quantile(numbers, 0.05) if numbers else None,
            quantile(numbers, 0.95) if numbers else None,
            band_counts(band or None for _, band in members),
        )
    return stats


_VALUE_STATS_SQL = """
SELECT GROUPING(a.region), GROUPING(a.authority_type), a.region, a.authority_type, r.service,
       r.indicator, count(*), count(r.value), min(r.value), max(r.value),
       percentile_cont(ARRAY[0.05, 0.25, 0.5, 0.75, 0.95]) WITHIN GROUP (ORDER BY r.value),
       count(*) FILTER (WHERE r.four_fifths = %(within)s),
       count(*) FILTER (WHERE r.four_fifths = %(adverse_me)s),
       count(*) FILTER (WHERE r.four_fifths = %(adverse_white)s),
       count(*) FILTER (WHERE r.four_fifths = '')
FROM metrics_result r JOIN accounts_authority a ON a.id = r.authority_id
WHERE r.version_id IN (
    SELECT current_version_id FROM submissions_return
    WHERE round_id = %(round)s AND status = %(accepted)s AND current_version_id IS NOT NULL
)
GROUP BY GROUPING SETS ((r.service, r.indicator), (a.region, r.service, r.indicator),
                        (a.authority_type, r.service, r.indicator))
"""


def _value_stats_sql(collection_round: CollectionRound) -> dict[Key, Stats]:
    """The same figures aggregated by PostgreSQL in one query (GROUPING SETS for the three scopes;
    `percentile_cont` interpolates linearly between order statistics exactly as `quantile` does),
    instead of reading every authority's values into Python: about 6 s -> 1 s at 20,000."""
    with connection.cursor() as cursor:
        cursor.execute(
            _VALUE_STATS_SQL,
            {
                "within": WITHIN_RANGE,
                "adverse_me": ADVERSE_TO_MINORITY_ETHNIC,
                "adverse_white": ADVERSE_TO_WHITE,
                "round": collection_round.pk,
                "accepted": Return.Status.ACCEPTED,
            },
        )
        records = cursor.fetchall()
    stats: dict[Key, Stats] = {}
    for record in records:
        no_region, no_type, region, kind, service, indicator, n_all, n, low, high, cuts = record[:11]
        within, adverse_me, adverse_white, not_calculable = record[11:]
        if no_region and no_type:
            key = (Benchmark.Scope.NATIONAL, "", service, indicator)
        elif no_type:
            key = (Benchmark.Scope.REGION, region, service, indicator)
        else:
            key = (Benchmark.Scope.TYPE, kind, service, indicator)
        p5, lower, median, upper, p95 = cuts or (None,) * 5
        dist = {"n": n, "min": low, "lower_quartile": lower, "median": median, "upper_quartile": upper}
        bands = {
            WITHIN_RANGE: within,
            ADVERSE_TO_MINORITY_ETHNIC: adverse_me,
            ADVERSE_TO_WHITE: adverse_white,
        }
        stats[key] = (n_all, dist | {"max": high}, p5, p95, _bands(bands, not_calculable))
    return stats


def _benchmark_rows(collection_round: CollectionRound, *, in_database: bool | None = None) -> list[Benchmark]:
    """Every benchmark row of the round. The value statistics are aggregated by PostgreSQL where it
    runs (`in_database`, default: on PostgreSQL), in Python otherwise; the pooled figures are summed
    by the database either way."""
    if in_database is None:
        in_database = connection.vendor == "postgresql"
    stats = (_value_stats_sql if in_database else _value_stats_python)(collection_round)
    pooled_entries: dict[Key, dict[str, Any]] = {
        (scope, scope_value, e["service"], e["indicator"]): e
        for scope, field in SCOPE_FIELDS.items()
        for scope_value, data in _pooled_by(collection_round, field).items()
        for e in compute_results(data, population_share=None)
    }
    rows: list[Benchmark] = []
    for key, (n_authorities, dist, p5, p95, bands) in sorted(stats.items()):
        scope, scope_value, service, indicator = key
        rows.append(
            Benchmark(
                round=collection_round,
                service=service,
                indicator=indicator,
                scope=scope,
                scope_value=scope_value,
                n_authorities=n_authorities,
                pooled=pooled_entries.get(key, {}),
                distribution=dist,
                p5=p5,
                p95=p95,
                bands=bands,
            )
        )
    return rows


def accepted_fingerprint(collection_round: CollectionRound) -> str:
    """A digest of what the round's benchmarks are a function of: each accepted return's current
    version and its council's region and type."""
    rows = (
        _accepted(collection_round)
        .order_by("authority_id")
        .values_list("authority_id", "current_version_id", "authority__region", "authority__authority_type")
    )
    digest = hashlib.sha256()
    for row in rows:
        digest.update(repr(row).encode())
    return digest.hexdigest()


def benchmarks_stale(collection_round: CollectionRound) -> bool:
    run = BenchmarkRun.objects.filter(round=collection_round).first()
    if run is None:
        return (
            _accepted(collection_round).exists() or Benchmark.objects.filter(round=collection_round).exists()
        )
    return run.fingerprint != accepted_fingerprint(collection_round)


def benchmarks_sweep() -> list[int]:
    """Recompute every round whose stored benchmarks were not built from its current accepted
    versions (a recompute message lost while Redis was down, a step that forgot to ask); returns
    the rounds recomputed. Safe to run twice or beside a recompute (the per-round lock)."""
    done = []
    for collection_round in CollectionRound.objects.order_by("pk"):
        if benchmarks_stale(collection_round):
            benchmarks_recompute(collection_round=collection_round)
            done.append(collection_round.pk)
    return done


def benchmarks_recompute(*, collection_round: CollectionRound) -> int:
    """Recompute the round's benchmarks from its accepted returns; returns the number of rows.

    Missing results are computed first. Rows are upserted on (round, service, indicator, scope,
    scope value) and rows no longer backed by any return are deleted, all in one transaction under
    a per-round lock, so two runs at once or one after another leave the same rows.
    """
    results_compute_many(version_ids=versions_missing_results_in(collection_round))
    with transaction.atomic():
        _lock_round(collection_round)
        # Read before the rows: a return accepted in between makes the stored fingerprint older
        # than the rows, and the sweep recomputes (never the other way round).
        fingerprint = accepted_fingerprint(collection_round)
        rows = _benchmark_rows(collection_round)
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
        BenchmarkRun.objects.update_or_create(
            round=collection_round, defaults={"fingerprint": fingerprint, "computed_at": timezone.now()}
        )
    return len(rows)


def reference_ranges(collection_round: CollectionRound | None) -> dict[tuple[str, str], tuple[float, float]]:
    """The national 5th to 95th percentile of each (service, indicator) in a round, for warnings."""
    if collection_round is None:
        return {}
    return {
        (b.service, b.indicator): (b.p5, b.p95)
        for b in Benchmark.objects.filter(
            round=collection_round, scope=Benchmark.Scope.NATIONAL, n_authorities__gte=MIN_AUTHORITIES
        )
        if b.p5 is not None and b.p95 is not None
    }


def results_analyze() -> None:
    """Refresh PostgreSQL's statistics of the results tables after a national recompute has written
    many rows, so the benchmark queries that follow are planned on their real size (autovacuum would
    do it, later). Elsewhere nothing to do."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE metrics_result, metrics_versionresults")


def versions_missing_results_in(collection_round: CollectionRound) -> list[int]:
    """Current versions of the round's accepted returns that have no stored results yet."""
    return list(
        _accepted(collection_round)
        .filter(current_version__results__isnull=True)
        .values_list("current_version_id", flat=True)
    )


def versions_missing_results(limit: int = 500) -> Iterable[int]:
    """Versions of submitted (or later) returns that have no stored results yet: the sweep's work."""
    return (
        Return.objects.exclude(status=Return.Status.DRAFT)
        .exclude(current_version=None)
        .filter(current_version__results__isnull=True)
        .values_list("current_version_id", flat=True)[:limit]
    )
