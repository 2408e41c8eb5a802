from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_safe

from accounts.access import get_authority_for_user
from accounts.http import AuthenticatedHttpRequest
from accounts.permissions import PLAN_PUBLISHERS, PROGRAMME_LEADS, PROGRESS_WRITERS, SENIOR_SPONSORS, role_in
from actionplans import selectors, services
from actionplans.access import (
    PlanContext,
    get_plan_for_user,
)
from actionplans.forms import (
    HeaderForm,
    PlanCreateForm,
    PlanSignOffForm,
    WhatWeKnowForm,
)
from actionplans.models import ActionPlan
from actionplans.presenters import (
    compare_rows,
    latest_results,
    plan_document,
    progress_rows,
    what_we_know_suggestions,
)
from actionplans.services.common import HEADER_FIELDS
from actionplans.themes import METRICS
from wres_portal.concurrency import Change, StaleWrite, document_token
from wres_portal.errors import ApplicationError

from .common import _add_error, _confirm, _detail, _page, signed_document


@login_required
@require_safe
def plan_list(request: AuthenticatedHttpRequest, ons_code: str) -> HttpResponse:
    authority = get_authority_for_user(request.user, ons_code)
    plans = selectors.plans_of(request.user, authority)
    role = role_in(request.user, authority)
    return render(
        request,
        "actionplans/plan_list.html",
        {"authority": authority, "plans": plans, "can_start": role in PROGRAMME_LEADS},
    )


@login_required
@require_http_methods(["GET", "POST"])
def plan_create(request: AuthenticatedHttpRequest, ons_code: str) -> HttpResponse:
    authority = get_authority_for_user(request.user, ons_code, roles=PROGRAMME_LEADS)
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
def plan_detail(request: AuthenticatedHttpRequest, ons_code: str, plan_year: int) -> HttpResponse:
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
            "can_edit_header": ctx.role in PROGRESS_WRITERS,
            "tasks": plan_tasks(ctx, document, quarters),
        },
    )


def plan_tasks(ctx: PlanContext, document: dict, quarters: list[dict]) -> list[dict[str, str]]:
    """The plan as a GOV.UK task list: details, objectives and actions, send for sign-off (then the
    sponsor's sign-off), and the quarterly reports, each with where it stands."""
    plan, code = ctx.plan, ctx.authority.ons_code
    header = document["header"]
    objectives = document["objectives"]
    detail = reverse("actionplans:detail", args=[code, plan.year])

    def task(title: str, href: str, status: str, hint: str, tag: str = "") -> dict[str, str]:
        return {"title": title, "href": href, "status": status, "hint": hint, "tag": tag}

    filled = [v for k, v in header.items() if k != "staff_voice_summary" and v]
    details = (
        "Completed" if len(filled) == len(header) - 1 else ("Incomplete" if filled else "Not yet started")
    )
    with_actions = [o for o in objectives if o["actions"]]
    if not objectives:
        work = "Not yet started"
    elif len(with_actions) < len(objectives):
        work = "Incomplete"
    else:
        work = "Completed"
    if not plan.needs_sign_off():
        sign = "Signed off"
    elif plan.is_waiting_for_sign_off():
        sign = "Waiting for the senior sponsor"
    elif services.sign_off_blockers(plan):
        sign = "Cannot start yet"
    else:
        sign = "Not yet started"
    send_href = ""
    if sign == "Not yet started" and ctx.is_lead:
        send_href = reverse("actionplans:send_for_sign_off", args=[code, plan.year])
    elif sign != "Signed off" and sign != "Cannot start yet" and ctx.is_sponsor:
        send_href = reverse("actionplans:sign_off", args=[code, plan.year])
    signed_off = [q for q in quarters if q["report"] and q["report"].status == "signed_off"]
    reports = f"{len(signed_off)} of 4 signed off" if plan.signed_version_id else "Cannot start yet"
    todo = {"Incomplete": "blue", "Not yet started": "blue", "Waiting for the senior sponsor": "blue"}
    rows = [
        (
            "Plan details",
            f"{detail}#details",
            details,
            "Who leads the plan, how it was agreed, the staff voice.",
        ),
        ("Objectives and actions", f"{detail}#objectives", work, "Each objective needs at least one action."),
        ("Send for sign-off", send_href, sign, "Your senior sponsor is emailed and signs the plan off."),
        ("Quarterly reports", f"{detail}#quarters", reports, "Progress on every action each quarter."),
    ]
    return [task(title, href, status, hint, todo.get(status, "")) for title, href, status, hint in rows]


@login_required
@require_http_methods(["GET", "POST"])
def send_for_sign_off(request: AuthenticatedHttpRequest, ons_code: str, plan_year: int) -> HttpResponse:
    ctx = get_plan_for_user(request.user, ons_code, plan_year, roles=PROGRAMME_LEADS)
    errors: list[dict[str, str]] = []
    if request.method == "POST":
        try:
            services.plan_send_for_sign_off(plan=ctx.plan, user=request.user)
        except ApplicationError as error:
            errors.append({"text": error.message})
        else:
            return redirect("actionplans:sent_for_sign_off", ctx.authority.ons_code, ctx.plan.year)
    return _page(
        request,
        ctx,
        None,
        "Send the plan for sign-off",
        "Send for sign-off",
        errors=errors,
        blockers=services.sign_off_blockers(ctx.plan),
        intro="Your senior sponsors will be emailed a link to read the plan and sign it off. Their home "
        "pages will list it until they do. You can still change the plan; they sign off what it says then.",
    )


@login_required
@require_safe
def signed_off(request: AuthenticatedHttpRequest, ons_code: str, plan_year: int, number: int) -> HttpResponse:
    """The confirmation panel once the sponsor signed the plan off (only while that version is the
    one signed and the plan has not changed since)."""
    ctx = get_plan_for_user(request.user, ons_code, plan_year)
    version = ctx.plan.signed_version
    if version is None or version.number != number or ctx.plan.changed_since_sign_off:
        return _detail(ctx)
    return render(
        request,
        "actionplans/done.html",
        {
            "ctx": ctx,
            "title": "Action plan signed off",
            "body": f"Version {version.number} of the {ctx.plan.year_label} plan",
            "next_steps": "The programme lead has been emailed. They can publish the plan at its public "
            "address. Any later change will need your sign-off again.",
        },
    )


@login_required
@require_safe
def sent_for_sign_off(request: AuthenticatedHttpRequest, ons_code: str, plan_year: int) -> HttpResponse:
    """The confirmation panel once the plan is sent (only while it is waiting for the sponsor)."""
    ctx = get_plan_for_user(request.user, ons_code, plan_year)
    if not ctx.plan.is_waiting_for_sign_off():
        return _detail(ctx)
    return render(
        request,
        "actionplans/done.html",
        {
            "ctx": ctx,
            "title": "Plan sent for sign-off",
            "body": f"{ctx.authority.name}'s WRES action plan {ctx.plan.year_label}",
            "next_steps": "Your senior sponsors have been emailed a link to the plan. They will sign it off, "
            "or tell you what needs to change. You will be emailed when it is signed off.",
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def header_edit(request: AuthenticatedHttpRequest, ons_code: str, plan_year: int) -> HttpResponse:
    ctx = get_plan_for_user(request.user, ons_code, plan_year, roles=PROGRESS_WRITERS)
    voice_only = not ctx.is_lead
    shown = ("staff_voice_summary",) if voice_only else HEADER_FIELDS
    form = HeaderForm(
        request.POST or None,
        instance=ctx.plan,
        voice_only=voice_only,
        seen_token=services.header_state(ctx.plan, shown),
    )
    stale_changes: list[Change] = []
    if request.method == "POST" and form.is_valid():
        try:
            services.plan_update(
                plan=ctx.plan, user=request.user, expected_details=form.expected_state(), **form.cleaned_data
            )
        except StaleWrite as error:
            now = selectors.plan_now(ctx.plan)
            stale_changes = form.refused(
                error,
                HeaderForm(instance=now, voice_only=voice_only, seen_token=services.header_state(now, shown)),
            )
        except ApplicationError as error:
            _add_error(form, error)
        else:
            messages.success(request, "The plan's details were saved.")
            return _detail(ctx)
    title = "Plan details" if ctx.is_lead else "Staff voice"
    return _page(request, ctx, form, title, "Save", stale_changes=stale_changes)


@login_required
@require_http_methods(["GET", "POST"])
def what_we_know_edit(request: AuthenticatedHttpRequest, ons_code: str, plan_year: int) -> HttpResponse:
    ctx = get_plan_for_user(request.user, ons_code, plan_year, roles=PROGRAMME_LEADS)
    results = latest_results(ctx.authority)
    suggestions = what_we_know_suggestions(results)

    def form_for(plan: ActionPlan, data: object = None) -> WhatWeKnowForm:
        lines = dict(plan.what_we_know.values_list("metric", "text"))
        return WhatWeKnowForm(
            data,
            initial={f"metric_{metric}": text for metric, text in lines.items()},
            suggestions=suggestions,
            round_label=results.round_label,
            seen_token=services.what_we_know_state(plan),
            seen_values={f"metric_{metric}": lines.get(metric, "") for metric in METRICS},
        )

    form = form_for(ctx.plan, request.POST or None)
    stale_changes: list[Change] = []
    if request.method == "POST" and form.is_valid():
        try:
            services.what_we_know_update(
                plan=ctx.plan, user=request.user, lines=form.lines(), expected_state=form.expected_state()
            )
        except StaleWrite as error:
            stale_changes = form.refused(error, form_for(selectors.plan_now(ctx.plan)))
        else:
            messages.success(request, "What we know was saved.")
            return _detail(ctx)
    intro = (
        f"Each line starts as what your {results.round_label} results say. Change it to say what it means "
        "for your council."
        if results.round_label
        else "Your council has no submitted results yet. Write what you know from your own data."
    )
    return _page(request, ctx, form, "What we know", "Save", intro=intro, stale_changes=stale_changes)


@login_required
@require_http_methods(["GET", "POST"])
def sign_off(request: AuthenticatedHttpRequest, ons_code: str, plan_year: int) -> HttpResponse:
    ctx = get_plan_for_user(request.user, ons_code, plan_year, roles=SENIOR_SPONSORS)
    shown = plan_document(ctx.plan)
    form = PlanSignOffForm(
        request.POST or None,
        initial={"name": request.user.full_name},
        seen_token=document_token(shown),
        seen_values={"document": shown},
    )
    stale_rows: list[dict[str, object]] = []
    if request.method == "POST" and form.is_valid():
        try:
            version = services.plan_sign_off(
                plan=ctx.plan, user=request.user, expected_state=form.expected_state(), **form.cleaned_data
            )
        except StaleWrite as error:
            # The plan moved on since the page was opened: keep what was typed, show the plan as it
            # is now and what changed, and let the sponsor sign again, on purpose.
            before = form.seen_before()
            form.add_error(None, error.message)
            ctx.plan.refresh_from_db()
            shown = plan_document(ctx.plan)
            form.move_on(PlanSignOffForm(seen_token=document_token(shown), seen_values={"document": shown}))
            if before is not None and "document" in before.values:
                stale_rows = compare_rows(before.values["document"], shown)
        except ApplicationError as error:
            _add_error(form, error)
        else:
            return redirect("actionplans:signed_off", ctx.authority.ons_code, ctx.plan.year, version.number)
    return _page(
        request,
        ctx,
        form,
        "Sign off the action plan",
        "Sign off the action plan",
        template="actionplans/sign_off.html",
        blockers=services.sign_off_blockers(ctx.plan),
        doc=signed_document(form, shown),
        stale_rows=stale_rows,
    )


@login_required
@require_http_methods(["GET", "POST"])
def publish(request: AuthenticatedHttpRequest, ons_code: str, plan_year: int) -> HttpResponse:
    ctx = get_plan_for_user(request.user, ons_code, plan_year, roles=PLAN_PUBLISHERS)
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
def withdraw(request: AuthenticatedHttpRequest, ons_code: str, plan_year: int) -> HttpResponse:
    ctx = get_plan_for_user(request.user, ons_code, plan_year, roles=PLAN_PUBLISHERS)
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
def roll_forward(request: AuthenticatedHttpRequest, ons_code: str, plan_year: int) -> HttpResponse:
    ctx = get_plan_for_user(request.user, ons_code, plan_year, roles=PROGRAMME_LEADS)
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
