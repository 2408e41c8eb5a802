"""Template context shared by every page: the service name, the navigation for this user and the
inactivity timeout that base.html hands to static/js/session-timeout.mjs."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest

from accounts import mfa
from accounts.middleware import session_seconds_left
from wres_portal.reverse_cache import reverse_cached as reverse

from .navigation import council_nav


def _mfa_pending(request: HttpRequest) -> bool:
    """Signed in with a password but still owing a code (or an authenticator set-up)."""
    is_verified = getattr(request.user, "is_verified", None)
    if is_verified is None or is_verified():
        return False
    return mfa.has_authenticator_cached(request) or mfa.is_enforced_cached(request)


def portal(request: HttpRequest) -> dict[str, object]:
    user = getattr(request, "user", None)
    nav: list[dict[str, object]] = []
    signed_in = user is not None and user.is_authenticated
    match = getattr(request, "resolver_match", None)
    view_name = match.view_name if match else ""
    ons_code = match.kwargs.get("ons_code") if match else None
    council_items: list[dict[str, object]] = []
    if user is not None and signed_in and not _mfa_pending(request):
        nav.append({"label": "Home", "href": reverse("portal:home")})
        if ons_code and not user.is_national:
            # A council's own sections on every page of that council (issue 15, item 15).
            council_items = council_nav(view_name, ons_code)
            nav.extend(council_items)
        if user.is_national:
            nav.append({"label": "Authorities", "href": reverse("portal:authority_list")})
            nav.append({"label": "Rounds", "href": reverse("submissions:round_list")})
            nav.append({"label": "National results", "href": reverse("metrics:dashboard")})
            nav.append({"label": "Action plans", "href": reverse("actionplans:national")})
            nav.append({"label": "History", "href": reverse("audit:national_history")})
        nav.append({"label": "Your account", "href": reverse("accounts:settings")})
    path = request.path
    for item in nav:
        if item in council_items:
            continue
        href = str(item["href"])
        item["active"] = path == href if href == "/" else path.startswith(href)
    if nav and view_name == "portal:council_home":
        nav[0]["active"] = True  # a council's home page is its members' home
    return {
        "service_name": settings.SERVICE_NAME,
        "nav_items": nav,
        "session_timeout": {
            "seconds": session_seconds_left(request),
            "warning_seconds": settings.SESSION_WARNING_SECONDS,
        }
        if signed_in
        else None,
    }
