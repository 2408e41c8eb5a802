from __future__ import annotations

import hashlib

from django.core.cache import cache
from django.db.models import Count, Exists, Max, OuterRef
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404

from accounts.models import AuthorityType, Region
from metrics.models import Benchmark
from metrics.services import STAMP_SECONDS, benchmark_stamp_key
from submissions.models import CollectionRound
from submissions.schema import SERVICE_LABELS


def _service(request: HttpRequest) -> str:
    service = request.GET.get("service", "all")
    return service if service in SERVICE_LABELS else "all"


#: How long a rendered fragment stays cached. Its key names everything it was built from (versions,
#: benchmark timestamps), so a change shows at once: the timeout only clears out unused entries.
FRAGMENT_SECONDS = 24 * 60 * 60


def _stamp(round_id: int | None = None) -> str:
    """Changes whenever a round's benchmarks (or, with no round, any round's) are recomputed: every
    row gets a new computed_at. Kept in the cache for at most STAMP_SECONDS and dropped when a
    recompute commits (metrics.services.benchmarks_recompute), so pages need no query for it."""
    key = benchmark_stamp_key(round_id)
    stamp = cache.get(key)
    if stamp is None:
        benchmarks = (
            Benchmark.objects.all() if round_id is None else Benchmark.objects.filter(round_id=round_id)
        )
        found = benchmarks.aggregate(latest=Max("computed_at"), rows=Count("pk"))
        latest = found["latest"].isoformat() if found["latest"] else "none"
        stamp = f"{latest}/{found['rows']}"
        cache.set(key, stamp, STAMP_SECONDS)
    return stamp


def _digest(*parts: object) -> str:
    return hashlib.sha256(repr(parts).encode()).hexdigest()


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
