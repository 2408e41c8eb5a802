"""Fetch action plans and their parts for a user: 404 for outsiders, as for every tenant object."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from uuid import UUID

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404

from accounts.access import get_authority_for_user
from accounts.models import Authority, User
from accounts.permissions import PLAN_PUBLISHERS, PROGRAMME_LEADS, PROGRESS_WRITERS, SENIOR_SPONSORS, role_in

from .models import Action, ActionPlan, Objective, PlanVersion, Quarter, QuarterlyReport, Target


@dataclass
class PlanContext:
    authority: Authority
    plan: ActionPlan
    role: str | None

    @property
    def is_lead(self) -> bool:
        return self.role in PROGRAMME_LEADS

    @property
    def is_sponsor(self) -> bool:
        return self.role in SENIOR_SPONSORS

    @property
    def can_update(self) -> bool:
        """May enter quarterly progress: programme and staff voice leads."""
        return self.role in PROGRESS_WRITERS

    @property
    def can_publish(self) -> bool:
        return self.role in PLAN_PUBLISHERS


def get_plan_for_user(
    user: User | AnonymousUser, ons_code: str, year: int, *, roles: Collection[str] | None = None
) -> PlanContext:
    """The authority and its plan for `year` if `user` may see them; 404 otherwise.

    With `roles`, the user must hold one of them in the authority, or get 403.
    """
    authority = get_authority_for_user(user, ons_code)
    plan = get_object_or_404(ActionPlan.objects.for_user(user), authority=authority, year=year)
    role = role_in(user, authority)
    if roles is not None and role not in roles:
        raise PermissionDenied
    return PlanContext(authority, plan, role)


def get_objective_for_user(user: User | AnonymousUser, ctx: PlanContext, uuid: UUID) -> Objective:
    return get_object_or_404(Objective.objects.for_user(user), plan=ctx.plan, uuid=uuid)


def get_action_for_user(user: User | AnonymousUser, ctx: PlanContext, uuid: UUID) -> Action:
    return get_object_or_404(Action.objects.for_user(user), plan=ctx.plan, uuid=uuid)


def get_target_for_user(user: User | AnonymousUser, ctx: PlanContext, uuid: UUID) -> Target:
    return get_object_or_404(Target.objects.for_user(user), plan=ctx.plan, uuid=uuid)


def get_version_for_user(user: User | AnonymousUser, ctx: PlanContext, number: int) -> PlanVersion:
    return get_object_or_404(PlanVersion.objects.for_user(user), plan=ctx.plan, number=number)


def get_quarter(ctx: PlanContext, slug: str) -> tuple[Quarter, QuarterlyReport | None]:
    """The quarter named in the URL ("2026-q1"), which must be in the plan year, and its report if
    one has been started."""
    quarter = Quarter.parse(slug)
    if quarter is None or quarter not in ctx.plan.quarters():
        raise Http404
    report = QuarterlyReport.objects.filter(plan=ctx.plan, year=quarter.year, quarter=quarter.number).first()
    return quarter, report
