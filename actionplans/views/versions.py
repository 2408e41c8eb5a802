from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from accounts.http import AuthenticatedHttpRequest
from actionplans.access import (
    get_plan_for_user,
    get_version_for_user,
)
from actionplans.exports import document_pdf, document_xlsx
from actionplans.presenters import (
    compare_rows,
    plan_document,
)

from .common import _file, _signature


@login_required
@require_safe
def version_list(request: AuthenticatedHttpRequest, ons_code: str, plan_year: int) -> HttpResponse:
    ctx = get_plan_for_user(request.user, ons_code, plan_year)
    versions = ctx.plan.versions.select_related("signed_by")
    return render(request, "actionplans/version_list.html", {"ctx": ctx, "versions": versions})


@login_required
@require_safe
def version_detail(
    request: AuthenticatedHttpRequest, ons_code: str, plan_year: int, number: int
) -> HttpResponse:
    ctx = get_plan_for_user(request.user, ons_code, plan_year)
    version = get_version_for_user(request.user, ctx, number)
    return render(
        request, "actionplans/version_detail.html", {"ctx": ctx, "version": version, "doc": version.document}
    )


@login_required
@require_safe
def version_compare(request: AuthenticatedHttpRequest, ons_code: str, plan_year: int) -> HttpResponse:
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


@login_required
@require_safe
def plan_print(request: AuthenticatedHttpRequest, ons_code: str, plan_year: int) -> HttpResponse:
    ctx = get_plan_for_user(request.user, ons_code, plan_year)
    return render(
        request,
        "actionplans/plan_print.html",
        {"ctx": ctx, "doc": plan_document(ctx.plan), "signature": _signature(ctx)},
    )


@login_required
@require_safe
def plan_download(
    request: AuthenticatedHttpRequest, ons_code: str, plan_year: int, fmt: str, number: int | None = None
) -> HttpResponse:
    """The plan as it is now, or one signed version, as XLSX or PDF."""
    ctx = get_plan_for_user(request.user, ons_code, plan_year)
    if number is None:
        document, signature = plan_document(ctx.plan), _signature(ctx)
        name = f"wres-action-plan-{ctx.plan.year}-{ctx.authority.ons_code}"
    else:
        signature = get_version_for_user(request.user, ctx, number)
        document = signature.document
        name = f"wres-action-plan-{ctx.plan.year}-{ctx.authority.ons_code}-v{number}"
    return _file(document, signature, name, fmt, document_pdf, document_xlsx)
