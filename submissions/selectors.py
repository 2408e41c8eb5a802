"""Reads of rounds and returns shared by views, APIs and the pages above this app; no writes."""

from __future__ import annotations

import base64
import binascii
import datetime
import functools
import hashlib
from collections.abc import Callable, Iterable
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.db.models import (
    BinaryField,
    Count,
    DateField,
    F,
    FilteredRelation,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.models import Authority, User
from wres_portal import rawrows
from wres_portal.listing import CompiledList
from wres_portal.prepared import read_cursor

from .models import (
    ChangeFeedEntry,
    ClosingDateExtension,
    CollectionRound,
    CollectionRoundQuerySet,
    MonitorDocument,
    MonitorVersion,
    Return,
    ReturnEvent,
    ReturnQuerySet,
    ReturnVersion,
    WarningExplanation,
)
from .schema import ReturnData
from .signals import headline_results


def current_round() -> CollectionRound | None:
    """The collection round open now (or the latest that opened), or None: the first of
    `CollectionRound.objects.opened_by(today)`, compiled once per process and prepared per connection
    (issue 18: the authority list and the home pages read it on every request)."""
    found = _current_round().rows({_DAY_SLOT: timezone.localdate()})[0:1]
    # CompiledList's rows are already converted (SQLite's uuid text to a UUID): not again.
    return rawrows.converted_instance(CollectionRound, found[0]) if found else None


#: A day no round opens on, standing for today in `_current_round`.
_DAY_SLOT = datetime.date(1111, 11, 13)


@functools.cache
def _current_round() -> CompiledList:
    """`CollectionRound.objects.opened_by(day)`'s query (every column, as `rawrows.converted_instance`
    reads them)."""
    return CompiledList(CollectionRound.objects.opened_by(_DAY_SLOT))


def open_round(day: datetime.date) -> CollectionRound | None:
    """The round open on `day` (opened on or before it, closing on or after it); of two that
    overlap, the one opened last."""
    return CollectionRound.objects.open_on(day).order_by("-opens_on").first()


def all_rounds() -> list[CollectionRound]:
    """Every collection round, the latest first."""
    return list(CollectionRound.objects.all())


def return_of(authority: Authority, collection_round: CollectionRound | None) -> Return | None:
    """An authority's return in a round, if started. The caller has already scoped `authority` to
    the user (accounts.access.get_authority_for_user)."""
    if collection_round is None:
        return None
    return Return.objects.filter(authority=authority, round=collection_round).order_by().first()


def rounds_with_returns(
    user: User | AnonymousUser, authority: Authority
) -> list[tuple[CollectionRound, Return | None]]:
    """Every round, each with the authority's return in it (None before one is started)."""
    returns = {r.round_id: r for r in Return.objects.for_user(user).filter(authority=authority)}
    return [(r, returns.get(r.pk)) for r in CollectionRound.objects.all()]


def submitted_version_ids(authority: Authority) -> QuerySet[Return, int]:
    """The current versions of the authority's returns past draft (the authority already scoped to
    the user): the points of its trend. A subquery, unevaluated."""
    return (
        Return.objects.filter(authority=authority)
        .exclude(status=Return.Status.DRAFT)
        .values_list("current_version_id", flat=True)
    )


def returns_with_versions(collection_round: CollectionRound, statuses: Iterable[str]) -> ReturnQuerySet:
    """The round's returns at one of `statuses` that have a current version, with their councils
    and current versions (national staff only: no scoping)."""
    return (
        Return.objects.filter(round=collection_round, status__in=statuses)
        .exclude(current_version=None)
        .select_related("authority", "current_version")
    )


# The change feed -----------------------------------------------------------------------------------


def feed_cursor(entry: ChangeFeedEntry) -> str:
    """An opaque cursor naming the place just after `entry` in the feed."""
    return base64.urlsafe_b64encode(f"feed:{entry.pk}".encode()).decode().rstrip("=")


def parse_feed_cursor(cursor: str) -> int | None:
    """The entry id a cursor names, or None when it is not one this feed gave."""
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    prefix, _, pk = text.partition(":")
    return int(pk) if prefix == "feed" and pk.isdigit() and len(pk) < 19 else None


def feed_since(after: int | None, *, limit: int) -> list[ChangeFeedEntry]:
    """Up to `limit` feed entries after entry `after` (from the start when None), in the order their
    changes were committed (ChangeFeedEntry explains why id order is commit order)."""
    entries = ChangeFeedEntry.objects.select_related("round", "authority", "version")
    if after is not None:
        entries = entries.filter(pk__gt=after)
    return list(entries.order_by("pk")[:limit])


#: The statuses an analyst's worklist shows unless asked otherwise: returns on their way to acceptance.
WAITING = (Return.Status.SUBMITTED, Return.Status.SIGNED_OFF)


def worklist(
    collection_round: CollectionRound,
    *,
    status: str = "",
    region: str = "",
    authority_type: str = "",
    late: str = "",
) -> QuerySet[Return]:
    """The round's returns for the analysts' worklist (national pages only), filtered in the database:
    by status (default: submitted or signed off, the returns on their way to acceptance), the council's
    region and type, and lateness ("yes" or "no"). Unordered: the page sorts it (wres_portal.listing)."""
    returns = Return.objects.filter(round=collection_round).select_related("authority", "current_version")
    returns = returns.filter(status=status) if status else returns.filter(status__in=WAITING)
    if region:
        returns = returns.filter(authority__region=region)
    if authority_type:
        returns = returns.filter(authority__authority_type=authority_type)
    if late in ("yes", "no"):
        returns = returns.filter(is_late=late == "yes")
    return returns.order_by()


def state_tokens(records: Iterable[Return]) -> dict[str, str]:
    """Each return's `Return.state_token` by uuid, for a page of returns read with their current
    version: the explanations of every version in one query, not one per return."""
    records = list(records)
    explanations: dict[int, list[tuple[str, str]]] = {}
    for version_id, key, text in WarningExplanation.objects.filter(
        version_id__in=[r.current_version_id for r in records if r.current_version_id]
    ).values_list("version_id", "warning_key", "text"):
        explanations.setdefault(version_id, []).append((key, text))
    tokens = {}
    for record in records:
        token = f"{record.version_number}-{record.status}"
        digest = ReturnVersion.digest_of(explanations.get(record.current_version_id or 0, []))
        tokens[str(record.uuid)] = f"{token}-{digest}" if digest else token
    return tokens


NOT_STARTED = "not_started"


def with_return_status(
    authorities: QuerySet[Authority], collection_round: CollectionRound, *, status: str = ""
) -> QuerySet[Authority]:
    """`authorities`, each annotated (in the database, one query) with its return in the round:
    `return_status` ("not_started" when there is none), `return_late`, `return_submitted_at` and
    `closes` (the closing date after any extension). Sort on them like any field; `status` keeps
    only the councils at that status."""
    # Left joins on the (authority, round) unique keys: at most one return and one extension each.
    annotated = authorities.annotate(
        round_return=FilteredRelation("returns", condition=Q(returns__round=collection_round)),
        round_extension=FilteredRelation("extensions", condition=Q(extensions__round=collection_round)),
    ).annotate(
        return_status=Coalesce(F("round_return__status"), Value(NOT_STARTED)),
        return_late=Coalesce(F("round_return__is_late"), Value(False)),
        return_submitted_at=F("round_return__submitted_at"),
        closes=Coalesce(F("round_extension__closes_on"), Value(collection_round.closes_on, DateField())),
    )
    return annotated.filter(**{"return_status": status}) if status else annotated


def authorities_in_round(
    collection_round: CollectionRound,
    *,
    status: str = "",
    region: str = "",
    authority_type: str = "",
    late: str = "",
) -> QuerySet[Authority]:
    """Every council with its return's status in the round (national pages only: the completeness
    monitor and its CSV), filtered by status ("not_started" included), region, type and lateness
    ("yes" or "no") in the database. Unordered: the page sorts it."""
    authorities: QuerySet[Authority] = Authority.objects.all()
    if region:
        authorities = authorities.filter(region=region)
    if authority_type:
        authorities = authorities.filter(authority_type=authority_type)
    authorities = with_return_status(authorities, collection_round, status=status)
    if late in ("yes", "no"):
        # By keyword name: the annotations are unknown to the type checker's model of Authority.
        authorities = authorities.filter(**{"return_late": late == "yes"})
    return authorities.order_by()


def status_counts(collection_round: CollectionRound) -> dict[str, int]:
    """How many councils are at each status in the round, "not_started" included (two queries)."""
    counts = dict(
        Return.objects.filter(round=collection_round)
        .order_by()
        .values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    counts[NOT_STARTED] = Authority.objects.count() - sum(counts.values())
    return counts


#: Bump when what a monitor document holds, or how it is made, changes (the key names it).
MONITOR_DOCUMENT_FORMAT = 1


def monitor_key(
    kind: str, collection_round: CollectionRound, version: int, today: datetime.date | None = None
) -> str:
    """The key of a round's monitor document (`MonitorDocument`): its kind, the round and its closing
    date (every council's date without an extension), the monitor version (`MonitorVersion`: every
    return, extension and authority the document shows) and, for what shows lateness by date, the
    day. Anything else changed gives another key, so a stored document is never stale."""
    parts = (
        MONITOR_DOCUMENT_FORMAT,
        kind,
        collection_round.pk,
        collection_round.label,
        collection_round.closes_on.isoformat(),
        version,
        today.isoformat() if today else "",
    )
    return hashlib.sha256(repr(parts).encode()).hexdigest()


def monitor_document(
    collection_round: CollectionRound, kind: str, *, gzipped: bool = False
) -> tuple[int, str | None, bytes | None] | None:
    """(monitor version, stored key or None, stored content or None) of the round's `kind` document,
    in one query that reads no council; None where no version is kept (not PostgreSQL). `gzipped`:
    the stored gzip of the content instead (None if it has none).

    Read in PostgreSQL's binary format (`read_cursor(binary=True)`): in the text format the 2.1 MB
    status.csv of 20,000 councils came as 4.2 MB of hex, decoded here on every download (issue 18)."""
    with read_cursor(binary=True) as cursor:
        cursor.execute(_monitor_document_sql(gzipped), [collection_round.pk, kind])
        found = cursor.fetchone()
    if found is None:
        return None
    version, key, content = found
    return int(version), key, None if content is None else bytes(content)


@functools.cache
def _monitor_document_sql(gzipped: bool) -> str:
    q = connection.ops.quote_name
    document = MonitorDocument._meta
    column = "gzipped" if gzipped else "content"  # each field's column is its name
    return (
        f"SELECT v.{q('n')}, d.{q('key')}, d.{q(column)} FROM {q(MonitorVersion._meta.db_table)} v "  # noqa: S608 - names from the models
        f"LEFT JOIN {q(document.db_table)} d ON d.{q('round_id')} = %s AND d.{q('kind')} = %s "
        f"WHERE v.{q('id')} = 1"
    )


def monitor_document_marked(
    collection_round: CollectionRound, kind: str, marker: Callable[[CollectionRound], QuerySet[Any, Any]]
) -> tuple[int, str | None, bytes | None, Any] | None:
    """`monitor_document`, with the value `marker(collection_round)` reads (a queryset of one
    column; its first row, None without one) in the same query: what a document's key names besides
    the monitor version and the day, such as the date of a round's latest release (`portal.waiting`).
    Compiled once per process for each kind and marker, prepared per connection (issue 18)."""
    rows = _monitor_document_marked(kind, marker).rows({_ROUND_SLOT: collection_round.pk})[0:1]
    if not rows:
        return None
    version, key, content, value = rows[0]
    return int(version), key, None if content is None else bytes(content), value


#: A round id no row has, standing for the round in `_monitor_document_marked`.
_ROUND_SLOT = -613_402_775


@functools.cache
def _monitor_document_marked(
    kind: str, marker: Callable[[CollectionRound], QuerySet[Any, Any]]
) -> CompiledList:
    slot_round = CollectionRound(pk=_ROUND_SLOT)
    stored = MonitorDocument.objects.filter(round=slot_round, kind=kind)
    return CompiledList(
        MonitorVersion.objects.filter(pk=1)
        .annotate(
            stored_key=Subquery(stored.values("key")[:1]),
            stored_content=Subquery(stored.values("content")[:1], output_field=BinaryField()),
            marker=Subquery(marker(slot_round)[:1]),
        )
        .values_list("n", "stored_key", "stored_content", "marker")
        .order_by("pk")  # as .first()
    )


def results_in_words(version: ReturnVersion, data: ReturnData | None = None) -> list[dict[str, str]]:
    """The headline results of the figures (of `version`, or `data` when given), one sentence per
    metric, from the metrics app through the headline_results signal (none without a receiver)."""
    figures = version.data() if data is None else data
    lines: list[dict[str, Any]] = []
    for _receiver, response in headline_results.send(sender=None, version=version, data=figures):
        if isinstance(response, list):
            lines.extend(response)
    return lines


def sent_back(record: Return | None) -> ReturnEvent | None:
    """Why a draft return is a draft again: the last "returned for revision" event, with who sent
    it back and their message, while the return has not been submitted since; else None."""
    if record is None or record.status != Return.Status.DRAFT:
        return None
    last = (
        record.events.exclude(action=ReturnEvent.Action.SAVED)
        .select_related("actor")
        .order_by("-at", "-id")
        .first()
    )
    return last if last is not None and last.action == ReturnEvent.Action.RETURNED else None


def awaiting_acceptance(collection_round: CollectionRound) -> QuerySet[Return]:
    """Signed-off returns of the round waiting for an analyst to accept them (national staff only),
    unordered (count it, or see `returns_to_accept`)."""
    return Return.objects.filter(round=collection_round, status=Return.Status.SIGNED_OFF).order_by()


def returns_to_accept(collection_round: CollectionRound | None, *, limit: int | None = None) -> list[Return]:
    """Signed-off returns of the round waiting for an analyst to accept them (national staff only),
    oldest submission first: the first `limit` of them when given, so a home page reads a few rows at
    any N (it counts them all with `awaiting_acceptance`)."""
    if collection_round is None:
        return []
    found = (
        awaiting_acceptance(collection_round)
        .select_related("authority", "round")
        .order_by("submitted_at", "id")
    )
    return list(found if limit is None else found[:limit])


def late_authorities(
    collection_round: CollectionRound, today: datetime.date | None = None
) -> QuerySet[Authority]:
    """Authorities that have not submitted the round's return although their closing date (after any
    extension) has passed (national staff only), unordered: count it (`late_count`)."""
    today = today or timezone.localdate()
    submitted = Return.objects.filter(round=collection_round).exclude(status=Return.Status.DRAFT)
    not_submitted = Authority.objects.exclude(pk__in=submitted.values("authority_id"))
    extended = ClosingDateExtension.objects.filter(round=collection_round)
    if today > collection_round.closes_on:
        # Past the round's date: late unless an extension runs until today or later.
        late = not_submitted.exclude(pk__in=extended.filter(closes_on__gte=today).values("authority_id"))
    else:
        # Not yet past the round's date: late only where an extension set an earlier date.
        late = not_submitted.filter(pk__in=extended.filter(closes_on__lt=today).values("authority_id"))
    return late.order_by()


def late_count(collection_round: CollectionRound | None, today: datetime.date | None = None) -> int:
    """How many authorities are late with the round's return (`late_authorities`). One count query,
    whatever the scale."""
    if collection_round is None:
        return 0
    return late_authorities(collection_round, today).count()


def rounds() -> CollectionRoundQuerySet:
    """Every collection round, in the model's order (national pages, the API's list)."""
    return CollectionRound.objects.all()
