"""The public page of a published plan: no sign-in, only the signed-off snapshot, 404 otherwise."""

from __future__ import annotations

from uuid import UUID

from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotModified
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from metrics.publication import PublicStatement
from wres_portal.downloads import PDF, attachment
from wres_portal.throttling import page_wait

from .models import ActionPlan, PlanVersion
from .selectors import published_plans


def _published(public_id: UUID) -> tuple[ActionPlan, PlanVersion]:
    """A published plan by its public address, with its signed version; 404 when unpublished or never
    signed off."""
    plan = get_object_or_404(published_plans(), public_id=public_id)
    if plan.signed_version is None:
        raise Http404
    return plan, plan.signed_version


def metric_statements(round_label: str) -> list[PublicStatement]:
    """What the public plan pages print about their council's results of `round_label`: each linked
    metric's headline figure ("data from WRES metrics"), for the publication auditor
    (`metrics.publication.PUBLIC_STATEMENT_SOURCES`; registered in `actionplans.apps`)."""
    found = []
    for plan in published_plans():
        document = plan.signed_version.document if plan.signed_version else {}
        for objective in document.get("objectives", []):
            for line in objective.get("metrics_data", []):
                if line.get("round") == round_label and isinstance(line.get("value"), int | float):
                    found.append(
                        PublicStatement(
                            plan.authority.ons_code, round_label, line["indicator"], float(line["value"])
                        )
                    )
    return found


@require_safe
def public_plan(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """The signed-off plan for anyone, without signing in: only the signed snapshot, never the draft."""
    plan, signed = _published(public_id)
    return render(
        request,
        "actionplans/public_plan.html",
        {"plan": plan, "doc": signed.document, "signature": signed},
    )


#: The public PDF: anyone may ask, so it is drawn once per signed version and cached, browsers and
#: proxies may keep it for an hour, and one address may ask for it at most this often (issue 13, L11).
PUBLIC_PDF_RATE = "30/min"
PUBLIC_PDF_CACHE_SECONDS = 24 * 3600
PUBLIC_PDF_MAX_AGE = 3600


@require_safe
def public_plan_pdf(request: HttpRequest, public_id: UUID) -> HttpResponse:
    from .exports import document_pdf

    plan, version = _published(public_id)
    etag = f'"plan-version-{version.pk}"'
    public = f"public, max-age={PUBLIC_PDF_MAX_AGE}"
    if etag in request.headers.get("If-None-Match", ""):
        not_modified = HttpResponseNotModified()
        not_modified["ETag"], not_modified["Cache-Control"] = etag, public
        return not_modified
    wait = page_wait(request, "public_pdf", PUBLIC_PDF_RATE)
    if wait is not None:
        refused = HttpResponse(
            "Too many requests for this file. Try again in a minute.",
            status=429,
            content_type="text/plain; charset=utf-8",
        )
        refused["Retry-After"] = str(wait)
        return refused
    key = f"public-plan-pdf:{version.pk}"  # a signed version never changes
    content = cache.get(key)
    if content is None:
        content = document_pdf(version.document, signature=version)
        cache.set(key, content, PUBLIC_PDF_CACHE_SECONDS)
    response = attachment(content, f"wres-action-plan-{plan.year}-{plan.authority.ons_code}.pdf", PDF)
    response["ETag"], response["Cache-Control"] = etag, public
    return response
