"""Reads of action plans shared by views, APIs and the pages above this app; no writes."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.urls import reverse

from accounts.models import Authority, User
from metrics.summary import PlanLink

from .models import ActionPlan, ActionPlanQuerySet, Objective


def latest_plan(user: User | AnonymousUser, authority: Authority) -> ActionPlan | None:
    """The authority's plan shown on its home page (the latest year first), if `user` may see it."""
    return ActionPlan.objects.for_user(user).filter(authority=authority).first()


def objectives_by_indicator(user: User | AnonymousUser, authority: Authority) -> list[PlanLink]:
    """The objectives of the authority's latest plan `user` may see, one link per related indicator."""
    plan = latest_plan(user, authority)
    if plan is None:
        return []
    url = reverse("actionplans:detail", args=[authority.ons_code, plan.year])
    return [
        PlanLink(indicator=code, number=number, text=text, url=url, plan_label=plan.year_label)
        for number, text, codes in Objective.objects.filter(plan=plan)
        .order_by("number")
        .values_list("number", "text", "related_indicators")
        for code in codes or []
    ]


def plans_of(user: User | AnonymousUser, authority: Authority) -> ActionPlanQuerySet:
    """The authority's plans `user` may see, latest year first."""
    return ActionPlan.objects.for_user(user).filter(authority=authority)


def plan_now(plan: ActionPlan) -> ActionPlan:
    """The plan read again, as it is now (after a refused stale save, to show the other person's
    changes)."""
    return ActionPlan.objects.select_related("authority").get(pk=plan.pk)
