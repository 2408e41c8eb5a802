"""Background jobs for results and benchmarks. Each is safe to run twice (see services)."""

from __future__ import annotations

from celery import shared_task
from django.db import InterfaceError, OperationalError

from submissions.models import CollectionRound, ReturnVersion

from . import services

TRANSIENT = (OperationalError, InterfaceError)


@shared_task(acks_late=True, autoretry_for=TRANSIENT, retry_backoff=True, max_retries=5)
def compute_version_results(version_id: int) -> int:
    """Compute and store one version's results (enqueued when a return is submitted)."""
    from actionplans.services import targets_evaluate_for_version

    version = ReturnVersion.objects.select_related("authority", "return_record").get(pk=version_id)
    stored = services.results_compute(version=version)
    targets_evaluate_for_version(version_id)  # action plan targets that wait on these results
    return stored.pk


@shared_task(acks_late=True, autoretry_for=TRANSIENT, retry_backoff=True, max_retries=5)
def recompute_benchmarks(round_id: int | None = None) -> int:
    """Recompute national benchmarks for one round (on acceptance) or every round (nightly)."""
    rounds = (
        CollectionRound.objects.all() if round_id is None else CollectionRound.objects.filter(pk=round_id)
    )
    return sum(services.benchmarks_recompute(collection_round=r) for r in rounds)


@shared_task(acks_late=True, autoretry_for=TRANSIENT, retry_backoff=True, max_retries=3)
def sweep_missing_results() -> int:
    """Every few minutes: compute results that a lost message or a broker outage left undone."""
    done = 0
    for version_id in list(services.versions_missing_results()):
        compute_version_results(version_id)
        done += 1
    return done
