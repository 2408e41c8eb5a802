"""The metrics engine's receivers of submissions' signals (connected in MetricsConfig.ready())."""

from __future__ import annotations

from typing import Any

from submissions.models import CollectionRound, ReturnVersion
from submissions.schema import ReturnData

from . import services, tasks


def compute_submitted_version(*, version_id: int, **kwargs: Any) -> None:
    """A return was submitted: compute its results on a worker (the sweep catches a lost message)."""
    tasks.compute_version_results.delay(version_id)


def recompute_round_benchmarks(*, round_id: int, **kwargs: Any) -> None:
    """The round's accepted returns changed: recompute its national benchmarks."""
    tasks.recompute_benchmarks.delay(round_id)


def warning_inputs(*, version: ReturnVersion, data: ReturnData, **kwargs: Any) -> dict[str, Any]:
    """This version's metric values, and the previous round's national reference ranges."""
    record = version.return_record
    previous_round = (
        CollectionRound.objects.filter(opens_on__lt=record.round.opens_on).order_by("-opens_on").first()
    )
    return {
        "metric_values": services.metric_values(data, share=services.population_share(record.authority)),
        "reference_ranges": services.reference_ranges(previous_round),
    }
