"""Quarterly progress pages: the report of a quarter (every action with its update, the RAG the portal
suggests and the updates still missing), entering an update, submitting, signing off, exports."""

from __future__ import annotations

from typing import TypedDict, cast
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_safe

from accounts.http import AuthenticatedHttpRequest
from accounts.permissions import PROGRAMME_LEADS, PROGRESS_WRITERS, SENIOR_SPONSORS
from wres_portal.concurrency import Change, StaleWrite, document_token, timestamp_token
from wres_portal.errors import ApplicationError

from . import services
from .access import PlanContext, get_action_for_user, get_plan_for_user, get_quarter
from .forms import ReportSignOffForm, ReportSubmitForm, UpdateForm
from .models import Action, Quarter, QuarterlyReport
from .presenters import compare_rows, progress_rows, report_document
from .views import _add_error, _confirm, _file, _page, signed_document


def _report_page(ctx: PlanContext, quarter: Quarter) -> HttpResponse:
    return redirect("actionplans:report", ctx.authority.ons_code, ctx.plan.year, quarter.slug)


@login_required
@require_safe
def report_detail(
    request: AuthenticatedHttpRequest, ons_code: str, plan_year: int, quarter: str
) -> HttpResponse:
    ctx = get_plan_for_user(request.user, ons_code, plan_year)
    period, report = get_quarter(ctx, quarter)
    rows = progress_rows(ctx.plan, report, period.ends_on)
    draft = report is None or report.is_editable()
    return render(
        request,
        "actionplans/report_detail.html",
        {
            "ctx": ctx,
            "quarter": period,
            "report": report,
            "rows": rows,
            "missing": [r for r in rows if r.missing],
            "can_update": ctx.can_update and draft,
            "can_submit": ctx.is_lead
            and report is not None
            and report.status == QuarterlyReport.Status.DRAFT,
            "can_sign_off": ctx.is_sponsor
            and report is not None
            and report.status == QuarterlyReport.Status.SUBMITTED,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def update_edit(
    request: AuthenticatedHttpRequest, ons_code: str, plan_year: int, quarter: str, action: UUID
) -> HttpResponse:
    ctx = get_plan_for_user(request.user, ons_code, plan_year, roles=PROGRESS_WRITERS)
    period, report = get_quarter(ctx, quarter)
    instance = get_action_for_user(request.user, ctx, action)
    row = next(r for r in progress_rows(ctx.plan, report, period.ends_on) if r.action.pk == instance.pk)
    form = _update_form(request.POST or None, report, instance, row.suggested)
    stale_changes: list[Change] = []
    if request.method == "POST" and form.is_valid():
        try:
            services.update_save(
                plan=ctx.plan,
                quarter=period,
                action=instance,
                user=request.user,
                expected_state=form.expected_state(),
                **form.cleaned_data,
            )
        except StaleWrite as error:
            _, report = get_quarter(ctx, quarter)
            stale_changes = form.refused(error, _update_form(None, report, instance, row.suggested))
        except ApplicationError as error:
            _add_error(form, error)
        else:
            messages.success(request, f"The update for action {instance.number} was saved.")
            return _report_page(ctx, period)
    return _page(
        request,
        ctx,
        form,
        f"Update action {instance.number}",
        "Save the update",
        template="actionplans/update_form.html",
        quarter=period,
        action=instance,
        row=row,
        stale_changes=stale_changes,
    )


def _update_form(
    data: object, report: QuarterlyReport | None, action: Action, suggested: str | None
) -> UpdateForm:
    """The update form for an action, naming the update as it stands (or "new") as its state."""
    existing = report.updates.select_related("updated_by").filter(action=action).first() if report else None
    initial = (
        {"rag": existing.rag, "narrative": existing.narrative, "evidence_url": existing.evidence_url}
        if existing
        else {"rag": suggested}
    )
    token = timestamp_token(existing.updated_at if existing else None)
    return UpdateForm(data, initial=initial, seen_token=token)


@login_required
@require_http_methods(["GET", "POST"])
def report_submit(
    request: AuthenticatedHttpRequest, ons_code: str, plan_year: int, quarter: str
) -> HttpResponse:
    ctx = get_plan_for_user(request.user, ons_code, plan_year, roles=PROGRAMME_LEADS)
    period, report = get_quarter(ctx, quarter)
    if report is None:
        raise Http404
    form = ReportSubmitForm(request.POST or None, initial={"summary": report.summary}, **_shown(report))
    stale_rows: list[dict[str, object]] = []
    if request.method == "POST" and form.is_valid():
        try:
            services.report_submit(
                report=report,
                user=request.user,
                summary=form.cleaned_data["summary"],
                expected_state=form.expected_state(),
            )
        except StaleWrite as error:
            stale_rows = _refused(form, error, report, ReportSubmitForm)
        except ApplicationError as error:
            _add_error(form, error)
        else:
            return _report_done(ctx, period, "submitted")
    return _page(
        request,
        ctx,
        form,
        f"Submit the {period.label} report",
        "Submit the report",
        missing=services.missing_updates(report),
        quarter=period,
        template="actionplans/report_submit.html",
        stale_rows=stale_rows,
    )


#: Each report step's confirmation: the report's status once the step happened, and the words.
REPORT_DONE = {
    "submitted": (
        QuarterlyReport.Status.SUBMITTED,
        "Progress report submitted",
        "Your senior sponsors have been emailed and asked to sign the report off.",
    ),
    "signed-off": (
        QuarterlyReport.Status.SIGNED_OFF,
        "Progress report signed off",
        "The programme lead has been emailed. The report is kept as it is now.",
    ),
}


def _report_done(ctx: PlanContext, period: Quarter, step: str) -> HttpResponse:
    url = reverse("actionplans:report_done", args=[ctx.authority.ons_code, ctx.plan.year, period.slug])
    return redirect(f"{url}?step={step}")


@login_required
@require_safe
def report_done(
    request: AuthenticatedHttpRequest, ons_code: str, plan_year: int, quarter: str
) -> HttpResponse:
    """The confirmation panel after a report step, only while the report is where the step left it."""
    ctx = get_plan_for_user(request.user, ons_code, plan_year)
    period, report = get_quarter(ctx, quarter)
    step = REPORT_DONE.get(request.GET.get("step", ""))
    if step is None or report is None or report.status != step[0]:
        return _report_page(ctx, period)
    return render(
        request,
        "actionplans/done.html",
        {
            "ctx": ctx,
            "title": step[1],
            "body": f"{period.label}, {ctx.authority.name}'s action plan {ctx.plan.year_label}",
            "next_steps": step[2],
            "report_url": reverse("actionplans:report", args=[ons_code, plan_year, period.slug]),
        },
    )


class _Shown(TypedDict):
    seen_token: str
    seen_values: dict[str, object]


def _shown(report: QuarterlyReport) -> _Shown:
    """The report as the page shows it: its state token and the document, kept (signed) in the
    form so a refused submission or sign-off can say what changed."""
    document = report_document(report)
    return {"seen_token": document_token(document), "seen_values": {"document": document}}


def _refused(form, error: StaleWrite, report: QuarterlyReport, form_class) -> list[dict[str, object]]:
    """A refused submission or sign-off: keep what was typed, show the report as it is now and what
    changed since the page was opened."""
    report.refresh_from_db()
    before = form.seen_before()
    form.add_error(None, error.message)
    now = form_class(**_shown(report))
    form.move_on(now)
    if before is None or "document" not in before.values:
        return []
    return compare_rows(before.values["document"], now.seen_now.values["document"])


@login_required
@require_http_methods(["GET", "POST"])
def report_sign_off(
    request: AuthenticatedHttpRequest, ons_code: str, plan_year: int, quarter: str
) -> HttpResponse:
    ctx = get_plan_for_user(request.user, ons_code, plan_year, roles=SENIOR_SPONSORS)
    period, report = get_quarter(ctx, quarter)
    if report is None:
        raise Http404
    shown = _shown(report)
    form = ReportSignOffForm(request.POST or None, initial={"name": request.user.full_name}, **shown)
    stale_rows: list[dict[str, object]] = []
    if request.method == "POST" and form.is_valid():
        try:
            services.report_sign_off(
                report=report, user=request.user, expected_state=form.expected_state(), **form.cleaned_data
            )
        except StaleWrite as error:
            stale_rows = _refused(form, error, report, ReportSignOffForm)
        except ApplicationError as error:
            _add_error(form, error)
        else:
            return _report_done(ctx, period, "signed-off")
    return _page(
        request,
        ctx,
        form,
        f"Sign off the {period.label} report",
        "Sign off the report",
        template="actionplans/report_sign_off.html",
        report=report,
        doc=signed_document(form, cast(dict, shown["seen_values"]["document"])),
        quarter=period,
        stale_rows=stale_rows,
    )


@login_required
@require_http_methods(["GET", "POST"])
def report_send_back(
    request: AuthenticatedHttpRequest, ons_code: str, plan_year: int, quarter: str
) -> HttpResponse:
    ctx = get_plan_for_user(request.user, ons_code, plan_year, roles=SENIOR_SPONSORS)
    period, report = get_quarter(ctx, quarter)
    if report is None:
        raise Http404
    return _confirm(
        request,
        ctx,
        f"Return the {period.label} report to draft",
        "Return to draft",
        "The report was returned to draft so its updates can be corrected.",
        lambda: (services.report_send_back(report=report, user=request.user), _report_page(ctx, period))[1],
        intro="The programme lead and staff voice lead can then correct the updates and submit it again.",
        warning_button=True,
    )


def _document(report: QuarterlyReport) -> dict:
    """A signed report as it was signed; otherwise as it stands."""
    return report.signed_document if report.signed_document else report_document(report)


@login_required
@require_safe
def report_print(
    request: AuthenticatedHttpRequest, ons_code: str, plan_year: int, quarter: str
) -> HttpResponse:
    ctx = get_plan_for_user(request.user, ons_code, plan_year)
    period, report = get_quarter(ctx, quarter)
    if report is None:
        raise Http404
    return render(
        request,
        "actionplans/report_print.html",
        {"ctx": ctx, "report": report, "doc": _document(report), "quarter": period},
    )


@login_required
@require_safe
def report_download(
    request: AuthenticatedHttpRequest, ons_code: str, plan_year: int, quarter: str, fmt: str
) -> HttpResponse:
    from .exports import document_pdf, document_xlsx

    ctx = get_plan_for_user(request.user, ons_code, plan_year)
    period, report = get_quarter(ctx, quarter)
    if report is None:
        raise Http404
    signature = report if report.status == QuarterlyReport.Status.SIGNED_OFF else None
    name = f"wres-action-plan-progress-{period.slug}-{ctx.authority.ons_code}"
    return _file(_document(report), signature, name, fmt, document_pdf, document_xlsx)
