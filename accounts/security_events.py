"""Recording security events (SecurityEvent): one call per event, from the services and views that
cause them. Events are written in the caller's transaction, so an action that is rolled back leaves
no event; sign-in failures, which roll nothing back, are written at once."""

from __future__ import annotations

from typing import TYPE_CHECKING

from wres_portal.net import client_ip

from .models import SecurityEvent

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser
    from django.http import HttpRequest

    from .models import User

Kind = SecurityEvent.Kind


def record(
    kind: str,
    *,
    user: User | AnonymousUser | None = None,
    request: HttpRequest | None = None,
    email: str = "",
    detail: str = "",
) -> SecurityEvent:
    if user is not None and not user.is_authenticated:
        user = None
    return SecurityEvent.objects.create(
        kind=kind,
        user=user,
        email=(email or (user.email if user is not None else ""))[:254],
        ip_address=_ip(request),
        detail=detail[:300],
    )


def _ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    address = client_ip(request)
    return None if address == "unknown" else address


def for_user(user: User, *, limit: int = 50) -> list[SecurityEvent]:
    """The user's own latest events, newest first (their "Security activity" page)."""
    return list(SecurityEvent.objects.filter(user=user).order_by("-at", "-id")[:limit])
