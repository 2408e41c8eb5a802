"""Releases: made on purpose by an analyst, frozen when made, published only when the auditor passes
them together with every other published release of the round (spec section 5, v1.1)."""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import tablib
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from accounts.models import Authority, User
from metrics import tasks
from metrics.auditor import Area, AuditResult, Leak, ReleaseView, audit
from metrics.disclosure import MIN_AUTHORITIES, SUPPRESSED
from metrics.exports.columns import _dataset
from metrics.exports.national import PUBLISHED_TYPE_LABELS, SYMBOL_NOTES, type_values
from metrics.models import Release, ReleaseFile, Result
from metrics.publication import (
    member_counts,
    public_statements,
    public_view,
    published_type,
    view_from_tables,
)
from metrics.services import (
    _accepted,
    _version_data,
    results_compute_many,
    versions_missing_results_in,
)
from submissions.models import ChangeFeedEntry, CollectionRound
from submissions.services import feed_record
from wres_portal.prepared import read_cursor

from .builder import Builder, Built, Earlier, Member

TABLES = ("about", "pooled", "distribution")
TITLES = {"about": "About", "pooled": "Pooled counts", "distribution": "Distribution"}


class PublishRefused(Exception):
    """The auditor found counts a reader could work out: the release stays unpublished."""

    def __init__(self, leaks: Sequence[Leak]) -> None:
        self.leaks = list(leaks)
        super().__init__(f"{len(self.leaks)} counts could be worked out")


def _lock(collection_round: CollectionRound) -> None:
    """Serialise release-making and publishing for a round (released at commit)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [7302, collection_round.pk])
    CollectionRound.objects.select_for_update().filter(pk=collection_round.pk).exists()


def _members(versions: Iterable[tuple[int, Authority, str, str]]) -> dict[str, Member]:
    """Members for (version id, authority, region, published type): figures and headline values read
    in two queries."""
    versions = list(versions)
    ids = [v for v, *_ in versions]
    data = _version_data(ids)
    values: dict[int, dict[tuple[str, str], tuple[float | None, str]]] = defaultdict(dict)
    for version_id, service, indicator, value, band in Result.objects.filter(version_id__in=ids).values_list(
        "version_id", "service", "indicator", "value", "four_fifths"
    ):
        values[version_id][(service, indicator)] = (value, band)
    found = {}
    for version_id, authority, region, kind in versions:
        member_id = f"{authority.ons_code}:{version_id}"
        found[member_id] = Member(
            id=member_id,
            authority_id=authority.pk,
            ons_code=authority.ons_code,
            name=authority.name,
            version_id=version_id,
            region=region,
            authority_type=kind,
            data=data.get(version_id, {}),
            values=values.get(version_id, {}),
        )
    return found


def _current(collection_round: CollectionRound) -> dict[str, Member]:
    records = _accepted(collection_round).select_related("authority")
    return _members(
        (r.current_version_id, r.authority, r.authority.region, published_type(r.authority.authority_type))
        for r in records
        if r.current_version_id is not None  # always, for an accepted return
    )


def _stored_members(releases: Sequence[Release]) -> dict[str, Member]:
    """The members of earlier releases, as they stood then (their versions never change)."""
    wanted: dict[int, dict[str, Any]] = {}
    for release in releases:
        for record in release.basis["members"].values():
            wanted[record["version"]] = record
    authorities = Authority.objects.in_bulk({record["authority"] for record in wanted.values()})
    return _members(
        (version, authorities[record["authority"]], record["region"], record["type"])
        for version, record in wanted.items()
    )


def _bases(release: Release) -> dict[Area, frozenset[str]]:
    return {(scope, area): frozenset(ids) for scope, area, ids in release.basis["bases"]}


def dataset(release: Release, name: str) -> tablib.Dataset:
    """One of a release's frozen tables as a tablib dataset (for CSV and the workbook)."""
    stored = release.tables[name]
    data = tablib.Dataset(headers=stored["headers"], title=stored["title"])
    for row in stored["rows"]:
        data.append(row)
    return data


def view_of(release: Release) -> ReleaseView:
    """A release as a reader has it: its printed tables and the councils behind each area."""
    pooled, distribution = (dataset(release, name).dict for name in ("pooled", "distribution"))
    return view_from_tables(
        f"release {release.number}",
        pooled,
        distribution,
        _bases(release),
        type_values=type_values(published_types=True),
    )


def _earlier(releases: Sequence[Release]) -> list[Earlier]:
    return [
        Earlier(r.number, _bases(r), view_of(r), frozenset(tuple(row) for row in r.basis.get("withheld", [])))
        for r in releases
    ]


def _as_json(data: tablib.Dataset) -> dict[str, Any]:
    return {"title": data.title, "headers": list(data.headers), "rows": [list(row) for row in data]}


def _audit_json(result: AuditResult) -> dict[str, Any]:
    return {
        "ok": result.ok,
        "targets": result.targets,
        "programs": result.programs,
        "seconds": round(result.seconds, 2),
        "leaks": [leak_json(leak) for leak in result.leaks],
    }


def leak_json(leak: Leak) -> dict[str, Any]:
    return {
        "release": leak.release,
        "kind": leak.kind,
        "what": leak.what,
        "value": leak.value,
        "low": leak.low,
        "high": leak.high,
        "reason": leak.reason,
    }


def _changes(
    current: Mapping[str, Member], previous: Release | None, built: Built, members: Mapping[str, Member]
) -> dict[str, Any]:
    """What the builder found changed since the previous release: councils added, withdrawn and
    resubmitted, and the areas that keep earlier figures."""
    before: dict[str, int] = {}
    if previous is not None:
        before = {record["ons_code"]: record["version"] for record in previous.basis["members"].values()}
    in_release = {i for basis in built.bases.values() for i in basis}
    now = {members[i].ons_code: members[i].version_id for i in in_release}
    name = {m.ons_code: m.name for m in members.values()}
    return {
        "previous": previous.number if previous else None,
        "added": sorted(name[code] for code in now.keys() - before.keys()),
        "withdrawn": sorted(name.get(code, code) for code in before.keys() - now.keys()),
        "resubmitted": sorted(name[code] for code in now.keys() & before.keys() if now[code] != before[code]),
        "held_back": sorted(m.name for m in current.values() if m.id not in in_release),
        "kept": [
            {"scope": scope, "area": area, **detail}
            for (scope, area), detail in sorted(built.kept.items())
            if detail["changed"]
        ],
        "unchanged": [
            [scope, area] for (scope, area), detail in sorted(built.kept.items()) if not detail["changed"]
        ],
    }


def _about(
    collection_round: CollectionRound, number: int, note: str, changes: dict[str, Any], councils: int
) -> tablib.Dataset:
    kept = ", ".join(
        f"{PUBLISHED_TYPE_LABELS.get(k['area'], k['area']) or 'England'} (release {k['release']})"
        for k in changes["kept"]
    )
    rows: list[list[Any]] = [
        ["Title", "Social Care WRES: national tables"],
        ["Round", collection_round.label],
        ["Release", number],
        ["Date made", f"{timezone.localdate():%-d %B %Y}"],
        ["Reporting period", collection_round.period_label],
        ["Headcount snapshot date", f"{collection_round.snapshot_date:%-d %B %Y}"],
        ["Accepted returns in this release", councils],
        ["What changed since the previous release, and why", note],
        [
            "Areas keeping earlier figures",
            kept
            or "None: every area's councils are the ones they were, or changed by "
            f"{MIN_AUTHORITIES} or more.",
        ],
        [
            "Pooled counts",
            "The counts of the accepted returns added up for England, each region and each authority "
            "type, with the figures computed on the sums. Staff whose ethnicity is unknown are counted "
            "but never used in a rate or ratio. Rates and shares are percentages to 1 decimal place; "
            "ratios are to 2.",
        ],
        [
            "Distribution",
            "The spread of the authorities' own figures (relative likelihood; for metric 1 the minority "
            "ethnic share of the pay band) and how many fall in each four-fifths band. Withheld "
            f"({SUPPRESSED}) where they would say too much about single councils' counts.",
        ],
        *([f"Symbol {symbol}", text] for symbol, text in SYMBOL_NOTES),
        [
            "Councils alone in their type",
            "The City of London is counted with the London boroughs and the Isles of Scilly with the "
            "unitary authorities: a type of one council would be that council's own figures.",
        ],
        [
            "Between releases",
            f"An area whose councils changed by fewer than {MIN_AUTHORITIES} since an earlier release keeps "
            "that release's figures, so the difference never shows a few councils' counts.",
        ],
    ]
    return _dataset("About", ["Item", "Value"], rows)


#: While a release is being made (a Celery task, `metrics.tasks.make_release`), the round's key holds
#: who asked and when; the releases page shows it.
MAKING_SECONDS = 30 * 60


def making_key(round_id: int) -> str:
    return f"metrics:release-making:{round_id}"


def release_making(collection_round: CollectionRound) -> dict[str, Any] | None:
    return cache.get(making_key(collection_round.pk))


def release_making_done(round_id: int) -> None:
    cache.delete(making_key(round_id))


def release_request(*, collection_round: CollectionRound, user: User, note: str) -> int:
    """Ask for the round's next release to be made in the background; its number."""
    note = note.strip()
    if not note:
        raise ValueError("Say what changed since the previous release, and why.")
    number = (Release.objects.filter(round=collection_round).aggregate(n=Max("number"))["n"] or 0) + 1
    cache.set(
        making_key(collection_round.pk),
        {"number": number, "by": user.full_name or user.email, "at": timezone.now().isoformat()},
        MAKING_SECONDS,
    )
    tasks.make_release.delay(collection_round.pk, user.pk, note, number)
    return number


def release_create(
    *,
    collection_round: CollectionRound,
    user: User,
    note: str,
    budget_seconds: float = 20.0,
    expected_number: int | None = None,
) -> Release:
    """Make the round's next release from its accepted returns: build it (`builder.Builder`), audit it
    with every published release of the round, and store it, frozen, unpublished. With
    `expected_number`, a release of that number already made is returned as it is (a task run twice)."""
    note = note.strip()
    if not note:
        raise ValueError("Say what changed since the previous release, and why.")
    results_compute_many(version_ids=versions_missing_results_in(collection_round))
    with transaction.atomic():
        _lock(collection_round)
        releases = list(Release.objects.filter(round=collection_round).order_by("number"))
        published = [r for r in releases if r.published]
        number = (releases[-1].number if releases else 0) + 1
        if expected_number is not None and number > expected_number:
            return next(r for r in releases if r.number == expected_number)
        current = _current(collection_round)
        if not current:
            raise ValueError("No return has been accepted in this round yet: there is nothing to publish.")
        members = {**_stored_members(published), **current}
        built = Builder(
            f"release {number}",
            list(current.values()),
            _earlier(published),
            members,
            budget_seconds=budget_seconds,
            public=_public(collection_round, members),
        ).build()
        previous = published[-1] if published else None
        changes = _changes(current, previous, built, members)
        in_release = {i for basis in built.bases.values() for i in basis}
        tables = {
            "about": _as_json(
                _about(collection_round, number, note, changes, len(in_release & current.keys()))
            ),
            "pooled": _as_json(built.tables[0]),
            "distribution": _as_json(built.tables[1]),
        }
        basis = {
            "members": {
                i: {
                    "authority": members[i].authority_id,
                    "ons_code": members[i].ons_code,
                    "name": members[i].name,
                    "version": members[i].version_id,
                    "region": members[i].region,
                    "type": members[i].authority_type,
                }
                for i in sorted(in_release)
            },
            "bases": [[scope, area, sorted(ids)] for (scope, area), ids in sorted(built.bases.items())],
            "withheld": sorted(list(row) for row in built.withheld),
        }
        return Release.objects.create(
            round=collection_round,
            number=number,
            created_by=user,
            note=note,
            changes=changes,
            tables=tables,
            basis=basis,
            audit=_audit_json(built.audit),
            suppression=built.suppression(),
        )


def _public(collection_round: CollectionRound, members: Mapping[str, Member]) -> ReleaseView | None:
    """What public council pages (published action plans) say about the round's councils."""
    return public_view(
        public_statements(collection_round.label),
        ((i, m.ons_code, m.values) for i, m in members.items()),
    )


def audit_with_published(release: Release) -> AuditResult:
    """The auditor over `release`, every other published release of its round and what public
    council pages say about single councils."""
    others = list(
        Release.objects.filter(round=release.round, published=True).exclude(pk=release.pk).order_by("number")
    )
    chosen = sorted([*others, release], key=lambda r: r.number)
    members = _stored_members(chosen)
    counts = {i: member_counts(m.data) for i, m in members.items()}
    views = [view_of(r) for r in chosen]
    public = _public(release.round, members)
    if public is not None:
        views.append(public)
    return audit(views, counts, names={i: m.name for i, m in members.items()})


def release_publish(*, release: Release, user: User) -> Release:
    """Publish `release` once the auditor passes it with every other published release of the round;
    otherwise raise PublishRefused naming the counts and why."""
    with transaction.atomic():
        _lock(release.round)
        fresh = Release.objects.get(pk=release.pk)
        if fresh.published:
            return fresh
        result = audit_with_published(fresh)
        if not result.ok:
            raise PublishRefused(result.leaks)
        Release.objects.filter(pk=fresh.pk, published=False).update(
            published=True, published_at=timezone.now(), published_by=user
        )
        feed_record(
            kind=ChangeFeedEntry.Kind.RELEASE_PUBLISHED,
            collection_round=fresh.round,
            release_number=fresh.number,
        )
        return Release.objects.get(pk=fresh.pk)


# Reading ---------------------------------------------------------------------------------------------


#: The columns of a release that grow with the number of councils (`basis` names every council behind
#: each area, `changes` the councils added or withdrawn, `audit` its leaks) or that no reader of the
#: published tables needs: `latest_published` leaves them unread (issue 18).
UNREAD_BY_READERS = ("basis", "changes", "audit", "suppression")


def latest_published(collection_round: CollectionRound) -> Release | None:
    """The round's latest published release, for readers of its tables (the national report, the
    downloads, the API): its number, dates and `tables`; the columns in `UNREAD_BY_READERS` are
    deferred (read on first use, one query each), so the read does not grow with N."""
    release = (
        Release.objects.filter(round=collection_round, published=True)
        .defer(*UNREAD_BY_READERS)
        .order_by("-number")
        .first()
    )
    if release is not None:
        release.round = collection_round  # already read: naming the file needs its label
    return release


def latest_published_file(collection_round: CollectionRound, name: str) -> tuple[int, bytes | None] | None:
    """(number, stored bytes of download `name`, or None when not yet built) of the round's latest
    published release, or None before one is published: one query reading neither the release's
    tables nor its basis, so serving a stored download costs the same at any N (issue 18). Read in
    PostgreSQL's binary format (`read_cursor(binary=True)`: not as hex, twice the file's size, decoded
    here), by a statement prepared once per connection."""
    with read_cursor(binary=True) as cursor:
        cursor.execute(_latest_published_file_sql(), [name, collection_round.pk, True])
        found = cursor.fetchone()
    if found is None:
        return None
    number, content = found
    return int(number), None if content is None else bytes(content)


@functools.cache
def _latest_published_file_sql() -> str:
    q = connection.ops.quote_name
    release, file = Release._meta, ReleaseFile._meta

    def column(meta: Any, field: str) -> str:
        return q(meta.get_field(field).column)

    return (
        f"SELECT r.{column(release, 'number')}, f.{column(file, 'content')} "  # noqa: S608 - names from the models
        f"FROM {q(release.db_table)} r LEFT JOIN {q(file.db_table)} f "
        f"ON f.{column(file, 'release')} = r.{column(release, 'id')} AND f.{column(file, 'name')} = %s "
        f"WHERE r.{column(release, 'round')} = %s AND r.{column(release, 'published')} = %s "
        f"ORDER BY r.{column(release, 'number')} DESC LIMIT 1"
    )


def release_file(release: Release, name: str, build: Callable[[], bytes]) -> bytes:
    """The stored download `name` of `release`, built with `build` and stored the first time. Two
    first requests at once may both build it; the unique key keeps one row and both send the same
    bytes (a release never changes, so every build gives the same tables)."""
    stored = ReleaseFile.objects.filter(release=release, name=name).values_list("content", flat=True).first()
    if stored is not None:
        return bytes(stored)
    content = build()
    with transaction.atomic():
        ReleaseFile.objects.get_or_create(release=release, name=name, defaults={"content": content})
    return content
