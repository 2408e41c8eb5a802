"""The national results CSV of a round (`api/v1/rounds/<round>/results.csv`): streamed a batch of
councils at a time, and, for the file most asked for (no filter: every accepted return), its gzip
stored in PostgreSQL once built, so that a download of it reads one row instead of formatting every
council's results again (issue 18: 23.7 s of CPU at 20,000 organisations on every download).

The stored gzip is kept beside the completeness monitor's documents (`MonitorDocument`, kind
"results") under a key naming everything the file shows: the round, the monitor version (bumped in
the same commit as any change to a return's status or a council's code, name, region or type), the
round's newest change-feed entry (an entry is written in the same commit as every return accepted
or sent back: the accepted set) and the file's format. A results document is written once and never
changed, and the file is stored only when every accepted version's results are stored, so nothing
else can change what the file shows. A download uses the stored gzip only where its key is the
current one; otherwise the file is streamed, as before, and a worker is asked to build it
(`metrics.tasks.build_results_file`), which does nothing when the key has moved on again. Each
build is a pure function of what its key names, stored with an upsert: safe to run twice.

Only the gzip is stored (the plain file of 20,000 councils is 170 MB): a client that does not accept
gzip is streamed the file, as are filtered downloads.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import zlib
from collections.abc import Iterator
from typing import Any

from django.db import connection
from django.db.models import QuerySet

from submissions.models import ChangeFeedEntry, CollectionRound, MonitorDocument, MonitorVersion, Return
from submissions.selectors import returns_with_versions
from wres_portal.bulk import store_document
from wres_portal.downloads import csv_text
from wres_portal.prepared import read_cursor

from .exports.round_results import ROUND_RESULTS_HEADERS, round_results_rows
from .models import VersionResults
from .selectors import results_by_version

logger = logging.getLogger(__name__)

#: The statuses a round's results list can show: never a draft.
LISTED_STATUSES = [Return.Status.SUBMITTED, Return.Status.SIGNED_OFF, Return.Status.ACCEPTED]

#: Councils read, and their rows written, at a time by the national results CSV.
CSV_BATCH = 500

#: The stored file's `MonitorDocument.kind`, and its format (raise it when the file's columns or
#: their text change, so that files stored before are not served).
KIND = "results"
FORMAT = 1


def listed_returns(collection_round: CollectionRound) -> QuerySet[Return]:
    """The round's returns past draft that have a current version, with their councils."""
    return returns_with_versions(collection_round, LISTED_STATUSES)


def accepted_returns(collection_round: CollectionRound) -> QuerySet[Return]:
    """The returns of the unfiltered file: the accepted ones (the versions in the national figures)."""
    return listed_returns(collection_round).filter(status=Return.Status.ACCEPTED)


def council_row(record: Return) -> dict[str, Any]:
    """What the results list and file say of a return's council, status and version."""
    authority = record.authority
    return {
        "authority": authority.ons_code,
        "authority_name": authority.name,
        "region": authority.region,
        "authority_type": authority.authority_type,
        "status": record.status,
        "version": record.current_version.number if record.current_version else None,
    }


def csv_chunks(records: QuerySet[Return]) -> Iterator[str]:
    """The national results CSV, streamed: the councils in ONS code order, CSV_BATCH at a time (one
    query for the returns, one for their results documents). It was built whole in memory before
    it was sent: at 20,000 organisations 172 MB of text and 39 s of CPU, past gunicorn's timeout;
    now the memory is one batch's and the first bytes leave at once. Byte for byte the same file."""
    yield csv_text([ROUND_RESULTS_HEADERS])
    ordered = records.order_by("authority__ons_code")
    after = None
    while True:
        batch = list(
            (ordered if after is None else ordered.filter(authority__ons_code__gt=after))[:CSV_BATCH]
        )
        if not batch:
            return
        documents = results_by_version(r.current_version_id for r in batch)
        councils = ((council_row(r), documents.get(r.current_version_id or 0)) for r in batch)
        yield csv_text(round_results_rows(councils))
        after = batch[-1].authority.ons_code


# The stored gzip of the unfiltered file --------------------------------------------------------------


def _key(collection_round: CollectionRound, monitor_version: int, feed_id: int | None) -> str:
    parts = (FORMAT, tuple(ROUND_RESULTS_HEADERS), collection_round.pk, monitor_version, feed_id)
    return hashlib.sha256(repr(parts).encode()).hexdigest()


@functools.cache
def _sql() -> str:
    q = connection.ops.quote_name
    return (
        f"SELECT v.{q('n')}, d.{q('key')}, d.{q('gzipped')}, "  # noqa: S608 - names from the models
        f"(SELECT MAX(f.{q('id')}) FROM {q(ChangeFeedEntry._meta.db_table)} f WHERE f.{q('round_id')} = %s) "
        f"FROM {q(MonitorVersion._meta.db_table)} v "
        f"LEFT JOIN {q(MonitorDocument._meta.db_table)} d ON d.{q('round_id')} = %s AND d.{q('kind')} = %s "
        f"WHERE v.{q('id')} = 1"
    )


def stored(collection_round: CollectionRound) -> tuple[str, bytes | None] | None:
    """(the unfiltered file's key as things stand, its stored gzip if stored under that key, else
    None), in one query that reads no council; None where no monitor version is kept (not
    PostgreSQL, or before the first change): then nothing is stored and the file is streamed."""
    with read_cursor(binary=True) as cursor:
        cursor.execute(_sql(), [collection_round.pk, collection_round.pk, KIND])
        found = cursor.fetchone()
    if found is None:
        return None
    version, key, gzipped, feed_id = found
    wanted = _key(collection_round, int(version), None if feed_id is None else int(feed_id))
    return wanted, (bytes(gzipped) if key == wanted and gzipped is not None else None)


def build(collection_round: CollectionRound, wanted: str) -> bool:
    """Build and store the unfiltered file's gzip under `wanted`, if that is still its key and every
    accepted version's results are stored; True if it is stored under `wanted` when this returns.

    The key and the completeness are read before the rows. A change committed during the build
    (a return accepted or sent back, a council renamed) gives a newer key, under which this file is
    never served; results documents never change once stored."""
    found = stored(collection_round)
    if found is None or found[0] != wanted:
        return False
    if found[1] is not None:
        return True  # built already (another request's task)
    missing = accepted_returns(collection_round).exclude(
        current_version_id__in=VersionResults.objects.filter(round=collection_round).values("version_id")
    )
    if missing.exists():
        return False  # built once they are stored, on a later download
    compressor = zlib.compressobj(6, zlib.DEFLATED, 31)  # gzip; zlib writes no time: same bytes each build
    parts = [compressor.compress(chunk.encode()) for chunk in csv_chunks(accepted_returns(collection_round))]
    parts.append(compressor.flush())
    store_document(
        MonitorDocument,
        unique={"round": collection_round, "kind": KIND},
        values={"key": wanted, "content": b"", "gzipped": b"".join(parts)},
    )
    return True


def build_later(collection_round: CollectionRound, wanted: str) -> None:
    """Ask a worker to build the file under `wanted`. With the broker down or hung this gives up
    quickly (the publishing policy in settings) and the download goes on: the next one asks again."""
    from . import tasks

    try:
        tasks.build_results_file.delay(collection_round.pk, wanted)
    except Exception:  # a broker outage must not fail the download that asked
        logger.warning("Could not queue the results file of round %s", collection_round.pk, exc_info=True)
