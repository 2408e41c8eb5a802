from __future__ import annotations

from django.db.models import Exists, OuterRef
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404

from accounts.models import AuthorityType, Region
from metrics.models import Benchmark
from submissions.models import CollectionRound
from submissions.schema import SERVICE_LABELS


def _service(request: HttpRequest) -> str:
    service = request.GET.get("service", "all")
    return service if service in SERVICE_LABELS else "all"


def _round(request: HttpRequest, label: str | None = None) -> CollectionRound:
    if label:
        return get_object_or_404(CollectionRound, label=label)
    chosen = request.GET.get("round")
    if chosen:
        return get_object_or_404(CollectionRound, label=chosen)
    with_benchmarks = (
        CollectionRound.objects.filter(Exists(Benchmark.objects.filter(round=OuterRef("pk"))))
        .order_by("-opens_on")
        .first()
    )
    found = with_benchmarks or CollectionRound.objects.order_by("-opens_on").first()
    if found is None:
        raise Http404
    return found


def _filters(request: HttpRequest) -> tuple[str, str]:
    region = request.GET.get("region", "")
    kind = request.GET.get("authority_type", "")
    return (region if region in Region.values else ""), (kind if kind in AuthorityType.values else "")
