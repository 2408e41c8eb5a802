"""Shape returns for pages: tables of figures, error rows, history and comparisons. No writes."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse

from .access import ReturnContext
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


#: Task list statuses that need someone to act (shown as a blue tag; others are plain text).
_TO_DO = {"Incomplete", "Not yet started", "Waiting for the senior sponsor", "Waiting for Skills for Care"}


def _task(title: str, href: str, status: str, hint: str) -> dict[str, str]:
    """One row of a GOV.UK task list (includes/task_list.html)."""
    return {
        "title": title,
        "href": href,
        "status": status,
        "hint": hint,
        "tag": "blue" if status in _TO_DO else "",
    }


def _to_explain(status: str) -> bool:
    return status.endswith("to explain")


def return_tasks(
    ctx: ReturnContext,
    record: Return | None,
    *,
    warnings: list,
    unexplained: int,
    blockers: list[str],
    can_edit: bool,
    can_sign_off: bool,
    can_accept: bool,
) -> list[dict[str, str]]:
    """The return as a GOV.UK task list: template, figures, warnings, check and submit, sign-off,
    acceptance, each with where it stands and (for whoever can do it now) a link."""
    args = [ctx.authority.ons_code, ctx.round.label]
    status = record.status if record else None
    has_figures = record is not None and record.current_version_id is not None
    sent = status in (Return.Status.SUBMITTED, Return.Status.SIGNED_OFF, Return.Status.ACCEPTED)
    problems = [b for b in blockers if not b.startswith(("Explain this warning", "Check your explanation"))]

    if not has_figures:
        figures, explaining = "Not yet started", "Cannot start yet"
    else:
        figures = "Incomplete" if problems else "Completed"
        explaining = "No warnings" if not warnings else "Completed"
        if warnings and unexplained and not sent:
            explaining = f"{unexplained} to explain"
    submitting = (
        "Completed" if sent else ("Not yet started" if has_figures and not blockers else "Cannot start yet")
    )
    signing_by_status: dict[str, str] = {
        Return.Status.SUBMITTED: "Waiting for the senior sponsor",
        Return.Status.SIGNED_OFF: "Completed",
        Return.Status.ACCEPTED: "Completed",
    }
    accepting_by_status: dict[str, str] = {
        Return.Status.SIGNED_OFF: "Waiting for Skills for Care",
        Return.Status.ACCEPTED: "Completed",
    }
    signing = signing_by_status.get(status or "", "Cannot start yet")
    accepting = accepting_by_status.get(status or "", "Cannot start yet")

    def url(name: str, allowed: bool) -> str:
        return reverse(f"submissions:{name}", args=args) if allowed else ""

    return [
        _task(
            "Get the template",
            url("template_xlsx", can_edit),
            "Optional",
            "Excel, filled in with your current draft. Or type the figures in, or build them from HR data.",
        ),
        _task(
            "Enter or upload the figures",
            url("upload", can_edit),
            figures,
            "Upload the completed template, or use the links below to type the figures in.",
        ),
        _task(
            "Explain the warnings",
            url("detail", can_edit and bool(warnings)) + ("#warnings" if can_edit and warnings else ""),
            explaining,
            "Unusual figures each need a written explanation.",
        ),
        _task(
            "Check and submit",
            url("submit", can_edit and has_figures and not blockers),
            submitting,
            "Check the figures, warnings and results, then send the return to your senior sponsor.",
        ),
        _task(
            "Senior sponsor's sign-off",
            url("sign_off", can_sign_off),
            signing,
            "The senior sponsor checks the return and signs it off, or returns it for revision.",
        ),
        _task(
            "Acceptance by Skills for Care",
            url("accept", can_accept),
            accepting,
            "Skills for Care checks the return and accepts it into the national figures.",
        ),
    ]
