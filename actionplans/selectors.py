"""Reads of action plans shared by views, APIs and the pages above this app; no writes."""

from __future__ import annotations

import datetime
import functools
import json
from collections import Counter, defaultdict
from typing import Any
from uuid import UUID

from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.db.models import (
    Case,
    CharField,
    Count,
    F,
    FilteredRelation,
    IntegerField,
    Max,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.urls import reverse
from django.utils import timezone

from accounts.models import Authority, User
from accounts.selectors import authorities_search, authorities_visible
from metrics.summary import PlanLink
from wres_portal.prepared import read_cursor

from .models import (
    Action,
    ActionPlan,
    ActionPlanQuerySet,
    ActionQuerySet,
    ActionUpdate,
    ActionUpdateQuerySet,
    Objective,
    ObjectiveQuerySet,
    PlansDocument,
    PlansVersion,
    PlanVersion,
    PlanVersionQuerySet,
    Quarter,
    QuarterlyReport,
    Target,
    TargetQuerySet,
    plan_year_label,
)


def latest_plan(user: User | AnonymousUser, authority: Authority) -> ActionPlan | None:
    """The authority's plan shown on its home page (the latest year first), if `user` may see it."""
    return ActionPlan.objects.for_user(user).filter(authority=authority).first()


def objectives_by_indicator(user: User | AnonymousUser, authority: Authority) -> list[PlanLink]:
    """The objectives of the authority's latest plan `user` may see, one link per related indicator,
    in one query compiled once per process (a results page asks on every request, issue 18)."""
    if not isinstance(user, User):
        return []  # anonymous: ActionPlan.objects.for_user shows nothing
    sql, params = _objectives_sql(user.is_national)
    values: dict[Any, Any] = {_AUTHORITY_SLOT: authority.pk, _USER_SLOT: user.pk}
    # Prepared once per connection (wres_portal.prepared): planning it cost more than running it.
    with read_cursor() as cursor:
        cursor.execute(sql, [values.get(p, p) if isinstance(p, int) else p for p in params])
        rows = cursor.fetchall()
    if not rows:
        return []
    year = rows[0][0]
    url = reverse("actionplans:detail", args=[authority.ons_code, year])
    label = plan_year_label(year)
    return [
        PlanLink(indicator=code, number=number, text=text, url=url, plan_label=label)
        for _, number, text, codes in rows
        for code in (json.loads(codes) if isinstance(codes, str | bytes) else codes) or []
    ]


#: Values no row has, standing for the authority and user ids while the query is compiled.
_AUTHORITY_SLOT, _USER_SLOT = -618_204_771, -618_204_772


@functools.cache
def _objectives_sql(national: bool) -> tuple[str, tuple[Any, ...]]:
    """The objectives of the latest plan (by year) of one authority that one user may see
    (`ActionPlan.objects.for_user`), with the plan's year, as SQL with slot values: compiling it cost
    more CPU than running it."""
    slot_user = User(pk=_USER_SLOT, national_role=User.NationalRole.ANALYST if national else "")
    latest = (
        ActionPlan.objects.for_user(slot_user)
        .filter(authority_id=_AUTHORITY_SLOT)
        .order_by("-year")
        .values("pk")[:1]
    )
    objectives = (
        Objective.objects.filter(plan_id=Subquery(latest))
        .order_by("number")
        .values_list("plan__year", "number", "text", "related_indicators")
    )
    sql, params = objectives.query.sql_with_params()
    return sql, tuple(params)


def plans_of(user: User | AnonymousUser, authority: Authority) -> ActionPlanQuerySet:
    """The authority's plans `user` may see, latest year first."""
    return ActionPlan.objects.for_user(user).filter(authority=authority)


def plan_now(plan: ActionPlan) -> ActionPlan:
    """The plan read again, as it is now (after a refused stale save, to show the other person's
    changes)."""
    return ActionPlan.objects.select_related("authority").get(pk=plan.pk)


def published_plans() -> ActionPlanQuerySet:
    """Every plan published at its public address, with its council and signed version: public
    data, so no user to scope by."""
    return ActionPlan.objects.published().select_related("authority", "signed_version")


def plan_with_signed_version(plan: ActionPlan) -> ActionPlan:
    """The plan read again with its last signed version and who signed it (its sign-off state)."""
    return ActionPlan.objects.select_related("signed_version__signed_by").get(pk=plan.pk)


# The objects of one plan, for the API's lists: the caller has scoped `plan` to the user -----------


def objectives_of(user: User | AnonymousUser, plan: ActionPlan) -> ObjectiveQuerySet:
    """The plan's objectives `user` may see."""
    return Objective.objects.for_user(user).filter(plan=plan)


def actions_of(user: User | AnonymousUser, plan: ActionPlan) -> ActionQuerySet:
    """The plan's actions `user` may see, with their objectives."""
    return Action.objects.for_user(user).filter(plan=plan).select_related("objective")


def action_in(user: User | AnonymousUser, plan: ActionPlan, uuid: UUID) -> Action | None:
    """One of the plan's actions by uuid, if `user` may see it (else None: the caller says why)."""
    return Action.objects.for_user(user).filter(plan=plan, uuid=uuid).first()


def targets_of(user: User | AnonymousUser, plan: ActionPlan) -> TargetQuerySet:
    """The plan's targets `user` may see, with their objectives."""
    return Target.objects.for_user(user).filter(plan=plan).select_related("objective")


def versions_of(user: User | AnonymousUser, plan: ActionPlan) -> PlanVersionQuerySet:
    """The plan's signed versions `user` may see, with who signed them."""
    return PlanVersion.objects.for_user(user).filter(plan=plan).select_related("signed_by")


def updates_in(user: User | AnonymousUser, report: QuarterlyReport | None) -> ActionUpdateQuerySet:
    """The action updates of a quarter's report `user` may see (none before the report exists),
    with their actions and who wrote them."""
    updates = ActionUpdate.objects.for_user(user).select_related("action", "updated_by")
    return updates.filter(report=report) if report is not None else updates.none()


def plans_waiting_for_sign_off(user: User | AnonymousUser, authority: Authority) -> list[ActionPlan]:
    """The authority's plans its programme lead sent for sign-off and nobody has signed off since."""
    plans = ActionPlan.objects.for_user(user).filter(authority=authority, sent_for_sign_off_at__isnull=False)
    return [plan for plan in plans if plan.is_waiting_for_sign_off()]


def reports_waiting_for_sign_off(user: User | AnonymousUser, authority: Authority) -> list[QuarterlyReport]:
    """The authority's quarterly progress reports submitted and not yet signed off."""
    return list(
        QuarterlyReport.objects.for_user(user)
        .filter(authority=authority, status=QuarterlyReport.Status.SUBMITTED)
        .select_related("plan", "plan__authority")
        .order_by("year", "quarter")
    )


#: A quarter's report is "due" from this many days before the quarter ends (as the reminder email).
DUE_FROM_DAYS = 7


def reports_due(
    user: User | AnonymousUser, authority: Authority, today: datetime.date | None = None
) -> list[tuple[ActionPlan, Quarter]]:
    """Quarters of the authority's signed-off plans whose progress report has not been submitted,
    from a week before the quarter ends. Quarters that ended before the plan was written are not
    due (a plan started in November owes no report for April to June)."""
    today = today or timezone.localdate()
    due = []
    plans = ActionPlan.objects.for_user(user).filter(authority=authority, signed_version__isnull=False)
    for plan in plans.prefetch_related("reports"):
        done = {(r.year, r.quarter) for r in plan.reports.all() if r.status != QuarterlyReport.Status.DRAFT}
        written = timezone.localdate(plan.created_at)
        for quarter in plan.quarters():
            if (quarter.year, quarter.number) in done or quarter.ends_on < written:
                continue
            if (quarter.ends_on - today).days <= DUE_FROM_DAYS:
                due.append((plan, quarter))
    return due


# The national action-plan page (analysts) ----------------------------------------------------------


#: What the national list says of a council's plan for a year: none yet, or its status tag.
PLAN_STATES = {
    "none": "No plan",
    "draft": "Draft",
    "signed_off": "Signed off",
    "changed": "Changed since sign-off",
}


def councils_and_plans(
    user: User | AnonymousUser, year: int, *, q: str = "", region: str = "", plan: str = ""
) -> QuerySet[Any, Any]:
    """Every council `user` may see (as `authorities_search`: a name part or a whole ONS code, and a
    region) with its plan for `year`, if any, as rows for the national list: one LEFT JOIN on the
    plan's (authority, year) key, so the database sorts, filters and cuts the list, and a page costs
    the same at 150 or 20,000 councils. `plan` keeps one of PLAN_STATES (the form offers no other;
    any other value matches no council)."""
    plans = FilteredRelation("action_plans", condition=Q(action_plans__year=year))
    rows = (
        authorities_search(user, q=q, region=region)
        .annotate(plan=plans)
        .annotate(
            plan_state=Case(
                When(plan__id__isnull=True, then=Value("none")),
                When(
                    plan__status=ActionPlan.Status.SIGNED_OFF,
                    plan__changed_since_sign_off=True,
                    then=Value("changed"),
                ),
                default=F("plan__status"),
                output_field=CharField(),
            ),
            plan_rank=Case(  # by progress, for sorting: none, draft, changed, signed off
                When(plan__id__isnull=True, then=Value(0)),
                When(plan__status=ActionPlan.Status.DRAFT, then=Value(1)),
                When(plan__changed_since_sign_off=True, then=Value(2)),
                default=Value(3),
                output_field=IntegerField(),
            ),
            plan_year=F("plan__year"),
            plan_signed_on=F("plan__signed_version__signed_on"),
            plan_published=F("plan__is_published"),
        )
    )
    if plan:
        rows = rows.filter(plan_state=plan)
    return rows.values(
        "pk", "name", "ons_code", "region", "plan_state", "plan_year", "plan_signed_on", "plan_published"
    )


def councils_count(user: User | AnonymousUser) -> int:
    return authorities_visible(user).count()


def plan_counts(user: User | AnonymousUser, year: int) -> tuple[int, int]:
    """(plans started, plans signed off) of a year among the councils `user` may see, counted by
    the database."""
    counts = (
        ActionPlan.objects.for_user(user)
        .filter(year=year)
        .aggregate(started=Count("pk"), signed=Count("pk", filter=Q(signed_version__isnull=False)))
    )
    return counts["started"], counts["signed"]


#: A quarter's report is overdue once this many days have passed since the quarter ended unsubmitted.
REPORT_DUE_DAYS = 30

#: What each row of `overdue_reports` holds.
OVERDUE_FIELDS = ("council", "council_code", "year", "quarter_number", "report_status")


def objective_theme_counts(user: User | AnonymousUser, year: int) -> Counter[str]:
    """Objectives of a year's plans by WRES theme; an objective with several themes counts in each.

    The database groups objectives by their list of themes, so Python reads one row per distinct
    list (a few dozen at most), not one per objective (issue 18; it read every objective of the
    year)."""
    objectives: Counter[str] = Counter()
    grouped = (
        Objective.objects.for_user(user)
        .filter(plan__year=year)
        .order_by()
        .values_list("themes")
        .annotate(n=Count("pk"))
    )
    for themes, n in grouped:
        for theme in themes or []:
            objectives[theme] += n
    return objectives


def rag_theme_counts(user: User | AnonymousUser, year: int) -> dict[int, dict[str, Counter[str]]]:
    """For each quarter of plan year `year` with action updates (by its number), their RAG statuses
    by their objective's themes; an objective with several themes counts in each. One query for the
    four quarters, grouped by the database as `objective_theme_counts`."""
    rag: dict[int, dict[str, Counter[str]]] = defaultdict(lambda: defaultdict(Counter))
    updates = (
        ActionUpdate.objects.for_user(user)
        .filter(report__plan__year=year, report__year=year)
        .order_by()
        .values_list("report__quarter", "action__objective__themes", "rag")
        .annotate(n=Count("pk"))
    )
    for number, themes, value, n in updates:
        for theme in themes or []:
            rag[number][theme][value] += n
    return rag


def latest_reported_quarter(user: User | AnonymousUser, year: int) -> Quarter | None:
    """The latest quarter of plan year `year` with a submitted or signed-off report, if any."""
    number = (
        QuarterlyReport.objects.for_user(user)
        .filter(plan__year=year, year=year)
        .exclude(status=QuarterlyReport.Status.DRAFT)
        .aggregate(latest=Max("quarter"))["latest"]
    )
    return Quarter(year, number) if number else None


def overdue_reports(user: User | AnonymousUser, year: int, today: datetime.date) -> QuerySet[Any, Any]:
    """Quarterly reports of plan year `year` not submitted REPORT_DUE_DAYS after their quarter ended,
    as rows of OVERDUE_FIELDS (`report_status` "draft", or None when not started), by council name
    and quarter, for the database to count and cut into pages.

    A plan reports only on quarters that had not ended when it was started (a plan started in
    November owes no report for April to June). One SELECT per quarter already overdue, joined by
    UNION ALL: the list costs the same to page through at 150 or 20,000 councils (issue 18; every
    plan and report of the year was read into Python)."""
    parts = []
    for number in (1, 2, 3, 4):
        quarter = Quarter(year, number)
        if quarter.ends_on + datetime.timedelta(days=REPORT_DUE_DAYS) >= today:
            continue
        # A LEFT JOIN on the report's (plan, year, quarter) key, not a subquery per plan: with one,
        # PostgreSQL's estimate of the cost passed its JIT threshold, and compiling the query took
        # 300 ms of the 450 at 20,000 councils.
        report = FilteredRelation("reports", condition=Q(reports__year=quarter.year, reports__quarter=number))
        parts.append(
            ActionPlan.objects.for_user(user)
            .filter(year=year, created_at__date__lte=quarter.ends_on)
            .annotate(report=report)
            .filter(Q(report__id__isnull=True) | Q(report__status=QuarterlyReport.Status.DRAFT))
            .annotate(
                report_status=F("report__status"),
                council=F("authority__name"),
                council_code=F("authority__ons_code"),
                quarter_number=Value(number, output_field=IntegerField()),
            )
            .order_by()
            .values(*OVERDUE_FIELDS)
        )
    if not parts:
        return ActionPlan.objects.none().values("pk")
    first, *rest = parts
    return (first.union(*rest, all=True) if rest else first).order_by("council", "quarter_number")


def plan_years(user: User | AnonymousUser) -> list[int]:
    """Every year with a plan `user` may see. (Ordered by year: the model's ordering by council name
    made it DISTINCT (year, name), a row per plan.)"""
    return list(ActionPlan.objects.for_user(user).order_by("year").values_list("year", flat=True).distinct())


def plans_document(year: int) -> tuple[int, str | None, bytes | None] | None:
    """(plans version, stored key or None, stored content or None) of the national action-plan
    page's counts for `year` (`PlansDocument`), in one query that reads no plan; None where no
    version is kept (not PostgreSQL), as `submissions.selectors.monitor_document`."""
    with read_cursor(binary=True) as cursor:
        cursor.execute(_plans_document_sql(), [year])
        found = cursor.fetchone()
    if found is None:
        return None
    version, key, content = found
    return int(version), key, None if content is None else bytes(content)


@functools.cache
def _plans_document_sql() -> str:
    q = connection.ops.quote_name
    return (
        f"SELECT v.{q('n')}, d.{q('key')}, d.{q('content')} FROM {q(PlansVersion._meta.db_table)} v "  # noqa: S608 - names from the models
        f"LEFT JOIN {q(PlansDocument._meta.db_table)} d ON d.{q('year')} = %s "
        f"WHERE v.{q('id')} = 1"
    )
