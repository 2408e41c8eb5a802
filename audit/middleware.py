"""Records the signed-in user and the URL with every change a request makes (PostgreSQL only)."""

from __future__ import annotations

import functools
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import Resolver404, URLResolver, get_resolver, resolve
from pghistory.middleware import HistoryMiddleware as PghistoryMiddleware

from wres_portal.converters import SECRET_URL_KWARGS

from .context import tracking


class HistoryMiddleware(PghistoryMiddleware):
    """pghistory's middleware (the user is re-read if DRF authenticates by token later), switched
    off on databases without the triggers, where its SQL would fail."""

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not tracking():
            return self.get_response(request)
        return super().__call__(request)

    def get_context(self, request: HttpRequest) -> dict[str, object]:
        user = getattr(request, "user", None)
        return {
            "user": user.pk if user is not None and user.is_authenticated else None,
            "url": recorded_path(request.path_info),
        }


@functools.cache
def _secret_prefixes(resolver: URLResolver) -> tuple[str, ...]:
    """The fixed start of every route with a secret in it ("/invitations/", "/password-reset/"),
    found once per URLconf: only a path starting with one of them is resolved."""
    found: list[str] = []

    def walk(patterns: list[Any], prefix: str) -> None:
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, route)
            elif SECRET_URL_KWARGS & set(pattern.pattern.converters):
                found.append("/" + route.split("<", 1)[0])

    walk(resolver.url_patterns, "")
    return tuple(found)


def recorded_path(path: str) -> str:
    """The path as the audit trail records it: secrets in it replaced by their parameter's name.
    Every request computes it (the context of whatever it writes), so a path no secret route
    starts with is returned as it is, without resolving it (issue 18: resolving an API path walked
    every route, about half a millisecond)."""
    if not path.startswith(_secret_prefixes(get_resolver())):
        return path
    try:
        match = resolve(path)
    except Resolver404:
        return path
    secret = SECRET_URL_KWARGS & set(match.kwargs)
    if not secret:
        return path
    for name in secret:
        path = path.replace(str(match.kwargs[name]), f"<{name}>")
    return path
