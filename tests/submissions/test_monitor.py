"""The completeness monitor and its status.csv (issues 15 and 18): filtered, sorted and paginated by the
database, the same number of queries at any number of councils, and no "Extend" on an accepted
return (which the service refuses too)."""

from __future__ import annotations

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Authority, AuthorityType, Region
from submissions import services
from submissions.models import ClosingDateExtension, Return
from tests.builders import accepted_return, downloaded, draft_return, signed_off_return
from tests.factories import AuthorityFactory
from wres_portal.errors import ApplicationError


def _monitor(collection_round) -> str:
    return reverse("submissions:monitor", args=[collection_round.label])


def _names(page: str) -> list[str]:
    return re.findall(
        r'<td class="govuk-table__cell"><a class="govuk-link" href="/councils/[^/]+/returns/[^/]+/">'
        r"([^<]+)</a></td>",
        page,
    )


def _councils(n: int, **fields):
    return [AuthorityFactory.create(name=f"Council {i:02d}", **fields) for i in range(n)]


def test_extend_is_not_offered_on_an_accepted_return(client, analyst, collection_round):
    done, open_one = _councils(2)
    accepted_return(done, collection_round, analyst)
    draft_return(open_one, collection_round)
    client.force_login(analyst)
    page = client.get(_monitor(collection_round)).content.decode()
    assert reverse("submissions:extend", args=[open_one.ons_code, collection_round.label]) in page
    assert reverse("submissions:extend", args=[done.ons_code, collection_round.label]) not in page


def test_extending_an_accepted_return_is_refused(client, analyst, collection_round):
    council = AuthorityFactory.create(name="Done council")
    accepted_return(council, collection_round, analyst)
    later = collection_round.closes_on + datetime.timedelta(days=10)
    with pytest.raises(ApplicationError, match="accepted"):
        services.round_extend(
            collection_round=collection_round,
            authority=council,
            closes_on=later,
            reason="x",
            granted_by=analyst,
        )
    client.force_login(analyst)
    url = reverse("submissions:extend", args=[council.ons_code, collection_round.label])
    response = client.post(url, {"closes_on": later.isoformat(), "reason": "Asked late"})
    assert response.status_code == 200 and "already accepted" in response.content.decode()
    assert not ClosingDateExtension.objects.exists()


def test_monitor_sorts_filters_and_paginates_in_the_database(client, analyst, collection_round, monkeypatch):
    monkeypatch.setattr("wres_portal.listing.PAGE_SIZE", 2)
    councils = _councils(3)
    north = AuthorityFactory.create(name="Northern council", region=Region.NORTH_EAST)
    signed_off_return(councils[1], collection_round)
    late = draft_return(north, collection_round)
    Return.objects.filter(pk=late.pk).update(is_late=True)
    client.force_login(analyst)
    url = _monitor(collection_round)

    first = client.get(url, {"sort": "authority"}).content.decode()
    assert _names(first) == ["Council 00", "Council 01"]
    assert 'aria-sort="ascending"' in first and 'rel="next"' in first
    assert _names(client.get(url, {"sort": "authority", "page": 2}).content.decode()) == [
        "Council 02",
        "Northern council",
    ]
    assert _names(client.get(url, {"sort": "-authority"}).content.decode()) == [
        "Northern council",
        "Council 02",
    ]
    assert _names(client.get(url, {"status": "signed_off"}).content.decode()) == ["Council 01"]
    assert _names(client.get(url, {"status": "not_started", "sort": "authority"}).content.decode()) == [
        "Council 00",
        "Council 02",
    ]
    assert _names(client.get(url, {"late": "yes"}).content.decode()) == ["Northern council"]
    assert _names(client.get(url, {"region": Region.NORTH_EAST}).content.decode()) == ["Northern council"]
    # Counts of each status cover the whole round, not the page.
    assert "<strong>2</strong> not started" in first


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_monitor_and_csv_queries_do_not_grow_with_the_number_of_councils(
    client, analyst, collection_round, django_assert_max_num_queries
):
    client.force_login(analyst)
    url = _monitor(collection_round)
    _councils(3)
    few, few_csv = _queries(client, url), _queries(client, url + "status.csv")
    for i in range(60):
        AuthorityFactory.create(name=f"More {i:02d}", authority_type=AuthorityType.COUNTY)
    with django_assert_max_num_queries(few):
        client.get(url)
    with django_assert_max_num_queries(few_csv):
        client.get(url + "status.csv")


def test_status_csv_streams_every_matching_council(client, analyst, collection_round, monkeypatch):
    monkeypatch.setattr("wres_portal.listing.PAGE_SIZE", 2)
    councils = _councils(4)
    draft_return(councils[0], collection_round)
    ClosingDateExtension.objects.create(
        round=collection_round,
        authority=councils[1],
        closes_on=collection_round.closes_on + datetime.timedelta(days=7),
        reason="Flooding",
        granted_by=analyst,
    )
    AuthorityFactory.create(name="=cmd|' /C calc'!A0")
    client.force_login(analyst)
    response = client.get(_monitor(collection_round) + "status.csv")
    if connection.vendor == "postgresql":  # SQLite keeps no monitor versions: always streamed there
        assert not response.streaming, "unfiltered: the stored document (test_monitor_documents.py)"
    lines = downloaded(response).decode().splitlines()
    assert lines[0] == (
        "ons_code,authority,region,type,type_name,status,status_name,late,submitted_at,closes_on"
    )
    assert len(lines) == 6, "every council, not one page"
    by_name = {line.split(",")[1]: line for line in lines[1:]}
    assert ",draft,Draft,no,," in by_name["Council 00"]
    # Beside each code its label, as people read it on the monitor (issue 15).
    council = Authority.objects.get(name="Council 01")
    assert (
        f",{council.region},{council.authority_type},{council.get_authority_type_display()},"
        "not_started,Not started,no,,"
    ) in by_name["Council 01"]
    assert by_name["Council 01"].endswith(
        (collection_round.closes_on + datetime.timedelta(days=7)).isoformat()
    )
    assert any(name.startswith("\"'=cmd") or name.startswith("'=cmd") for name in by_name)
    filtered = client.get(_monitor(collection_round) + "status.csv", {"status": "draft"})
    assert filtered.streaming, "filtered: streamed from one cursor"
    assert len(b"".join(filtered.streaming_content).decode().splitlines()) == 2


def test_monitor_combines_filters_a_sort_and_a_page(client, analyst, collection_round, monkeypatch):
    """Issue 18: the list is compiled once per process for each shape (filters present, sort and
    direction) with slots for the values: every combination reads its own rows."""
    monkeypatch.setattr("wres_portal.listing.PAGE_SIZE", 2)
    north = [AuthorityFactory.create(name=f"North {i}", region=Region.NORTH_EAST) for i in range(4)]
    _councils(3)
    late = draft_return(north[1], collection_round)
    Return.objects.filter(pk=late.pk).update(is_late=True)
    signed_off_return(north[2], collection_round)
    client.force_login(analyst)
    url = _monitor(collection_round)
    ne = {"region": Region.NORTH_EAST, "status": "not_started"}
    assert _names(client.get(url, {**ne, "sort": "-authority"}).content.decode()) == ["North 3", "North 0"]
    # Past the end: the last page.
    assert _names(client.get(url, {**ne, "sort": "authority", "page": 9}).content.decode()) == [
        "North 0",
        "North 3",
    ]
    # signed_off, not_started (by name), draft: the second page.
    page = client.get(url, {"region": Region.NORTH_EAST, "sort": "-status", "page": 2}).content.decode()
    assert _names(page) == ["North 3", "North 1"]
    assert _names(client.get(url, {"late": "no", "sort": "-authority", "page": 3}).content.decode()) == [
        "Council 01",
        "Council 00",
    ]
    assert _names(client.get(url, {"late": "yes", "region": Region.NORTH_EAST}).content.decode()) == [
        "North 1"
    ]
    other = client.get(url, {"late": "yes", "status": "not_started"}).content.decode()
    assert "No authority matches" in other


def test_counts_of_a_thousand_or_more_have_commas(client, analyst, collection_round):
    """GOV.UK style writes numbers over 999 with a comma: the monitor's counts and its table caption."""
    Authority.objects.bulk_create(
        AuthorityFactory.build(ons_code=f"E09{i:06d}", name=f"Council {i:04d}") for i in range(1204)
    )
    client.force_login(analyst)
    page = client.get(_monitor(collection_round)).content.decode()
    assert "<strong>1,204</strong> not started" in page
    assert re.search(r'id="monitor-caption">1,204 authorities, page 1 of \d+</caption>', page), page
