"""Benchmarks computed by two real Celery workers on Redis at once leave the same rows as one run.
Runs in CI (PostgreSQL and Redis); skips locally without them."""

from __future__ import annotations

import redis
from django.conf import settings

from metrics import tasks
from metrics.models import Benchmark
from submissions.demo import _add_return
from submissions.models import Return
from tests.factories import AuthorityFactory, open_round
from tests.workers import require_services, running_workers, wait_for


def _rows() -> list[tuple]:  # type: ignore[type-arg]
    """Every benchmark row's content (not its id: the rows were deleted before the workers ran)."""
    return sorted(
        Benchmark.objects.values_list(
            "service", "indicator", "scope", "scope_value", "n_authorities", "pooled", "distribution", "bands"
        ),
        key=str,
    )


def test_two_workers_at_once_leave_the_same_benchmark_rows(
    transactional_db, analyst, tmp_path, real_broker
) -> None:  # type: ignore[no-untyped-def]
    require_services()
    collection_round = open_round("2025", created_by=analyst)
    regions = ["London", "North West", "South West"]
    for n in range(12):
        authority = AuthorityFactory(region=regions[n % 3])
        _add_return(authority, collection_round, Return.Status.ACCEPTED, analyst, f"w{n}")
    tasks.recompute_benchmarks(collection_round.pk)
    expected = _rows()
    assert len(expected) > 100

    Benchmark.objects.all().delete()
    broker = redis.Redis.from_url(settings.REDIS_URL)
    with running_workers(2, tmp_path) as workers:
        for _ in range(6):
            tasks.recompute_benchmarks.apply_async(args=[collection_round.pk], queue=workers.queue)
        wait_for(lambda: broker.llen(workers.queue) == 0, what="the queue to drain")
        wait_for(
            lambda: workers.log(0).count("succeeded") + workers.log(1).count("succeeded") == 6,
            what="six task runs",
        )
        assert "succeeded" in workers.log(0) and "succeeded" in workers.log(1), "both workers took tasks"
    assert _rows() == expected
