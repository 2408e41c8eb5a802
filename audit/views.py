"""History pages: a council's own audit trail, and the analysts' view of all of it. Read-only: the
pages answer GET and HEAD only, and no route changes an event (PostgreSQL refuses it anyway)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from accounts.access import get_authority_for_user, require_national
from accounts.http import AuthenticatedHttpRequest
from accounts.selectors import authority_by_code, authority_choices

from .context import tracking
from .history import TRACKED, events_page


def _keys(request: HttpRequest) -> list[str]:
    known = {t.key for t in TRACKED}
    return [k for k in request.GET.getlist("model") if k in known]


@login_required
@require_safe
def council_history(request: AuthenticatedHttpRequest, ons_code: str) -> HttpResponse:
    """Changes to one council's records: members of the council and analysts; 404 for others."""
    authority = get_authority_for_user(request.user, ons_code)
    keys = _keys(request)
    page, entries = events_page(authority=authority, keys=keys, page_number=request.GET.get("page"))
    return render(
        request,
        "audit/history.html",
        {
            "authority": authority,
            "page": page,
            "entries": entries,
            "models": [t for t in TRACKED if t.authority_field is not None],
            "selected": keys,
            "tracking": tracking(),
        },
    )


@login_required
@require_safe
def national_history(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Every change, for analysts: filter by council and by kind of record."""
    require_national(request.user)
    keys = _keys(request)
    ons_code = request.GET.get("authority", "")
    authority = authority_by_code(ons_code)
    page, entries = events_page(authority=authority, keys=keys, page_number=request.GET.get("page"))
    return render(
        request,
        "audit/history.html",
        {
            "national": True,
            "authority": authority,
            "authorities": authority_choices(),
            "page": page,
            "entries": entries,
            "models": TRACKED,
            "selected": keys,
            "tracking": tracking(),
        },
    )
