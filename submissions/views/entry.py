from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from submissions import services
from submissions.forms import (
    ExplanationForm,
    ServiceEntryForm,
    field_name,
)
from submissions.schema import GROUP_LABELS, SERVICE_LABELS, SERVICES, RowKey
from wres_portal.errors import ApplicationError

from .common import _ctx, _detail, _record, _require_lead


def _dump(data: dict[RowKey, dict[str, int]]) -> list[list[object]]:
    return [[k.service, k.measure, k.pay_band, c] for k, c in sorted(data.items())]


def _load(rows: list[list[object]]) -> dict[RowKey, dict[str, int]]:
    return {RowKey(str(s), str(m), str(b)): dict(c) for s, m, b, c in rows}  # type: ignore[call-overload]


@login_required
@require_http_methods(["GET", "POST"])
def enter_service(request: HttpRequest, ons_code: str, round_label: str, service: str) -> HttpResponse:
    """Type in or correct one service's figures; saved as a new draft version with the same checks."""
    ctx = _ctx(request, ons_code, round_label)
    if service not in SERVICES:
        raise Http404
    _require_lead(request, ctx)
    if ctx.record and not ctx.record.is_editable():
        messages.error(request, "This return has been submitted, so it cannot be changed.")
        return _detail(ctx)
    current = ctx.record.current_version.data() if ctx.record and ctx.record.current_version else {}
    form = ServiceEntryForm(
        request.POST or None, service=service, initial=ServiceEntryForm.initial_from(current, service)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.draft_save_service(
                record=_record(ctx), service=service, counts=form.counts(), user=request.user
            )
        except services.ReturnDataInvalid as invalid:
            for problem in invalid.problems:
                name = field_name(problem.key, problem.group) if problem.key and problem.group else None
                form.add_error(name if name in form.fields else None, problem.message)
        except ApplicationError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, f"{SERVICE_LABELS[service]} figures saved as your draft.")
            return _detail(ctx)
    return render(
        request,
        "submissions/enter_service.html",
        {
            "ctx": ctx,
            "form": form,
            "service": service,
            "service_label": SERVICE_LABELS[service],
            "groups": GROUP_LABELS,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def remove_service(request: HttpRequest, ons_code: str, round_label: str, service: str) -> HttpResponse:
    ctx = _ctx(request, ons_code, round_label)
    if service not in SERVICES:
        raise Http404
    _require_lead(request, ctx)
    if request.method == "POST":
        if ctx.record is None:
            return _detail(ctx)
        try:
            services.draft_save_service(record=ctx.record, service=service, counts=None, user=request.user)
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, f"{SERVICE_LABELS[service]} was removed from your draft.")
        return _detail(ctx)
    return render(
        request, "submissions/remove_service.html", {"ctx": ctx, "service_label": SERVICE_LABELS[service]}
    )


@login_required
@require_http_methods(["GET", "POST"])
def explain_warning(request: HttpRequest, ons_code: str, round_label: str, key: str) -> HttpResponse:
    ctx = _ctx(request, ons_code, round_label)
    _require_lead(request, ctx)
    version = ctx.record.current_version if ctx.record else None
    warning = next((w for w in services.version_warnings(version) if w.key == key), None) if version else None
    if warning is None:
        raise Http404
    existing = version.explanations.filter(warning_key=key).first()
    form = ExplanationForm(request.POST or None, initial={"text": existing.text if existing else ""})
    if request.method == "POST" and form.is_valid():
        try:
            services.warning_explain(
                record=ctx.record, key=key, text=form.cleaned_data["text"], user=request.user
            )
        except ApplicationError as error:
            form.add_error("text", error.message)
        else:
            messages.success(request, "Your explanation was saved.")
            return _detail(ctx)
    return render(request, "submissions/explain_warning.html", {"ctx": ctx, "warning": warning, "form": form})
