"""The metrics engine's receivers of submissions' signals (connected in MetricsConfig.ready())."""

from __future__ import annotations

import re
from typing import Any

from submissions.models import CollectionRound, ReturnVersion
from submissions.schema import ReturnData
from submissions.validation import MetricName, outlier_message

from . import services, tasks
from .calculations import ALL, compute_results, sentence
from .indicators import INDICATORS, INDICATORS_BY_CODE


def compute_submitted_version(*, version_id: int, **kwargs: Any) -> None:
    """A return was submitted: compute its results on a worker (the sweep catches a lost message)."""
    tasks.compute_version_results.delay(version_id)


def recompute_round_benchmarks(*, round_id: int, **kwargs: Any) -> None:
    """The round's accepted returns changed: recompute its national benchmarks."""
    tasks.recompute_benchmarks.delay(round_id)


def warning_inputs(*, version: ReturnVersion, data: ReturnData, **kwargs: Any) -> dict[str, Any]:
    """This version's metric values, the previous round's national reference ranges, and each
    indicator's name as people read it (warnings never show an internal code such as "m3")."""
    record = version.return_record
    previous_round = (
        CollectionRound.objects.filter(opens_on__lt=record.round.opens_on).order_by("-opens_on").first()
    )
    return {
        "metric_values": services.metric_values(data, share=services.population_share(record.authority)),
        "reference_ranges": services.reference_ranges(previous_round),
        "metric_names": METRIC_NAMES,
    }


def headline_results(*, version: ReturnVersion, data: ReturnData, **kwargs: Any) -> list[dict[str, str]]:
    """Each metric for the council as a whole, in a sentence, for the pages that check a return
    before it is submitted or signed off (worked out from the figures shown, saved or not)."""
    share = services.population_share(version.return_record.authority)
    return [
        {
            "label": f"Metric {INDICATORS_BY_CODE[entry['indicator']].metric}: "
            f"{INDICATORS_BY_CODE[entry['indicator']].title}",
            "sentence": sentence(entry),
        }
        for entry in compute_results(data, population_share=share)
        if entry["service"] == ALL
    ]


METRIC_NAMES = {
    indicator.code: MetricName(
        name=f"metric {indicator.metric} ({indicator.title[0].lower()}{indicator.title[1:]})",
        what="minority ethnic share" if indicator.kind == "share" else "relative likelihood",
        measure=indicator.numerator,
    )
    for indicator in INDICATORS
}


_OLD_OUTLIER = re.compile(
    r"^(?P<service>.+?): (?P<code>m[0-9a-z_]+) is (?P<value>-?[0-9.]+), outside the range of most "
    r"councils in the previous round \((?P<low>-?[0-9.]+) to (?P<high>-?[0-9.]+), the 5th to 95th "
    r"percentile\)\. "
    r"Explain why, or check the figures\.$"
)


def reworded_outlier(message: str) -> str | None:
    """An outlier warning as stored before metrics were named ("Adult social care: m3 is 2.50, ...")
    in today's words, or None when it is not one. Explanations keep the warning's words as they were
    when written, so without this every earlier explanation would read as written about other figures,
    and pages would show the old internal code."""
    match = _OLD_OUTLIER.match(message)
    if match is None or match["code"] not in METRIC_NAMES:
        return None
    bounds = (float(match["low"]), float(match["high"]))
    return outlier_message(match["service"], METRIC_NAMES[match["code"]], float(match["value"]), bounds)
