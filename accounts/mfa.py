"""Multi-factor sign-in with django-otp: an authenticator app (TOTP) and single-use recovery codes.

Who must use it: senior sponsors, Skills for Care analysts and administrators (`is_required`), while
`MFA_REQUIRED_ROLES_ENFORCED` is on (everywhere but `make demo`). Anyone else may set it up, and once
they have, they are asked for a code at every sign-in too.

A session counts as verified once `django_otp.login` has stored the device that accepted a code
(`request.user.is_verified()`, set by django-otp's OTPMiddleware). `MFARequiredMiddleware` keeps
unverified sessions on the set-up and verification pages. API tokens are for systems and are not
asked for a code; users whose role requires a second factor make them only from a verified session,
and only tokens made that way may sign off or accept (accounts/tokens.py).
"""

from __future__ import annotations

import functools
import math
import re
import time
import xml.etree.ElementTree as ET
from base64 import b32encode
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet, Subquery
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex

from wres_portal import rawrows
from wres_portal.errors import ApplicationError
from wres_portal.prepared import read_cursor

from . import security_events
from .http import AuthenticatedHttpRequest
from .models import Membership, User
from .permissions import MFA_REQUIRED_ROLES

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser
    from django.http import HttpRequest
    from django_otp.models import Device


AUTHENTICATOR_NAME = "Authenticator app"
RECOVERY_NAME = "Recovery codes"
TOTP_CODE = re.compile(r"^\d{6}$")


def is_required(user: User | AnonymousUser) -> bool:
    """Whether the user's role calls for a second factor: senior sponsors, analysts, administrators."""
    if not user.is_authenticated:
        return False
    if user.is_superuser or user.is_national:
        return True
    return Membership.objects.filter(user=user, role__in=MFA_REQUIRED_ROLES).exists()


def is_enforced(user: User | AnonymousUser) -> bool:
    """Whether the user must set up a second factor before using the portal."""
    return bool(settings.MFA_REQUIRED_ROLES_ENFORCED) and is_required(user)


def authenticator(user: User, *, confirmed: bool = True) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=confirmed).order_by("-id").first()


def recovery_device(user: User) -> StaticDevice | None:
    return StaticDevice.objects.filter(user=user, confirmed=True).first()


def has_authenticator(user: User | AnonymousUser) -> bool:
    """Whether sign-in asks this user for a code (an authenticator app has been confirmed)."""
    return user.is_authenticated and TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def signed_in_user_queryset() -> QuerySet[User]:
    """Users with what every signed-in request asks about their second factor, in the one query that
    reads the user: the ids of their confirmed authenticator and recovery codes (the session's
    verifying device must be one of them) and whether a membership's role requires a second factor.
    Read fresh on every request, so a change of role or device applies to the next page."""
    totp = TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True).order_by("-id").values("id")[:1]
    static = StaticDevice.objects.filter(user=OuterRef("pk"), confirmed=True).order_by("-id").values("id")[:1]
    role = Membership.objects.filter(user=OuterRef("pk"), role__in=MFA_REQUIRED_ROLES)
    return User.objects.annotate(
        _wres_totp_id=Subquery(totp), _wres_static_id=Subquery(static), _wres_mfa_role=Exists(role)
    )


#: Stands for the user id while the query is compiled (never a real id).
_USER_ID_SLOT = -918_273_645


@functools.cache
def _signed_in_user_sql() -> tuple[str, tuple[Any, ...], int]:
    """`signed_in_user_queryset` for one user id, compiled once per process: the SQL, its parameters
    and where the id goes. Compiling the annotated query was about half the CPU of a signed-in
    request that does nothing else (issue 18, profiled in make bench)."""
    sql, params = signed_in_user_queryset().filter(pk=_USER_ID_SLOT).query.sql_with_params()
    return sql, tuple(params), list(params).index(_USER_ID_SLOT)


def signed_in_user(user_id: Any) -> User | None:
    """The user with this id, annotated as `signed_in_user_queryset` does, in one query; None if
    there is none (or the id is not a number)."""
    try:
        pk = int(user_id)
    except (TypeError, ValueError):
        return None
    sql, params, slot = _signed_in_user_sql()
    values = list(params)
    values[slot] = pk
    with read_cursor() as cursor:
        cursor.execute(sql, values)
        row = cursor.fetchone()
    return None if row is None else signed_in_user_from_row(row)


@functools.cache
def signed_in_users_sql() -> tuple[str, tuple[Any, ...]]:
    """`signed_in_user_queryset` for every user, unordered, compiled once per process: the SQL and
    its parameters, for a statement that joins it (accounts.sessions reads it with the session)."""
    sql, params = signed_in_user_queryset().order_by().query.sql_with_params()
    return sql, tuple(params)


def signed_in_user_from_row(row: Sequence[Any]) -> User | None:
    """The user of a row of `signed_in_user_queryset` as the cursor read it: the user's columns in
    field order, then the annotations in the order it adds them (as its compiled query selects
    them). None when the user's id is null (an absent LEFT JOIN row)."""
    width = rawrows.width(User)
    user = rawrows.instance(User, row[:width])
    if user is None:
        return None
    user._wres_totp_id, user._wres_static_id, mfa_role = row[width : width + 3]  # type: ignore[attr-defined]
    user._wres_mfa_role = bool(mfa_role)  # type: ignore[attr-defined]
    return user


def verified_device(user: User, persistent_id: str) -> Device | None:
    """The device a session says verified it, if it is still one of the user's confirmed devices,
    from the ids read with the user (no query). The device's other fields load if anything asks."""
    label, _, pk = persistent_id.rpartition("/")
    model: type[Device]
    if label.endswith(TOTPDevice._meta.label_lower):
        model, current = TOTPDevice, user._wres_totp_id  # type: ignore[attr-defined]
    elif label.endswith(StaticDevice._meta.label_lower):
        model, current = StaticDevice, user._wres_static_id  # type: ignore[attr-defined]
    else:
        return None
    if current is None or str(current) != pk:
        return None
    return model.from_db("default", ["id", "user_id", "confirmed"], [current, user.pk, True])


def has_authenticator_cached(request: HttpRequest) -> bool:
    """`has_authenticator` for the signed-in user, from the query that read the user when it could
    (accounts.signin_throttle.ThrottledModelBackend.get_user), else asked once per request."""
    user = request.user
    if hasattr(user, "_wres_totp_id"):
        return user._wres_totp_id is not None
    if not hasattr(request, "_wres_has_authenticator"):
        request._wres_has_authenticator = has_authenticator(user)  # type: ignore[attr-defined]
    return bool(request._wres_has_authenticator)  # type: ignore[attr-defined]


def is_enforced_cached(request: HttpRequest) -> bool:
    """`is_enforced` for the signed-in user, from the query that read the user when it could."""
    user = request.user
    if isinstance(user, User) and hasattr(user, "_wres_mfa_role"):
        required = user.is_superuser or user.is_national or bool(user._wres_mfa_role)
        return bool(settings.MFA_REQUIRED_ROLES_ENFORCED) and required
    if not hasattr(request, "_wres_mfa_enforced"):
        request._wres_mfa_enforced = is_enforced(user)  # type: ignore[attr-defined]
    return bool(request._wres_mfa_enforced)  # type: ignore[attr-defined]


def recovery_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


# Setting up ---------------------------------------------------------------------------------------


# Issue 13, M1: the secret being set up lives only in the session that asked for it, is new for
# every visit to the set-up page, and lasts SETUP_VALID_SECONDS; nothing is stored for the user until
# a code from it is entered in that same session. A secret someone else's session was shown (say,
# someone who knows only the password) can therefore never become the user's authenticator.
SETUP_SESSION_KEY = "_wres_mfa_setup"
SETUP_VALID_SECONDS = 10 * 60
#: Wrong codes for one secret before a new one must be scanned.
SETUP_MAX_WRONG = 5


def setup_start(*, request: AuthenticatedHttpRequest) -> TOTPDevice:
    """A new secret for this session's set-up attempt; returns an unsaved device holding it (for
    the QR code and the key shown as text)."""
    request.session[SETUP_SESSION_KEY] = {
        "user": request.user.pk,
        "key": random_hex(20),
        "started": time.time(),
        "wrong": 0,
    }
    return _pending_device(request)


def setup_pending(*, request: AuthenticatedHttpRequest) -> TOTPDevice | None:
    """The secret this session is setting up, if it is this user's and has not expired."""
    state = request.session.get(SETUP_SESSION_KEY)
    if not state or state.get("user") != request.user.pk:
        return None
    if time.time() - state.get("started", 0) > SETUP_VALID_SECONDS:
        return None
    return _pending_device(request)


def _pending_device(request: AuthenticatedHttpRequest) -> TOTPDevice:
    key = request.session[SETUP_SESSION_KEY]["key"]
    return TOTPDevice(user=request.user, name=AUTHENTICATOR_NAME, key=key, confirmed=False)


def setup_confirm(*, request: AuthenticatedHttpRequest, code: str) -> tuple[TOTPDevice, list[str]]:
    """Confirm the secret this session is setting up with a code the app shows; it replaces any
    previous authenticator. Returns the new device and a new set of recovery codes (shown once).
    An expired attempt, or one with SETUP_MAX_WRONG wrong codes, starts again with a new secret."""
    user = request.user
    code = normalise(code)
    if not TOTP_CODE.match(code):
        raise ApplicationError("Enter the 6-digit code from your authenticator app", field="code")
    pending = setup_pending(request=request)
    if pending is None:
        setup_start(request=request)
        raise ApplicationError(
            "That QR code has expired: each one lasts 10 minutes. Scan the new QR code below, then "
            "enter the code the app shows",
            field="code",
        )
    state = request.session[SETUP_SESSION_KEY]
    totp = TOTP(pending.bin_key, pending.step, pending.t0, pending.digits, 0)
    totp.time = time.time()
    if not totp.verify(int(code), tolerance=pending.tolerance):
        state["wrong"] = state.get("wrong", 0) + 1
        request.session.modified = True
        if state["wrong"] >= SETUP_MAX_WRONG:
            setup_start(request=request)
            raise ApplicationError(
                "That code was wrong too many times. Scan the new QR code below, then enter the code "
                "the app shows",
                field="code",
            )
        raise ApplicationError(
            "The code is not correct. Enter the 6-digit code your authenticator app shows now", field="code"
        )
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        device = TOTPDevice.objects.create(
            user=user,
            name=AUTHENTICATOR_NAME,
            key=pending.key,
            confirmed=True,
            last_t=totp.t(),  # the code just used cannot be used again
            drift=totp.drift,
        )
        codes = recovery_codes_regenerate(user=user)
        security_events.record(security_events.Kind.MFA_SET_UP, user=user, request=request)
    request.session.pop(SETUP_SESSION_KEY, None)
    return device, codes


@transaction.atomic
def recovery_codes_regenerate(*, user: User) -> list[str]:
    """Replace the user's recovery codes with MFA_RECOVERY_CODE_COUNT new single-use ones."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_NAME, confirmed=True)
    codes: list[str] = []
    while len(codes) < settings.MFA_RECOVERY_CODE_COUNT:
        token = StaticToken.random_token()
        if token not in codes:
            codes.append(token)
    StaticToken.objects.bulk_create([StaticToken(device=device, token=token) for token in codes])
    return codes


@transaction.atomic
def recovery_codes_replace(*, user: User, request: HttpRequest | None = None) -> list[str]:
    """The user asked for new recovery codes (the old ones stop working)."""
    codes = recovery_codes_regenerate(user=user)
    security_events.record(security_events.Kind.RECOVERY_CODES_REGENERATED, user=user, request=request)
    return codes


@transaction.atomic
def remove(*, user: User, request: HttpRequest | None = None) -> None:
    """Remove the authenticator and recovery codes; refused for the roles that must keep them."""
    if is_enforced(user):
        raise ApplicationError(
            "Your role needs an authenticator app, so you cannot remove it. You can replace it "
            "with a new one instead."
        )
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    security_events.record(security_events.Kind.MFA_REMOVED, user=user, request=request)


# Signing in ---------------------------------------------------------------------------------------


def normalise(code: str) -> str:
    """Codes are accepted with spaces or hyphens and in any case."""
    return re.sub(r"[\s-]", "", code or "").lower()


def verify(*, user: User, code: str, request: HttpRequest | None = None) -> Device:
    """The device that accepts `code` (a 6-digit authenticator code or a recovery code, which is then
    used up), or ApplicationError with a message for the form. Wrong codes slow down further tries
    (django-otp's throttling: 1, 2, 4, 8... seconds)."""
    code = normalise(code)
    if not code:
        raise ApplicationError(
            "Enter the 6-digit code from your authenticator app, or a recovery code", field="code"
        )
    device: Device | None
    device = authenticator(user) if TOTP_CODE.match(code) else recovery_device(user)
    if device is None:
        security_events.record(security_events.Kind.MFA_FAILED, user=user, request=request)
        raise ApplicationError(_WRONG_CODE, field="code")
    with transaction.atomic():
        device = type(device).objects.select_for_update().get(pk=device.pk)
        _refuse_if_throttled(device)
        if device.verify_token(code):
            recovery = isinstance(device, StaticDevice)
            kind = security_events.Kind.RECOVERY_CODE_USED if recovery else security_events.Kind.MFA_VERIFIED
            security_events.record(kind, user=user, request=request)
            return device
    security_events.record(security_events.Kind.MFA_FAILED, user=user, request=request)
    raise ApplicationError(_WRONG_CODE, field="code")


_WRONG_CODE = (
    "The code is not correct. Enter the 6-digit code your authenticator app shows now, or one of your "
    "recovery codes"
)


def _refuse_if_throttled(device: Device) -> None:
    allowed, details = device.verify_is_allowed()
    if allowed:
        return
    locked_until: datetime | None = (details or {}).get("locked_until")
    wait = max(1, math.ceil((locked_until - timezone.now()).total_seconds())) if locked_until else 60
    unit = "second" if wait == 1 else "seconds"
    raise ApplicationError(
        f"You have entered a wrong code too many times. Wait {wait} {unit}, then try again.", field="code"
    )


# Showing the secret -------------------------------------------------------------------------------


@dataclass(frozen=True)
class SetupDetails:
    secret: str  # base32, in groups of 4 for typing into an app
    qr_svg: SafeString  # an inline <svg>, drawn on the server: the secret never leaves the portal


def setup_details(device: TOTPDevice) -> SetupDetails:
    secret = b32encode(device.bin_key).decode().rstrip("=")
    grouped = " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
    return SetupDetails(secret=grouped, qr_svg=_qr_svg(device.config_url))


def _qr_svg(data: str) -> SafeString:
    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathFillImage, box_size=10, border=4)
    root = image.get_image()
    for attribute in ("width", "height"):
        root.attrib.pop(attribute, None)
    root.set("class", "app-qr-code__image")
    root.set("role", "img")
    root.set("aria-label", "QR code for your authenticator app")
    ET.register_namespace("", "http://www.w3.org/2000/svg")
    # Our own drawing of a URL we built: no user-supplied markup.
    return mark_safe(ET.tostring(root, encoding="unicode"))  # noqa: S308
