"""The completeness monitor's documents (issue 18): a round's status counts and its unfiltered
status.csv, built once for each `MonitorVersion` and stored in PostgreSQL (`MonitorDocument`), so a
page reads them in one query at any number of councils instead of counting and reading every one.

Each read takes the version and the stored document in one query (`selectors.monitor_document`), and
builds afresh where the stored key does not match (`selectors.monitor_key`). The version is read
before the rows a build reads, and the triggers bump it in the same transaction as the rows, so a
document is built from rows at least as new as the version its key names: a later change gives a
new key and another build, never a stale document. Two builds at once both store (an upsert); the
last write wins, and a reader whose key it does not match builds again. Without a kept version (not
PostgreSQL) nothing is stored: the counts are counted and the CSV streamed, as before."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterable, Iterator
from typing import Any

from django.utils import timezone

from accounts.models import AuthorityType
from wres_portal.bulk import store_document
from wres_portal.downloads import csv_text

from . import selectors
from .models import CollectionRound, MonitorDocument, Return

STATUS_CHOICES = [(selectors.NOT_STARTED, "Not started"), *Return.Status.choices]

#: The monitor's annotations (selectors.with_return_status) by name, for the CSV.
CSV_FIELDS = (
    "ons_code",
    "name",
    "region",
    "authority_type",
    "return_status",
    "return_late",
    "return_submitted_at",
    "closes",
)
#: The type and status codes (kept for machine readers) are each followed by their label, as the
#: monitor shows them; a region's stored value is already its name.
CSV_HEADER = [
    "ons_code",
    "authority",
    "region",
    "type",
    "type_name",
    "status",
    "status_name",
    "late",
    "submitted_at",
    "closes_on",
]


def csv_lines(rows: Iterable[tuple[Any, ...]]) -> Iterator[str]:
    kinds, statuses = dict(AuthorityType.choices), dict(STATUS_CHOICES)
    yield csv_text([CSV_HEADER])
    for ons_code, name, region, kind, status, late, submitted_at, closes in rows:
        yield csv_text(
            [
                [
                    ons_code,
                    name,
                    region,
                    kind,
                    kinds.get(kind, kind),
                    status,
                    statuses.get(status, status),
                    "yes" if late else "no",
                    submitted_at.isoformat() if submitted_at else "",
                    closes.isoformat(),
                ]
            ]
        )


def csv_rows(collection_round: CollectionRound, filters: dict[str, str]) -> Iterator[tuple[Any, ...]]:
    """The CSV's rows of the councils matching `filters`, by name, from one database cursor."""
    return (
        selectors.authorities_in_round(
            collection_round,
            status=filters.get("status", ""),
            region=filters.get("region", ""),
            authority_type=filters.get("authority_type", ""),
            late=filters.get("late", ""),
        )
        .order_by("name", "pk")
        .values_list(*CSV_FIELDS)
        .iterator(chunk_size=2000)
    )


def _store(
    collection_round: CollectionRound, kind: str, key: str, content: bytes, gzipped: bytes | None = None
) -> None:
    store_document(
        MonitorDocument,
        unique={"round": collection_round, "kind": kind},
        values={"key": key, "content": content, "gzipped": gzipped},
    )


def status_csv(collection_round: CollectionRound, *, gzipped: bool = False) -> bytes | None:
    """Every council's status in the round as CSV bytes (`gzipped`: their gzip), stored for the
    current monitor version and day (the lateness shown may depend on the date); None where no
    version is kept (the caller streams the rows instead).

    The gzip is made once, when the CSV is built, and stored in the same row under the same key, so
    it is always the gzip of the stored CSV (a document stored without one is built again)."""
    found = selectors.monitor_document(collection_round, "csv", gzipped=gzipped)
    if found is None:
        return None
    version, key, stored = found
    wanted = selectors.monitor_key("csv", collection_round, version, timezone.localdate())
    if key == wanted and stored is not None:
        return stored
    content = "".join(csv_lines(csv_rows(collection_round, {}))).encode()
    compressed = gzip.compress(content, mtime=0)  # no time in the header: the same bytes every build
    _store(collection_round, "csv", wanted, content, compressed)
    return compressed if gzipped else content


def status_counts(collection_round: CollectionRound) -> dict[str, int]:
    """How many councils are at each status in the round, "not_started" included
    (`selectors.status_counts`), stored for the current monitor version."""
    found = selectors.monitor_document(collection_round, "counts")
    if found is None:
        return selectors.status_counts(collection_round)
    version, key, content = found
    wanted = selectors.monitor_key("counts", collection_round, version)
    if key == wanted and content is not None:
        return dict(json.loads(content))
    counts = selectors.status_counts(collection_round)
    _store(collection_round, "counts", wanted, json.dumps(counts, sort_keys=True).encode())
    return counts


def keep(collection_round: CollectionRound, kind: str, key: str, content: bytes) -> None:
    """Store a document of the round that an app above this one builds (the analyst's waiting list,
    `portal.waiting`), under the key it was built for; read it with `selectors.monitor_document` or
    `selectors.monitor_document_marked`."""
    _store(collection_round, kind, key, content)
