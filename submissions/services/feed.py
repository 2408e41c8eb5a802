"""The change feed: what national data users sync from, written inside the change's transaction."""

from __future__ import annotations

from django.db import connection

from accounts.models import Authority
from submissions.models import ChangeFeedEntry, CollectionRound, ReturnVersion

#: The advisory lock that orders the feed's writers (any number, unique to the feed).
FEED_LOCK = 7_316_001


def _order_writers() -> None:
    """Hold the feed's lock until this transaction ends, so ids are handed out in commit order
    (ChangeFeedEntry). Where there is no such lock (SQLite), writers are one at a time anyway."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [FEED_LOCK])


def feed_record(
    *,
    kind: str,
    collection_round: CollectionRound,
    authority: Authority | None = None,
    version: ReturnVersion | None = None,
    release_number: int | None = None,
    from_status: str = "",
) -> ChangeFeedEntry:
    """Add an entry to the change feed. Call inside the transaction that makes the change, as late
    as possible in it (the feed's writers wait for each other from here to their commit), so the
    entry exists exactly when the change does."""
    if not connection.in_atomic_block:
        raise RuntimeError("feed_record must run inside the transaction that makes the change")
    _order_writers()
    return ChangeFeedEntry.objects.create(
        kind=kind,
        round=collection_round,
        authority=authority,
        version=version,
        release_number=release_number,
        from_status=from_status,
    )
