"""The national indicator page's summary (issue 18): the chart, the breakdown by region and type and
how many authorities are listed come from a document stored under a key naming what it was built
from, read with the round in one query; a change to any of it (an acceptance, a return sent back,
results stored late, an authority's region corrected, a benchmark recompute) makes the stored one
stale, and a stale one is never shown."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.services import authority_update
from metrics import charts, tasks
from metrics.calculations import INDICATORS
from metrics.models import IndicatorDocument, Result
from metrics.services import benchmarks_recompute, results_compute
from metrics.spread import histogram, spread
from submissions.demo import _add_return
from submissions.models import Return
from submissions.services import return_accept, return_send_back
from tests.factories import AuthorityFactory
from tests.metrics.test_indicator_page import _rows
from tests.metrics.test_pages import _country

pytestmark = pytest.mark.django_db

MARKER = "<p>A summary built from this stale document</p>"

#: Queries of the page once its summary is built, at any number of authorities: the session with
#: its user, the round with its summary and what it is built from, and one page of the authorities
#: (no COUNT: the count is in the summary; no transaction).
INDICATOR_QUERIES = 3


def _url(collection_round, code: str = "m2", **query: str) -> str:
    url = reverse("metrics:indicator", args=[collection_round.label, code])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def _tamper() -> None:
    for document in IndicatorDocument.objects.all():
        document.document["summary_html"] = MARKER
        document.save()


def _listed(page: str) -> int:
    found = re.search(r'id="indicator-authorities">(\d+) authorit', page)
    assert found is not None
    return int(found[1])


def _without_csrf(page: str) -> str:
    """The page less what changes from one request to the next (the CSRF token, the session's time)."""
    page = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page)
    return re.sub(r'seconds="\d+"', "", page)


def _get(client, url: str) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), response.content.decode()


def test_the_page_shows_the_figures_of_every_authority_from_its_document(client, analyst) -> None:
    _, collection_round = _country(6, analyst)
    client.force_login(analyst)
    first = client.get(_url(collection_round)).content.decode()
    stored = IndicatorDocument.objects.get(round=collection_round, service="all", region="", indicator="m2")
    assert stored.document["listed"] == 6
    # The chart is the one worked out from the accepted returns' values now.
    results = Result.objects.filter(
        round=collection_round,
        service="all",
        indicator="m2",
        version_id__in=Return.objects.filter(round=collection_round, status="accepted").values(
            "current_version_id"
        ),
    )
    summary = spread(results)
    bins, below, above = histogram(results, summary, log_scale=True)
    chart = charts.histogram_chart(
        bins=bins,
        below=below,
        above=above,
        quartiles=summary,
        log_scale=True,
        id_prefix="hist-m2",
        title="Appointment from shortlisting: spread across authorities",
    )
    assert chart in first and "By region and authority type" in first and _listed(first) == 6
    # Read again, it is the same page, served from the stored document.
    again = client.get(_url(collection_round)).content.decode()
    assert _without_csrf(again) == _without_csrf(first)
    _tamper()
    assert MARKER in client.get(_url(collection_round)).content.decode()


def test_an_acceptance_makes_the_summary_stale_before_the_benchmarks_are_recomputed(client, analyst) -> None:
    _, collection_round = _country(6, analyst)
    other = AuthorityFactory.create(region="London")
    _add_return(other, collection_round, Return.Status.SIGNED_OFF, analyst, "signed")
    record = Return.objects.get(authority=other)
    results_compute(version=record.current())  # as the worker does on submission
    client.force_login(analyst)
    assert _listed(client.get(_url(collection_round)).content.decode()) == 6
    _tamper()
    assert MARKER in client.get(_url(collection_round)).content.decode()

    # Accepted: its recompute waits for the commit (never, in this test), the page does not.
    return_accept(record=record, user=analyst)
    page = client.get(_url(collection_round)).content.decode()
    assert MARKER not in page and _listed(page) == 7

    _tamper()
    return_send_back(record=Return.objects.get(pk=record.pk), user=analyst, message="Check the figures.")
    page = client.get(_url(collection_round)).content.decode()
    assert MARKER not in page and _listed(page) == 6


def test_results_stored_late_and_a_corrected_region_make_the_summary_stale(client, analyst) -> None:
    authority, collection_round = _country(6, analyst)
    client.force_login(analyst)
    other = AuthorityFactory.create(region="London")
    _add_return(other, collection_round, Return.Status.ACCEPTED, analyst, "late")  # no results yet
    assert _listed(client.get(_url(collection_round)).content.decode()) == 6
    _tamper()
    version = Return.objects.get(authority=other).current_version
    assert version is not None
    results_compute(version=version)
    page = client.get(_url(collection_round)).content.decode()
    assert MARKER not in page and _listed(page) == 7

    london = _url(collection_round, region="London")
    assert _listed(client.get(london).content.decode()) == 3
    _tamper()
    assert MARKER in client.get(london).content.decode()
    authority_update(authority=authority, data={"region": "North East"}, updated_by=analyst)
    page = client.get(london).content.decode()
    assert MARKER not in page and _listed(page) == 2


def test_a_benchmark_recompute_makes_the_summary_stale(client, analyst) -> None:
    _, collection_round = _country(6, analyst)
    client.force_login(analyst)
    client.get(_url(collection_round))
    _tamper()
    assert MARKER in client.get(_url(collection_round)).content.decode()
    benchmarks_recompute(collection_round=collection_round)
    assert MARKER not in client.get(_url(collection_round)).content.decode()


def test_the_band_filter_lists_the_count_of_its_band(client, analyst) -> None:
    _, collection_round = _country(9, analyst)
    client.force_login(analyst)
    accepted = Return.objects.filter(round=collection_round, status="accepted").values("current_version_id")
    for band in ("within_range", "adverse_to_minority_ethnic", "adverse_to_white"):
        expected = Result.objects.filter(
            round=collection_round, service="all", indicator="m3", four_fifths=band, version_id__in=accepted
        ).count()
        page = client.get(_url(collection_round, "m3", band=band)).content.decode()
        assert _listed(page) == expected == len(_rows(page))


def test_the_worker_builds_the_summaries_for_england_after_a_recompute(client, analyst) -> None:
    _, collection_round = _country(4, analyst)
    tasks.build_dashboards(collection_round.pk)
    built = IndicatorDocument.objects.filter(round=collection_round, region="", authority_type="")
    assert built.count() == 3 * len(INDICATORS)
    client.force_login(analyst)
    with CaptureQueriesContext(connection) as queries:
        client.get(_url(collection_round, service="adults"))
    assert not any("INSERT" in q["sql"] for q in queries.captured_queries)


def test_queries_per_request_are_the_same_at_any_number_of_authorities(client, analyst) -> None:
    _, collection_round = _country(4, analyst)
    client.force_login(analyst)
    urls = [
        _url(collection_round),
        _url(collection_round, region="London", sort="-value"),
        _url(collection_round, "m3", sort="band", page="2"),
    ]

    def counts() -> list[int]:
        for url in urls:
            client.get(url)  # builds the summary if need be
        return [_get(client, url)[0] for url in urls]

    few = counts()
    for other in [AuthorityFactory.create(region="London") for _ in range(40)]:
        _add_return(other, collection_round, Return.Status.ACCEPTED, analyst, f"x{other.pk}")
    benchmarks_recompute(collection_round=collection_round)
    assert few == counts() == [INDICATOR_QUERIES] * len(urls)


def test_sorted_by_value_highest_first_blanks_come_last_on_every_page(client, analyst, monkeypatch) -> None:
    monkeypatch.setattr("wres_portal.listing.PAGE_SIZE", 4)
    _, collection_round = _country(9, analyst)
    accepted = Return.objects.filter(round=collection_round, status="accepted").values("current_version_id")
    results = Result.objects.filter(
        round=collection_round, service="all", indicator="m2", version_id__in=accepted
    )
    blank = list(results.order_by("pk").values_list("pk", flat=True)[:3])
    Result.objects.filter(pk__in=blank).update(value=None)
    rows = sorted(results.values_list("authority__name", "value"), key=lambda r: r[0])
    valued = [(name, value) for name, value in rows if value is not None]
    expected = [name for name, _ in sorted(valued, key=lambda r: -r[1])]
    expected += [name for name, value in rows if value is None]
    client.force_login(analyst)
    shown = []
    for number in (1, 2, 3):
        page = client.get(_url(collection_round, sort="-value", page=str(number))).content.decode()
        shown += [name for name, _ in _rows(page)]
    assert shown == expected and len(shown) == 9
