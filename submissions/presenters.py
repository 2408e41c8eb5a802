"""Shape returns for pages: tables of figures, error rows, history and comparisons. No writes."""

from __future__ import annotations

import datetime
import functools
import html
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils.dateformat import format as date_format
from django.utils.safestring import SafeString, mark_safe

from accounts.models import Region
from wres_portal.reverse_cache import reverser

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


# The completeness monitor's rows (issue 18) ---------------------------------------------------------
#
# Hand-written HTML, for speed: a list page shows 50 rows of five or six cells, and rendered by a
# template loop each cell's variable lookups, filters and tags cost more CPU than the rest of the page
# together (format_html per row still spent most of its time in Django's lazy-aware escape wrapper).
# Each row is one str.format of a fixed template; every value from the database goes through `text`
# (html.escape with quotes, exactly what Django's escape and the templates' autoescaping do), and
# only fixed markup of ours goes in unescaped. The whitespace is the template loop's own, so the page
# a user gets is byte for byte what the template gave (tests/portal/test_list_rows.py).

#: A return's status as a GOV.UK tag: (colour, text) by status; anything else is "Not started".
STATUS_TAGS = {
    "accepted": ("green", "Accepted"),
    "signed_off": ("turquoise", "Signed off"),
    "submitted": ("blue", "Submitted"),
    "draft": ("yellow", "Draft"),
}
_TAG_HTML = {
    status: mark_safe(f'<strong class="govuk-tag govuk-tag--{colour}">{text}</strong>')  # noqa: S308  # fixed text
    for status, (colour, text) in [*STATUS_TAGS.items(), ("", ("grey", "Not started"))]
}


def status_tag(status: str) -> SafeString:
    """A return's status as a GOV.UK tag (submissions/_status_tag.html gives the same)."""
    return _TAG_HTML.get(status, _TAG_HTML[""])


def text(value: object) -> str:
    """`value` as HTML text: Django's escape() (and so `{{ value }}`), without its lazy-string wrapper."""
    return html.escape(str(value))


#: What the rows of a list read of each council: `.values(*fields)` spares a model instance a row.
MONITOR_ROW_FIELDS = ("ons_code", "name", "region", "return_status", "return_late", "closes")

_REGIONS: dict[str, str] = dict(Region.choices)
_LATE = ' <strong class="govuk-tag govuk-tag--orange">Late</strong>'
_MONITOR_ROW = (
    '\n    <tr class="govuk-table__row">'
    '\n      <td class="govuk-table__cell"><a class="govuk-link" href="{detail}">{name}</a></td>'
    '\n      <td class="govuk-table__cell">{region}</td>'
    '\n      <td class="govuk-table__cell">{tag}{late}</td>'
    '\n      <td class="govuk-table__cell">{closes}</td>'
    '\n      <td class="govuk-table__cell">{extend}</td>'
    "\n    </tr>\n    "
)
_EXTEND = (
    '<a class="govuk-link" href="{}">Extend'
    '<span class="govuk-visually-hidden"> the closing date for {}</span></a>'
)
_NO_MATCH = (
    '\n    <tr class="govuk-table__row"><td class="govuk-table__cell" colspan="{}">'
    "No authority matches these filters.</td></tr>\n    "
)


def table_body(rows: Iterable[str], columns: int) -> SafeString:
    """Rows made by a list's row function (escaped there) as the table's body; the no-match row,
    spanning its `columns`, when there is none."""
    return mark_safe("".join(rows) or _NO_MATCH.format(columns))  # noqa: S308  # values escaped by `text`


def region_label(region: str) -> str:
    """`get_region_display()`: the region's label, or the stored value when it is not a choice."""
    return _REGIONS.get(region, region)


@functools.lru_cache(maxsize=512)
def short_date(day: datetime.date) -> str:
    """`{{ day|date:"j M Y" }}` (1 Jan 2026). Many rows share a closing date: formatted once each."""
    return date_format(day, "j M Y")


def _monitor_row(
    row: Mapping[str, Any], round_label: str, detail: Callable[..., str], extend: Callable[..., str]
) -> str:
    name = text(row["name"])
    extend_link = ""
    if row["return_status"] != Return.Status.ACCEPTED:
        extend_link = _EXTEND.format(text(extend(row["ons_code"], round_label)), name)
    return _MONITOR_ROW.format(
        detail=text(detail(row["ons_code"], round_label)),
        name=name,
        region=text(region_label(row["region"])),
        tag=status_tag(row["return_status"]),
        late=_LATE if row["return_late"] else "",
        closes=text(short_date(row["closes"])) if row["closes"] else "",
        extend=extend_link,
    )


def monitor_rows(rows: Iterable[Mapping[str, Any]], round_label: str) -> SafeString:
    """The completeness monitor's table body (templates/submissions/monitor.html): one row per
    council of `rows` (dicts of MONITOR_ROW_FIELDS), the no-match row when there is none."""
    detail, extend = reverser("submissions:detail", 2), reverser("submissions:extend", 2)
    return table_body((_monitor_row(row, round_label, detail, extend) for row in rows), 5)
