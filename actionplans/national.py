"""Analysts' view of action plans across councils: who has a signed-off plan, objectives by WRES
theme, RAG counts by theme, and overdue quarterly reports. A fixed number of queries; the list of
councils is searched, sorted and paged by the database (issue 18: 7.3 MB and 974 ms at 20,000 when
it listed every council)."""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from accounts.access import require_national
from accounts.http import AuthenticatedHttpRequest
from wres_portal.listing import Column, pages, sorted_page

from . import selectors
from .forms import PlanListFilterForm
from .models import ActionPlan, Quarter, QuarterlyReport, Rag
from .themes import Theme, theme_label

#: The national list's sortable columns (wres_portal.listing): name, region, plan, sign-off, published.
COUNCIL_COLUMNS = [
    Column("council", "Council", ("name", "pk")),
    Column("region", "Region", ("region", "name", "pk")),
    Column("plan", "Plan", ("plan_rank", "name", "pk")),
    Column("signed", "Signed off", ("plan_signed_on", "name", "pk")),
    Column("published", "Published", ("plan_published", "name", "pk")),
]

#: A quarter's report is overdue once this many days have passed since the quarter ended unsubmitted.
REPORT_DUE_DAYS = 30


def overdue_reports(
    plans: list[ActionPlan], reports: list[QuarterlyReport], today: datetime.date
) -> list[dict]:
    """Quarters that ended more than REPORT_DUE_DAYS ago whose report is not yet submitted, among the
    quarters each plan reports on (none for quarters that ended before the plan was started)."""
    status = {(r.plan_id, r.year, r.quarter): r for r in reports}
    overdue = []
    for plan in plans:
        for quarter in plan.reporting_quarters():
            report = status.get((plan.pk, quarter.year, quarter.number))
            due = quarter.ends_on + datetime.timedelta(days=REPORT_DUE_DAYS)
            if due < today and (report is None or report.status == QuarterlyReport.Status.DRAFT):
                overdue.append({"plan": plan, "quarter": quarter, "report": report, "due": due})
    return overdue


def opening_quarter(year: int, current: Quarter, reports: list[QuarterlyReport]) -> Quarter:
    """The quarter the page opens on: the latest of the plan year with a submitted or signed-off
    report (the current quarter has none yet, and would show every count as 0); with none, the
    current quarter in the current plan year, or quarter 4 of a past one."""
    reported = [
        Quarter(r.year, r.quarter)
        for r in reports
        if r.status != QuarterlyReport.Status.DRAFT and r.year == year
    ]
    if reported:
        return max(reported, key=lambda q: q.number)
    return current if current.year == year else Quarter(year, 4)


@login_required
@require_safe
def national(request: AuthenticatedHttpRequest) -> HttpResponse:
    require_national(request.user)
    today = timezone.localdate()
    current = Quarter.containing(today)
    year = int(request.GET["year"]) if request.GET.get("year", "").isdigit() else current.year
    plans = selectors.plans_in_year(request.user, year)
    objectives = selectors.objectives_in_year(request.user, year)
    by_theme = Counter(t for o in objectives for t in o.themes)
    themes_of = {o.pk: o.themes for o in objectives}
    quarter = (
        Quarter(year, int(request.GET["quarter"]))
        if request.GET.get("quarter") in {"1", "2", "3", "4"}
        else None
    )
    reports = selectors.reports_in_year(request.user, year)
    quarter = quarter or opening_quarter(year, current, reports)
    rag: dict[str, Counter[str]] = defaultdict(Counter)
    for objective_id, value in selectors.update_rags(request.user, year, quarter):
        for theme in themes_of.get(objective_id, []):
            rag[theme][value] += 1
    form = PlanListFilterForm(request.GET or None)
    criteria = form.cleaned_data if form.is_valid() else {}
    councils = selectors.councils_count(request.user)
    page, chosen = sorted_page(
        request,
        selectors.councils_and_plans(
            request.user,
            year,
            q=criteria.get("q", ""),
            region=criteria.get("region", ""),
            plan=criteria.get("plan", ""),
        ),
        COUNCIL_COLUMNS,
        default="council",
        count=None if any(criteria.values()) else councils,  # unfiltered: every council, counted once
    )
    started, signed = selectors.plan_counts(request.user, year)
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
                    *selectors.plan_years(request.user),
                }
            ),
            "form": form,
            "page": page,
            "page_numbers": pages(page),
            "headers": chosen.headers,
            "councils": councils,
            "signed": signed,
            "with_plan": started,
            "themes": [
                {
                    "label": theme_label(t.value),
                    "objectives": by_theme[t.value],
                    "rag": [rag[t.value][r.value] for r in Rag],
                    "updates": sum(rag[t.value].values()),
                }
                for t in Theme
            ],
            "rags": list(Rag),
            "quarter": quarter,
            "quarters": [Quarter(year, n) for n in (1, 2, 3, 4)],
            "overdue": overdue_reports(
                sorted(plans.values(), key=lambda p: p.authority.name), reports, today
            ),
            "due_days": REPORT_DUE_DAYS,
        },
    )
