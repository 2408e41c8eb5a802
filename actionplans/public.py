"""The public page of a published plan: no sign-in, only the signed-off snapshot, 404 otherwise."""

from __future__ import annotations

from uuid import UUID

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from .models import ActionPlan
from .views import _file


def _published(public_id: UUID) -> ActionPlan:
    """A published plan by its public address; 404 when unpublished or never signed off."""
    return get_object_or_404(
        ActionPlan.objects.published().select_related("authority", "signed_version"), public_id=public_id
    )


@require_safe
def public_plan(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """The signed-off plan for anyone, without signing in: only the signed snapshot, never the draft."""
    plan = _published(public_id)
    return render(
        request,
        "actionplans/public_plan.html",
        {"plan": plan, "doc": plan.signed_version.document, "signature": plan.signed_version},
    )


@require_safe
def public_plan_pdf(request: HttpRequest, public_id: UUID) -> HttpResponse:
    from .exports import document_pdf, document_xlsx

    plan = _published(public_id)
    name = f"wres-action-plan-{plan.year}-{plan.authority.ons_code}"
    return _file(plan.signed_version.document, plan.signed_version, name, "pdf", document_pdf, document_xlsx)
