"""Precomputed page documents (issue 18): a council's results page and the analyst dashboard are read
from documents stored in PostgreSQL under a key naming what they were built from; built by the
workers when results or benchmarks change, rebuilt by the page when the key no longer matches (never
served stale), and read whether or not Redis is up."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.models import TextField
from django.db.models.functions import Cast
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.models import Role
from actionplans.services import plan_create
from metrics import tasks
from metrics.models import DashboardDocument, ResultsPageDocument, VersionResults
from metrics.releases.services import release_create, release_publish
from metrics.selectors import plan_objectives
from metrics.services import benchmarks_recompute
from submissions.demo import _add_return
from submissions.models import Return
from submissions.services import return_send_back
from tests.builders import advance, draft_return, write_plan
from tests.concurrency import postgres  # noqa: F401
from tests.factories import AuthorityFactory, api_key, member
from tests.metrics.test_pages import _country
from wres_portal.renderers import JSONRenderer, JSONText

MARKER = "<p>A page built from this stale document</p>"

#: Queries of each page once its document is built, at any number of authorities: the session with
#: its user; the results page then reads the authority, round, return and role in one query, the
#: document with its basis in another, and the plan objectives; the dashboard reads the round with
#: its document, and the rounds for the filter (neither page opens a transaction).
RESULTS_PAGE_QUERIES = 4
DASHBOARD_QUERIES = 3


def _tamper(model, **filters) -> None:
    """Put a marker into the stored documents, keeping their keys: a page that shows it was served
    from the stored document; one that does not has ignored it."""
    for document in model.objects.filter(**filters):
        if model is ResultsPageDocument:
            for column in ResultsPageDocument.CARDS.values():
                setattr(document, column, MARKER)
        else:
            document.figures_html = MARKER
        document.save()


def _count(client, url: str) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), response.content.decode()


@pytest.mark.django_db
def test_the_results_page_is_served_from_its_document_until_a_new_release_makes_it_stale(
    client, analyst
) -> None:
    authority, collection_round = _country(6, analyst)
    client.force_login(member(authority, Role.PROGRAMME_LEAD))
    page = reverse("metrics:council_results", args=[authority.ons_code, collection_round.label])
    assert "Skills for Care has not published" in client.get(page).content.decode()
    assert ResultsPageDocument.objects.filter(authority=authority, round=collection_round).count() == 1
    _tamper(ResultsPageDocument, authority=authority)
    assert MARKER in client.get(page).content.decode()  # read from the stored document

    release_publish(
        release=release_create(collection_round=collection_round, user=analyst, note="1.", budget_seconds=0),
        user=analyst,
    )
    body = client.get(page).content.decode()
    assert MARKER not in body and "(6 councils)" in body and "from release 1" in body
    assert ResultsPageDocument.objects.filter(authority=authority, round=collection_round).count() == 1


@pytest.mark.django_db
def test_a_return_accepted_gets_its_results_page_built_and_its_draft_preview_is_never_served(
    client, analyst, authority_a, alice, collection_round, django_capture_on_commit_callbacks
) -> None:
    page = reverse("metrics:council_results", args=[authority_a.ons_code, collection_round.label])
    client.force_login(alice)
    record = draft_return(authority_a, collection_round, lead=alice)
    assert "worked out from your draft" in client.get(page).content.decode()
    _tamper(ResultsPageDocument, authority=authority_a)
    assert MARKER in client.get(page).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        advance(record, Return.Status.ACCEPTED, lead=alice, analyst=analyst)
    # The worker that stored the results built the page: the next request reads it as it is.
    stored = ResultsPageDocument.objects.get(authority=authority_a, round=collection_round)
    assert stored.document["stored"] is True
    assert not any(MARKER in getattr(stored, column) for column in ResultsPageDocument.CARDS.values())
    with CaptureQueriesContext(connection) as queries:
        body = client.get(page).content.decode()
    assert not any("INSERT" in q["sql"] or "UPDATE" in q["sql"] for q in queries.captured_queries)
    assert "worked out from your draft" not in body and MARKER not in body
    assert "National median" in body


@pytest.mark.django_db
def test_a_new_version_in_an_earlier_round_rebuilds_the_trend(client, analyst) -> None:
    """The page shows the council's trend and its change since the previous round: a new version of an
    earlier round's return (sent back, resubmitted) is in the key, so the page is built again."""
    authority, collection_round = _country(6, analyst)
    client.force_login(member(authority, Role.PROGRAMME_LEAD))
    page = reverse("metrics:council_results", args=[authority.ons_code, collection_round.label])
    client.get(page)
    _tamper(ResultsPageDocument, authority=authority)
    assert MARKER in client.get(page).content.decode()
    earlier = Return.objects.exclude(round=collection_round).get(authority=authority)
    return_send_back(record=earlier, user=analyst, message="Check the 2024 figures.")
    body = client.get(page).content.decode()
    assert MARKER not in body and "There is no earlier return to compare with." in body


@pytest.mark.django_db
def test_the_dashboard_is_built_after_a_recompute_and_a_stale_one_is_never_served(client, analyst) -> None:
    _, collection_round = _country(6, analyst)
    dashboard = reverse("metrics:dashboard") + f"?round={collection_round.label}"
    tasks.recompute_benchmarks(collection_round.pk)  # on acceptance: benchmarks, then the dashboards
    built = DashboardDocument.objects.filter(round=collection_round)
    assert built.filter(service="all", region="", authority_type="").exists()
    assert built.filter(service="adults", region="London", authority_type="").exists()
    client.force_login(analyst)
    _tamper(DashboardDocument, round=collection_round)
    assert MARKER in client.get(dashboard).content.decode()  # built ahead, read as built
    assert MARKER in client.get(dashboard + "&region=London&service=adults").content.decode()

    other = AuthorityFactory.create(region="London")
    _add_return(other, collection_round, Return.Status.ACCEPTED, analyst, f"x{other.pk}")
    benchmarks_recompute(collection_round=collection_round)  # a new run: every document is stale
    body = client.get(dashboard).content.decode()
    assert MARKER not in body and ">7</td>" in body
    assert MARKER not in client.get(dashboard + "&region=London&service=adults").content.decode()


@pytest.mark.django_db
def test_queries_per_request_drop_and_do_not_grow_with_the_number_of_authorities(client, analyst) -> None:
    authority, collection_round = _country(4, analyst)
    release_publish(
        release=release_create(collection_round=collection_round, user=analyst, note="1.", budget_seconds=0),
        user=analyst,
    )
    lead = member(authority, Role.PROGRAMME_LEAD)
    page = reverse("metrics:council_results", args=[authority.ons_code, collection_round.label])
    dashboard = reverse("metrics:dashboard") + f"?round={collection_round.label}"

    def counts() -> tuple[int, int]:
        client.force_login(lead)
        client.get(page)  # builds the document if need be
        results_page, _ = _count(client, page)
        client.force_login(analyst)
        client.get(dashboard)
        dashboard_page, _ = _count(client, dashboard)
        return results_page, dashboard_page

    few = counts()
    for other in [AuthorityFactory.create(region="London") for _ in range(40)]:
        _add_return(other, collection_round, Return.Status.ACCEPTED, analyst, f"x{other.pk}")
    benchmarks_recompute(collection_round=collection_round)
    assert few == counts() == (RESULTS_PAGE_QUERIES, DASHBOARD_QUERIES)


def test_with_redis_down_the_pages_are_read_from_their_documents(client, analyst, settings) -> None:
    """Nothing listens on port 1: every cache call is a miss or a no-op (wres_portal.cache), and the
    pages still read their stored documents, in as many queries as with Redis up."""
    from django.core.cache import cache

    settings.CACHES = {
        "default": {"BACKEND": "wres_portal.cache.ResilientRedisCache", "LOCATION": "redis://127.0.0.1:1/0"}
    }
    assert cache.get("anything", "missed") == "missed"
    authority, collection_round = _country(6, analyst)
    client.force_login(member(authority, Role.PROGRAMME_LEAD))
    page = reverse("metrics:council_results", args=[authority.ons_code, collection_round.label])
    client.get(page)
    _tamper(ResultsPageDocument, authority=authority)
    queries, body = _count(client, page)
    assert MARKER in body and queries == RESULTS_PAGE_QUERIES
    client.force_login(analyst)
    dashboard = reverse("metrics:dashboard") + f"?round={collection_round.label}"
    client.get(dashboard)
    _tamper(DashboardDocument, round=collection_round)
    queries, body = _count(client, dashboard)
    assert MARKER in body and queries == DASHBOARD_QUERIES


@pytest.mark.django_db
def test_the_plan_objectives_are_read_in_one_query_for_those_who_may_see_the_plan(client, analyst) -> None:
    """The summary links the objectives of the council's latest plan: the plan and its objectives in
    one query, so a council with a plan costs no more queries than one without; nobody outside the
    council sees them."""
    authority, collection_round = _country(6, analyst)
    lead = member(authority, Role.PROGRAMME_LEAD)
    write_plan(plan_create(authority=authority, year=2025, user=lead), lead)
    client.force_login(lead)
    page = reverse("metrics:council_results", args=[authority.ons_code, collection_round.label])
    client.get(page)
    queries, _ = _count(client, page)
    assert queries == RESULTS_PAGE_QUERIES
    links = plan_objectives(authority, lead)
    url = reverse("actionplans:detail", args=[authority.ons_code, 2025])
    assert [(link.indicator, link.number, link.url) for link in links] == [
        ("m2", 1, url),
        ("m8", 1, url),
        ("m9", 2, url),
    ]
    assert [link.indicator for link in plan_objectives(authority, analyst)] == ["m2", "m8", "m9"]
    outsider = member(AuthorityFactory.create(), Role.PROGRAMME_LEAD)
    assert plan_objectives(authority, outsider) == []


@pytest.mark.django_db
def test_the_results_api_reads_the_stored_document_in_queries_that_do_not_grow(analyst) -> None:
    """The results API of a submitted version: the token with its owner and their memberships (one
    query), the return context, and the version with its stored document, at 6 authorities as at 46,
    with no transaction around them (a savepoint and its release here, BEGIN and COMMIT in
    production: two round trips for a view that writes nothing); the document is the one stored when
    the version was submitted."""
    authority, collection_round = _country(6, analyst)
    lead = member(authority, Role.PROGRAMME_LEAD)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {api_key(lead, 'read', verified=True)}")
    record = Return.objects.get(authority=authority, round=collection_round)
    url = reverse("metrics-api:version_results", args=[authority.ons_code, collection_round.label, 1])

    def count() -> int:
        api.get(url)
        with CaptureQueriesContext(connection) as queries:
            response = api.get(url)
        assert response.json() == VersionResults.objects.get(version=record.current_version).document
        return len(queries)

    few = count()
    for other in [AuthorityFactory.create(region="London") for _ in range(40)]:
        _add_return(other, collection_round, Return.Status.ACCEPTED, analyst, f"x{other.pk}")
    assert few == count() == 3


@pytest.mark.django_db
def test_an_error_from_the_results_api_leaves_its_callers_transaction_alone(analyst) -> None:
    """The results API runs outside the request's transaction, so its answered errors (404 for a
    version that does not exist) have no transaction of the view's to roll back: a block its caller
    has open around the request (this test's) stays usable. Other API views still roll theirs back."""
    authority, collection_round = _country(6, analyst)
    lead = member(authority, Role.PROGRAMME_LEAD)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {api_key(lead, 'read', verified=True)}")
    missing = reverse("metrics-api:version_results", args=[authority.ons_code, collection_round.label, 121])
    assert api.get(missing).status_code == 404
    assert not connection.needs_rollback
    found = reverse("metrics-api:version_results", args=[authority.ons_code, collection_round.label, 1])
    assert api.get(found).status_code == 200
    atomic_view = reverse("metrics-api:release", args=[collection_round.label, 99])
    api.force_authenticate(analyst)
    assert api.get(atomic_view).status_code == 404
    assert not connection.needs_rollback  # its own savepoint was rolled back, not this block


@pytest.mark.django_db
def test_the_results_api_sends_the_stored_document_as_it_is_stored(analyst) -> None:
    """A submitted version's document is sent as the database prints it, not parsed and encoded
    again (issue 18); a draft's, computed on request, is still encoded by the renderer."""
    authority, collection_round = _country(6, analyst)
    lead = member(authority, Role.PROGRAMME_LEAD)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {api_key(lead, 'read', verified=True)}")
    record = Return.objects.get(authority=authority, round=collection_round)
    stored = VersionResults.objects.filter(version=record.current_version)
    text = stored.annotate(text=Cast("document", TextField())).values_list("text", flat=True).get()
    url = reverse("metrics-api:version_results", args=[authority.ons_code, collection_round.label, 1])
    response = api.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.content == text.encode()
    assert response.json() == stored.get().document


def test_the_api_renderer_passes_json_text_through_and_encodes_the_rest() -> None:
    renderer = JSONRenderer()
    assert renderer.render(JSONText('{"a": [1, 2.5]}')) == b'{"a": [1, 2.5]}'
    assert renderer.render({"a": [1, 2.5]}) == b'{"a":[1,2.5]}'


@pytest.mark.django_db
def test_the_results_page_reads_only_its_services_cards(client, analyst) -> None:
    """Each service's cards are a column of their own: a page of one service shows that service's."""
    authority, collection_round = _country(6, analyst)
    client.force_login(member(authority, Role.PROGRAMME_LEAD))
    page = reverse("metrics:council_results", args=[authority.ons_code, collection_round.label])
    client.get(page)
    ResultsPageDocument.objects.filter(authority=authority).update(cards_adults=MARKER)
    assert MARKER in client.get(page, {"service": "adults"}).content.decode()
    assert MARKER not in client.get(page, {"service": "children"}).content.decode()
    assert MARKER not in client.get(page).content.decode()


@pytest.mark.postgres
@pytest.mark.django_db
@pytest.mark.usefixtures("postgres")
def test_the_rendered_html_of_the_page_documents_is_stored_uncompressed_on_postgresql() -> None:
    """Reading one service's cards out of one compressed JSON column of all three cost PostgreSQL
    about 0.5 ms a request; an uncompressed text column of its own about 0.08 ms (issue 18)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT attname, attstorage FROM pg_attribute"
            " WHERE attrelid = 'metrics_resultspagedocument'::regclass AND attname LIKE 'cards%%'"
        )
        storage = dict(cursor.fetchall())
    assert storage == {"cards_all": "e", "cards_adults": "e", "cards_children": "e"}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT attstorage FROM pg_attribute"
            " WHERE attrelid = 'metrics_dashboarddocument'::regclass AND attname = 'figures_html'"
        )
        assert cursor.fetchone() == ("e",)
