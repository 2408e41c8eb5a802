"""The analysts' list of authorities (issue 18): searched, filtered, sorted and paginated by the
database, with each council's return status joined in, in the same number of queries at any size."""

from __future__ import annotations

import re
from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Region
from tests.builders import accepted_return, draft_return, signed_off_return
from tests.factories import AuthorityFactory

URL = "/national/authorities/"


def _names(page: str) -> list[str]:
    return re.findall(
        r'<td class="govuk-table__cell"><a class="govuk-link" href="/councils/[^/]+/">([^<]+)</a></td>', page
    )


def test_the_address_is_stable() -> None:
    assert reverse("portal:authority_list") == URL


def test_authority_list_sorts_filters_and_paginates_in_the_database(
    client, analyst, collection_round, monkeypatch
):
    monkeypatch.setattr("wres_portal.listing.PAGE_SIZE", 2)
    a = AuthorityFactory.create(name="Aardvark", population_minority_ethnic_percent=Decimal("30.0"))
    b = AuthorityFactory.create(name="Badger", population_minority_ethnic_percent=Decimal("5.0"))
    AuthorityFactory.create(name="Cormorant", population_minority_ethnic_percent=None)
    AuthorityFactory.create(
        name="Dormouse", region=Region.NORTH_EAST, population_minority_ethnic_percent=Decimal("9.0")
    )
    signed_off_return(a, collection_round)
    draft_return(b, collection_round)
    client.force_login(analyst)

    first = client.get(URL).content.decode()
    assert _names(first) == ["Aardvark", "Badger"]
    assert "4 authorities" in first and 'rel="next"' in first and 'aria-sort="ascending"' in first
    assert _names(client.get(URL, {"page": 2}).content.decode()) == ["Cormorant", "Dormouse"]
    by_share = client.get(URL, {"sort": "-population"}).content.decode()
    assert _names(by_share) == ["Aardvark", "Dormouse"] and 'aria-sort="descending"' in by_share
    assert _names(client.get(URL, {"sort": "status"}).content.decode())[0] == "Badger"  # draft first
    assert _names(client.get(URL, {"status": "signed_off"}).content.decode()) == ["Aardvark"]
    assert _names(client.get(URL, {"status": "not_started"}).content.decode()) == ["Cormorant", "Dormouse"]
    assert _names(client.get(URL, {"region": Region.NORTH_EAST}).content.decode()) == ["Dormouse"]
    assert _names(client.get(URL, {"q": "badg"}).content.decode()) == ["Badger"]


def test_authority_list_queries_do_not_grow_with_the_number_of_authorities(
    client, analyst, collection_round, django_assert_max_num_queries
):
    client.force_login(analyst)
    for i in range(3):
        draft_return(AuthorityFactory.create(name=f"Few {i}"), collection_round)
    with CaptureQueriesContext(connection) as few:
        assert client.get(URL).status_code == 200
    for i in range(80):
        AuthorityFactory.create(name=f"Many {i:02d}")
    with django_assert_max_num_queries(len(few)):
        page = client.get(URL).content.decode()
    assert len(_names(page)) == 50, "one page, not every authority"


def test_the_lists_default_order_is_served_by_an_index() -> None:
    """Issue 18: ORDER BY name, id LIMIT 50 sorted every council (43 ms at 20,000); an index on
    (name, id) gives the first page from its first 50 entries (EXPLAIN ANALYZE: 5 ms, cold)."""
    from accounts.models import Authority
    from portal.views import AUTHORITY_COLUMNS
    from submissions.national import COLUMNS

    indexed = [tuple(index.fields) for index in Authority._meta.indexes]
    assert ("name", "id") in indexed
    for columns in (AUTHORITY_COLUMNS, COLUMNS):
        assert columns[0].key == "authority" and columns[0].fields == ("name", "pk")


def test_the_status_tags_are_made_without_a_template_per_row(client, analyst, collection_round) -> None:
    """Issue 18: an include of submissions/_status_tag.html per row was most of a page's CPU."""
    from django.template.loader import render_to_string

    from portal.templatetags.navigation import return_status_tag

    signed_off_return(AuthorityFactory.create(name="Aardvark"), collection_round)
    client.force_login(analyst)
    response = client.get(URL)
    assert "submissions/_status_tag.html" not in [t.name for t in response.templates]
    assert '<strong class="govuk-tag govuk-tag--turquoise">Signed off</strong>' in response.content.decode()
    for status, shown in [
        ("accepted", 'green">Accepted'),
        ("signed_off", 'turquoise">Signed off'),
        ("submitted", 'blue">Submitted'),
        ("draft", 'yellow">Draft'),
        ("not_started", 'grey">Not started'),
    ]:
        assert shown in return_status_tag(status)
        included = render_to_string("submissions/_status_tag.html", {"status": status})
        assert included == return_status_tag(status)


def test_the_waiting_list_reads_a_few_returns_and_no_release_basis(
    client, analyst, collection_round, django_assert_max_num_queries
) -> None:
    """Issue 18: the analyst's waiting list read every signed-off return, and the whole latest
    release (its basis names every council) for its date."""
    from metrics.releases.services import release_create

    client.force_login(analyst)
    signed_off_return(AuthorityFactory.create(name="Signed 0"), collection_round)
    with CaptureQueriesContext(connection) as one:
        page = client.get(URL).content.decode()
    assert "Accept Signed 0" in page and "more signed-off returns" not in page
    for i in range(1, 8):
        signed_off_return(AuthorityFactory.create(name=f"Signed {i}"), collection_round)
    with django_assert_max_num_queries(len(one)):
        page = client.get(URL).content.decode()
    assert page.count("Accept Signed") == 5 and "3 more signed-off returns to accept" in page
    accepted_return(AuthorityFactory.create(name="Accepted"), collection_round, analyst)
    release_create(collection_round=collection_round, user=analyst, note="First.", budget_seconds=0)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(URL).status_code == 200
    assert not [q for q in queries.captured_queries if '"metrics_release"."basis"' in q["sql"]]
