"""Records the signed-in user and the URL with every change a request makes (PostgreSQL only)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
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
        return {"user": user.pk if user is not None and user.is_authenticated else None, "url": request.path}
