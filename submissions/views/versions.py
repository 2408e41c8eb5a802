from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from accounts.http import AuthenticatedHttpRequest
from submissions.presenters import compare_rows, version_history
from submissions.rows import version_export
from wres_portal.downloads import CSV, XLSX, attachment, dataset_csv, dataset_xlsx

from .common import _ctx


@login_required
@require_safe
def version_list(request: AuthenticatedHttpRequest, ons_code: str, round_label: str) -> HttpResponse:
    ctx = _ctx(request, ons_code, round_label)
    if ctx.record is None:
        raise Http404
    return render(
        request, "submissions/version_list.html", {"ctx": ctx, "history": version_history(ctx.record)}
    )


@login_required
@require_safe
def version_compare(request: AuthenticatedHttpRequest, ons_code: str, round_label: str) -> HttpResponse:
    """Two versions side by side: every figure of either, with the changed ones marked."""
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
    request: AuthenticatedHttpRequest, ons_code: str, round_label: str, number: int, fmt: str
) -> HttpResponse:
    """One version's figures as CSV or XLSX, exported as one dataset (submissions/rows.py)."""
    from django.shortcuts import get_object_or_404

    ctx = _ctx(request, ons_code, round_label)
    if ctx.record is None:
        raise Http404
    version = get_object_or_404(ctx.record.versions, number=number)
    dataset = version_export(version)
    name = f"wres-return-{ctx.round.label}-{ctx.authority.ons_code}-v{version.number}.{fmt}"
    if fmt == "csv":
        return attachment(dataset_csv(dataset), name, CSV)
    return attachment(dataset_xlsx((dataset.title or "Return", dataset)), name, XLSX)
