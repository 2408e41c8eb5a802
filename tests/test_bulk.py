"""wres_portal.bulk.store_document: one row per document name, replaced in place, whoever builds it
at the same moment (issue 18's stored documents: results pages, dashboards, indicator summaries and
the monitor's)."""

from __future__ import annotations

import pytest

from submissions.models import MonitorDocument
from tests.concurrency import together
from tests.factories import open_round
from tests.workers import require_postgresql
from wres_portal.bulk import store_document


def _store(collection_round, key: str, content: bytes) -> None:
    store_document(
        MonitorDocument,
        unique={"round": collection_round, "kind": "counts"},
        values={"key": key, "content": content, "gzipped": None},
    )


@pytest.mark.django_db
def test_a_document_stored_again_replaces_its_values_and_build_time(analyst) -> None:
    collection_round = open_round(created_by=analyst)
    _store(collection_round, "first", b"1")
    first = MonitorDocument.objects.get(round=collection_round, kind="counts")
    _store(collection_round, "second", b"2")
    stored = MonitorDocument.objects.get(round=collection_round, kind="counts")
    assert (stored.pk, stored.key, bytes(stored.content)) == (first.pk, "second", b"2")
    assert stored.built_at >= first.built_at


@pytest.mark.django_db(transaction=True)
def test_builds_at_the_same_moment_leave_one_row_holding_one_build_whole(analyst) -> None:
    """Eight requests storing the same document at once, each in its own connection and commit: no
    unique-key error, one row, and its key and content from the same build."""
    require_postgresql()
    collection_round = open_round(created_by=analyst)
    builds = [(f"key-{i}", f"content-{i}".encode() * 1000) for i in range(8)]
    together(
        *[lambda key=key, content=content: _store(collection_round, key, content) for key, content in builds]
    )
    rows = list(MonitorDocument.objects.filter(round=collection_round, kind="counts"))
    assert len(rows) == 1
    assert (rows[0].key, bytes(rows[0].content)) in builds
