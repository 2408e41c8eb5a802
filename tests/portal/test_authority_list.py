"""The analysts' list of authorities (issue 18): searched, filtered, sorted and paginated by the
database, with each council's return status joined in, in the same number of queries at any size."""

from __future__ import annotations

import re
from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Region
from tests.builders import draft_return, signed_off_return
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
