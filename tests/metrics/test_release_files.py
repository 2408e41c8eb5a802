"""tables.xlsx of a release is built once and stored against the release (issue 18: it was rebuilt
on every request, 1.4 s at 20,000 organisations); a release never changes, so the stored file is
always the one a fresh build would give."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from metrics.models import ReleaseFile
from metrics.releases.services import latest_published, release_create, release_publish
from metrics.views import releases as release_views
from tests.builders import round_with_accepted_returns
from tests.workers import require_postgresql

pytestmark = pytest.mark.django_db


def _cells(content: bytes) -> list[list[object]]:
    book = openpyxl.load_workbook(io.BytesIO(content))
    return [[cell.value for row in sheet.iter_rows() for cell in row] for sheet in book.worksheets]


def test_tables_xlsx_is_built_once_per_release_and_served_from_storage(client, analyst, monkeypatch):
    collection_round = round_with_accepted_returns(analyst, n=6)
    release = release_create(collection_round=collection_round, user=analyst, note="First.", budget_seconds=0)
    release_publish(release=release, user=analyst)
    builds: list[int] = []
    real = release_views._xlsx

    def counting(datasets):
        builds.append(1)
        return real(datasets)

    monkeypatch.setattr(release_views, "_xlsx", counting)
    client.force_login(analyst)
    urls = [
        reverse("metrics:national_xlsx", args=[collection_round.label]),
        reverse("metrics:release_xlsx", args=[collection_round.label, release.number]),
    ]
    first = client.get(urls[0])
    assert first.status_code == 200 and first["Content-Type"].startswith("application/vnd.openxmlformats")
    again = [client.get(url) for url in urls]
    assert len(builds) == 1, "built once, then read back"
    assert all(response.content == first.content for response in again)
    fresh = real(release_views.releases.dataset(release, t) for t in release_views.releases.TABLES)
    assert _cells(first.content) == _cells(fresh)


def test_tables_xlsx_is_served_without_reading_the_release_tables_or_basis(client, analyst):
    """Issue 18: the release row's basis names every council, so reading it made the download grow
    with N (266 -> 847 ms p95 from 150 to 20,000 councils). A stored workbook is served in one query
    of the file alone: no query reads the release's tables, basis, changes or audit."""
    collection_round = round_with_accepted_returns(analyst, n=6)
    release = release_create(collection_round=collection_round, user=analyst, note="First.", budget_seconds=0)
    release_publish(release=release, user=analyst)
    client.force_login(analyst)
    url = reverse("metrics:national_xlsx", args=[collection_round.label])
    first = client.get(url)
    with CaptureQueriesContext(connection) as queries:
        again = client.get(url)
    assert again.status_code == 200 and again.content == first.content
    assert f"release-{release.number}-all.xlsx" in again["Content-Disposition"]
    read = [q["sql"] for q in queries.captured_queries if '"metrics_release"' in q["sql"]]
    assert read, "the latest release is still looked up"
    for column in ("tables", "basis", "changes", "audit"):
        assert not [sql for sql in read if f'"metrics_release"."{column}"' in sql], column


def test_a_newer_release_is_served_not_the_stored_workbook_of_an_older_one(client, analyst):
    collection_round = round_with_accepted_returns(analyst, n=6)
    first = release_create(collection_round=collection_round, user=analyst, note="First.", budget_seconds=0)
    release_publish(release=first, user=analyst)
    client.force_login(analyst)
    url = reverse("metrics:national_xlsx", args=[collection_round.label])
    assert "release-1-" in client.get(url)["Content-Disposition"]
    second = release_create(collection_round=collection_round, user=analyst, note="Again.", budget_seconds=0)
    release_publish(release=second, user=analyst)
    response = client.get(url)
    assert response.status_code == 200 and "release-2-" in response["Content-Disposition"]
    assert ReleaseFile.objects.filter(release=second, name="tables.xlsx").exists()


def test_the_latest_release_leaves_the_columns_that_grow_with_n_unread(django_assert_num_queries, analyst):
    """The national report and the API read the tables of `latest_published`, never its basis."""
    collection_round = round_with_accepted_returns(analyst, n=6)
    assert latest_published(collection_round) is None
    release = release_create(collection_round=collection_round, user=analyst, note="First.", budget_seconds=0)
    release_publish(release=release, user=analyst)
    with django_assert_num_queries(1):
        found = latest_published(collection_round)
        assert found is not None and found.pk == release.pk and found.round.label == collection_round.label
        assert found.tables == release.tables
    assert found.get_deferred_fields() >= {"basis", "changes", "audit", "suppression"}


def test_the_stored_workbook_is_read_in_binary_not_as_hex(client, analyst):
    """Issue 18: read in PostgreSQL's text format, the stored file came as hex (twice its size) and
    was decoded in the client on every download."""
    require_postgresql()
    from unittest import mock

    import psycopg

    collection_round = round_with_accepted_returns(analyst, n=6)
    release = release_create(collection_round=collection_round, user=analyst, note="First.", budget_seconds=0)
    release_publish(release=release, user=analyst)
    client.force_login(analyst)
    url = reverse("metrics:national_xlsx", args=[collection_round.label])
    first = client.get(url)
    formats = []
    execute = psycopg.Cursor.execute

    def spy(self, query, *args, **kwargs):
        if "metrics_releasefile" in str(query):
            formats.append(self.format)
        return execute(self, query, *args, **kwargs)

    with mock.patch.object(psycopg.Cursor, "execute", spy):
        again = client.get(url)
    assert again.status_code == 200 and again.content == first.content and again.content.startswith(b"PK")
    assert formats == [psycopg.pq.Format.BINARY]
