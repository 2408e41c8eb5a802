"""Reads of results shared by the council pages, their downloads and the results API; no writes."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

from django.contrib.auth.models import AnonymousUser

from accounts.models import Authority, User
from submissions.access import ReturnContext
from submissions.models import CollectionRound, Return, ReturnEvent, ReturnVersion

from .calculations import results_document
from .exports.national import type_values
from .models import Benchmark, Release, ReleaseQuerySet, Result, VersionResults
from .publication import Comparator, ComparatorKey, PublishedComparators, comparators_from_tables
from .services import population_share
from .signals import plan_objectives_wanted
from .summary import PlanLink, Summary, results_summary


def version_results(ctx: ReturnContext, version: ReturnVersion) -> VersionResults:
    """The stored results of `version` (one of `ctx`'s return, already scoped to the user), or, for a
    version without them (a draft), results computed now and not saved."""
    stored = VersionResults.objects.filter(version=version).first()
    if stored is not None:
        return stored
    return VersionResults(
        authority=ctx.authority,
        round=ctx.round,
        version=version,
        document=results_document(version.data(), population_share=population_share(ctx.authority)),
    )


#: Parsed comparators by (release pk, created_at): releases never change once made, so a parse is
#: good for the life of the process. Bounded: a few releases a round.
_PARSED: dict[tuple[int, datetime.datetime], Mapping[ComparatorKey, Comparator]] = {}
_PARSED_MAX = 256


def _parsed(pk: int, created_at: datetime.datetime) -> Mapping[ComparatorKey, Comparator]:
    key = (pk, created_at)
    found = _PARSED.get(key)
    if found is None:
        tables = Release.objects.values_list("tables", flat=True).get(pk=pk)
        found = comparators_from_tables(
            _rows(tables["pooled"]),
            _rows(tables["distribution"]),
            type_values=type_values(published_types=True),
        )
        if len(_PARSED) >= _PARSED_MAX:
            _PARSED.clear()
        _PARSED[key] = found
    return found


def _rows(table: Mapping[str, Any]) -> list[dict[str, Any]]:
    headers = table["headers"]
    return [dict(zip(headers, row, strict=False)) for row in table["rows"]]


def latest_published_releases(
    round_ids: Iterable[int] | None = None,
) -> dict[int, tuple[int, int, datetime.datetime, datetime.datetime | None]]:
    """{round id: (release pk, number, created_at, published_at)} of each round's latest published
    release (of `round_ids`, or of every round), in one query."""
    releases = Release.objects.published()
    if round_ids is not None:
        releases = releases.filter(round_id__in=list(round_ids))
    latest: dict[int, tuple[int, int, datetime.datetime, datetime.datetime | None]] = {}
    for round_id, pk, number, created_at, published_at in releases.order_by("round_id", "number").values_list(
        "round_id", "pk", "number", "created_at", "published_at"
    ):
        latest[round_id] = (pk, number, created_at, published_at)
    return latest


def published_comparators(collection_round: CollectionRound) -> PublishedComparators:
    """The national, regional and type comparators of the round's latest published release."""
    found = latest_published_releases([collection_round.pk]).get(collection_round.pk)
    if found is None:
        return PublishedComparators(collection_round.label, None, None, {})
    pk, number, created_at, published_at = found
    return PublishedComparators(collection_round.label, number, published_at, _parsed(pk, created_at))


def published_national_trend(service: str) -> dict[tuple[str, str], list[tuple[str, float | None]]]:
    """The published England median of each indicator of `service`, round by round (oldest first),
    from each round's latest published release: {(service, indicator): [(round label, median)]}."""
    latest = latest_published_releases()
    labels = dict(
        CollectionRound.objects.filter(pk__in=latest).order_by("opens_on").values_list("pk", "label")
    )
    trend: dict[tuple[str, str], list[tuple[str, float | None]]] = defaultdict(list)
    for round_id, label in labels.items():
        pk, _, created_at, _ = latest[round_id]
        for (scope, _, svc, indicator), comparator in _parsed(pk, created_at).items():
            if scope == "national" and svc == service:
                trend[(svc, indicator)].append((label, None if comparator.withheld else comparator.median))
    return trend


def previous_round_values(
    authority: Authority, collection_round: CollectionRound, service: str
) -> tuple[str | None, dict[str, float | None]]:
    """The authority's headline values for `service` in its latest earlier round with a return past
    draft: (round label, {indicator: value}), or (None, {}) when there is none."""
    earlier = (
        Return.objects.filter(authority=authority, round__opens_on__lt=collection_round.opens_on)
        .exclude(status=Return.Status.DRAFT)
        .exclude(current_version=None)
        .order_by("-round__opens_on")
        .values_list("round__label", "current_version_id")
        .first()
    )
    if earlier is None:
        return None, {}
    label, version_id = earlier
    values = dict(
        Result.objects.filter(version_id=version_id, service=service).values_list("indicator", "value")
    )
    return label, values


def plan_objectives(authority: Authority, user: User | AnonymousUser) -> list[PlanLink]:
    """The plan objectives tied to indicators, from whichever app answers `plan_objectives_wanted`."""
    links: list[PlanLink] = []
    for _, response in plan_objectives_wanted.send(sender=None, authority=authority, user=user):
        if isinstance(response, list):
            links.extend(link for link in response if isinstance(link, PlanLink))
    return links


def council_results_summary(
    ctx: ReturnContext, version: ReturnVersion, service: str, user: User | AnonymousUser
) -> Summary:
    """The summary that opens a council's results page and its board summary."""
    label, previous = previous_round_values(ctx.authority, ctx.round, service)
    return results_summary(
        version_results(ctx, version).document["results"],
        service=service,
        previous=previous,
        previous_label=label,
        objectives=plan_objectives(ctx.authority, user),
    )


def accepted_since_last_release(collection_round: CollectionRound | None) -> int:
    """How many of the round's returns were accepted (or accepted again) after its latest release
    was made: national tables an analyst may want to release again (all accepted ones before the
    first release)."""
    if collection_round is None:
        return 0
    accepted = ReturnEvent.objects.filter(
        return_record__round=collection_round, action=ReturnEvent.Action.ACCEPTED
    )
    latest = Release.objects.filter(round=collection_round).order_by("-number").first()
    if latest is not None:
        accepted = accepted.filter(at__gt=latest.created_at)
    return accepted.values("return_record_id").distinct().count()


def rounds_newest_first() -> Iterable[CollectionRound]:
    """Every collection round, the newest first (national filters)."""
    return CollectionRound.objects.order_by("-opens_on")


def indicator_breakdown(collection_round: CollectionRound, service: str, code: str) -> list[Benchmark]:
    """An indicator's benchmarks in a round and service: England, then each region and type."""
    return list(
        Benchmark.objects.filter(round=collection_round, service=service, indicator=code).order_by(
            "scope", "scope_value"
        )
    )


def releases_of(collection_round: CollectionRound) -> ReleaseQuerySet:
    """A round's releases, the newest first, with who made and published them."""
    return (
        Release.objects.filter(round=collection_round)
        .select_related("created_by", "published_by")
        .order_by("-number")
    )


def release_exists(collection_round: CollectionRound, number: int) -> bool:
    return Release.objects.filter(round=collection_round, number=number).exists()


def latest_round_with_results(authority: Authority) -> str | None:
    """The label of the latest round in which the authority (already scoped to the user) has a
    saved version, or None."""
    return (
        Return.objects.filter(authority=authority)
        .exclude(current_version=None)
        .order_by("-round__opens_on")
        .values_list("round__label", flat=True)
        .first()
    )
