from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from accounts.http import AuthenticatedHttpRequest
from submissions import services
from submissions.forms import (
    ExplanationForm,
    ServiceEntryForm,
    field_name,
)
from submissions.models import Return
from submissions.schema import GROUP_LABELS, SERVICE_LABELS, SERVICES, ReturnData, RowKey
from wres_portal.concurrency import Change, StaleWrite
from wres_portal.errors import ApplicationError

from .common import _ctx, _detail, _record, _require_lead, posted_explanations, posted_version


def _dump(data: dict[RowKey, dict[str, int]]) -> list[list[object]]:
    return [[k.service, k.measure, k.pay_band, c] for k, c in sorted(data.items())]


def _load(rows: list[list[object]]) -> dict[RowKey, dict[str, int]]:
    return {RowKey(str(s), str(m), str(b)): dict(c) for s, m, b, c in rows}  # type: ignore[call-overload]


@login_required
@require_http_methods(["GET", "POST"])
def enter_service(
    request: AuthenticatedHttpRequest, ons_code: str, round_label: str, service: str
) -> HttpResponse:
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
    version_number = ctx.record.version_number if ctx.record else 0
    affected: list[object] = []
    stale: dict[str, object] = {}
    # Explained warnings whose figures this change alters: say so before saving, offer the text.
    if request.method == "POST" and form.is_valid() and not request.POST.get("explanations_checked"):
        changed = {**{k: v for k, v in current.items() if k.service != service}, **form.counts()}
        affected = [a for a in services.explanations_affected(ctx.record, changed) if a.after]
        version_number = posted_version(request)
    if request.method == "POST" and form.is_valid() and not affected:
        try:
            services.draft_save_service(
                record=_record(ctx),
                service=service,
                counts=form.counts(),
                user=request.user,
                expected_version=posted_version(request),
                explanations=posted_explanations(request),
            )
        except StaleWrite as error:
            fresh = _record(_ctx(request, ons_code, round_label))
            form = _merged(request, fresh, service, form)
            form.add_error(None, error.message)
            stale = _stale_entry(error, service, form.counts())
            version_number = fresh.version_number
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
            "version_number": version_number,
            "affected": affected,
            **stale,
        },
    )


def _merged(
    request: AuthenticatedHttpRequest, record: Return, service: str, form: ServiceEntryForm
) -> ServiceEntryForm:
    """The form to save again after a refusal: what this person typed where they changed a figure,
    and the other person's figure where they left it as it was when they opened the page, so saving
    again never quietly undoes the other change (the table above the form shows both)."""
    opened_version = record.versions.filter(number=posted_version(request)).first()
    opened = opened_version.data() if opened_version else {}
    now = record.current_version.data() if record.current_version else {}
    data = request.POST.copy()
    for key, counts in form.counts().items():
        for group, typed in counts.items():
            before, after = opened.get(key, {}).get(group), now.get(key, {}).get(group)
            if typed == before and after is not None and after != before:
                data[field_name(key, group)] = str(after)
    merged = ServiceEntryForm(data, service=service, initial=form.initial)
    merged.is_valid()
    return merged


def _stale_entry(error: StaleWrite, service: str, counts: ReturnData) -> dict[str, object]:
    """The other person's changes beside what this person typed on the entry page."""
    typed = {
        f"{key}, {GROUP_LABELS[group]}": value for key, c in counts.items() for group, value in c.items()
    }
    changes = [Change(c.label, c.before, c.after, typed.get(c.label)) for c in error.changes]
    label = SERVICE_LABELS[service]
    return {
        "stale_changes": changes,
        # Only other services' figures moved: saving again keeps them and adds this person's.
        "stale_elsewhere": bool(changes) and not any(c.label.startswith(label + ":") for c in changes),
    }


@login_required
@require_http_methods(["GET", "POST"])
def remove_service(
    request: AuthenticatedHttpRequest, ons_code: str, round_label: str, service: str
) -> HttpResponse:
    ctx = _ctx(request, ons_code, round_label)
    if service not in SERVICES:
        raise Http404
    _require_lead(request, ctx)
    errors: list[dict[str, str]] = []
    stale_changes: list[Change] = []
    if request.method == "POST":
        if ctx.record is None:
            return _detail(ctx)
        try:
            services.draft_save_service(
                record=ctx.record,
                service=service,
                counts=None,
                user=request.user,
                expected_version=posted_version(request),
            )
        except StaleWrite as error:
            nothing = (
                "Nothing was removed. Check the changes below, then remove it again if you still mean to."
            )
            errors.append({"text": f"{error.situation} {nothing}"})
            stale_changes = error.changes
            ctx = _ctx(request, ons_code, round_label)
        except ApplicationError as error:
            messages.error(request, error.message)
            return _detail(ctx)
        else:
            messages.success(request, f"{SERVICE_LABELS[service]} was removed from your draft.")
            return _detail(ctx)
    return render(
        request,
        "submissions/remove_service.html",
        {
            "ctx": ctx,
            "service_label": SERVICE_LABELS[service],
            "version_number": ctx.record.version_number if ctx.record else 0,
            "errors": errors,
            "stale_changes": stale_changes,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def explain_warning(
    request: AuthenticatedHttpRequest, ons_code: str, round_label: str, key: str
) -> HttpResponse:
    ctx = _ctx(request, ons_code, round_label)
    _require_lead(request, ctx)
    record = ctx.record
    version = record.current_version if record else None
    if record is None or version is None:
        raise Http404
    warning = next((w for w in services.version_warnings(version) if w.key == key), None)
    if warning is None:
        raise Http404
    # The text to offer: this version's, else the latest written about this warning on any version.
    existing = version.explanations.filter(warning_key=key).first() or services.earlier_explanation(
        record, key
    )
    form = ExplanationForm(request.POST or None, initial={"text": existing.text if existing else ""})
    version_number = record.version_number
    # The explanations as this page shows them: saving names them, so one written since (by another
    # programme lead, say) is never overwritten unseen. After a refusal, the page names them as now.
    explained = version.explanations_digest()
    stale_changes: list = []
    if request.method == "POST" and form.is_valid():
        try:
            services.warning_explain(
                record=record,
                key=key,
                text=form.cleaned_data["text"],
                user=request.user,
                expected_version=posted_version(request),
                expected_explanations=request.POST.get("explained", "unknown"),
            )
        except StaleWrite as error:
            form.add_error(None, error.message)
            stale_changes = error.changes
            explained = record.current_version.explanations_digest() if record.current_version else ""
        except ApplicationError as error:
            form.add_error("text", error.message)
        else:
            messages.success(request, "Your explanation was saved.")
            return _detail(ctx)
    return render(
        request,
        "submissions/explain_warning.html",
        {
            "ctx": ctx,
            "warning": warning,
            "form": form,
            "version_number": version_number,
            "explained": explained,
            "stale_changes": stale_changes,
            "earlier": existing,
            "earlier_is_current": existing is not None and existing.is_current_for(warning.message),
        },
    )
