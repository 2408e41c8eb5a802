from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from accounts.http import AuthenticatedHttpRequest
from submissions import services
from submissions.forms import (
    UploadForm,
)
from submissions.models import Return, ReturnVersion
from submissions.presenters import data_tables, problem_rows
from submissions.schema import SERVICE_LABELS, SERVICES
from submissions.validation import diff, merge_services, services_effect
from wres_portal.concurrency import Change, StaleWrite
from wres_portal.downloads import CSV, attachment, csv_text
from wres_portal.errors import ApplicationError

from .common import _ctx, _detail, _record, _require_lead, posted_explanations, posted_version
from .entry import _dump, _load


def _preview(request: AuthenticatedHttpRequest, ctx, token: str):
    return services.upload_preview_get(
        user=request.user, authority=ctx.authority, collection_round=ctx.round, token=token
    )


@login_required
@require_http_methods(["GET", "POST"])
def upload(request: AuthenticatedHttpRequest, ons_code: str, round_label: str) -> HttpResponse:
    """Upload a file: every problem comes back at once and nothing is stored; a clean file goes to
    a preview of what it changes, saved only on confirmation."""
    ctx = _ctx(request, ons_code, round_label)
    _require_lead(request, ctx)
    record = ctx.record or Return(authority=ctx.authority, round=ctx.round)
    try:
        services.require_changeable(record)  # before the file is looked at (issue 13, H1 and L9)
    except ApplicationError as error:
        messages.error(request, error.message)
        return _detail(ctx)
    form = UploadForm(request.POST or None, request.FILES or None)
    page = {"ctx": ctx, "form": form}
    if request.method == "POST" and form.is_valid():
        upload_file = form.cleaned_data["file"]
        filename = upload_file.name[:255]
        try:
            checked = services.upload_check(record=record, filename=filename, content=upload_file.read())
        except ApplicationError as error:
            messages.error(request, error.message)
            return _detail(ctx)
        if checked.unreadable:
            form.add_error("file", checked.unreadable)
        elif checked.problems:
            rows = problem_rows(checked.problems)
            preview = services.upload_preview_store(
                user=request.user,
                authority=ctx.authority,
                collection_round=ctx.round,
                filename=filename,
                errors=rows,
            )
            more = checked.more_problems
            page.update(problems=rows, more_problems=more, token=preview.token, filename=filename)
        else:
            preview = services.upload_preview_store(
                user=request.user,
                authority=ctx.authority,
                collection_round=ctx.round,
                filename=filename,
                data=_dump(checked.data),
            )
            return redirect(
                "submissions:upload_confirm", ctx.authority.ons_code, ctx.round.label, preview.token
            )
    return render(request, "submissions/upload.html", page)


@login_required
@require_safe
def upload_errors_csv(
    request: AuthenticatedHttpRequest, ons_code: str, round_label: str, upload_token: str
) -> HttpResponse:
    ctx = _ctx(request, ons_code, round_label)
    preview = _preview(request, ctx, upload_token)
    if preview is None or preview.errors is None:
        raise Http404
    # Sheet names and column headers are copied from the upload: csv_text neutralises them (L3).
    rows = [["sheet", "row", "column", "what is wrong", "how to fix it"]]
    rows += [[r["sheet"], r["row"], r["column"], r["message"], r["fix"]] for r in preview.errors]
    return attachment(csv_text(rows), f"errors-{ctx.authority.ons_code}-{ctx.round.label}.csv", CSV)


@login_required
@require_http_methods(["GET", "POST"])
def upload_confirm(
    request: AuthenticatedHttpRequest, ons_code: str, round_label: str, upload_token: str
) -> HttpResponse:
    ctx = _ctx(request, ons_code, round_label)
    _require_lead(request, ctx)
    preview = _preview(request, ctx, upload_token)
    if preview is None or preview.data is None:
        messages.error(request, "That upload has expired. Upload the file again.")
        return redirect("submissions:upload", ctx.authority.ons_code, ctx.round.label)
    data = _load(preview.data)
    remove = [s for s in SERVICES if request.POST.get(f"remove_{s}")]
    errors: list[dict[str, str]] = []
    stale_changes: list[Change] = []
    if request.method == "POST":
        try:
            services.draft_save(
                record=_record(ctx),
                data=data,
                user=request.user,
                source=ReturnVersion.Source.UPLOAD,
                filename=preview.filename,
                remove_services=remove,
                expected_version=posted_version(request),
                explanations=posted_explanations(request),
            )
        except StaleWrite as error:
            # Someone saved since this preview was made: show the file against the draft as it is
            # now, say what they changed, and wait for the person to confirm again.
            errors.append({"text": error.message})
            stale_changes = error.changes
            ctx = _ctx(request, ons_code, round_label)
        except ApplicationError as error:
            messages.error(request, error.message)
            return _detail(ctx)
        else:
            services.upload_preview_delete(preview)
            messages.success(request, f"{preview.filename} was saved as your draft.")
            return _detail(ctx)
    old = ctx.record.current_version.data() if ctx.record and ctx.record.current_version else {}
    merged = merge_services(old, data, remove)
    effect = services_effect(old, data, remove)
    missing = [s for s in SERVICES if s in effect["kept"] or s in effect["removed"]]
    # The warnings the draft would have once saved, worked out as they are after saving.
    unsaved = ctx.record or Return(authority=ctx.authority, round=ctx.round)
    return render(
        request,
        "submissions/upload_confirm.html",
        {
            "ctx": ctx,
            "changes": diff(old, merged),
            "filename": preview.filename,
            "tables": data_tables(data),
            "base_version": ctx.record.version_number if ctx.record else 0,
            "effect": {
                "replaced": [SERVICE_LABELS[s] for s in effect["replaced"]],
                "added": [SERVICE_LABELS[s] for s in effect["added"]],
                "missing": [SERVICE_LABELS[s] for s in missing],
            },
            "missing": [(s, SERVICE_LABELS[s], s in remove) for s in missing],
            "affected": services.explanations_affected(ctx.record, merged) if ctx.record else [],
            "warnings": services.data_warnings(unsaved, merged),
            "errors": errors,
            "stale_changes": stale_changes,
        },
    )
