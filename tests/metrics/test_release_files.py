"""tables.xlsx of a release is built once and stored against the release (issue 18: it was rebuilt
on every request, 1.4 s at 20,000 organisations); a release never changes, so the stored file is
always the one a fresh build would give."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.urls import reverse

from metrics.releases.services import release_create, release_publish
from metrics.views import releases as release_views
from tests.builders import round_with_accepted_returns

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
