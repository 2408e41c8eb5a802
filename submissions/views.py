"""Council pages for the annual return: template, upload, web entry, warnings and the lifecycle."""

from __future__ import annotations

import csv
import io
import secrets

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from accounts.access import has_role
from accounts.models import Role
from wres_portal.errors import ApplicationError

from . import services
from .access import ReturnContext, get_return_for_user
from .forms import (
    ExplanationForm,
    LateReasonForm,
    SendBackForm,
    ServiceEntryForm,
    SignOffForm,
    UploadForm,
    field_name,
)
from .models import Return, ReturnVersion
from .presenters import data_tables, problem_rows, version_history
from .schema import GROUP_LABELS, SERVICE_LABELS, SERVICES, RowKey

UPLOAD_TTL = 60 * 60  # an upload waits an hour for confirmation; its errors stay downloadable as long


def _ctx(request: HttpRequest, ons_code: str, round_label: str) -> ReturnContext:
    return get_return_for_user(request.user, ons_code, round_label)


def _require_lead(request: HttpRequest, ctx: ReturnContext) -> None:
    if not has_role(request.user, ctx.authority, [Role.PROGRAMME_LEAD]):
        raise PermissionDenied


def _detail(ctx: ReturnContext) -> HttpResponse:
    return redirect("submissions:detail", ctx.authority.ons_code, ctx.round.label)


def _record(ctx: ReturnContext) -> Return:
    return ctx.record or services.return_get_or_create(authority=ctx.authority, collection_round=ctx.round)


@login_required
@require_safe
def return_list(request: HttpRequest, ons_code: str) -> HttpResponse:
    from accounts.access import get_authority_for_user

    from .models import CollectionRound

    authority = get_authority_for_user(request.user, ons_code)
    returns = {r.round_id: r for r in Return.objects.for_user(request.user).filter(authority=authority)}
    rounds = [(r, returns.get(r.pk)) for r in CollectionRound.objects.all()]
    return render(request, "submissions/return_list.html", {"authority": authority, "rounds": rounds})


@login_required
@require_safe
def return_detail(request: HttpRequest, ons_code: str, round_label: str) -> HttpResponse:
    ctx = _ctx(request, ons_code, round_label)
    record, version = ctx.record, ctx.record.current_version if ctx.record else None
    warnings = services.version_warnings(version) if version else []
    explained = {e.warning_key: e for e in version.explanations.all()} if version else {}
    is_lead = ctx.role == Role.PROGRAMME_LEAD
    return render(
        request,
        "submissions/return_detail.html",
        {
            "ctx": ctx,
            "record": record,
            "version": version,
            "tables": data_tables(version.data()) if version else [],
            "warnings": [(w, explained.get(w.key)) for w in warnings],
            "blockers": services.submission_blockers(record, warnings)
            if record and record.is_editable()
            else [],
            "is_lead": is_lead,
            "can_edit": is_lead and (record is None or record.is_editable()),
            "can_sign_off": ctx.role == Role.SENIOR_SPONSOR
            and record
            and record.status == Return.Status.SUBMITTED,
            "can_accept": request.user.is_national and record and record.status == Return.Status.SIGNED_OFF,
            "can_send_back": record is not None
            and (
                (ctx.role == Role.SENIOR_SPONSOR and record.status == Return.Status.SUBMITTED)
                or (request.user.is_national and record.status != Return.Status.DRAFT)
            ),
            "closes_on": ctx.round.closes_on_for(ctx.authority),
            "history": version_history(record) if record else [],
            "services": [(s, SERVICE_LABELS[s]) for s in SERVICES],
        },
    )


@login_required
@require_safe
def template_download(request: HttpRequest, ons_code: str, round_label: str, fmt: str) -> HttpResponse:
    from .template_files import csv_template, xlsx_template

    ctx = _ctx(request, ons_code, round_label)
    data = ctx.record.current_version.data() if ctx.record and ctx.record.current_version else None
    filename = f"wres-return-{ctx.round.label}-{ctx.authority.ons_code}"
    if fmt == "csv":
        response = HttpResponse(csv_template(data), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
        return response
    content = xlsx_template(
        authority_name=ctx.authority.name,
        ons_code=ctx.authority.ons_code,
        round_label=ctx.round.label,
        period=ctx.round.period_label,
        snapshot_date=f"{ctx.round.snapshot_date:%-d %B %Y}",
        closes_on=f"{ctx.round.closes_on_for(ctx.authority):%-d %B %Y}",
        data=data,
    )
    response = HttpResponse(
        content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response


def _cache_key(request: HttpRequest, token: str) -> str:
    return f"upload:{request.user.pk}:{token}"


@login_required
@require_http_methods(["GET", "POST"])
def upload(request: HttpRequest, ons_code: str, round_label: str) -> HttpResponse:
    """Upload a file: every problem comes back at once and nothing is stored; a clean file goes to
    a preview of what it changes, saved only on confirmation."""
    ctx = _ctx(request, ons_code, round_label)
    _require_lead(request, ctx)
    if ctx.record and not ctx.record.is_editable():
        messages.error(request, "This return has been submitted, so it cannot be changed.")
        return _detail(ctx)
    form = UploadForm(request.POST or None, request.FILES or None)
    page = {"ctx": ctx, "form": form}
    if request.method == "POST" and form.is_valid():
        upload_file = form.cleaned_data["file"]
        record = ctx.record or Return(authority=ctx.authority, round=ctx.round)
        checked = services.upload_check(record=record, filename=upload_file.name, content=upload_file.read())
        token = secrets.token_urlsafe(16)
        if checked.unreadable:
            form.add_error("file", checked.unreadable)
        elif checked.problems:
            rows = problem_rows(checked.problems)
            cache.set(_cache_key(request, token), {"errors": rows, "filename": upload_file.name}, UPLOAD_TTL)
            page.update(problems=rows, token=token, filename=upload_file.name)
        else:
            cache.set(
                _cache_key(request, token),
                {"data": _dump(checked.data), "filename": upload_file.name},
                UPLOAD_TTL,
            )
            return redirect("submissions:upload_confirm", ctx.authority.ons_code, ctx.round.label, token)
    return render(request, "submissions/upload.html", page)


@login_required
@require_safe
def upload_errors_csv(
    request: HttpRequest, ons_code: str, round_label: str, upload_token: str
) -> HttpResponse:
    ctx = _ctx(request, ons_code, round_label)
    stored = cache.get(_cache_key(request, upload_token))
    if not stored or "errors" not in stored:
        raise Http404
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["sheet", "row", "column", "what is wrong", "how to fix it"])
    for row in stored["errors"]:
        writer.writerow([row["sheet"], row["row"], row["column"], row["message"], row["fix"]])
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="errors-{ctx.authority.ons_code}-{ctx.round.label}.csv"'
    )
    return response


@login_required
@require_http_methods(["GET", "POST"])
def upload_confirm(request: HttpRequest, ons_code: str, round_label: str, upload_token: str) -> HttpResponse:
    from .validation import diff

    ctx = _ctx(request, ons_code, round_label)
    _require_lead(request, ctx)
    stored = cache.get(_cache_key(request, upload_token))
    if not stored or "data" not in stored:
        messages.error(request, "That upload has expired. Upload the file again.")
        return redirect("submissions:upload", ctx.authority.ons_code, ctx.round.label)
    data = _load(stored["data"])
    if request.method == "POST":
        try:
            services.draft_save(
                record=_record(ctx),
                data=data,
                user=request.user,
                source=ReturnVersion.Source.UPLOAD,
                filename=stored["filename"],
            )
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            cache.delete(_cache_key(request, upload_token))
            messages.success(request, f"{stored['filename']} was saved as your draft.")
        return _detail(ctx)
    old = ctx.record.current_version.data() if ctx.record and ctx.record.current_version else {}
    return render(
        request,
        "submissions/upload_confirm.html",
        {"ctx": ctx, "changes": diff(old, data), "filename": stored["filename"], "tables": data_tables(data)},
    )


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


@login_required
@require_http_methods(["GET", "POST"])
def submit(request: HttpRequest, ons_code: str, round_label: str) -> HttpResponse:
    ctx = _ctx(request, ons_code, round_label)
    _require_lead(request, ctx)
    if ctx.record is None:
        raise Http404
    late = services.is_late(ctx.record)
    form = LateReasonForm(request.POST or None) if late else None
    errors: list[dict[str, str]] = []
    if request.method == "POST" and (form is None or form.is_valid()):
        reason = form.cleaned_data["late_reason"] if form else ""
        try:
            services.return_submit(record=ctx.record, user=request.user, late_reason=reason)
        except ApplicationError as error:
            errors.append({"text": error.message})
        else:
            messages.success(
                request, "Your return was submitted. Your senior sponsor has been asked to sign it off."
            )
            return _detail(ctx)
    return render(
        request,
        "submissions/submit.html",
        {
            "ctx": ctx,
            "form": form,
            "late": late,
            "errors": errors,
            "blockers": services.submission_blockers(ctx.record),
            "page_title": "Submit the return",
            "button": "Submit the return",
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def sign_off(request: HttpRequest, ons_code: str, round_label: str) -> HttpResponse:
    ctx = _ctx(request, ons_code, round_label)
    if not has_role(request.user, ctx.authority, [Role.SENIOR_SPONSOR]):
        raise PermissionDenied
    if ctx.record is None:
        raise Http404
    form = SignOffForm(request.POST or None, initial={"name": request.user.full_name})
    if request.method == "POST" and form.is_valid():
        try:
            services.return_sign_off(record=ctx.record, user=request.user, **form.cleaned_data)
        except ApplicationError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, "You signed off the return. Skills for Care has been told.")
            return _detail(ctx)
    version = ctx.record.current_version
    return render(
        request,
        "submissions/sign_off.html",
        {
            "ctx": ctx,
            "form": form,
            "tables": data_tables(version.data()) if version else [],
            "page_title": "Sign off the return",
            "button": "Sign off the return",
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def accept(request: HttpRequest, ons_code: str, round_label: str) -> HttpResponse:
    ctx = _ctx(request, ons_code, round_label)
    if not request.user.is_national:
        raise PermissionDenied
    if ctx.record is None:
        raise Http404
    errors: list[dict[str, str]] = []
    if request.method == "POST":
        try:
            services.return_accept(record=ctx.record, user=request.user)
        except ApplicationError as error:
            errors.append({"text": error.message})
        else:
            messages.success(request, f"{ctx.authority.name}'s return was accepted.")
            return _detail(ctx)
    return render(
        request,
        "submissions/accept.html",
        {"ctx": ctx, "errors": errors, "page_title": "Accept the return", "button": "Accept the return"},
    )


@login_required
@require_http_methods(["GET", "POST"])
def send_back(request: HttpRequest, ons_code: str, round_label: str) -> HttpResponse:
    ctx = _ctx(request, ons_code, round_label)
    if not (request.user.is_national or has_role(request.user, ctx.authority, [Role.SENIOR_SPONSOR])):
        raise PermissionDenied
    if ctx.record is None:
        raise Http404
    form = SendBackForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.return_send_back(
                record=ctx.record, user=request.user, message=form.cleaned_data["message"]
            )
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
        },
    )


@login_required
@require_safe
def version_list(request: HttpRequest, ons_code: str, round_label: str) -> HttpResponse:
    ctx = _ctx(request, ons_code, round_label)
    if ctx.record is None:
        raise Http404
    return render(
        request, "submissions/version_list.html", {"ctx": ctx, "history": version_history(ctx.record)}
    )


@login_required
@require_safe
def version_compare(request: HttpRequest, ons_code: str, round_label: str) -> HttpResponse:
    """Two versions side by side: every figure of either, with the changed ones marked."""
    from .presenters import compare_rows

    ctx = _ctx(request, ons_code, round_label)
    if ctx.record is None:
        raise Http404
    versions = {v.number: v for v in ctx.record.versions.all()}
    try:
        a, b = versions[int(request.GET.get("a", 0))], versions[int(request.GET.get("b", 0))]
    except (KeyError, ValueError):
        numbers = sorted(versions)
        if len(numbers) < 1:
            raise Http404 from None
        a, b = versions[numbers[max(0, len(numbers) - 2)]], versions[numbers[-1]]
    return render(
        request,
        "submissions/version_compare.html",
        {
            "ctx": ctx,
            "a": a,
            "b": b,
            "rows": compare_rows(a.data(), b.data()),
            "versions": sorted(versions.values(), key=lambda v: v.number),
        },
    )


@login_required
@require_safe
def version_download(
    request: HttpRequest, ons_code: str, round_label: str, number: int, fmt: str
) -> HttpResponse:
    """One version's figures as CSV or XLSX, exported through the import-export resource."""
    from django.shortcuts import get_object_or_404

    from .resources import version_export

    ctx = _ctx(request, ons_code, round_label)
    if ctx.record is None:
        raise Http404
    version = get_object_or_404(ctx.record.versions, number=number)
    dataset = version_export(version)
    name = f"wres-return-{ctx.round.label}-{ctx.authority.ons_code}-v{version.number}.{fmt}"
    if fmt == "csv":
        response = HttpResponse(dataset.export("csv"), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(
            dataset.export("xlsx"),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
