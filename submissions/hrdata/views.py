"""Pages for building the return from HR data: the builder (the browser reads and counts the
extracts; only the counts are posted), the check and confirmation of those counts (as for an
upload), and the extract templates and guidance for HR officers."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.http import AuthenticatedHttpRequest
from accounts.permissions import can_change_return
from submissions import services as return_services
from submissions.access import ReturnContext, get_return_for_user
from submissions.hrdata import selectors, services, templates
from submissions.hrdata.vocabulary import EXTRACTS, for_page
from submissions.models import UploadPreview
from submissions.presenters import data_tables, problem_rows
from submissions.schema import (
    GROUPS,
    MEASURES,
    PAY_BAND_LABELS,
    SERVICE_LABELS,
    SERVICES,
    ReturnData,
    RowKey,
    row_keys,
    services_in,
)
from submissions.services import previews
from submissions.validation import check_data, diff, merge_services
from wres_portal.concurrency import StaleWrite
from wres_portal.errors import ApplicationError

#: Counts waiting for confirmation are kept as upload previews (in the database, so a Redis outage
#: loses nothing), their file name marked so the upload pages and these never mix them up.
PREVIEW_MARK = "hr-data:"
STALE_ADVICE = "Nothing was saved: check what your counts would change now, then save them again."
SURVEY_MEASURES = (
    "survey_respondents",
    "harassed_by_public",
    "harassed_by_colleagues",
    "harassed_by_managers",
)


def _lead_context(request: HttpRequest, ons_code: str, round_label: str) -> ReturnContext:
    ctx = get_return_for_user(request.user, ons_code, round_label)
    if not can_change_return(request.user, ctx.authority):
        raise PermissionDenied
    return ctx


def _detail(ctx: ReturnContext) -> HttpResponse:
    return redirect("submissions:detail", ctx.authority.ons_code, ctx.round.label)


def _current(ctx: ReturnContext) -> tuple[int, ReturnData]:
    version = ctx.record.current_version if ctx.record else None
    return (version.number, version.data()) if version else (0, {})


@login_required
@require_safe
def build(request: AuthenticatedHttpRequest, ons_code: str, round_label: str) -> HttpResponse:
    """The builder page. Without JavaScript it says what it needs and offers the templates and
    the ordinary upload."""
    ctx = _lead_context(request, ons_code, round_label)
    if ctx.record and not ctx.record.is_editable():
        messages.error(request, "This return has been submitted, so it cannot be changed.")
        return _detail(ctx)
    base_version, current = _current(ctx)
    mapping = selectors.mapping_for(authority=ctx.authority, collection_round=ctx.round)
    survey = {
        service: {m: current[RowKey(service, m)] for m in SURVEY_MEASURES}
        for service in SERVICES
        if RowKey(service, "survey_respondents") in current
    }
    setup = {
        "vocabulary": for_page(),
        "round": {
            "label": ctx.round.label,
            "period_start": ctx.round.period_start.isoformat(),
            "period_end": ctx.round.period_end.isoformat(),
            "snapshot_date": ctx.round.snapshot_date.isoformat(),
        },
        "mapping": {
            "columns": mapping.columns,
            "values": mapping.values,
            "from_round": mapping.round.label,
        }
        if mapping
        else None,
        "current_survey": survey,
        "mapping_url": reverse("submissions-api:hr_mapping", args=[ons_code, round_label]),
        "services": {s: SERVICE_LABELS[s] for s in SERVICES},
        "rows": [[k.measure, k.pay_band] for k in row_keys("adults")],
        "measures": {m.code: m.label for m in MEASURES},
        "bands": PAY_BAND_LABELS,
        "groups": list(GROUPS),
        "filename_prefix": f"wres-return-{ctx.round.label}-{ctx.authority.ons_code}",
    }
    return render(
        request,
        "submissions/hrdata_build.html",
        {"ctx": ctx, "setup": setup, "base_version": base_version, "extracts": EXTRACTS, "mapping": mapping},
    )


@login_required
@require_POST
def check(request: AuthenticatedHttpRequest, ons_code: str, round_label: str) -> HttpResponse:
    """The counts the page built, checked with the return's rules: every problem at once, nothing
    stored; clean counts go to the same preview as an upload, saved only on confirmation."""
    ctx = _lead_context(request, ons_code, round_label)
    try:
        data = services.counts_parse(request.POST.get("counts", ""))
        base_version = int(request.POST.get("base_version", ""))
    except (ApplicationError, ValueError) as error:
        message = error.message if isinstance(error, ApplicationError) else "Build the counts again."
        messages.error(request, message)
        return redirect("submissions:hrdata_build", ons_code, round_label)
    problems = check_data(data)
    if problems:
        return render(
            request,
            "submissions/hrdata_problems.html",
            {"ctx": ctx, "problems": problem_rows(problems), "tables": data_tables(data)},
        )
    preview = previews.upload_preview_store(
        user=request.user,
        authority=ctx.authority,
        collection_round=ctx.round,
        # The preview's file name carries what the confirmation needs besides the counts.
        filename=f"{PREVIEW_MARK}{base_version}:{request.POST.get('sources', '')[:200]}",
        data=[[k.service, k.measure, k.pay_band, c] for k, c in sorted(data.items())],
        flow=UploadPreview.Flow.HRDATA,
    )
    return redirect("submissions:hrdata_confirm", ons_code, round_label, preview.token)


@login_required
@require_http_methods(["GET", "POST"])
def confirm(
    request: AuthenticatedHttpRequest, ons_code: str, round_label: str, upload_token: str
) -> HttpResponse:
    """What the counts change, then save them as the draft if the draft is still the version the
    page showed (a stale confirmation is refused and the counts kept)."""
    ctx = _lead_context(request, ons_code, round_label)
    preview = previews.upload_preview_get(
        user=request.user,
        authority=ctx.authority,
        collection_round=ctx.round,
        token=upload_token,
        flow=UploadPreview.Flow.HRDATA,
    )
    if preview is None or not preview.filename.startswith(PREVIEW_MARK) or not preview.data:
        messages.error(request, "Those counts have expired. Build them again from your extracts.")
        return redirect("submissions:hrdata_build", ons_code, round_label)
    built_on, _, sources = preview.filename.removeprefix(PREVIEW_MARK).partition(":")
    stored = {"base_version": int(built_on), "sources": sources}
    data = {RowKey(s, m, b): dict(c) for s, m, b, c in preview.data}
    errors: list[dict[str, str]] = []
    if request.method == "POST":
        try:
            base = int(request.POST.get("base_version", ""))
        except ValueError:
            base = -1
        try:
            services.extract_draft_save(
                record=ctx.record
                or return_services.return_get_or_create(authority=ctx.authority, collection_round=ctx.round),
                data=data,
                user=request.user,
                base_version=base,
                note=f"Built from HR data: {stored['sources']}"
                if stored["sources"]
                else "Built from HR data",
            )
        except return_services.ReturnDataInvalid as invalid:
            errors = [{"text": str(p["message"])} for p in problem_rows(invalid.problems)]
        except StaleWrite as stale_write:
            errors = [{"text": f"{stale_write.situation} {STALE_ADVICE}"}]
        except ApplicationError as error:
            errors = [{"text": error.message}]
        else:
            previews.upload_preview_delete(preview)
            messages.success(request, "The counts from your HR data were saved as your draft.")
            return _detail(ctx)
        ctx = get_return_for_user(request.user, ons_code, round_label)
    base_version, current = _current(ctx)
    stale = base_version != stored["base_version"]
    after = merge_services(current, data)
    return render(
        request,
        "submissions/hrdata_confirm.html",
        {
            "ctx": ctx,
            "errors": errors,
            "stale": stale,
            "base_version": base_version,
            "changes": diff(current, after),
            "kept": [SERVICE_LABELS[s] for s in services_in(after) if s not in services_in(data)],
            "tables": data_tables(data),
            "sources": stored["sources"],
        },
    )


@login_required
@require_safe
def template_download(
    request: AuthenticatedHttpRequest, ons_code: str, round_label: str, extract: str = ""
) -> HttpResponse:
    """The extract template: one workbook with every extract and the guidance, or one CSV per extract."""
    ctx = get_return_for_user(request.user, ons_code, round_label)
    prefix = f"wres-hr-extract-{ctx.round.label}"
    if extract:
        if extract not in EXTRACTS:
            raise Http404
        response = HttpResponse(templates.csv_template(extract), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{prefix}-{extract}.csv"'
        return response
    response = HttpResponse(
        templates.xlsx_template(ctx.round),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{prefix}.xlsx"'
    return response


@login_required
@require_safe
def guidance(request: AuthenticatedHttpRequest, ons_code: str, round_label: str) -> HttpResponse:
    """Guidance for the HR officer who prepares the extracts."""
    ctx = get_return_for_user(request.user, ons_code, round_label)
    return render(
        request,
        "submissions/hrdata_guidance.html",
        {
            "ctx": ctx,
            "sections": templates.guidance_sections(ctx.round),
            "extracts": templates.extract_tables(),
        },
    )
