"""Issue 16: the change feed's cursor is stable under concurrent writes (PostgreSQL, real transactions
in threads). A change whose transaction got its id first but commits last must not be passed by a
reader who saw a later id: with ids handed out in commit order, it never is."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection, transaction
from rest_framework.test import APIClient

from submissions.models import ChangeFeedEntry
from submissions.services import feed_record
from tests.builders import advance, draft_return
from tests.concurrency import postgres, together  # noqa: F401
from tests.factories import AuthorityFactory, api_key, open_round

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("postgres"),
]


def _api(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_key(user, 'attest', verified=True)}")
    return client


def _read_all(client: APIClient, since: str | None) -> tuple[list[dict], str | None]:
    body = client.get("/api/v1/changes/", {"since": since} if since else {}).json()
    return body["changes"], body["next"]


def test_a_change_committed_late_is_never_passed_by_the_cursor(analyst):
    collection_round = open_round(created_by=analyst)
    reader = _api(analyst)
    first_in = threading.Event()
    finish_first = threading.Event()

    def slow() -> None:  # takes the first id, commits last
        try:
            with transaction.atomic():
                feed_record(
                    kind=ChangeFeedEntry.Kind.RELEASE_PUBLISHED,
                    collection_round=collection_round,
                    release_number=1,
                )
                first_in.set()
                finish_first.wait(30)
        finally:
            connection.close()

    def fast() -> None:  # starts after, would commit first
        try:
            first_in.wait(30)
            with transaction.atomic():
                feed_record(
                    kind=ChangeFeedEntry.Kind.RELEASE_PUBLISHED,
                    collection_round=collection_round,
                    release_number=2,
                )
        finally:
            connection.close()

    threads = [threading.Thread(target=slow), threading.Thread(target=fast)]
    for thread in threads:
        thread.start()
    assert first_in.wait(30)
    time.sleep(1)  # time enough for the second change to commit, were it not made to wait
    seen, cursor = _read_all(reader, None)
    finish_first.set()
    for thread in threads:
        thread.join(30)
    later, _ = _read_all(reader, cursor)
    releases = [c["release"] for c in seen + later]
    assert releases == [1, 2], releases


def test_acceptances_made_at_once_each_come_once(analyst):
    collection_round = open_round(created_by=analyst)
    records = []
    for _ in range(3):
        records.append(advance(draft_return(AuthorityFactory.create(), collection_round), "signed_off"))
    clients = [_api(analyst) for _ in records]
    etags = [f'"{r.version_number}-signed_off"' for r in records]
    responses = together(
        *(
            lambda c=c, r=r, e=e: c.post(
                f"/api/v1/authorities/{r.authority.ons_code}/returns/2025/accept/", HTTP_IF_MATCH=e
            )
            for c, r, e in zip(clients, records, etags, strict=True)
        )
    )
    assert [r.status_code for r in responses] == [200, 200, 200]
    changes, _ = _read_all(_api(analyst), None)
    assert sorted(c["authority"] for c in changes) == sorted(r.authority.ons_code for r in records)
    assert [c["kind"] for c in changes] == ["return_accepted"] * 3
