"""Project-level views that belong to no app."""

from __future__ import annotations

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe


@transaction.non_atomic_requests
@never_cache
@require_safe
def healthz(request: HttpRequest) -> HttpResponse:
    """Liveness: the web process answers. Touches neither the database nor the session, so a load
    balancer or `docker compose` can poll it cheaply; it is also the floor of `bench.pages`."""
    return HttpResponse("ok", content_type="text/plain; charset=utf-8")
