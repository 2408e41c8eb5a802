"""Benchmarks computed by two real Celery workers on Redis at once leave the same rows as one run.
Runs in CI (PostgreSQL and Redis); skips locally without them."""

from __future__ import annotations

import redis
from django.conf import settings

from metrics import services, tasks
from metrics.models import Benchmark
from submissions.demo import _add_return
from submissions.models import Return
from tests.factories import AuthorityFactory, open_round
from tests.workers import require_services, running_workers, wait_for


def _rows() -> list[tuple]:
    """Every benchmark row's content (not its id: the rows were deleted before the workers ran)."""
    return sorted(
        Benchmark.objects.values_list(
            "service", "indicator", "scope", "scope_value", "n_authorities", "pooled", "distribution", "bands"
        ),
        key=str,
    )


def test_two_workers_at_once_leave_the_same_benchmark_rows(
    transactional_db, analyst, tmp_path, real_broker
) -> None:
    require_services()
    collection_round = open_round("2025", created_by=analyst)
    regions = ["London", "North West", "South West"]
    for n in range(12):
        authority = AuthorityFactory.create(region=regions[n % 3])
        _add_return(authority, collection_round, Return.Status.ACCEPTED, analyst, f"w{n}")
    tasks.recompute_benchmarks(collection_round.pk)
    expected = _rows()
    assert len(expected) > 100

    Benchmark.objects.all().delete()
    broker = redis.Redis.from_url(settings.REDIS_URL)
    with running_workers(2, tmp_path) as workers:
        for _ in range(6):
            tasks.recompute_benchmarks.apply_async(args=(collection_round.pk,), queue=workers.queue)
        wait_for(lambda: broker.llen(workers.queue) == 0, what="the queue to drain")
        wait_for(
            lambda: workers.log(0).count("succeeded") + workers.log(1).count("succeeded") == 6,
            what="six task runs",
        )
        assert "succeeded" in workers.log(0) and "succeeded" in workers.log(1), "both workers took tasks"
    assert _rows() == expected


def _results() -> list[tuple]:
    from metrics.models import Result, VersionResults

    return sorted(
        [
            *VersionResults.objects.values_list("version_id", "document"),
            *Result.objects.values_list("version_id", "service", "indicator", "value", "four_fifths"),
        ],
        key=str,
    )


def test_a_national_recompute_spread_over_two_workers_stores_everything_once(
    transactional_db, analyst, tmp_path, real_broker
) -> None:
    """recompute_round fans the missing results out in batches, waits for them, then computes the
    benchmarks: the same rows as computing everything in one process, each result stored once."""
    from metrics.models import Result, VersionResults

    require_services()
    collection_round = open_round("2025", created_by=analyst)
    for n in range(9):
        _add_return(AuthorityFactory.create(), collection_round, Return.Status.ACCEPTED, analyst, f"r{n}")
    services.benchmarks_recompute(collection_round=collection_round)  # the reference, in one process
    expected_results, expected_rows = _results(), _rows()
    assert VersionResults.objects.count() == 9 and len(expected_rows) > 30

    Benchmark.objects.all().delete()
    Result.objects.all().delete()
    VersionResults.objects.all().delete()
    with running_workers(2, tmp_path) as workers:
        # Batches of two: five batch tasks for the two workers.
        tasks.recompute_round.apply_async(
            args=(collection_round.pk,), kwargs={"batch_size": 2}, queue=workers.queue
        )
        wait_for(lambda: Benchmark.objects.exists(), timeout=120, what="the benchmarks")
        logs = workers.log(0) + workers.log(1)
    assert _results() == expected_results
    assert _rows() == expected_rows
    assert logs.count("compute_results_batch") >= 5
