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
def test_a_signed_in_page_reads_the_session_and_the_user_with_a_prepared_statement(client, alice) -> None:
    client.force_login(alice)
    for _ in range(6):  # psycopg prepares a statement on its 5th run on a connection
        assert client.get(reverse("accounts:session_status")).status_code == 200
    prepared = _prepared()
    # One statement: the session joined to its user and their second-factor state.
    assert any('FROM "accounts_session"' in s and "_wres_totp_id" in s for s in prepared), prepared


@pytest.mark.usefixtures("postgres")
def test_the_results_page_reads_its_return_basis_and_plan_objectives_with_prepared_statements(
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
    assert any('"actionplans_objective"' in s for s in prepared), prepared


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


def _list_statements(prepared: list[str], table: str) -> list[str]:
    """The prepared statements reading a page of a list (LIMIT and OFFSET bound as parameters)."""
    return [s for s in prepared if table in s and "LIMIT $" in s and "OFFSET $" in s]


@pytest.mark.usefixtures("postgres")
def test_get_round_reads_the_round_with_a_prepared_statement(collection_round) -> None:
    """Issue 18: many pages read their round; get_object_or_404 compiled and the database planned
    its query on every request."""
    from django.http import Http404

    from submissions.access import get_round

    for _ in range(6):
        assert get_round(collection_round.label) == collection_round
    found = get_round(collection_round.label)
    assert (found.label, found.closes_on, found.opens_on) == (
        collection_round.label,
        collection_round.closes_on,
        collection_round.opens_on,
    )
    label = '"submissions_collectionround"."label" = $1'
    assert any(s.startswith('SELECT "submissions_collectionround"') and label in s for s in _prepared())
    with pytest.raises(Http404):
        get_round("no-such-round")


@pytest.mark.usefixtures("postgres")
def test_the_monitor_reads_its_page_and_its_count_with_prepared_statements(
    client, analyst, collection_round
) -> None:
    """Issue 18: compiling the monitor's ORM query (joins, annotations, ordering) cost more CPU
    than running it; it is compiled once per process for each shape and prepared per connection."""
    from accounts.models import Region
    from tests.factories import AuthorityFactory

    AuthorityFactory.create(region=Region.LONDON)
    client.force_login(analyst)
    url = reverse("submissions:monitor", args=[collection_round.label])
    for _ in range(6):
        assert client.get(url, {"sort": "-closes", "region": Region.LONDON}).status_code == 200
    prepared = _prepared()
    assert _list_statements(prepared, '"submissions_closingdateextension"'), prepared
    assert any(s.startswith("SELECT COUNT(*)") and '"region" = $' in s for s in prepared), prepared


@pytest.mark.usefixtures("postgres")
def test_the_authority_list_reads_its_page_with_a_prepared_statement(
    client, analyst, collection_round, authority_a
) -> None:
    client.force_login(analyst)
    for _ in range(6):
        assert client.get(reverse("portal:authority_list"), {"sort": "population"}).status_code == 200
    listed = _list_statements(_prepared(), '"population_minority_ethnic_percent"')
    assert listed, _prepared()


@pytest.mark.usefixtures("postgres")
def test_the_indicator_page_reads_its_page_with_prepared_statements(client, analyst) -> None:
    from tests.builders import round_with_accepted_returns

    collection_round = round_with_accepted_returns(analyst, n=3)
    client.force_login(analyst)
    url = reverse("metrics:indicator", args=[collection_round.label, "m2"])
    for _ in range(6):
        assert client.get(url).status_code == 200
        assert client.get(url, {"sort": "-value", "region": "London"}).status_code == 200
    listed = _list_statements(_prepared(), '"metrics_result"')
    assert len(listed) >= 2, listed  # by name; highest value first (the part with a value)


@pytest.mark.usefixtures("postgres")
def test_the_authority_list_reads_the_current_round_and_the_waiting_list_with_prepared_statements(
    client, analyst, collection_round
) -> None:
    """Both were compiled by the ORM on every request (the waiting list's read has three subqueries)."""
    client.force_login(analyst)
    for _ in range(6):
        assert client.get(reverse("portal:authority_list")).status_code == 200
    prepared = _prepared()
    current = '"submissions_collectionround"."opens_on" <= $1'
    assert any(s.startswith('SELECT "submissions_collectionround"') and current in s for s in prepared), (
        prepared
    )
    assert any('"submissions_monitorversion"' in s and '"metrics_release"' in s for s in prepared), prepared
