"""Sign-in throttling that cannot be turned against a user (issue 13, L6).

Two counters of wrong passwords, both in the database:

- **per email address and client address**: the first SIGN_IN_FAILURES_BEFORE_DELAY wrong passwords
  cost nothing; from then on each wrong password makes the next try wait, 15 seconds after the
  first, doubling with each further one, up to SIGN_IN_MAX_DELAY_SECONDS. Someone guessing from
  elsewhere slows only themselves: the account's owner, at their own address, is not delayed. A
  right password clears the counter; it is forgotten after a day without wrong passwords.
- **per client address, any email address**: SIGN_IN_ADDRESS_FAILURE_LIMIT wrong passwords within
  15 minutes pause sign-in from that address until the 15 minutes are over. This stops one password
  being tried across many accounts. A success does not clear it (a valid account must not unlock
  guessing at others).

While paused, a try is refused without checking the password and without counting. Behind the
reverse proxy the client address comes from `X-Forwarded-For` (`TRUSTED_PROXY_COUNT`,
wres_portal/net.py); without it every client would share the proxy's address.

Why the database and not the cache (or django-axes, which locks for a fixed cool-off and cannot
grow the delay): wrong passwords are rare, a counter is one indexed row, the database is the one
service every sign-in needs anyway, and Redis being down or hung must neither let guessing run
free nor stop people signing in. The check runs in an authentication backend
(`ThrottledModelBackend`, Django's ModelBackend with the check first), so every password sign-in,
the admin's included, goes through it; failures and successes are counted from Django's `user_login_failed`
and `user_logged_in` signals.
"""

from __future__ import annotations

import math
import random
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.dispatch import receiver
from django.http import HttpRequest
from django.utils import timezone

from wres_portal.net import client_ip

from . import mfa, security_events, sessions
from .models import SignInThrottle, User

ACCOUNT = SignInThrottle.Scope.ACCOUNT
ADDRESS = SignInThrottle.Scope.ADDRESS
FORGET_AFTER = timedelta(days=1)
ADDRESS_WINDOW = timedelta(minutes=15)
#: The request attribute holding how long sign-in is paused for this request's email and address.
WAIT_ATTRIBUTE = "wres_sign_in_wait"


def _account_key(email: str, address: str) -> str:
    return f"{normalise(email)}|{address}"


def normalise(email: str) -> str:
    return (email or "").strip().lower()[:254]


def delay_after(failures: int) -> timedelta:
    """How long the next try waits after `failures` wrong passwords in a row (0 before the first
    SIGN_IN_FAILURES_BEFORE_DELAY)."""
    free = settings.SIGN_IN_FAILURES_BEFORE_DELAY
    if failures < free:
        return timedelta(0)
    seconds = settings.SIGN_IN_FIRST_DELAY_SECONDS * 2 ** min(failures - free, 20)
    return timedelta(seconds=min(seconds, settings.SIGN_IN_MAX_DELAY_SECONDS))


def wait_seconds(email: str, address: str, *, now: datetime | None = None) -> int:
    """Seconds before `email` may try again from `address` (0: now)."""
    now = now or timezone.now()
    until = (
        SignInThrottle.objects.filter(
            Q(scope=ACCOUNT, key=_account_key(email, address)) | Q(scope=ADDRESS, key=address),
            blocked_until__gt=now,
        )
        .order_by("-blocked_until")
        .values_list("blocked_until", flat=True)
        .first()
    )
    return math.ceil((until - now).total_seconds()) if until else 0


def paused_message(wait: int) -> str:
    """What the sign-in page says while sign-in is paused."""
    if wait < 90:
        amount = f"{wait} second{'s' if wait != 1 else ''}"
    else:
        minutes = math.ceil(wait / 60)
        amount = f"{minutes} minutes"
    return (
        f"Sign in is paused after several wrong passwords. Wait {amount}, then try again. "
        "If you have forgotten your password, reset it."
    )


def _locked_row(scope: str, key: str, now: datetime) -> SignInThrottle:
    SignInThrottle.objects.bulk_create(
        [SignInThrottle(scope=scope, key=key, window_started_at=now, last_failure_at=now)],
        ignore_conflicts=True,
    )
    return SignInThrottle.objects.select_for_update().get(scope=scope, key=key)


@transaction.atomic
def record_failure(email: str, address: str) -> int:
    """Count a wrong password; returns how many seconds the next try must wait (0: none)."""
    now = timezone.now()
    account = _locked_row(ACCOUNT, _account_key(email, address), now)
    if now - account.last_failure_at > FORGET_AFTER:
        account.failures = 0
        account.window_started_at = now
    account.failures += 1
    account.last_failure_at = now
    delay = delay_after(account.failures)
    account.blocked_until = now + delay if delay else None
    account.save()

    by_address = _locked_row(ADDRESS, address, now)
    if now - by_address.window_started_at >= ADDRESS_WINDOW:
        by_address.failures = 0
        by_address.window_started_at = now
        by_address.blocked_until = None
    by_address.failures += 1
    by_address.last_failure_at = now
    if by_address.failures >= settings.SIGN_IN_ADDRESS_FAILURE_LIMIT:
        by_address.blocked_until = by_address.window_started_at + ADDRESS_WINDOW
    by_address.save()
    if random.random() < 0.01:  # noqa: S311  (housekeeping, not security)
        SignInThrottle.objects.filter(last_failure_at__lt=now - FORGET_AFTER).delete()
    return wait_seconds(email, address, now=now)


def record_success(email: str, address: str) -> None:
    SignInThrottle.objects.filter(scope=ACCOUNT, key=_account_key(email, address)).delete()


class ThrottledModelBackend(ModelBackend):
    """Django's ModelBackend, refusing a password sign-in while it is paused, before the password is
    checked."""

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        if request is not None and username is not None:
            wait = wait_seconds(username, client_ip(request))
            if wait:
                setattr(request, WAIT_ATTRIBUTE, wait)
                raise PermissionDenied  # Django stops here and sends user_login_failed
        return super().authenticate(request, username=username, password=password, **kwargs)

    def get_user(self, user_id: Any) -> User | None:
        """The signed-in user of a request, with what every request asks about their second factor
        read in the same query (accounts.mfa.signed_in_user_queryset): the one read with the session
        when it is this user (accounts.sessions), else read now."""
        user = sessions.offered_user(user_id) or mfa.signed_in_user(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None


@receiver(user_login_failed, dispatch_uid="accounts.signin_throttle.failed")
def _failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    if request is None:
        return
    email = normalise(str(credentials.get("username") or credentials.get("email") or ""))
    address = client_ip(request)
    user = User.objects.filter(email=email).first() if email else None
    if getattr(request, WAIT_ATTRIBUTE, 0):
        kind = security_events.Kind.SIGN_IN_THROTTLED
        security_events.record(kind, user=user, email=email, request=request)
        return
    wait = record_failure(email, address)
    security_events.record(security_events.Kind.SIGN_IN_FAILED, user=user, email=email, request=request)
    if wait:
        setattr(request, WAIT_ATTRIBUTE, wait)


@receiver(user_logged_out, dispatch_uid="accounts.signin_throttle.signed_out")
def _signed_out(sender: Any, request: HttpRequest | None, user: User | None, **kwargs: Any) -> None:
    if user is not None and user.is_authenticated:
        security_events.record(security_events.Kind.SIGN_OUT, user=user, request=request)


@receiver(user_logged_in, dispatch_uid="accounts.signin_throttle.succeeded")
def _succeeded(sender: Any, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    if request is None:
        return
    record_success(user.email, client_ip(request))
    security_events.record(security_events.Kind.SIGN_IN, user=user, request=request)
