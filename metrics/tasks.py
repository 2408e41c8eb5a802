"""Background jobs for results and benchmarks. Each is safe to run twice (see services)."""

from __future__ import annotations

from celery import shared_task
from django.db import InterfaceError, OperationalError

from accounts.models import User
from submissions.models import CollectionRound, ReturnVersion

from . import documents, results_file, services
from .releases import services as release_services
from .signals import results_stored

TRANSIENT = (OperationalError, InterfaceError)


@shared_task(acks_late=True, autoretry_for=TRANSIENT, retry_backoff=True, max_retries=5)
def compute_version_results(version_id: int) -> int:
    """Compute and store one version's results (enqueued when a return is submitted)."""
    version = ReturnVersion.objects.select_related("authority", "return_record").get(pk=version_id)
    stored = services.results_compute(version=version)
    results_stored.send(sender=None, version_ids=[version_id])  # e.g. action plan targets waiting on them
    documents.results_page_documents_build([version_id])  # the council will look at its page next
    return stored.pk


@shared_task(acks_late=True, autoretry_for=TRANSIENT, retry_backoff=True, max_retries=5)
def compute_results_batch(version_ids: list[int]) -> int:
    """Compute and store the results of a batch of versions (a part of a national recompute)."""
    computed = services.results_compute_many(version_ids=version_ids)
    results_stored.send(sender=None, version_ids=version_ids)  # e.g. action plan targets waiting on them
    return computed


#: Versions per batch task, and how often (seconds) and how many times a national recompute comes
#: back to see whether the workers have stored every batch before it computes the benchmarks.
RESULTS_BATCH = 500
WAIT_SECONDS = 0.5
MAX_WAITS = 1200


@shared_task(bind=True, acks_late=True, autoretry_for=TRANSIENT, retry_backoff=True, max_retries=5)
def recompute_round(self, round_id: int, waits: int = 0, batch_size: int = RESULTS_BATCH) -> int:
    """A full national recompute of one round, spread over every free worker: the accepted returns
    still without results are split into batches (one task each), and this task comes back every
    WAIT_SECONDS until they are all stored, then recomputes the benchmarks (which computes anything
    still missing itself, so a lost batch only makes it slower). Safe to run twice: batches skip
    stored results and benchmarks are upserted under a per-round lock. Returns the benchmark rows
    written, or 0 when it has handed over to a later run of itself."""
    collection_round = CollectionRound.objects.get(pk=round_id)
    queue = (self.request.delivery_info or {}).get("routing_key")  # the queue it came on
    on_queue = {"queue": queue} if queue else {}
    missing = services.versions_missing_results_in(collection_round)
    if missing and waits == 0:
        for start in range(0, len(missing), batch_size):
            compute_results_batch.apply_async((missing[start : start + batch_size],), **on_queue)
        missing = services.versions_missing_results_in(collection_round)
    if missing and waits < MAX_WAITS:
        recompute_round.apply_async((round_id, waits + 1, batch_size), countdown=WAIT_SECONDS, **on_queue)
        return 0
    if waits:
        services.results_analyze()  # the batches wrote many rows: plan the benchmark queries on them
    written = services.benchmarks_recompute(collection_round=collection_round)
    build_dashboards.apply_async((round_id,), **on_queue)
    return written


@shared_task(acks_late=True, autoretry_for=TRANSIENT, retry_backoff=True, max_retries=5)
def recompute_benchmarks(round_id: int | None = None) -> int:
    """Recompute national benchmarks for one round (on acceptance) or every round (nightly)."""
    rounds = (
        CollectionRound.objects.all() if round_id is None else CollectionRound.objects.filter(pk=round_id)
    )
    written = 0
    for collection_round in rounds:
        written += services.benchmarks_recompute(collection_round=collection_round)
        build_dashboards.delay(collection_round.pk)
    return written


@shared_task(acks_late=True, autoretry_for=TRANSIENT, retry_backoff=True, max_retries=5)
def build_dashboards(round_id: int) -> int:
    """Build a round's dashboard documents and its indicator pages' summaries for England ahead of
    the analysts, once its benchmarks have changed (issue 18), and ask for its national results
    file (`metrics.results_file`). Safe to run twice: each document is upserted, and a page that
    finds one stale (a later recompute) builds it again itself."""
    collection_round = CollectionRound.objects.get(pk=round_id)
    built = documents.dashboard_documents_build(collection_round)
    built += documents.indicator_documents_build(collection_round)
    # The accepted returns changed: the national results file too, built on a worker of its own.
    found = results_file.stored(collection_round)
    if found is not None and found[1] is None:
        results_file.build_later(collection_round, found[0])
    return built


@shared_task(acks_late=True, autoretry_for=TRANSIENT, retry_backoff=True, max_retries=3)
def sweep_missing_results() -> int:
    """Every few minutes: compute results that a lost message or a broker outage left undone."""
    done = 0
    for version_id in list(services.versions_missing_results()):
        compute_version_results(version_id)
        done += 1
    return done


@shared_task(acks_late=True, autoretry_for=TRANSIENT, retry_backoff=True, max_retries=3)
def sweep_stale_benchmarks() -> int:
    """Every few minutes: recompute any round whose benchmarks were not built from its current
    accepted versions (benchmarks are a pure function of the accepted returns)."""
    recomputed = services.benchmarks_sweep()
    for round_id in recomputed:
        build_dashboards.delay(round_id)
    return len(recomputed)


@shared_task(acks_late=True, autoretry_for=TRANSIENT, retry_backoff=True, max_retries=5)
def make_release(round_id: int, user_id: int, note: str, number: int) -> int:
    """Make release `number` of a round (building and auditing a national release takes longer than a
    web request may). Safe to run twice: a second run finds release `number` made and returns it."""
    try:
        release = release_services.release_create(
            collection_round=CollectionRound.objects.get(pk=round_id),
            user=User.objects.get(pk=user_id),
            note=note,
            expected_number=number,
        )
    finally:
        release_services.release_making_done(round_id)
    return release.pk


@shared_task(acks_late=True, autoretry_for=TRANSIENT, retry_backoff=True, max_retries=3)
def build_results_file(round_id: int, key: str) -> bool:
    """Build and store the gzip of a round's unfiltered results CSV under `key`, if that is still its
    key (asked by a download that found none; `metrics.results_file`). Safe to run twice: a second
    run finds it stored, or the key moved on, and does nothing."""
    collection_round = CollectionRound.objects.filter(pk=round_id).first()
    return collection_round is not None and results_file.build(collection_round, key)
