"""Records the signed-in user and the URL with every change a request makes (PostgreSQL only)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import Resolver404, resolve
from pghistory.middleware import HistoryMiddleware as PghistoryMiddleware

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


#: URL parts that carry a secret (invitation and password-reset links): kept out of the trail.
SECRET_URL_KWARGS = frozenset({"token", "uidb64"})


def recorded_path(path: str) -> str:
    """The path as the audit trail records it: secrets in it replaced by their parameter's name."""
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
