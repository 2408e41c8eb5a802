from __future__ import annotations

import tablib
from django.utils import timezone

from metrics.disclosure import SMALL_COUNT_MAX, SMALL_COUNT_MIN, SUPPRESSED
from metrics.models import VersionResults
from wres_portal.downloads import dataset_csv

from .columns import (
    _INDICATOR_COLUMNS,
    _INDICATOR_ORDER,
    _SERVICE_ORDER,
    COUNCIL_FIGURES,
    _dataset,
    _figures,
    _indicator_labels,
    _xlsx,
)


def council_results_tables(version_results: VersionResults) -> tablib.Dataset:
    """A council's results for one version, in full (authorities see their own figures unsuppressed):
    one row per service and indicator with the counts, rates, relative likelihood, interval, band,
    significance, m1 and m9 shares and gaps, the low-numbers flag and why a figure is not calculable.

    Not for publication as it stands: it is not disclosure-controlled.
    """
    entries = sorted(
        version_results.document["results"],
        key=lambda e: (_SERVICE_ORDER[e["service"]], _INDICATOR_ORDER[e["indicator"]]),
    )
    rows = []
    for entry in entries:
        figures = _figures(entry, council=True)
        rows.append(
            [
                *_indicator_labels(entry["service"], entry["indicator"]),
                *(figures.get(column) for column in COUNCIL_FIGURES),
            ]
        )
    return _dataset("Results", [*_INDICATOR_COLUMNS, *COUNCIL_FIGURES], rows)


def council_results_csv(version_results: VersionResults) -> str:
    """A council's results as CSV (`council_results_tables`)."""
    return dataset_csv(council_results_tables(version_results))


def council_results_xlsx(version_results: VersionResults) -> bytes:
    """A council's results as a workbook: an About sheet (authority, round, version) and the results."""
    version = version_results.version
    about = _dataset(
        "About",
        ["Item", "Value"],
        [
            ["Authority", version_results.authority.name],
            ["ONS code", version_results.authority.ons_code],
            ["Round", version_results.round.label],
            ["Reporting period", version_results.round.period_label],
            ["Version", version.number],
            ["Computed", f"{timezone.localtime(version_results.computed_at):%-d %B %Y %H:%M}"],
            [
                "Note",
                "Your council's own figures in full, small numbers included. They are not "
                f"disclosure-controlled: before publishing them, show counts from {SMALL_COUNT_MIN} to "
                f"{SMALL_COUNT_MAX} as {SUPPRESSED}.",
            ],
        ],
    )
    return _xlsx([about, council_results_tables(version_results)])
