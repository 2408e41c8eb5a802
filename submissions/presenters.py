"""Shape returns for pages: tables of figures, error rows, history and comparisons. No writes."""

from __future__ import annotations

from dataclasses import dataclass

from .models import Return, ReturnEvent, ReturnVersion
from .schema import (
    GROUPS,
    MEASURES_BY_CODE,
    PAY_BAND_LABELS,
    SERVICE_LABELS,
    ReturnData,
    RowKey,
    all_row_keys,
)


def _row_label(key: RowKey) -> str:
    label = MEASURES_BY_CODE[key.measure].label
    return f"{label}: {PAY_BAND_LABELS[key.pay_band]}" if key.pay_band else label


def data_tables(data: ReturnData) -> list[dict[str, object]]:
    """One table per submitted service, rows in template order."""
    tables: list[dict[str, object]] = []
    rows: list[dict[str, object]]
    for service in ("adults", "children"):
        rows, seen = [], set()
        for key in all_row_keys():
            if key.service == service and key in data:
                # The first row of each measure can be linked to (a warning's "see the figures").
                anchor = f"figures-{service}-{key.measure}" if key.measure not in seen else ""
                seen.add(key.measure)
                rows.append(
                    {"label": _row_label(key), "counts": [data[key][g] for g in GROUPS], "id": anchor}
                )
        if rows:
            tables.append({"service": service, "label": SERVICE_LABELS[service], "rows": rows})
    return tables


def problem_rows(problems: list) -> list[dict[str, object]]:
    """Problems as plain rows for the error table, its CSV and the cache (JSON-safe)."""

    def order(problem) -> tuple[int, str, int, str]:
        place = problem.place
        if place is None:
            return (1, "", 0, "")
        return (0, place.sheet or "", place.row or 0, place.column or "")

    rows = []
    for number, problem in enumerate(sorted(problems, key=order), start=1):
        place = problem.place
        rows.append(
            {
                "id": f"problem-{number}",
                "sheet": (place.sheet if place else None) or "",
                "row": (place.row if place else None) or "",
                "column": (place.column if place else None) or "",
                "message": problem.message,
                "fix": problem.fix,
            }
        )
    return rows


@dataclass
class HistoryEntry:
    version: ReturnVersion
    events: list[ReturnEvent]


def version_history(record: Return) -> list[HistoryEntry]:
    """Every version, newest first, with the events that happened to it (two queries)."""
    versions = list(record.versions.select_related("created_by").order_by("-number"))
    events: dict[int, list[ReturnEvent]] = {}
    for event in record.events.select_related("actor").order_by("at", "id"):
        events.setdefault(event.version_id, []).append(event)
    return [HistoryEntry(v, events.get(v.pk, [])) for v in versions]


def compare_rows(a: ReturnData, b: ReturnData) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for key in all_row_keys():
        if key not in a and key not in b:
            continue
        left, right = a.get(key), b.get(key)
        rows.append(
            {
                "service": SERVICE_LABELS[key.service],
                "label": _row_label(key),
                "cells": [
                    {
                        "a": left[g] if left else None,
                        "b": right[g] if right else None,
                        "changed": (left[g] if left else None) != (right[g] if right else None),
                    }
                    for g in GROUPS
                ],
            }
        )
    return rows
