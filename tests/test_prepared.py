"""Issue 18: the statements every signed-in page runs are planned once per connection, not on every
request (wres_portal/prepared.py). Before, Django bound every parameter in the client and PostgreSQL
parsed and planned each statement each time: for the results page's basis, planning took longer
than running it."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.sessions import SessionStore
from tests.builders import draft_return
from tests.concurrency import postgres  # noqa: F401

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def _prepared() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [row[0] for row in cursor.fetchall()]


@pytest.mark.usefixtures("postgres")
def test_a_signed_in_page_reads_the_session_and_the_user_with_prepared_statements(client, alice) -> None:
    client.force_login(alice)
    for _ in range(6):  # psycopg prepares a statement on its 5th run on a connection
        assert client.get(reverse("accounts:session_status")).status_code == 200
    prepared = _prepared()
    assert any('FROM "django_session"' in s for s in prepared), prepared
    assert any('FROM "accounts_user"' in s and "_wres_totp_id" in s for s in prepared), prepared


@pytest.mark.usefixtures("postgres")
def test_the_results_page_reads_its_return_and_basis_with_prepared_statements(
    client, alice, authority_a, collection_round
) -> None:
    client.force_login(alice)
    draft_return(authority_a, collection_round, lead=alice)
    page = reverse("metrics:council_results", args=[authority_a.ons_code, collection_round.label])
    for _ in range(6):
        assert client.get(page).status_code == 200
    prepared = _prepared()
    assert any('"metrics_resultspagedocument"' in s for s in prepared), prepared
    assert any('"submissions_return"' in s and '"accounts_membership"' in s for s in prepared), prepared


@pytest.mark.usefixtures("postgres")
def test_prepared_statements_are_logged_with_their_values(client, alice) -> None:
    """CaptureQueriesContext (and the query-count tests) see them, with the values filled in:
    psycopg forgets a prepared statement's text, where Django's log reads it."""
    client.force_login(alice)
    for _ in range(6):
        client.get(reverse("accounts:session_status"))
    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("accounts:session_status"))
    sqls = [q["sql"] for q in queries.captured_queries]
    assert all(sql for sql in sqls), sqls
    assert any(client.session.session_key in sql for sql in sqls), sqls


def test_an_expired_or_unknown_session_reads_as_empty(alice) -> None:
    store = SessionStore()
    store["x"] = 1
    store.set_expiry(-10)
    store.save()
    assert SessionStore(store.session_key).load() == {}
    assert SessionStore("no-such-session-key-0123456789").load() == {}
    fresh = SessionStore()
    fresh["x"] = 2
    fresh.save()
    assert SessionStore(fresh.session_key).load() == {"x": 2}


@pytest.mark.usefixtures("postgres")
def test_a_binary_read_cursor_receives_bytea_in_binary_not_as_hex() -> None:
    """Issue 18: a stored file read in the text format came as hex, twice its size, decoded in the
    client (status.csv: 4.2 MB of hex for 2.1 MB at 20,000 councils)."""
    from psycopg import pq

    from wres_portal.prepared import read_cursor

    stored = bytes(range(256)) * 4
    with read_cursor(binary=True) as cursor:
        cursor.execute("SELECT %s::bytea", [stored])
        assert cursor.cursor.pgresult.fformat(0) == pq.Format.BINARY
        assert bytes(cursor.fetchone()[0]) == stored
    with read_cursor() as cursor:
        cursor.execute("SELECT %s::bytea", [stored])
        assert cursor.cursor.pgresult.fformat(0) == pq.Format.TEXT


@pytest.mark.usefixtures("postgres")
def test_status_csv_reads_its_stored_document_with_a_prepared_binary_statement(
    client, analyst, collection_round
) -> None:
    from unittest import mock

    import psycopg

    client.force_login(analyst)
    url = reverse("submissions:monitor_csv", args=[collection_round.label])
    for _ in range(6):
        assert client.get(url).status_code == 200
    prepared = _prepared()
    assert any('"submissions_monitordocument"' in s for s in prepared), prepared
    formats = []
    execute = psycopg.Cursor.execute

    def spy(self, query, *args, **kwargs):
        if "submissions_monitordocument" in str(query):
            formats.append(self.format)
        return execute(self, query, *args, **kwargs)

    with mock.patch.object(psycopg.Cursor, "execute", spy):
        assert client.get(url, headers={"Accept-Encoding": "gzip"}).status_code == 200
    assert formats == [psycopg.pq.Format.BINARY]


@pytest.mark.usefixtures("postgres")
def test_the_dashboard_reads_its_document_and_the_rounds_with_prepared_statements(
    client, analyst, collection_round
) -> None:
    """The dashboard's two reads (the round with its stored figures, the rounds for the filter) were
    Django's client-bound statements, parsed and planned on every request."""
    client.force_login(analyst)
    for _ in range(6):
        assert client.get(reverse("metrics:dashboard")).status_code == 200
    prepared = _prepared()
    assert any('"metrics_dashboarddocument"' in s for s in prepared), prepared
    choices = 'SELECT "submissions_collectionround"."id" AS "pk", "submissions_collectionround"."label"'
    assert any(s.startswith(choices) for s in prepared), prepared


@pytest.mark.usefixtures("postgres")
def test_the_results_page_reads_the_plan_objectives_with_a_prepared_statement(
    client, alice, authority_a, collection_round
) -> None:
    client.force_login(alice)
    draft_return(authority_a, collection_round, lead=alice)
    page = reverse("metrics:council_results", args=[authority_a.ons_code, collection_round.label])
    for _ in range(6):
        assert client.get(page).status_code == 200
    prepared = _prepared()
    assert any('"actionplans_objective"' in s for s in prepared), prepared
