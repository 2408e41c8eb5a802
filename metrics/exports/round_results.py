"""Every council's results for a round as one table (analysts' bulk download): one row per council,
service and indicator, with the council's figures in full, as each council's own results file has
them. For Skills for Care staff only: not disclosure-controlled, never published."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import tablib

from .columns import (
    _INDICATOR_COLUMNS,
    _INDICATOR_ORDER,
    _SERVICE_ORDER,
    COUNCIL_FIGURES,
    _dataset,
    _figures,
    _indicator_labels,
    _text,
)

COUNCIL_COLUMNS = ["Authority", "Authority name", "Region", "Authority type", "Return status", "Version"]


#: The table's columns, in order.
ROUND_RESULTS_HEADERS = [*COUNCIL_COLUMNS, *_INDICATOR_COLUMNS, *COUNCIL_FIGURES]


def round_results_rows(
    councils: Iterable[tuple[Mapping[str, Any], list[dict[str, Any]] | None]],
) -> Iterator[list[Any]]:
    """`councils`: for each council, its facts (`COUNCIL_COLUMNS` by key: authority, the ONS code
    as everywhere in the API; authority_name, region, authority_type, status, version) and its
    results entries (None while not yet computed: one row saying so). The table's rows, each cell
    as the table holds it, one council at a time (the national CSV streams them, issue 18)."""
    for council, entries in councils:
        facts = [
            council["authority"],
            council["authority_name"],
            council["region"],
            council["authority_type"],
            council["status"],
            council["version"],
        ]
        if entries is None:
            yield [
                _text(value)
                for value in [
                    *facts,
                    *([""] * len(_INDICATOR_COLUMNS)),
                    *([""] * (len(COUNCIL_FIGURES) - 1)),
                    "Results not computed yet",
                ]
            ]
            continue
        for entry in sorted(
            entries, key=lambda e: (_SERVICE_ORDER[e["service"]], _INDICATOR_ORDER[e["indicator"]])
        ):
            figures = _figures(entry, council=True)
            yield [
                _text(value)
                for value in [
                    *facts,
                    *_indicator_labels(entry["service"], entry["indicator"]),
                    *(figures.get(column) for column in COUNCIL_FIGURES),
                ]
            ]


def round_results_table(
    councils: Iterable[tuple[Mapping[str, Any], list[dict[str, Any]] | None]],
) -> tablib.Dataset:
    """The rows of `round_results_rows` as one table."""
    return _dataset("Results", ROUND_RESULTS_HEADERS, round_results_rows(councils))
