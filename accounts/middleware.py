"""Keep a signed-in but unverified session on the multi-factor pages; restart the inactivity clock.

After the password, a user with an authenticator app must enter a code (accounts:mfa_verify); a user
whose role requires one and who has none must set it up (accounts:mfa_setup). Until then they may
open only those pages, sign out, keep the session alive and the public pages (the same ones
anonymous visitors may open). Requests carrying an API token (`Authorization: Token ...` or
`Bearer ...`) are for systems and pass: DRF authenticates them itself.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import Resolver404, resolve, reverse

from . import mfa

#: Routes an unverified session may open (besides set-up, for those who have no authenticator yet).
ALLOWED = frozenset(
    {
        "accounts:login",
        "accounts:logout",
        "accounts:mfa_verify",
        "accounts:session_keep_alive",
        "accounts:password_reset",
        "accounts:password_reset_done",
        "accounts:password_reset_confirm",
        "accounts:password_reset_complete",
        "accounts:invitation_accept",
        "portal:accessibility",
        "api-docs",
        "api-schema",
    }
)


class MFARequiredMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated and not user.is_verified() and not self._exempt(request):
            refusal = self._refusal(request)
            if refusal is not None:
                return refusal
        return self.get_response(request)

    @staticmethod
    def _exempt(request: HttpRequest) -> bool:
        if request.path_info.startswith("/" + settings.STATIC_URL.lstrip("/")):
            return True
        token = request.headers.get("Authorization", "").lower().startswith(("token ", "bearer "))
        return token and request.path_info.startswith("/api/")

    def _refusal(self, request: HttpRequest) -> HttpResponse | None:
        try:
            name = resolve(request.path_info).view_name
        except Resolver404:
            return None  # a 404 tells nothing
        if name in ALLOWED:
            return None
        if mfa.has_authenticator_cached(request):
            target = "accounts:mfa_verify"
        elif mfa.is_enforced_cached(request):
            if name == "accounts:mfa_setup":
                return None
            target = "accounts:mfa_setup"
        else:
            return None
        if request.path_info.startswith("/api/"):
            return JsonResponse(
                {"detail": "Finish multi-factor sign-in in the browser first, or use an API token."},
                status=403,
            )
        url = reverse(target)
        if request.method == "GET":
            url += "?" + urlencode({"next": request.get_full_path()})
        return HttpResponseRedirect(url)


#: Session key holding when the session's expiry was last pushed back (seconds since the epoch).
REFRESHED_KEY = "_refreshed_at"


def session_seconds_left(request: HttpRequest) -> int:
    """Seconds until this session ends if nothing more happens (what the inactivity warning counts
    down from): the cookie age less the time since the expiry was last pushed back."""
    refreshed = request.session.get(REFRESHED_KEY, time.time())
    return max(0, round(settings.SESSION_COOKIE_AGE - (time.time() - refreshed)))


def session_refresh(request: HttpRequest) -> None:
    """Push the session's expiry back to a full SESSION_COOKIE_AGE from now (saved with the response)."""
    request.session[REFRESHED_KEY] = time.time()


class SessionRefreshMiddleware:
    """Sessions end after SESSION_COOKIE_AGE without activity. Instead of saving the session on every
    request (a database write per page), a signed-in session is saved, and its expiry and cookie
    pushed back, only when the last push is SESSION_REFRESH_SECONDS old or more: the session may end
    up to that much before a full SESSION_COOKIE_AGE of inactivity, and the warning dialog counts
    from the real end (`session_seconds_left`). Anonymous visitors get no session at all."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = request.session
        signed_in = session.session_key is not None and SESSION_KEY in session
        if signed_in and time.time() - session.get(REFRESHED_KEY, 0) >= settings.SESSION_REFRESH_SECONDS:
            session_refresh(request)
        response = self.get_response(request)
        session = request.session
        if session.modified and SESSION_KEY in session and REFRESHED_KEY not in session:
            session_refresh(request)  # just signed in: the clock starts now
        return response
