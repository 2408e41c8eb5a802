"""The summary that opens a council's results and its one-page board summary (pure: no database).

`results_summary` takes a results document's entries (however they were fetched: stored, computed
from a draft, or from a precomputed page document), the council's headline values of the previous
round, and the plan objectives tied to each indicator, and says which metrics are outside the
four-fifths range, which differences are significant, and what changed since the previous round.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .calculations import (
    ADVERSE_TO_MINORITY_ETHNIC,
    ADVERSE_TO_WHITE,
    FOUR_FIFTHS_LABELS,
    INDICATORS,
    format_percent,
    format_ratio,
)
from .indicators import Indicator


def _figure(indicator: Indicator, value: float | None) -> str:
    return format_percent(value) if indicator.kind == "share" else format_ratio(value)


#: A relative likelihood that moved by less than this factor is "about the same" as last round.
SAME_WITHIN = 1.05
#: A metric 1 share that moved by less than this many percentage points is "about the same".
SAME_WITHIN_POINTS = 1.0


SAME = "about the same as last round"
#: A relative likelihood now on the other side of 1, about as far from it as last round (2 then 0.5).
AS_FAR = "as far from equal as last round, but the other way"


@dataclass(frozen=True)
class PlanLink:
    """An objective of the council's action plan tied to an indicator (from the plan's objectives)."""

    indicator: str
    number: int
    text: str
    url: str
    plan_label: str


@dataclass(frozen=True)
class Line:
    indicator: Indicator
    figure: str
    words: str
    objectives: tuple[PlanLink, ...] = ()


@dataclass
class Summary:
    outside: list[Line] = field(default_factory=list)
    significant: list[Line] = field(default_factory=list)
    changes: list[Line] = field(default_factory=list)
    previous_label: str | None = None
    unchanged: list[Indicator] = field(default_factory=list)
    without_objective: list[Indicator] = field(default_factory=list)
    objectives: dict[str, tuple[PlanLink, ...]] = field(default_factory=dict)


def _headline(entry: Mapping[str, Any]) -> float | None:
    if entry["indicator"].startswith("m1_"):
        return (entry.get("share") or {}).get("band")
    value = entry.get("relative_likelihood")
    return float(value) if value is not None else None


def change_words(indicator: Indicator, before: float | None, now: float | None) -> str:
    """How a figure moved since the previous round, in words.

    For a relative likelihood, closer to 1 (equal likelihood) is better whichever way it is read, so
    the distance from 1 is compared on a log scale (0.5 and 2 are equally far from equal: going from
    one to the other is `AS_FAR`). A metric 1 share is not an outcome: only its movement is stated.
    """
    if before is None or now is None:
        return ""
    if indicator.kind == "share":
        points = (now - before) * 100
        if abs(points) < SAME_WITHIN_POINTS:
            return SAME
        return f"{'up' if points > 0 else 'down'} {abs(points):.1f} percentage points"
    if before <= 0 or now <= 0:
        if before == now:
            return SAME
        return "now above 0" if now > 0 else "now 0: no minority ethnic staff had the outcome"
    # Logs to 9 decimal places: the log of 1/x, which rounds, is then exactly minus the log of x, so
    # a change written the other way round is on the same side of every threshold below.
    log_before, log_now = round(math.log(before), 9), round(math.log(now), 9)
    if abs(log_now - log_before) < math.log(SAME_WITHIN):
        return SAME
    # Now on the other side of 1: distances from equal that differ by less than the same factor are
    # the same distance. Without this a ratio and its reciprocal (20 then 0.05) read "further from
    # equal" both ways round, and 7 then 1/7 read "further" or, written as 1/7 then 7, "closer",
    # depending on how 1/7 rounds.
    distance_before, distance_now = abs(log_before), abs(log_now)
    if (log_before < 0) != (log_now < 0) and abs(distance_now - distance_before) < math.log(SAME_WITHIN):
        return AS_FAR
    closer = distance_now < distance_before
    return "closer to equal than last round" if closer else "further from equal than last round"


def results_summary(
    entries: Sequence[Mapping[str, Any]],
    *,
    service: str,
    previous: Mapping[str, float | None] | None = None,
    previous_label: str | None = None,
    objectives: Sequence[PlanLink] = (),
) -> Summary:
    """The summary of one service's results (see the module docstring). `previous`: {indicator code:
    headline value} of the previous round; `objectives`: the plan objectives tied to indicators."""
    by_code = {e["indicator"]: e for e in entries if e["service"] == service}
    linked: dict[str, list[PlanLink]] = {}
    for link in objectives:
        linked.setdefault(link.indicator, []).append(link)
    summary = Summary(
        previous_label=previous_label if previous else None,
        objectives={code: tuple(links) for code, links in linked.items()},
    )
    for indicator in INDICATORS:
        entry = by_code.get(indicator.code)
        if entry is None:
            continue
        value = _headline(entry)
        links = tuple(linked.get(indicator.code, ()))
        figure = _figure(indicator, value)
        band = entry.get("four_fifths")
        if band in (ADVERSE_TO_MINORITY_ETHNIC, ADVERSE_TO_WHITE):
            summary.outside.append(Line(indicator, figure, FOUR_FIFTHS_LABELS[band].lower(), links))
            if not links:
                summary.without_objective.append(indicator)
        if entry.get("significant"):
            low, high = entry.get("ci95") or (None, None)
            more = low is not None and low > 1
            words = (
                f"minority ethnic staff were {'more' if more else 'less'} likely than white staff, "
                f"more than chance alone explains (95% interval {format_ratio(low)} to {format_ratio(high)})"
            )
            summary.significant.append(Line(indicator, figure, words, links))
        if previous:
            words = change_words(indicator, previous.get(indicator.code), value)
            if words == SAME:
                summary.unchanged.append(indicator)
            elif words:
                summary.changes.append(
                    Line(
                        indicator,
                        f"{_figure(indicator, previous.get(indicator.code))} to {figure}",
                        words,
                        links,
                    )
                )
    return summary
