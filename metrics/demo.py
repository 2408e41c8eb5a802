"""Demo data for `make demo` (portal's load_demo): the results of the demo returns and the benchmarks
of every round, computed in-process so the demo needs no worker."""

from __future__ import annotations

from io import TextIOBase

from submissions.models import CollectionRound

from .services import benchmarks_recompute, results_compute_many, versions_missing_results


def load(out: TextIOBase) -> None:
    computed = results_compute_many(version_ids=list(versions_missing_results(limit=10_000)))
    for collection_round in CollectionRound.objects.order_by("opens_on"):
        benchmarks_recompute(collection_round=collection_round)
    out.write(f"Results computed for {computed} return versions; benchmarks for every round.\n")
