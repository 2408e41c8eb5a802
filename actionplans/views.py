"""Council pages for the action plan: overview, header, what we know, objectives, actions, targets,
sign-off, versions, roll forward, publishing, the printable layout and its exports, and the public
page. Quarterly progress pages are in `quarterly.py`, the analysts' view in `national.py`."""

from __future__ import annotations

from uuid import UUID

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from accounts.access import get_authority_for_user, role_in
from accounts.models import Role
from wres_portal.errors import ApplicationError

from . import services
from .access import (
    PlanContext,
    get_action_for_user,
    get_objective_for_user,
    get_plan_for_user,
    get_target_for_user,
    get_version_for_user,
)
from .forms import (
    ActionForm,
    HeaderForm,
    ObjectiveForm,
    PlanCreateForm,
    PlanSignOffForm,
    TargetForm,
    WhatWeKnowForm,
)
from .models import ActionPlan, PlanVersion
from .presenters import compare_rows, latest_results, plan_document, progress_rows, what_we_know_suggestions

LEAD = [Role.PROGRAMME_LEAD]
SPONSOR = [Role.SENIOR_SPONSOR]
PUBLISHERS = [Role.PROGRAMME_LEAD, Role.SENIOR_SPONSOR]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _detail(ctx: PlanContext) -> HttpResponse:
    return redirect("actionplans:detail", ctx.authority.ons_code, ctx.plan.year)


def _add_error(form: forms.Form, error: ApplicationError) -> None:
    form.add_error(error.field if error.field in form.fields else None, error.message)


def _page(
    request: HttpRequest, ctx: PlanContext, form: forms.Form | None, title: str, button: str, **extra: object
) -> HttpResponse:
    template = str(extra.pop("template", "actionplans/_form_page.html"))
    return render(
        request, template, {"ctx": ctx, "form": form, "page_title": title, "button": button, **extra}
    )


def _confirm(
    request: HttpRequest, ctx: PlanContext, title: str, button: str, done: str, action, **extra: object
) -> HttpResponse:  # type: ignore[no-untyped-def]
    """A page that asks before doing something with no form fields: publish, withdraw, remove..."""
    errors: list[dict[str, str]] = []
    if request.method == "POST":
        try:
            result = action()
        except ApplicationError as error:
            errors.append({"text": error.message})
        else:
            messages.success(request, done)
            return result if isinstance(result, HttpResponse) else _detail(ctx)
    return _page(request, ctx, None, title, button, errors=errors, **extra)


# Plans ---------------------------------------------------------------------------------------------


@login_required
@require_safe
def plan_list(request: HttpRequest, ons_code: str) -> HttpResponse:
    authority = get_authority_for_user(request.user, ons_code)
    plans = ActionPlan.objects.for_user(request.user).filter(authority=authority)
    role = role_in(request.user, authority)
    return render(
        request,
        "actionplans/plan_list.html",
        {"authority": authority, "plans": plans, "can_start": role == Role.PROGRAMME_LEAD},
    )


@login_required
@require_http_methods(["GET", "POST"])
def plan_create(request: HttpRequest, ons_code: str) -> HttpResponse:
    authority = get_authority_for_user(request.user, ons_code, roles=LEAD)
    form = PlanCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            plan = services.plan_create(
                authority=authority, year=form.cleaned_data["year"], user=request.user
            )
        except ApplicationError as error:
            _add_error(form, error)
        else:
            messages.success(request, f"Your {plan.year_label} action plan was started.")
            return redirect("actionplans:detail", authority.ons_code, plan.year)
    return render(request, "actionplans/plan_create.html", {"authority": authority, "form": form})


@login_required
@require_safe
def plan_detail(request: HttpRequest, ons_code: str, plan_year: int) -> HttpResponse:
    ctx = get_plan_for_user(request.user, ons_code, plan_year)
    document = plan_document(ctx.plan)
    targets: dict[int, list[tuple[object, str, float | None]]] = {}
    for target in ctx.plan.targets.all():
        targets.setdefault(target.objective_id, []).append((target, *services.target_evaluate(target)))
    ids = dict(ctx.plan.objectives.values_list("uuid", "pk"))
    for objective in document["objectives"]:
        objective["live_targets"] = targets.get(ids[UUID(objective["uuid"])], [])
    reports = {(r.year, r.quarter): r for r in ctx.plan.reports.all()}
    quarters = []
    for quarter in ctx.plan.quarters():
        report = reports.get((quarter.year, quarter.number))
        rows = progress_rows(ctx.plan, report, quarter.ends_on)
        quarters.append({"quarter": quarter, "report": report, "missing": sum(r.missing for r in rows)})
    return render(
        request,
        "actionplans/plan_detail.html",
        {
            "ctx": ctx,
            "doc": document,
            "quarters": quarters,
            "versions": ctx.plan.versions.select_related("signed_by"),
            "blockers": services.sign_off_blockers(ctx.plan),
            "can_edit_header": ctx.role in (Role.PROGRAMME_LEAD, Role.STAFF_VOICE_LEAD),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def header_edit(request: HttpRequest, ons_code: str, plan_year: int) -> HttpResponse:
    ctx = get_plan_for_user(request.user, ons_code, plan_year, roles=[*LEAD, Role.STAFF_VOICE_LEAD])
    form = HeaderForm(request.POST or None, instance=ctx.plan, voice_only=not ctx.is_lead)
    if request.method == "POST" and form.is_valid():
        try:
            services.plan_update(plan=ctx.plan, user=request.user, **form.cleaned_data)
        except ApplicationError as error:
            _add_error(form, error)
        else:
            messages.success(request, "The plan's details were saved.")
            return _detail(ctx)
    title = "Plan details" if ctx.is_lead else "Staff voice"
    return _page(request, ctx, form, title, "Save")


@login_required
@require_http_methods(["GET", "POST"])
def what_we_know_edit(request: HttpRequest, ons_code: str, plan_year: int) -> HttpResponse:
    ctx = get_plan_for_user(request.user, ons_code, plan_year, roles=LEAD)
    results = latest_results(ctx.authority)
    initial = {f"metric_{line.metric}": line.text for line in ctx.plan.what_we_know.all()}
    form = WhatWeKnowForm(
        request.POST or None,
        initial=initial,
        suggestions=what_we_know_suggestions(results),
        round_label=results.round_label,
    )
    if request.method == "POST" and form.is_valid():
        services.what_we_know_update(plan=ctx.plan, user=request.user, lines=form.lines())
        messages.success(request, "What we know was saved.")
        return _detail(ctx)
    intro = (
        f"Each line starts as what your {results.round_label} results say. Change it to say what it means "
        "for your council."
        if results.round_label
        else "Your council has no submitted results yet. Write what you know from your own data."
    )
    return _page(request, ctx, form, "What we know", "Save", intro=intro)


# Objectives, actions, targets ----------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def objective_create(request: HttpRequest, ons_code: str, plan_year: int) -> HttpResponse:
    ctx = get_plan_for_user(request.user, ons_code, plan_year, roles=LEAD)
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
def objective_edit(request: HttpRequest, ons_code: str, plan_year: int, objective: UUID) -> HttpResponse:
    ctx = get_plan_for_user(request.user, ons_code, plan_year, roles=LEAD)
    instance = get_objective_for_user(request.user, ctx, objective)
    form = ObjectiveForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        try:
            services.objective_update(objective=instance, user=request.user, **form.cleaned_data)
        except ApplicationError as error:
            _add_error(form, error)
        else:
            messages.success(request, f"Objective {instance.number} was saved.")
            return _detail(ctx)
    return _page(request, ctx, form, f"Objective {instance.number}", "Save the objective", objective=instance)


@login_required
@require_http_methods(["GET", "POST"])
def objective_delete(request: HttpRequest, ons_code: str, plan_year: int, objective: UUID) -> HttpResponse:
    ctx = get_plan_for_user(request.user, ons_code, plan_year, roles=LEAD)
    instance = get_objective_for_user(request.user, ctx, objective)
    return _confirm(
        request,
        ctx,
        f"Remove objective {instance.number}?",
        "Remove the objective",
        f"Objective {instance.number} was removed.",
        lambda: services.objective_delete(objective=instance, user=request.user),
        intro=f"“{instance.text}” and its actions and targets will be removed. Later objectives and "
        "actions are renumbered.",
        warning_button=True,
    )


@login_required
@require_http_methods(["GET", "POST"])
def action_create(request: HttpRequest, ons_code: str, plan_year: int, objective: UUID) -> HttpResponse:
    ctx = get_plan_for_user(request.user, ons_code, plan_year, roles=LEAD)
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
def action_edit(request: HttpRequest, ons_code: str, plan_year: int, action: UUID) -> HttpResponse:
    ctx = get_plan_for_user(request.user, ons_code, plan_year, roles=LEAD)
    instance = get_action_for_user(request.user, ctx, action)
    form = ActionForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        try:
            services.action_update(action=instance, user=request.user, **form.cleaned_data)
        except ApplicationError as error:
            _add_error(form, error)
        else:
            messages.success(request, f"Action {instance.number} was saved.")
            return _detail(ctx)
    return _page(
        request, ctx, form, f"Action {instance.number}", "Save the action", objective=instance.objective
    )


@login_required
@require_http_methods(["GET", "POST"])
def action_delete(request: HttpRequest, ons_code: str, plan_year: int, action: UUID) -> HttpResponse:
    ctx = get_plan_for_user(request.user, ons_code, plan_year, roles=LEAD)
    instance = get_action_for_user(request.user, ctx, action)
    return _confirm(
        request,
        ctx,
        f"Remove action {instance.number}?",
        "Remove the action",
        f"Action {instance.number} was removed.",
        lambda: services.action_delete(action=instance, user=request.user),
        intro=f"“{instance.text}” will be removed. Later actions are renumbered.",
        warning_button=True,
    )


@login_required
@require_http_methods(["GET", "POST"])
def target_create(request: HttpRequest, ons_code: str, plan_year: int, objective: UUID) -> HttpResponse:
    ctx = get_plan_for_user(request.user, ons_code, plan_year, roles=LEAD)
    parent = get_objective_for_user(request.user, ctx, objective)
    form = TargetForm(request.POST or None, initial={"service": "all", "comparison": "gte"})
    if request.method == "POST" and form.is_valid():
        try:
            services.target_create(objective=parent, user=request.user, **form.cleaned_data)
        except ApplicationError as error:
            _add_error(form, error)
        else:
            messages.success(request, f"The target was added to objective {parent.number}.")
            return _detail(ctx)
    intro = (
        "A target is checked automatically when that round's results arrive: met, not met, or no data. "
        "For example: appointment from shortlisting, both services, at least 0.80 by the 2026 round."
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
def target_delete(request: HttpRequest, ons_code: str, plan_year: int, target: UUID) -> HttpResponse:
    ctx = get_plan_for_user(request.user, ons_code, plan_year, roles=LEAD)
    instance = get_target_for_user(request.user, ctx, target)
    return _confirm(
        request,
        ctx,
        "Remove this target?",
        "Remove the target",
        "The target was removed.",
        lambda: services.target_delete(target=instance, user=request.user),
        intro=instance.description,
        warning_button=True,
    )


# Sign-off, publishing, roll forward -----------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def sign_off(request: HttpRequest, ons_code: str, plan_year: int) -> HttpResponse:
    ctx = get_plan_for_user(request.user, ons_code, plan_year, roles=SPONSOR)
    form = PlanSignOffForm(request.POST or None, initial={"name": request.user.full_name})
    if request.method == "POST" and form.is_valid():
        try:
            version = services.plan_sign_off(plan=ctx.plan, user=request.user, **form.cleaned_data)
        except ApplicationError as error:
            _add_error(form, error)
        else:
            messages.success(
                request, f"You signed off the action plan. It is kept as version {version.number}."
            )
            return _detail(ctx)
    return _page(
        request,
        ctx,
        form,
        "Sign off the action plan",
        "Sign off the action plan",
        template="actionplans/sign_off.html",
        blockers=services.sign_off_blockers(ctx.plan),
        doc=plan_document(ctx.plan),
    )


@login_required
@require_http_methods(["GET", "POST"])
def publish(request: HttpRequest, ons_code: str, plan_year: int) -> HttpResponse:
    ctx = get_plan_for_user(request.user, ons_code, plan_year, roles=PUBLISHERS)
    return _confirm(
        request,
        ctx,
        "Publish the action plan",
        "Publish the action plan",
        "The action plan is published. Anyone with its address can read it.",
        lambda: services.plan_publish(plan=ctx.plan, user=request.user),
        intro="The last signed-off version will be shown at a public address that needs no sign-in. Later "
        "changes appear there only once your senior sponsor signs them off. You can withdraw it at any time.",
    )


@login_required
@require_http_methods(["GET", "POST"])
def withdraw(request: HttpRequest, ons_code: str, plan_year: int) -> HttpResponse:
    ctx = get_plan_for_user(request.user, ons_code, plan_year, roles=PUBLISHERS)
    return _confirm(
        request,
        ctx,
        "Withdraw the published action plan",
        "Withdraw the action plan",
        "The action plan was withdrawn. Its public address no longer shows it.",
        lambda: services.plan_withdraw(plan=ctx.plan, user=request.user),
        intro="The public address will show “page not found” until you publish the plan again.",
        warning_button=True,
    )


@login_required
@require_http_methods(["GET", "POST"])
def roll_forward(request: HttpRequest, ons_code: str, plan_year: int) -> HttpResponse:
    ctx = get_plan_for_user(request.user, ons_code, plan_year, roles=LEAD)
    return _confirm(
        request,
        ctx,
        f"Start the {ctx.plan.year + 1} to {ctx.plan.year + 2} plan from this one",
        "Start next year's plan",
        "Next year's plan was started from this one.",
        lambda: redirect(
            "actionplans:detail",
            ctx.authority.ons_code,
            services.plan_roll_forward(plan=ctx.plan, user=request.user).year,
        ),
        intro="The plan's details are copied. Objectives that are not finished come over with their "
        "unfinished actions and any targets not yet met; “what we know” starts again from your latest "
        "results. This plan stays as it is.",
    )


# Versions ------------------------------------------------------------------------------------------


@login_required
@require_safe
def version_list(request: HttpRequest, ons_code: str, plan_year: int) -> HttpResponse:
    ctx = get_plan_for_user(request.user, ons_code, plan_year)
    versions = ctx.plan.versions.select_related("signed_by")
    return render(request, "actionplans/version_list.html", {"ctx": ctx, "versions": versions})


@login_required
@require_safe
def version_detail(request: HttpRequest, ons_code: str, plan_year: int, number: int) -> HttpResponse:
    ctx = get_plan_for_user(request.user, ons_code, plan_year)
    version = get_version_for_user(request.user, ctx, number)
    return render(
        request, "actionplans/version_detail.html", {"ctx": ctx, "version": version, "doc": version.document}
    )


@login_required
@require_safe
def version_compare(request: HttpRequest, ons_code: str, plan_year: int) -> HttpResponse:
    """Two signed versions side by side (or the last one and the plan as it is now), changes marked."""
    ctx = get_plan_for_user(request.user, ons_code, plan_year)
    versions = {v.number: v for v in ctx.plan.versions.all()}
    if not versions:
        raise Http404
    numbers = sorted(versions)

    def pick(name: str, default: int) -> int:
        value = request.GET.get(name, "")
        return int(value) if value.isdigit() and (int(value) in versions or int(value) == 0) else default

    a = pick("a", numbers[-2] if len(numbers) > 1 else numbers[-1])
    b = pick("b", numbers[-1] if len(numbers) > 1 else 0)
    documents = {0: plan_document(ctx.plan), **{n: v.document for n, v in versions.items()}}
    return render(
        request,
        "actionplans/version_compare.html",
        {
            "ctx": ctx,
            "a": a,
            "b": b,
            "rows": compare_rows(documents[a], documents[b]),
            "choices": [(0, "The plan as it is now"), *((n, f"Version {n}") for n in numbers)],
        },
    )


# Printable page, exports, public page ---------------------------------------------------------------


def _signature(ctx: PlanContext) -> PlanVersion | None:
    return ctx.plan.signed_version if not ctx.plan.changed_since_sign_off else None


@login_required
@require_safe
def plan_print(request: HttpRequest, ons_code: str, plan_year: int) -> HttpResponse:
    ctx = get_plan_for_user(request.user, ons_code, plan_year)
    return render(
        request,
        "actionplans/plan_print.html",
        {"ctx": ctx, "doc": plan_document(ctx.plan), "signature": _signature(ctx)},
    )


@login_required
@require_safe
def plan_download(
    request: HttpRequest, ons_code: str, plan_year: int, fmt: str, number: int | None = None
) -> HttpResponse:
    """The plan as it is now, or one signed version, as XLSX or PDF."""
    from .exports import document_pdf, document_xlsx

    ctx = get_plan_for_user(request.user, ons_code, plan_year)
    if number is None:
        document, signature = plan_document(ctx.plan), _signature(ctx)
        name = f"wres-action-plan-{ctx.plan.year}-{ctx.authority.ons_code}"
    else:
        signature = get_version_for_user(request.user, ctx, number)
        document = signature.document
        name = f"wres-action-plan-{ctx.plan.year}-{ctx.authority.ons_code}-v{number}"
    return _file(document, signature, name, fmt, document_pdf, document_xlsx)


def _file(document, signature, name, fmt, document_pdf, document_xlsx) -> HttpResponse:  # type: ignore[no-untyped-def]
    if fmt == "pdf":
        response = HttpResponse(document_pdf(document, signature=signature), content_type="application/pdf")
    else:
        response = HttpResponse(document_xlsx(document, signature=signature), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response
