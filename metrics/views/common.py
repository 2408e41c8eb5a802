from __future__ import annotations

from django.http import Http404, HttpRequest

from accounts.models import AuthorityType, Region
from metrics.selectors import default_round
from submissions.access import get_round
from submissions.models import CollectionRound
from submissions.schema import SERVICE_LABELS


def _service(request: HttpRequest) -> str:
    service = request.GET.get("service", "all")
    return service if service in SERVICE_LABELS else "all"


def _round(request: HttpRequest, label: str | None = None) -> CollectionRound:
    if label:
        return get_round(label)
    chosen = request.GET.get("round")
    if chosen:
        return get_round(chosen)
    found = default_round()
    if found is None:
        raise Http404
    return found


def _filters(request: HttpRequest) -> tuple[str, str]:
    region = request.GET.get("region", "")
    kind = request.GET.get("authority_type", "")
    return (region if region in Region.values else ""), (kind if kind in AuthorityType.values else "")
