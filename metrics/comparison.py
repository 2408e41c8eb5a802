"""Comparison groups: reading who a council may be compared with, and recording what it was shown
(issue 15). The maths is in `metrics.neighbours`; this module reads the round's latest published
release (never live data, issue 14) and keeps the groups shown, so differencing can be refused."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction

from accounts.models import Authority, User
from submissions.models import CollectionRound
from wres_portal.errors import ApplicationError

from .models import ComparisonGroup, Release, VersionResults
from .neighbours import Profile, basket_refusal, group_median, nearest
from .publication import published_type
from .selectors import latest_published_releases
from .services import headline


def workforce_of(document: Mapping[str, object]) -> int:
    """A council's headcount (both services, every group) from its results document."""
    for entry in document.get("results", []):  # type: ignore[attr-defined]
        if entry["service"] == "all" and entry["indicator"] == "m9":
            return int(sum((entry.get("denominator") or {}).values()))
    return 0


Values = Mapping[str, Mapping[tuple[str, str], float | None]]


@dataclass(frozen=True)
class Field:
    """The councils of a release, their profiles and their headline values, by ONS code."""

    release_number: int | None
    profiles: dict[str, Profile] = field(default_factory=dict)
    values: dict[str, dict[tuple[str, str], float | None]] = field(default_factory=dict)


_FIELDS: dict[tuple[int, object], Field] = {}


def release_field(collection_round: CollectionRound) -> Field:
    """Every council in the round's latest published release, with the figures of the version the
    release was built from. Cached for the life of the process: releases never change."""
    found = latest_published_releases([collection_round.pk]).get(collection_round.pk)
    if found is None:
        return Field(None)
    pk, number, created_at, _ = found
    cached = _FIELDS.get((pk, created_at))
    if cached is not None:
        return cached
    members = Release.objects.values_list("basis", flat=True).get(pk=pk)["members"]
    versions = {record["version"]: record for record in members.values()}
    shares = dict(
        Authority.objects.filter(pk__in=[r["authority"] for r in versions.values()]).values_list(
            "pk", "population_minority_ethnic_percent"
        )
    )
    result = Field(number)
    for version_id, document in VersionResults.objects.filter(version_id__in=versions).values_list(
        "version_id", "document"
    ):
        record = versions[version_id]
        share = shares.get(record["authority"])
        code = record["ons_code"]
        result.profiles[code] = Profile(
            code=code,
            name=record["name"],
            region=record["region"],
            authority_type=record["type"],
            workforce=workforce_of(document),
            population_share=float(share) if share is not None else None,
        )
        result.values[code] = {(e["service"], e["indicator"]): headline(e) for e in document["results"]}
    if len(_FIELDS) > 64:
        _FIELDS.clear()
    _FIELDS[(pk, created_at)] = result
    return result


def own_profile(authority: Authority, workforce: int, known: Field) -> Profile:
    found = known.profiles.get(authority.ons_code)
    if found is not None:
        return found
    share = authority.population_minority_ethnic_percent
    return Profile(
        code=authority.ons_code,
        name=authority.name,
        region=authority.region,
        authority_type=published_type(authority.authority_type),
        workforce=workforce,
        population_share=float(share) if share is not None else None,
    )


def _key(kind: str, members: Sequence[str]) -> str:
    return hashlib.sha256(f"{kind}:{','.join(sorted(members))}".encode()).hexdigest()


def groups_shown(authority: Authority, collection_round: CollectionRound) -> list[ComparisonGroup]:
    return list(
        ComparisonGroup.objects.filter(authority=authority, round=collection_round).order_by("created_at")
    )


def _record(
    authority: Authority,
    collection_round: CollectionRound,
    kind: str,
    members: Sequence[str],
    user: User | None,
) -> ComparisonGroup:
    key = _key(kind, members)
    existing = ComparisonGroup.objects.filter(authority=authority, round=collection_round, key=key).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return ComparisonGroup.objects.create(
                authority=authority,
                round=collection_round,
                kind=kind,
                members=sorted(members),
                key=key,
                created_by=user,
            )
    except IntegrityError:  # recorded by a request at the same moment
        return ComparisonGroup.objects.get(authority=authority, round=collection_round, key=key)


@transaction.atomic
def group_show(
    *,
    authority: Authority,
    collection_round: CollectionRound,
    kind: str,
    members: Sequence[str],
    user: User | None,
) -> ComparisonGroup:
    """Record that `authority` is shown the medians of `members` in the round, after checking the
    differencing rule against every group it has been shown (metrics.neighbours.basket_refusal).
    Serialised per authority (a row lock), so two requests cannot each pass the check alone."""
    Authority.objects.select_for_update().filter(pk=authority.pk).exists()
    chosen = frozenset(members)
    shown = [frozenset(g.members) for g in groups_shown(authority, collection_round)]
    reason = basket_refusal(chosen, shown, own=authority.ons_code)
    if reason:
        raise ApplicationError(reason)
    return _record(authority, collection_round, kind, sorted(chosen), user)


def neighbours_of(authority: Authority, known: Field, workforce: int) -> list[str]:
    return nearest(own_profile(authority, workforce, known), list(known.profiles.values()))


def medians(
    members: Sequence[str], known: Field, keys: Sequence[tuple[str, str]]
) -> dict[tuple[str, str], float | None]:
    return {key: group_median(known.values.get(code, {}).get(key) for code in members) for key in keys}
