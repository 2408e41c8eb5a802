"""Analysts' view of action plans across councils: who has a signed-off plan, objectives by WRES
theme, RAG counts by theme, and overdue quarterly reports. A fixed number of queries; the list of
councils is searched, sorted and paged by the database (issue 18: 7.3 MB and 974 ms at 20,000 when
it listed every council), and the counts are read from a document stored for the plans version and
day (`summary`: counting them took about 300 ms at 20,000 councils)."""

from __future__ import annotations

import datetime
import functools
from collections import Counter
from collections.abc import Iterable
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from accounts.access import require_national
from accounts.http import AuthenticatedHttpRequest
from accounts.models import User
from wres_portal.listing import (
    Column,
    CompiledList,
    Sorted,
    compiled_sorted_page,
    order_by,
    pages,
    paginate,
    sorted_page,
)

from . import presenters, selectors, summary
from .forms import PlanListFilterForm
from .models import Quarter, Rag
from .themes import Theme, theme_label

#: The national list's sortable columns (wres_portal.listing): name, region, plan, sign-off, published.
COUNCIL_COLUMNS = [
    Column("council", "Council", ("name", "pk")),
    Column("region", "Region", ("region", "name", "pk")),
    Column("plan", "Plan", ("plan_rank", "name", "pk")),
    Column("signed", "Signed off", ("plan_signed_on", "name", "pk")),
    Column("published", "Published", ("plan_published", "name", "pk")),
]


#: Values no row has, standing for each request's plan year, region and plan state in the list of
#: councils compiled once per process (`_council_list`); the year within the column's range.
_YEAR_SLOT, _REGION_SLOT, _PLAN_SLOT = 2_147_483_017, "slot:region", "slot:plan"


@functools.cache
def _council_list(shape: tuple[bool, bool], key: str, descending: bool) -> CompiledList:
    """The national list's rows for a `shape` (whether region and plan state are filtered on),
    sorted by column `key`, compiled once per process (`CompiledList`): compiling the ORM's query
    (a FilteredRelation join and four annotations) cost about 2 ms of CPU a request (issue 18). For
    national users, who see every council (the view requires one)."""
    region, plan = shape
    national = User(pk=-613_402_790, national_role=User.NationalRole.ANALYST)
    rows = selectors.councils_and_plans(
        national, _YEAR_SLOT, region=_REGION_SLOT if region else "", plan=_PLAN_SLOT if plan else ""
    )
    return CompiledList(order_by(rows, COUNCIL_COLUMNS, Sorted(key, descending, [])))


def opening_quarter(year: int, current: Quarter, latest_reported: Quarter | None) -> Quarter:
    """The quarter the page opens on: the latest of the plan year with a submitted or signed-off
    report (the current quarter has none yet, and would show every count as 0); with none, the
    current quarter in the current plan year, or quarter 4 of a past one."""
    if latest_reported is not None:
        return latest_reported
    return current if current.year == year else Quarter(year, 4)


def _year(request: AuthenticatedHttpRequest, current: Quarter) -> int:
    """The plan year asked for in ?year=, or the current one (for anything that is not a year whose
    quarters have dates: "99999" was taken as a year)."""
    text = request.GET.get("year", "")
    return int(text) if len(text) == 4 and text.isdigit() and 1000 <= int(text) < 9999 else current.year


def _overdue_rows(rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each overdue report's row with its quarter and the day it was due."""
    return [
        {
            **row,
            "quarter": (quarter := Quarter(row["year"], row["quarter_number"])),
            "due": quarter.ends_on + datetime.timedelta(days=selectors.REPORT_DUE_DAYS),
        }
        for row in rows
    ]


@login_required
@require_safe
def national(request: AuthenticatedHttpRequest) -> HttpResponse:
    require_national(request.user)
    today = timezone.localdate()
    current = Quarter.containing(today)
    year = _year(request, current)
    quarter = (
        Quarter(year, int(request.GET["quarter"]))
        if request.GET.get("quarter") in {"1", "2", "3", "4"}
        else None
    )
    counts = summary.national_counts(request.user, year, today)
    latest = Quarter(year, counts.latest_reported) if counts.latest_reported else None
    quarter = quarter or opening_quarter(year, current, latest)
    by_theme, rag = counts.objectives, counts.rag_in(quarter.number)
    form = PlanListFilterForm(request.GET or None)
    criteria = form.cleaned_data if form.is_valid() else {}
    councils = counts.councils
    overdue = _overdue_rows(counts.overdue_first)
    total = None if any(criteria.values()) else councils  # unfiltered: every council, counted once
    if not criteria.get("q", "").strip():
        # The common case (every filter but the search): a list compiled once per process.
        shape = (bool(criteria.get("region")), bool(criteria.get("plan")))
        slots = {_YEAR_SLOT: year, _REGION_SLOT: criteria.get("region"), _PLAN_SLOT: criteria.get("plan")}
        page, chosen = compiled_sorted_page(
            request,
            COUNCIL_COLUMNS,
            functools.partial(_council_list, shape),
            slots,
            default="council",
            count=total,
        )
    else:
        page, chosen = sorted_page(
            request,
            selectors.councils_and_plans(
                request.user,
                year,
                q=criteria["q"],
                region=criteria.get("region", ""),
                plan=criteria.get("plan", ""),
            ),
            COUNCIL_COLUMNS,
            default="council",
            count=total,
        )
    return render(
        request,
        "actionplans/national.html",
        {
            "year": year,
            "year_label": f"{year} to {year + 1}",
            "years": sorted(
                {
                    year,
                    current.year,
                    *counts.years,
                }
            ),
            "form": form,
            "page": page,
            "rows": presenters.national_plan_rows(page.object_list),
            "page_numbers": pages(page),
            "headers": chosen.headers,
            "councils": councils,
            "signed": counts.signed,
            "with_plan": counts.started,
            "themes": [
                {
                    "label": theme_label(t.value),
                    "objectives": by_theme.get(t.value, 0),
                    "rag": [rag.get(t.value, Counter())[r.value] for r in Rag],
                    "updates": sum(rag.get(t.value, Counter()).values()),
                }
                for t in Theme
            ],
            "rags": list(Rag),
            "quarter": quarter,
            "quarters": [Quarter(year, n) for n in (1, 2, 3, 4)],
            "overdue": overdue,
            "overdue_rows": presenters.overdue_rows(overdue),
            "overdue_count": counts.overdue_count,
            "due_days": selectors.REPORT_DUE_DAYS,
        },
    )


@login_required
@require_safe
def overdue(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Every overdue quarterly report of a plan year, by council, in pages sorted and cut by the
    database."""
    require_national(request.user)
    today = timezone.localdate()
    year = _year(request, Quarter.containing(today))
    page = paginate(
        selectors.overdue_reports(request.user, year, today),
        request,
        count=summary.national_counts(request.user, year, today).overdue_count,
    )
    page.object_list = _overdue_rows(page.object_list)
    return render(
        request,
        "actionplans/overdue.html",
        {
            "year": year,
            "year_label": f"{year} to {year + 1}",
            "year_query": str(year),
            "page": page,
            "page_numbers": pages(page),
            "overdue": page.object_list,
            "overdue_rows": presenters.overdue_rows(page.object_list),
            "due_days": selectors.REPORT_DUE_DAYS,
        },
    )
