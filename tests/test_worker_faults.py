"""Worker faults (issue 6), with real Celery workers on Redis and PostgreSQL (CI; skipped locally
without them):

1. A worker SIGKILLed in the middle of computing a version's results: the task was acknowledged
   late, so its message is still held by Redis; after the visibility timeout a newly started
   worker gets it again and the results are stored once, with no duplicate rows.
2. With Redis unreachable, a council still submits its return (the task is enqueued after commit,
   robustly, and the failure is only logged); once Redis is back, the periodic sweep computes the
   missing results.
"""

from __future__ import annotations

import signal
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from django.urls import reverse

from audit.models import VersionResultsHistory
from metrics import tasks
from metrics.calculations import compute_results
from metrics.models import Result, VersionResults
from metrics.services import population_share
from submissions import services as submission_services
from submissions.demo import _add_return
from submissions.models import Return, ReturnVersion
from tests.factories import AuthorityFactory, open_round, valid_data
from tests.workers import require_services, running_workers, start_worker, wait_for

#: Nothing listens here: the broker and the cache "are down".
DEAD_REDIS = "redis://127.0.0.1:6390/0"
VISIBILITY_TIMEOUT = 3  # seconds, for the workers these tests start (production: one hour)


def _stored_once(version: ReturnVersion) -> None:
    """Exactly one results document and one row per indicator, matching an in-process computation."""
    assert VersionResults.objects.filter(version=version).count() == 1
    expected = compute_results(version.data(), population_share=population_share(version.authority))
    rows = list(Result.objects.filter(version=version).values_list("service", "indicator"))
    assert len(rows) == len(set(rows)) == len(expected)
    assert VersionResults.objects.get(version=version).document["results"] == expected


def test_a_worker_killed_mid_computation_is_replaced_and_the_results_are_stored_once(
    transactional_db, analyst, tmp_path, real_broker
) -> None:
    require_services()
    authority = AuthorityFactory.create()
    _add_return(authority, open_round(created_by=analyst), Return.Status.SUBMITTED, analyst, "kill")
    version = Return.objects.get(authority=authority).current()
    assert not VersionResults.objects.filter(version=version).exists()

    queue = f"wres-test-{uuid.uuid4().hex[:8]}"
    fast = {"CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT)}
    slow_log, next_log = tmp_path / "slow.log", tmp_path / "next.log"
    slow = start_worker(queue, f"slow-{queue}", slow_log, {**fast, "WRES_TEST_TASK_DELAY": "120"})
    try:
        tasks.compute_version_results.apply_async(args=(version.pk,), queue=queue)
        wait_for(lambda: "WRES_TEST_TASK_DELAY: pausing" in slow_log.read_text(), what="the task to start")
        # Computed but not stored: kill the worker now, as a crash or an out-of-memory kill would.
        slow.send_signal(signal.SIGKILL)
        slow.wait(timeout=10)
    finally:
        if slow.poll() is None:
            slow.kill()
    assert "succeeded" not in slow_log.read_text()
    assert not VersionResults.objects.filter(version=version).exists()

    time.sleep(VISIBILITY_TIMEOUT + 1)  # the unacknowledged message becomes visible again
    replacement = start_worker(queue, f"next-{queue}", next_log, fast)
    try:
        wait_for(lambda: "succeeded" in next_log.read_text(), timeout=90, what="the redelivered task")
    finally:
        replacement.send_signal(signal.SIGTERM)
        replacement.wait(timeout=20)
    _stored_once(version)
    # The audit trail recorded the one insert, made by the task.
    events = VersionResultsHistory.objects.filter(version_id=version.pk)
    assert [(e.pgh_label, e.pgh_context["source"]) for e in events] == [
        ("insert", "task:metrics.tasks.compute_version_results")
    ]


@contextmanager
def redis_down(app, settings) -> Iterator[None]:
    """Point the web side's broker and cache at a port where nothing listens, then back."""
    saved_broker, saved_caches = app.conf.broker_url, settings.CACHES

    def use(broker_url: str) -> None:
        app.conf.broker_url = broker_url
        app._pool = None  # new connections on the next publish
        app.amqp._producer_pool = None

    use(DEAD_REDIS)
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": DEAD_REDIS}
    }
    try:
        yield
    finally:
        use(saved_broker)
        settings.CACHES = saved_caches


def test_with_redis_down_a_council_submits_and_the_sweep_computes_results_once_it_is_back(
    transactional_db, client, settings, authority_a, alice, analyst, tmp_path, real_broker, caplog
) -> None:
    require_services()
    collection_round = open_round(created_by=analyst)
    record = submission_services.return_get_or_create(
        authority=authority_a, collection_round=collection_round
    )
    submission_services.draft_save(
        record=record, data=valid_data(), user=alice, source=ReturnVersion.Source.WEB
    )
    for warning in submission_services.version_warnings(Return.objects.get(pk=record.pk).current()):
        submission_services.warning_explain(record=record, key=warning.key, text="Checked.", user=alice)

    client.force_login(alice)
    url = reverse("submissions:submit", args=[authority_a.ons_code, collection_round.label])
    seen = Return.objects.get(pk=record.pk).current().number  # the version the page was rendered from
    with redis_down(real_broker, settings):
        started = time.monotonic()
        response = client.post(url, {"version": seen})
        elapsed = time.monotonic() - started
    assert response.status_code in (200, 302)
    assert elapsed < 10, f"submitting took {elapsed:.0f} s with the broker down"
    record.refresh_from_db()
    assert record.status == Return.Status.SUBMITTED
    version = record.current()
    assert not VersionResults.objects.filter(version=version).exists()
    # The enqueue failed after commit and was only logged (the signal is sent with send_robust).
    assert "compute_submitted_version in Signal.send_robust()" in caplog.text

    # Redis is back: the sweep (every 10 minutes from beat) finds the version and computes it.
    with running_workers(1, tmp_path) as workers:
        tasks.sweep_missing_results.apply_async(queue=workers.queue)
        wait_for(
            lambda: VersionResults.objects.filter(version=version).exists(), timeout=90, what="the sweep"
        )
        wait_for(lambda: "succeeded" in workers.log(0), what="the sweep to finish")
    _stored_once(version)
