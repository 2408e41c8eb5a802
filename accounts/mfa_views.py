"""Multi-factor sign-in pages: enter a code, set up or replace an authenticator app, recovery codes,
removal; and the keep-alive endpoint behind the inactivity warning. Rules live in mfa.py."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice

from wres_portal.errors import ApplicationError

from . import mfa
from .forms import MFACodeForm
from .http import AuthenticatedHttpRequest
from .middleware import session_refresh, session_seconds_left

#: Fewer recovery codes than this left: suggest making new ones.
FEW_RECOVERY_CODES = 3


def _next_url(request: HttpRequest) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse("portal:home")


def _mark_verified(request: HttpRequest, device: object) -> None:
    """A new session key for the more trusted session, then record the device that verified it."""
    request.session.cycle_key()
    otp_login(request, device)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def mfa_verify(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Second sign-in step: a 6-digit code from the authenticator app, or a recovery code."""
    next_url = _next_url(request)
    if request.user.is_verified() or not mfa.has_authenticator(request.user):
        return redirect(next_url)
    form = MFACodeForm(
        request.POST or None,
        label="Security code",
        hint="The 6-digit code your authenticator app shows for WRES Portal. If you do not have "
        "your phone, enter one of your recovery codes instead.",
        required_message="Enter the 6-digit code from your authenticator app, or a recovery code",
    )
    if request.method == "POST" and form.is_valid():
        try:
            device = mfa.verify(user=request.user, code=form.cleaned_data["code"], request=request)
        except ApplicationError as error:
            form.add_error("code", error.message)
        else:
            _mark_verified(request, device)
            if isinstance(device, StaticDevice):
                left = mfa.recovery_codes_left(request.user)
                text = f"You used a recovery code. You have {left} left."
                if left < FEW_RECOVERY_CODES:
                    text += " Create new recovery codes from your account page."
                messages.info(request, text)
            return redirect(next_url)
    return render(request, "accounts/mfa_verify.html", {"form": form, "next": next_url})


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def mfa_setup(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Set up (or, from a verified session, replace) the authenticator app. Unverified sessions only
    get here when the user has no authenticator yet (MFARequiredMiddleware)."""
    next_url = _next_url(request)
    form = MFACodeForm(
        request.POST or None,
        label="Code from the app",
        hint="Enter the 6-digit code the app shows for WRES Portal.",
        required_message="Enter the 6-digit code from your authenticator app",
    )
    if request.method == "POST" and form.is_valid():
        try:
            device, codes = mfa.setup_confirm(request=request, code=form.cleaned_data["code"])
        except ApplicationError as error:
            form.add_error("code", error.message)
        else:
            _mark_verified(request, device)
            return render(
                request,
                "accounts/mfa_recovery_codes_new.html",
                {"codes": codes, "next": next_url, "just_set_up": True},
            )
    # A new secret on every visit; a form sent back keeps the one it was shown while it is valid.
    device = mfa.setup_pending(request=request) if request.method == "POST" else None
    device = device or mfa.setup_start(request=request)
    return render(
        request,
        "accounts/mfa_setup.html",
        {
            "form": form,
            "details": mfa.setup_details(device),
            "replacing": mfa.has_authenticator(request.user),
            "required": mfa.is_enforced(request.user),
            "next": next_url,
        },
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def mfa_recovery_codes(request: AuthenticatedHttpRequest) -> HttpResponse:
    """How many recovery codes are left, and a button to replace them all (shown once)."""
    if not mfa.has_authenticator(request.user):
        return redirect("accounts:mfa_setup")
    if request.method == "POST":
        codes = mfa.recovery_codes_replace(user=request.user, request=request)
        return render(request, "accounts/mfa_recovery_codes_new.html", {"codes": codes, "just_set_up": False})
    return render(
        request, "accounts/mfa_recovery_codes.html", {"left": mfa.recovery_codes_left(request.user)}
    )


@login_required
@require_http_methods(["GET", "POST"])
def mfa_remove(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Stop using an authenticator app (not allowed for the roles that require one)."""
    if not mfa.has_authenticator(request.user):
        return redirect("accounts:settings")
    errors = []
    if request.method == "POST":
        try:
            mfa.remove(user=request.user, request=request)
        except ApplicationError as error:
            errors = [{"text": error.message}]
        else:
            messages.success(request, "Your authenticator app and recovery codes were removed.")
            return redirect("accounts:settings")
    return render(
        request, "accounts/mfa_remove.html", {"required": mfa.is_enforced(request.user), "errors": errors}
    )


@never_cache
@login_required
@require_POST
def session_keep_alive(request: AuthenticatedHttpRequest) -> JsonResponse:
    """Extend the caller's own session (the inactivity warning's "Stay signed in"): its expiry and
    cookie are pushed back to a full SESSION_COOKIE_AGE now, however recently the last push was.
    Answers only with the new time left."""
    session_refresh(request)
    return JsonResponse({"expires_in": settings.SESSION_COOKIE_AGE})


@never_cache
@transaction.non_atomic_requests  # it writes nothing: no transaction round trips
@login_required
@require_http_methods(["GET", "HEAD"])
def session_status(request: AuthenticatedHttpRequest) -> JsonResponse:
    """How long the caller's session has left without activity (no data about anyone; it reads only
    the session and the user). Also the "signed-in no-op view" `make bench` times beside /healthz."""
    return JsonResponse({"expires_in": session_seconds_left(request)})
