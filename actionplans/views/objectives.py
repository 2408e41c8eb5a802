from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.views.decorators.http import require_http_methods

from accounts.http import AuthenticatedHttpRequest
from accounts.permissions import PROGRAMME_LEADS
from actionplans import services
from actionplans.access import (
    PlanContext,
    get_action_for_user,
    get_objective_for_user,
    get_plan_for_user,
    get_target_for_user,
)
from actionplans.forms import (
    ActionForm,
    ObjectiveForm,
    TargetForm,
)
from wres_portal.concurrency import Change, StaleWrite, timestamp_token
from wres_portal.errors import ApplicationError

from .common import _add_error, _confirm, _detail, _page


def _posted_state(request: AuthenticatedHttpRequest) -> str:
    """The state a page asking "Remove ...?" showed (its hidden `state`); none names nothing that
    exists, so the removal is refused rather than applied blindly."""
    return request.POST.get("state") or "unknown"


def _still_there(request: AuthenticatedHttpRequest, ctx: PlanContext, get, pk: UUID, what: str):
    """The objective, action or target; when someone removed it while this person's page asking to
    remove it was open, say so on the plan rather than answer "Page not found"."""
    try:
        return get(request.user, ctx, pk)
    except Http404:
        if request.method != "POST":
            raise
        messages.info(request, f"That {what} had already been removed by someone else.")
        return _detail(ctx)


@login_required
@require_http_methods(["GET", "POST"])
def objective_create(request: AuthenticatedHttpRequest, ons_code: str, plan_year: int) -> HttpResponse:
    ctx = get_plan_for_user(request.user, ons_code, plan_year, roles=PROGRAMME_LEADS)
    form = ObjectiveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            objective = services.objective_create(plan=ctx.plan, user=request.user, **form.cleaned_data)
        except ApplicationError as error:
            _add_error(form, error)
        else:
            messages.success(request, f"Objective {objective.number} was added. Now add its actions.")
            return _detail(ctx)
    return _page(request, ctx, form, "Add an objective", "Save the objective")


@login_required
@require_http_methods(["GET", "POST"])
def objective_edit(
    request: AuthenticatedHttpRequest, ons_code: str, plan_year: int, objective: UUID
) -> HttpResponse:
    ctx = get_plan_for_user(request.user, ons_code, plan_year, roles=PROGRAMME_LEADS)
    instance = get_objective_for_user(request.user, ctx, objective)
    form = ObjectiveForm(
        request.POST or None, instance=instance, seen_token=timestamp_token(instance.updated_at)
    )
    stale_changes: list[Change] = []
    if request.method == "POST" and form.is_valid():
        try:
            services.objective_update(
                objective=instance,
                user=request.user,
                expected_state=form.expected_state(),
                **form.cleaned_data,
            )
        except StaleWrite as error:
            now = get_objective_for_user(request.user, ctx, objective)
            stale_changes = form.refused(
                error, ObjectiveForm(instance=now, seen_token=timestamp_token(now.updated_at))
            )
        except ApplicationError as error:
            _add_error(form, error)
        else:
            messages.success(request, f"Objective {instance.number} was saved.")
            return _detail(ctx)
    return _page(
        request,
        ctx,
        form,
        f"Objective {instance.number}",
        "Save the objective",
        objective=instance,
        stale_changes=stale_changes,
    )


@login_required
@require_http_methods(["GET", "POST"])
def objective_delete(
    request: AuthenticatedHttpRequest, ons_code: str, plan_year: int, objective: UUID
) -> HttpResponse:
    ctx = get_plan_for_user(request.user, ons_code, plan_year, roles=PROGRAMME_LEADS)
    instance = _still_there(request, ctx, get_objective_for_user, objective, "objective")
    if isinstance(instance, HttpResponse):
        return instance
    return _confirm(
        request,
        ctx,
        f"Remove objective {instance.number}?",
        "Remove the objective",
        f"Objective {instance.number} was removed.",
        lambda: services.objective_delete(
            objective=instance, user=request.user, expected_state=_posted_state(request)
        ),
        state=services.objective_state(instance),
        intro=f"“{instance.text}” and its actions and targets will be removed. Later objectives and "
        "actions are renumbered.",
        warning_button=True,
    )


@login_required
@require_http_methods(["GET", "POST"])
def action_create(
    request: AuthenticatedHttpRequest, ons_code: str, plan_year: int, objective: UUID
) -> HttpResponse:
    ctx = get_plan_for_user(request.user, ons_code, plan_year, roles=PROGRAMME_LEADS)
    parent = get_objective_for_user(request.user, ctx, objective)
    form = ActionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            action = services.action_create(objective=parent, user=request.user, **form.cleaned_data)
        except ApplicationError as error:
            _add_error(form, error)
        else:
            messages.success(request, f"Action {action.number} was added to objective {parent.number}.")
            return _detail(ctx)
    return _page(
        request, ctx, form, f"Add an action to objective {parent.number}", "Save the action", objective=parent
    )


@login_required
@require_http_methods(["GET", "POST"])
def action_edit(
    request: AuthenticatedHttpRequest, ons_code: str, plan_year: int, action: UUID
) -> HttpResponse:
    ctx = get_plan_for_user(request.user, ons_code, plan_year, roles=PROGRAMME_LEADS)
    instance = get_action_for_user(request.user, ctx, action)
    form = ActionForm(
        request.POST or None, instance=instance, seen_token=timestamp_token(instance.updated_at)
    )
    stale_changes: list[Change] = []
    if request.method == "POST" and form.is_valid():
        try:
            services.action_update(
                action=instance, user=request.user, expected_state=form.expected_state(), **form.cleaned_data
            )
        except StaleWrite as error:
            now = get_action_for_user(request.user, ctx, action)
            stale_changes = form.refused(
                error, ActionForm(instance=now, seen_token=timestamp_token(now.updated_at))
            )
        except ApplicationError as error:
            _add_error(form, error)
        else:
            messages.success(request, f"Action {instance.number} was saved.")
            return _detail(ctx)
    return _page(
        request,
        ctx,
        form,
        f"Action {instance.number}",
        "Save the action",
        objective=instance.objective,
        stale_changes=stale_changes,
    )


@login_required
@require_http_methods(["GET", "POST"])
def action_delete(
    request: AuthenticatedHttpRequest, ons_code: str, plan_year: int, action: UUID
) -> HttpResponse:
    ctx = get_plan_for_user(request.user, ons_code, plan_year, roles=PROGRAMME_LEADS)
    instance = _still_there(request, ctx, get_action_for_user, action, "action")
    if isinstance(instance, HttpResponse):
        return instance
    return _confirm(
        request,
        ctx,
        f"Remove action {instance.number}?",
        "Remove the action",
        f"Action {instance.number} was removed.",
        lambda: services.action_delete(
            action=instance, user=request.user, expected_state=_posted_state(request)
        ),
        state=timestamp_token(instance.updated_at),
        intro=f"“{instance.text}” will be removed. Later actions are renumbered.",
        warning_button=True,
    )


@login_required
@require_http_methods(["GET", "POST"])
def target_create(
    request: AuthenticatedHttpRequest, ons_code: str, plan_year: int, objective: UUID
) -> HttpResponse:
    ctx = get_plan_for_user(request.user, ons_code, plan_year, roles=PROGRAMME_LEADS)
    parent = get_objective_for_user(request.user, ctx, objective)
    form = TargetForm(
        request.POST or None,
        plan_year=ctx.plan.year,
        initial={"service": "all", "comparison": "gte"},
        seen_token=timestamp_token(parent.updated_at),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.target_create(
                objective=parent,
                user=request.user,
                expected_objective=form.expected_state(),
                **form.cleaned_data,
            )
        except StaleWrite as error:
            parent = get_objective_for_user(request.user, ctx, objective)
            form.refused(
                error,
                TargetForm(
                    plan_year=ctx.plan.year,
                    initial={"service": "all", "comparison": "gte"},
                    seen_token=timestamp_token(parent.updated_at),
                ),
            )
        except ApplicationError as error:
            _add_error(form, error)
        else:
            messages.success(request, f"The target was added to objective {parent.number}.")
            return _detail(ctx)
    intro = (
        "A target is checked automatically when that round's results arrive: met, not met, or no data. "
        "For example: appointment from shortlisting, both services, at least 0.80 by the "
        f"{ctx.plan.year + 1} round."
    )
    return _page(
        request,
        ctx,
        form,
        f"Add a target to objective {parent.number}",
        "Save the target",
        intro=intro,
        objective=parent,
    )


@login_required
@require_http_methods(["GET", "POST"])
def target_delete(
    request: AuthenticatedHttpRequest, ons_code: str, plan_year: int, target: UUID
) -> HttpResponse:
    ctx = get_plan_for_user(request.user, ons_code, plan_year, roles=PROGRAMME_LEADS)
    instance = _still_there(request, ctx, get_target_for_user, target, "target")
    if isinstance(instance, HttpResponse):
        return instance
    return _confirm(
        request,
        ctx,
        "Remove this target?",
        "Remove the target",
        "The target was removed.",
        lambda: services.target_delete(
            target=instance, user=request.user, expected_state=_posted_state(request)
        ),
        state=timestamp_token(instance.updated_at),
        intro=instance.description,
        warning_button=True,
    )
