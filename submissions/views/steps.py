from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_safe

from accounts import permissions
from accounts.http import AuthenticatedHttpRequest
from submissions import services
from submissions.access import ReturnContext
from submissions.forms import (
    LateReasonForm,
    SendBackForm,
    SignOffForm,
)
from submissions.models import Return
from wres_portal.concurrency import Change, StaleWrite
from wres_portal.errors import ApplicationError

from .common import _ctx, _detail, _existing, _require_lead, _shown, answers, posted_version


@login_required
@require_http_methods(["GET", "POST"])
def submit(request: AuthenticatedHttpRequest, ons_code: str, round_label: str) -> HttpResponse:
    ctx = _ctx(request, ons_code, round_label)
    _require_lead(request, ctx)
    if ctx.record is None:
        raise Http404
    if not ctx.record.is_editable():  # already submitted, signed off or accepted: nothing to press
        messages.info(
            request,
            f"This return is {ctx.record.get_status_display().lower()}, so there is nothing to submit.",
        )
        return _detail(ctx)
    late = services.is_late(ctx.record)
    form = LateReasonForm(request.POST or None) if late else None
    errors: list[dict[str, str]] = []
    stale_changes: list[Change] = []
    if request.method == "POST" and (form is None or form.is_valid()):
        reason = form.cleaned_data["late_reason"] if form else ""
        try:
            services.return_submit(
                record=ctx.record,
                user=request.user,
                late_reason=reason,
                expected_version=posted_version(request),
            )
        except StaleWrite as error:
            errors.append({"text": error.message})
            stale_changes, ctx = error.changes, _ctx(request, ons_code, round_label)
        except ApplicationError as error:
            errors.append({"text": error.message})
        else:
            return _done(ctx, "submitted")
    return render(
        request,
        "submissions/submit.html",
        {
            "ctx": ctx,
            "form": form,
            "late": late,
            "errors": errors,
            "blockers": services.submission_blockers(_existing(ctx)),
            **answers(_existing(ctx)),
            "page_title": "Check your answers and submit",
            "button": "Submit the return",
            **_shown(ctx.record),
            "stale_changes": stale_changes,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def sign_off(request: AuthenticatedHttpRequest, ons_code: str, round_label: str) -> HttpResponse:
    ctx = _ctx(request, ons_code, round_label)
    if not permissions.can_sign_off_return(request.user, ctx.authority):
        raise PermissionDenied
    if ctx.record is None:
        raise Http404
    form = SignOffForm(request.POST or None, initial={"name": request.user.full_name})
    stale_changes: list[Change] = []
    if request.method == "POST" and form.is_valid():
        try:
            services.return_sign_off(
                record=ctx.record,
                user=request.user,
                expected_version=posted_version(request),
                **form.cleaned_data,
            )
        except StaleWrite as error:
            form.add_error(None, error.message)
            stale_changes, ctx = error.changes, _ctx(request, ons_code, round_label)
        except ApplicationError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            return _done(ctx, "signed-off")
    return render(
        request,
        "submissions/sign_off.html",
        {
            "ctx": ctx,
            "form": form,
            **answers(_existing(ctx)),
            "page_title": "Sign off the return",
            "button": "Sign off the return",
            **_shown(ctx.record),
            "stale_changes": stale_changes,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def accept(request: AuthenticatedHttpRequest, ons_code: str, round_label: str) -> HttpResponse:
    ctx = _ctx(request, ons_code, round_label)
    if not permissions.can_accept_return(request.user):
        raise PermissionDenied
    if ctx.record is None:
        raise Http404
    errors: list[dict[str, str]] = []
    stale_changes: list[Change] = []
    if request.method == "POST":
        try:
            services.return_accept(
                record=ctx.record, user=request.user, expected_version=posted_version(request)
            )
        except StaleWrite as error:
            errors.append({"text": error.message})
            stale_changes, ctx = error.changes, _ctx(request, ons_code, round_label)
        except ApplicationError as error:
            errors.append({"text": error.message})
        else:
            return _done(ctx, "accepted")
    return render(
        request,
        "submissions/accept.html",
        {
            "ctx": ctx,
            "errors": errors,
            **answers(_existing(ctx)),
            "page_title": "Accept the return",
            "button": "Accept the return",
            **_shown(ctx.record),
            "stale_changes": stale_changes,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def send_back(request: AuthenticatedHttpRequest, ons_code: str, round_label: str) -> HttpResponse:
    ctx = _ctx(request, ons_code, round_label)
    # Who may at all; the service decides by the return's status (the sponsor only while submitted).
    if not permissions.can_send_back_return(request.user, ctx.authority, submitted=True):
        raise PermissionDenied
    if ctx.record is None:
        raise Http404
    form = SendBackForm(request.POST or None)
    stale_changes: list[Change] = []
    if request.method == "POST" and form.is_valid():
        try:
            services.return_send_back(
                record=ctx.record,
                user=request.user,
                message=form.cleaned_data["message"],
                expected_version=posted_version(request),
            )
        except StaleWrite as error:
            form.add_error(None, error.message)
            stale_changes, ctx = error.changes, _ctx(request, ons_code, round_label)
        except ApplicationError as error:
            form.add_error("message" if error.field == "message" else None, error.message)
        else:
            messages.success(
                request, "The return was sent back for revision. The programme lead has been told."
            )
            return _detail(ctx)
    return render(
        request,
        "submissions/send_back.html",
        {
            "ctx": ctx,
            "form": form,
            "page_title": "Return for revision",
            "button": "Return for revision",
            "warning_button": True,
            **_shown(ctx.record),
            "stale_changes": stale_changes,
        },
    )


#: Each step's confirmation: the status the return has once the step happened, and the words.
DONE = {
    "submitted": (
        Return.Status.SUBMITTED,
        "Return submitted",
        "Your senior sponsor has been emailed and asked to sign the return off. You will be told if "
        "they return it for revision.",
    ),
    "signed-off": (
        Return.Status.SIGNED_OFF,
        "Return signed off",
        "Skills for Care has been told. They will check the return and accept it, or return it for "
        "revision with a reason.",
    ),
    "accepted": (
        Return.Status.ACCEPTED,
        "Return accepted",
        "The council's figures now count towards the national benchmarks. The council has been told.",
    ),
}


def _done(ctx: ReturnContext, step: str) -> HttpResponse:
    url = reverse("submissions:done", args=[ctx.authority.ons_code, ctx.round.label])
    return redirect(f"{url}?step={step}")


@login_required
@require_safe
def done(request: AuthenticatedHttpRequest, ons_code: str, round_label: str) -> HttpResponse:
    """The GOV.UK confirmation page after a step, shown only while the return is where the step
    left it (a bookmarked or guessed address goes to the return instead)."""
    ctx = _ctx(request, ons_code, round_label)
    step = DONE.get(request.GET.get("step", ""))
    if step is None or ctx.record is None or ctx.record.status != step[0]:
        return _detail(ctx)
    _status, title, next_steps = step
    return render(request, "submissions/done.html", {"ctx": ctx, "title": title, "next_steps": next_steps})
