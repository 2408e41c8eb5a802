"""Warnings of spec section 2: stored, shown, and needing a written explanation before submission."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from submissions.schema import EVENT_MEASURES, GROUPS, SERVICE_LABELS, Counts, ReturnData, RowKey, services_in

UNKNOWN_SHARE_LIMIT = 0.10
HEADCOUNT_CHANGE_LIMIT = 0.30


#: What the council might write, for each kind of warning: an example that fits it.
HINTS = {
    "unknown_share": "If the figures are right, say why so many staff have no recorded ethnicity (for "
    "example, a new HR system that has not asked staff yet) and what you are doing about it. If they are "
    "wrong, correct the return instead.",
    "headcount_change": "If the figures are right, say why the headcount changed so much (for example, a "
    "restructure moved staff between services, or a service was brought in-house). If they are wrong, "
    "correct the return instead.",
    "no_events": "If the figures are right, say why nothing was recorded (for example, a small service "
    "with no recruitment, disciplinaries or leavers in the year). If they are wrong, correct the return "
    "instead.",
    "metric_outlier": "If the figures are right, say why this council is unusual (for example, a few cases "
    "among a small number of staff, or a recruitment campaign aimed at minority ethnic candidates). If "
    "they are wrong, correct the return instead.",
}


def warning_hint(code: str) -> str:
    """What to write about a warning of this kind, with an example that fits it."""
    return HINTS.get(
        code, "If the figures are right, say why. If they are wrong, correct the return instead."
    )


@dataclass(frozen=True)
class MetricName:
    """How a warning names an indicator to people (given by the metrics app, which owns the names):
    `name` such as "metric 3 (entering the formal disciplinary process)", `what` the value compared
    ("relative likelihood"), and `measure` the figures it is worked out from ("disciplinary")."""

    name: str
    what: str
    measure: str


@dataclass(frozen=True)
class ReturnWarning:
    """Something unusual that needs a written explanation before submission.

    `key` is stable across versions (for example "unknown_share:adults:headcount"), so an explanation
    stays attached while the warning still applies. `measure` names the row of figures the warning is
    about, for a link to them.
    """

    code: str
    message: str
    service: str | None
    key: str
    measure: str = ""

    @property
    def hint(self) -> str:
        return warning_hint(self.code)

    @property
    def figures_anchor(self) -> str:
        """The id of the figures the warning is about on the return's page (see _figures.html)."""
        if self.service in ("adults", "children") and self.measure:
            return f"figures-{self.service}-{self.measure}"
        if self.service in ("adults", "children"):
            return f"figures-{self.service}"
        return "figures"


def compute_warnings(
    data: ReturnData,
    *,
    previous_headcount: dict[str, int] | None,
    metric_values: Mapping[tuple[str, str], float | None] | None = None,
    reference_ranges: Mapping[tuple[str, str], tuple[float, float]] | None = None,
    metric_names: Mapping[str, MetricName] | None = None,
) -> list[ReturnWarning]:
    """The warnings for valid data.

    `previous_headcount`: each service's total headcount in the authority's previous round (None or a
    missing service: no comparison). `metric_values`: (service, indicator) -> this return's value;
    `reference_ranges`: (service, indicator) -> the previous round's national 5th and 95th percentiles;
    `metric_names`: indicator -> how to name it (a metric without one is called "one of the metrics").
    """
    warnings: list[ReturnWarning] = []
    for service in services_in(data):
        warnings += _unknown_share(data, service)
        warnings += _headcount_change(data, service, (previous_headcount or {}).get(service))
        warnings += _no_events(data, service)
    warnings += _metric_outliers(metric_values or {}, reference_ranges or {}, metric_names or {})
    return warnings


def _headcount(data: ReturnData, service: str) -> Counts:
    return data.get(RowKey(service, "headcount"), {})


def _unknown_share(data: ReturnData, service: str) -> list[ReturnWarning]:
    """Unknown above 10% of the headcount (all three groups)."""
    counts = _headcount(data, service)
    total, unknown = sum(counts.get(g, 0) for g in GROUPS), counts.get("unknown", 0)
    if not total or unknown / total <= UNKNOWN_SHARE_LIMIT:
        return []
    return [
        ReturnWarning(
            "unknown_share",
            f"{SERVICE_LABELS[service]}: ethnicity is unknown for {unknown / total:.1%} of staff "
            f"({unknown:,} of {total:,}), more than 10%. Explain why it is not recorded for so many staff.",
            service,
            f"unknown_share:{service}:headcount",
        )
    ]


def _headcount_change(data: ReturnData, service: str, before: int | None) -> list[ReturnWarning]:
    """Headcount (all groups) changed by more than 30% since the previous round."""
    now = sum(_headcount(data, service).get(g, 0) for g in GROUPS)
    if before is None or now == before or (before and abs(now - before) / before <= HEADCOUNT_CHANGE_LIMIT):
        return []
    change = f" ({(now - before) / before:+.1%})" if before else ""
    return [
        ReturnWarning(
            "headcount_change",
            f"{SERVICE_LABELS[service]}: the headcount changed from {before:,} in the previous round to "
            f"{now:,}{change}, more than 30%. Explain the change.",
            service,
            f"headcount_change:{service}",
        )
    ]


def _no_events(data: ReturnData, service: str) -> list[ReturnWarning]:
    """Every event count of the service is 0."""
    if any(data.get(RowKey(service, m), {}).get(g, 0) for m in EVENT_MEASURES for g in GROUPS):
        return []
    return [
        ReturnWarning(
            "no_events",
            f"{SERVICE_LABELS[service]}: every event count is 0 (shortlisting, appointments, disciplinary, "
            "fitness-to-practise referrals, CPD, harassment and leavers). Explain why, or check the figures.",
            service,
            f"no_events:{service}",
        )
    ]


def _metric_outliers(
    values: Mapping[tuple[str, str], float | None],
    ranges: Mapping[tuple[str, str], tuple[float, float]],
    names: Mapping[str, MetricName],
) -> list[ReturnWarning]:
    """A metric value outside the previous round's national 5th to 95th percentile."""
    warnings = []
    for (service, indicator), value in sorted(values.items()):
        bounds = ranges.get((service, indicator))
        if value is None or bounds is None or bounds[0] <= value <= bounds[1]:
            continue
        named = names.get(indicator) or MetricName("one of the metrics", "value", "")
        warnings.append(
            ReturnWarning(
                "metric_outlier",
                outlier_message(SERVICE_LABELS.get(service, service), named, value, bounds),
                service,
                f"metric_outlier:{service}:{indicator}",
                measure=named.measure,
            )
        )
    return warnings


def outlier_message(service_label: str, named: MetricName, value: float, bounds: tuple[float, float]) -> str:
    """The words of a metric outlier warning (also used to reword explanations stored earlier)."""
    return (
        f"{service_label}, {named.name}: the {named.what} is {value:.2f}, outside the range of most "
        f"councils in the previous round ({bounds[0]:.2f} to {bounds[1]:.2f}, the 5th to 95th percentile). "
        "Explain why, or check the figures."
    )
