"""Keep a signed-in but unverified session on the multi-factor pages; restart the inactivity clock.

After the password, a user with an authenticator app must enter a code (accounts:mfa_verify); a user
whose role requires one and who has none must set it up (accounts:mfa_setup). Until then they may
open only those pages, sign out, keep the session alive and the public pages (the same ones
anonymous visitors may open). Requests carrying an API token (`Authorization: Token ...` or
`Bearer ...`) are for systems and pass: DRF authenticates them itself.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

import django_otp.middleware
from django.conf import settings
from django.contrib import auth
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.middleware import AuthenticationMiddleware as DjangoAuthenticationMiddleware
from django.contrib.auth.signals import user_logged_in
from django.core import signing
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import Resolver404, resolve, reverse
from django.utils.functional import SimpleLazyObject
from django_otp import DEVICE_ID_SESSION_KEY

from . import mfa, sessions

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


def _user(request: HttpRequest) -> Any:
    """Django's `auth.get_user(request)` (its checks unchanged), offered the user that the session
    store read with the session (`accounts.sessions`), so that it asks no query of its own."""
    if not hasattr(request, "_cached_user"):
        session = request.session
        session.get(SESSION_KEY)  # loads the session, and its user with it, if nothing has yet
        with sessions.prefetched_user(getattr(session, "loaded_user", None)):
            request._cached_user = auth.get_user(request)  # type: ignore[attr-defined]
    return request._cached_user  # type: ignore[attr-defined]


class AuthenticationMiddleware(DjangoAuthenticationMiddleware):
    """Django's, with `request.user` worked out by `_user`."""

    def process_request(self, request: HttpRequest) -> None:
        super().process_request(request)
        request.user = SimpleLazyObject(lambda: _user(request))  # type: ignore[assignment]


class OTPMiddleware(django_otp.middleware.OTPMiddleware):
    """django-otp's middleware (sets `request.user.otp_device` and `is_verified()`), checking the
    session's device against the device ids read with the user (`mfa.signed_in_user_queryset`)
    instead of a query of its own. A device removed or replaced since the code was entered no longer
    verifies the session, as before."""

    def _verify_user_sync(self, request: HttpRequest, user: Any) -> Any:
        if not hasattr(user, "_wres_totp_id"):
            return super()._verify_user_sync(request, user)
        self._init_user_fields(user)
        persistent_id = request.session.get(DEVICE_ID_SESSION_KEY)
        if persistent_id:
            device = mfa.verified_device(user, self._normalize_persistent_id(persistent_id))
            if device is None:
                del request.session[DEVICE_ID_SESSION_KEY]
            user.otp_device = device
        return user


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
        # Whether a second factor applies at all is known from the user's own row (read with its
        # annotations); only then is the path resolved (a second resolution of every request of a
        # user without one, such as most programme leads, was 2% of a results page: issue 18).
        if mfa.has_authenticator_cached(request):
            target = "accounts:mfa_verify"
        elif mfa.is_enforced_cached(request):
            target = "accounts:mfa_setup"
        else:
            return None
        try:
            name = resolve(request.path_info).view_name
        except Resolver404:
            return None  # a 404 tells nothing
        if name in ALLOWED or name == target == "accounts:mfa_setup":
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


#: Session key holding when the session was last stored with a new expiry (seconds since the epoch):
#: at sign-in, then whenever the stored row needs pushing back (see SessionRefreshMiddleware).
REFRESHED_KEY = "_refreshed_at"
#: The cookie that carries the inactivity clock between those writes.
ACTIVITY_COOKIE = "wres_activity"
_activity_signer = signing.Signer(salt="accounts.middleware.activity")


def _session_digest(session_key: str) -> str:
    return hashlib.sha256(session_key.encode()).hexdigest()[:32]


def _cookie_activity(request: HttpRequest) -> float:
    """When the activity cookie says this session was last active (0 if it has none that is valid
    and bound to this session key: a cookie from another session, or edited, does not count)."""
    value = request.COOKIES.get(ACTIVITY_COOKIE)
    if not value or not request.session.session_key:
        return 0.0
    try:
        digest, _, stamp = _activity_signer.unsign(value).partition(":")
        if not hmac.compare_digest(digest, _session_digest(request.session.session_key)):
            return 0.0
        return float(stamp)
    except (signing.BadSignature, ValueError):
        return 0.0


def last_activity(request: HttpRequest) -> float:
    """When this signed-in session was last active: the later of its stored time and its cookie."""
    known: float | None = getattr(request, "_wres_activity_at", None)
    if known is not None:
        return known
    stored = float(request.session.get(REFRESHED_KEY, 0))
    return max(stored, _cookie_activity(request))


def session_seconds_left(request: HttpRequest) -> int:
    """Seconds until this session ends if nothing more happens (what the inactivity warning counts
    down from): the cookie age less the time since the clock was last restarted."""
    last = last_activity(request) or time.time()
    return max(0, round(settings.SESSION_COOKIE_AGE - (time.time() - last)))


def session_refresh(request: HttpRequest) -> None:
    """Restart the inactivity clock now: a new activity cookie goes out with the response (no write
    to the session row)."""
    # Kept to the millisecond the cookie carries, rounded down: the clock never runs short.
    request._wres_activity_at = math.floor(time.time() * 1000) / 1000  # type: ignore[attr-defined]
    request._wres_activity_send = True  # type: ignore[attr-defined]


def _store_session(request: HttpRequest) -> None:
    """Write the session row with a fresh expiry SESSION_STORE_SECONDS ahead (sign-in, and then
    about once every SESSION_STORE_SECONDS - SESSION_COOKIE_AGE of continuous use)."""
    request.session[REFRESHED_KEY] = time.time()
    request.session.set_expiry(settings.SESSION_STORE_SECONDS)
    session_refresh(request)


@receiver(user_logged_in, dispatch_uid="accounts.middleware.signed_in")
def _signed_in(sender: Any, request: HttpRequest | None = None, **kwargs: Any) -> None:
    """Every sign-in (the password form, a verified second factor, force_login in tests) stores
    the session with its long expiry and starts the inactivity clock."""
    if request is not None and hasattr(request, "session"):
        _store_session(request)


class SessionRefreshMiddleware:
    """Sessions end after SESSION_COOKIE_AGE without activity, without a database write per page.

    The session row lives in PostgreSQL (signing out anywhere deletes it) with a long expiry,
    SESSION_STORE_SECONDS. The inactivity clock rides in a second cookie, `wres_activity`: the time
    of the last activity, signed with SECRET_KEY and bound to the session key, renewed at most once
    every SESSION_REFRESH_SECONDS (so a session may end up to that much before a full
    SESSION_COOKIE_AGE of inactivity; the warning dialog counts from the real end). A request whose
    session has been inactive SESSION_COOKIE_AGE or more (no valid cookie newer than that, and no
    newer stored time) ends the session, deleting its row. The row itself is written only at
    sign-in and when its expiry comes within SESSION_COOKIE_AGE, so an ordinary GET writes nothing.
    Anonymous visitors get no session at all.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = request.session
        if session.session_key is not None and SESSION_KEY in session:
            now = time.time()
            last = last_activity(request)
            if now - last >= settings.SESSION_COOKIE_AGE:
                session.flush()  # inactive too long: signed out, the row deleted
            elif session.get("_session_expiry") is None or now - float(session.get(REFRESHED_KEY, 0)) >= (
                settings.SESSION_STORE_SECONDS - settings.SESSION_COOKIE_AGE
            ):
                _store_session(request)
            elif now - last >= settings.SESSION_REFRESH_SECONDS:
                session_refresh(request)
            else:
                request._wres_activity_at = last  # type: ignore[attr-defined]
        response = self.get_response(request)
        session = request.session
        if SESSION_KEY not in session:
            if ACTIVITY_COOKIE in request.COOKIES:
                response.delete_cookie(ACTIVITY_COOKIE, samesite=settings.SESSION_COOKIE_SAMESITE)  # type: ignore[arg-type]
            return response
        if REFRESHED_KEY not in session:
            _store_session(request)  # just signed in: the clock starts now
        key = session.session_key
        if key and (getattr(request, "_wres_activity_send", False) or session.modified):
            at = getattr(request, "_wres_activity_at", None) or time.time()
            response.set_cookie(
                ACTIVITY_COOKIE,
                _activity_signer.sign(f"{_session_digest(key)}:{at:.3f}"),
                max_age=settings.SESSION_COOKIE_AGE,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite=settings.SESSION_COOKIE_SAMESITE,  # type: ignore[arg-type]
            )
        return response
