"""History pages: a council's own audit trail, and the analysts' view of all of it. Read-only: the
pages answer GET and HEAD only, and no route changes an event (PostgreSQL refuses it anyway)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from accounts.access import get_authority_for_user, require_national
from accounts.http import AuthenticatedHttpRequest
from accounts.selectors import AuthorityFound, authority_find

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


def _council_error(text: str, found: AuthorityFound) -> str:
    """What the analyst is told when the council they entered is not one council."""
    if not found.matches:
        return (
            f"No council has the name or ONS code ‘{text}’. Enter a council’s name or "
            "ONS code, for example Leeds or E08000035"
        )
    many = f"More than {len(found.matches)}" if found.more else str(len(found.matches))
    return (
        f"{many} councils have ‘{text}’ in their name. Choose one below, or enter more of "
        "the name or the council’s ONS code"
    )


@login_required
@require_safe
def national_history(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Every change, for analysts: filter by council (its name or ONS code, typed: a list of every
    council to choose from grew with their number) and by kind of record."""
    require_national(request.user)
    keys = _keys(request)
    # What was typed, without control characters no name has (a NUL byte is refused for every
    # address by wres_portal.middleware) and with its spaces tidied.
    typed = "".join(ch for ch in request.GET.get("authority", "") if ch.isprintable() or ch.isspace())
    text = " ".join(typed.split())[:200]
    found = authority_find(text)
    error = _council_error(text, found) if text and found.authority is None else ""
    page, entries = (
        (None, [])
        if error
        else events_page(authority=found.authority, keys=keys, page_number=request.GET.get("page"))
    )
    return render(
        request,
        "audit/history.html",
        {
            "national": True,
            "authority": found.authority,
            "authority_text": text,
            "authority_error": error,
            "authority_errors": [{"text": error, "href": "#f-authority"}] if error else [],
            "matches": found.matches,
            "more_matches": found.more,
            "page": page,
            "entries": entries,
            "models": TRACKED,
            "selected": keys,
            "tracking": tracking(),
        },
    )
