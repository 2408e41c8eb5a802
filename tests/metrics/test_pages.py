"""Results pages: what they say, who may see them, and a query count that does not grow with the
number of authorities."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Role
from metrics.releases.services import release_create, release_publish
from metrics.services import benchmarks_recompute
from submissions.demo import _add_return
from submissions.models import Return
from tests.factories import AuthorityFactory, member, open_round


def _country(n: int, analyst) -> tuple:
    """`n` authorities with accepted returns in two rounds, benchmarks computed."""
    earlier = open_round("2024", created_by=analyst)
    later = open_round("2025", created_by=analyst)
    later.opens_on = earlier.opens_on.replace(year=earlier.opens_on.year + 1)
    later.closes_on = earlier.closes_on.replace(year=earlier.closes_on.year + 1)
    later.save()
    regions = ["London", "North West", "South East"]
    authorities = [AuthorityFactory.create(region=regions[i % 3]) for i in range(n)]
    for collection_round in (earlier, later):
        for authority in authorities:
            _add_return(
                authority,
                collection_round,
                Return.Status.ACCEPTED,
                analyst,
                f"{collection_round.label}{authority.pk}",
            )
        benchmarks_recompute(collection_round=collection_round)
    return authorities[0], later


def _count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def _urls(authority, collection_round) -> list[str]:
    return [
        reverse("metrics:council_results", args=[authority.ons_code, collection_round.label]),
        reverse("metrics:council_results", args=[authority.ons_code, collection_round.label])
        + "?service=adults",
        reverse("metrics:dashboard") + f"?round={collection_round.label}",
        reverse("metrics:dashboard") + f"?round={collection_round.label}&region=London",
        reverse("metrics:indicator", args=[collection_round.label, "m2"]),
    ]


@pytest.mark.django_db
def test_pages_issue_the_same_number_of_queries_for_5_and_150_authorities(
    client, analyst, django_assert_max_num_queries
) -> None:
    client.force_login(analyst)
    authority, collection_round = _country(5, analyst)
    small = [_count(client, url) for url in _urls(authority, collection_round)]
    more = [AuthorityFactory.create(region="London") for _ in range(145)]
    for other in more:
        _add_return(other, collection_round, Return.Status.ACCEPTED, analyst, f"x{other.pk}")
    benchmarks_recompute(collection_round=collection_round)
    assert Return.objects.filter(round=collection_round, status="accepted").count() == 150
    for url, limit in zip(_urls(authority, collection_round), small, strict=True):
        with django_assert_max_num_queries(limit):
            client.get(url)


@pytest.mark.django_db
def test_council_results_say_it_in_plain_english(client, analyst) -> None:
    authority, collection_round = _country(6, analyst)
    lead = member(authority, Role.VIEWER)
    client.force_login(lead)
    body = client.get(
        reverse("metrics:council_results", args=[authority.ons_code, collection_round.label])
    ).content.decode()
    assert "times as likely as white staff to be appointed from shortlisting" in body
    assert "National median" in body and "Region median" in body
    assert "<svg" in body and 'role="img"' in body
    assert "Trend over rounds" in body
    assert reverse("metrics:help", args=["m2"]) in body


@pytest.mark.django_db
def test_dashboard_and_indicator_page_for_analysts_only(client, analyst, alice) -> None:
    authority, collection_round = _country(6, analyst)
    client.force_login(alice)
    assert client.get(reverse("metrics:dashboard")).status_code == 404
    client.force_login(analyst)
    body = client.get(reverse("metrics:dashboard")).content.decode()
    assert "Appointment" in body or "appointed" in body.lower()
    page = client.get(reverse("metrics:indicator", args=[collection_round.label, "m3"])).content.decode()
    assert authority.name in page


def test_a_round_label_no_round_has_is_a_404(client, analyst) -> None:
    """A NUL byte in ?round= reached PostgreSQL, which refuses it in a query: a 500."""
    _, collection_round = _country(2, analyst)
    client.force_login(analyst)
    url = reverse("metrics:dashboard")
    assert client.get(url, {"round": collection_round.label}).status_code == 200
    assert client.get(url, {"round": "20\x0726"}).status_code == 404
    # A NUL byte is refused for every address (tests/test_nul_bytes.py).
    assert client.get(url, {"round": "20\x0026"}).status_code == 400
    assert client.get(url, {"round": "1999"}).status_code == 404


@pytest.mark.django_db
def test_draft_results_are_a_preview(client, alice, draft) -> None:
    client.force_login(alice)
    url = reverse("metrics:council_results", args=[draft.authority.ons_code, draft.round.label])
    assert "worked out from your draft" in client.get(url).content.decode()


@pytest.mark.django_db
def test_help_page_explains_each_indicator(client, alice) -> None:
    client.force_login(alice)
    body = client.get(reverse("metrics:help", args=["m9"])).content.decode()
    assert "How this is calculated" in body
    assert client.get(reverse("metrics:help", args=["m99"])).status_code == 404


@pytest.mark.django_db
def test_cached_figures_follow_a_benchmark_recompute_and_a_new_release(client, analyst) -> None:
    """The results page and the dashboard serve their figures from the cache. The dashboard is live:
    a new accepted return and a recompute show at once. The council page shows the latest published
    release (issue 14): a new published release shows at once, a recompute alone changes nothing."""
    authority, collection_round = _country(6, analyst)
    lead = member(authority, Role.PROGRAMME_LEAD)
    page = reverse("metrics:council_results", args=[authority.ons_code, collection_round.label])
    dashboard = reverse("metrics:dashboard") + f"?round={collection_round.label}"
    client.force_login(lead)
    assert "(6 councils)" not in client.get(page).content.decode()  # nothing published yet
    client.force_login(analyst)
    assert ">6</td>" in client.get(dashboard).content.decode()
    release_publish(
        release=release_create(collection_round=collection_round, user=analyst, note="1.", budget_seconds=0),
        user=analyst,
    )
    client.force_login(lead)
    assert "(6 councils)" in client.get(page).content.decode()

    others = [AuthorityFactory.create(region=region) for region in ["London", "North West", "South East"] * 2]
    for other in others:
        _add_return(other, collection_round, Return.Status.ACCEPTED, analyst, f"x{other.pk}")
    benchmarks_recompute(collection_round=collection_round)
    body = client.get(page).content.decode()
    assert "(6 councils)" in body and "(12 councils)" not in body  # live benchmarks are not shown
    client.force_login(analyst)
    assert ">12</td>" in client.get(dashboard).content.decode()
    second = release_create(collection_round=collection_round, user=analyst, note="2.", budget_seconds=0)
    release_publish(release=second, user=analyst)
    client.force_login(lead)
    body = client.get(page).content.decode()
    # two more councils in each region: the builder holds them back, so release 2 repeats release 1
    assert second.changes["held_back"] and "from release 2" in body and "from release 1" not in body


@pytest.mark.django_db
def test_results_page_from_the_cache_issues_fewer_queries(client, analyst) -> None:
    authority, collection_round = _country(5, analyst)
    client.force_login(analyst)
    page = reverse("metrics:council_results", args=[authority.ons_code, collection_round.label])
    first, again = _count(client, page), _count(client, page)
    assert again < first
    assert "National median" in client.get(page).content.decode()


@pytest.mark.django_db
def test_the_national_report_and_downloads_serve_the_latest_published_release(client, analyst) -> None:
    """Issue 14: never live data. Before any release, the report says so and the downloads are 404;
    after release 1 is published, another accepted return changes nothing until a new release is."""
    authority, collection_round = _country(6, analyst)
    client.force_login(analyst)
    report = reverse("metrics:national_report", args=[collection_round.label])
    pooled = reverse("metrics:national_csv", args=[collection_round.label, "pooled"])
    assert "No release has been published" in client.get(report).content.decode()
    assert client.get(pooled).status_code == 404
    first = release_create(collection_round=collection_round, user=analyst, note="First.", budget_seconds=0)
    release_publish(release=first, user=analyst)
    body = client.get(report).content.decode()
    assert "release 1" in body and "Appointment from shortlisting" in body and "Quartiles" in body
    before = client.get(pooled).content
    assert b"England" in before
    other = AuthorityFactory.create(region=authority.region)
    _add_return(other, collection_round, Return.Status.ACCEPTED, analyst, f"x{other.pk}")
    benchmarks_recompute(collection_round=collection_round)
    assert client.get(pooled).content == before  # the live figures moved; the release did not
    assert client.get(reverse("metrics:national_xlsx", args=[collection_round.label])).status_code == 200


def test_pages_with_cached_parts_still_work_while_redis_is_unreachable(client, analyst, settings) -> None:
    """Everything cached can be rebuilt, so an unreachable Redis is a cache miss, not a 500
    (wres_portal.cache.ResilientRedisCache; nothing listens on port 1)."""
    from django.core.cache import cache

    # Django's test signals rebuild the cache handlers when CACHES changes (and back afterwards).
    settings.CACHES = {
        "default": {"BACKEND": "wres_portal.cache.ResilientRedisCache", "LOCATION": "redis://127.0.0.1:1/0"}
    }
    assert cache.get("anything", "missed") == "missed"
    cache.set("anything", 1)
    cache.delete_many(["anything"])
    authority, collection_round = _country(6, analyst)
    lead = member(authority, Role.PROGRAMME_LEAD)
    release_publish(
        release=release_create(collection_round=collection_round, user=analyst, note="1.", budget_seconds=0),
        user=analyst,
    )
    client.force_login(lead)
    page = reverse("metrics:council_results", args=[authority.ons_code, collection_round.label])
    assert "(6 councils)" in client.get(page).content.decode()
    client.force_login(analyst)
    assert client.get(reverse("metrics:dashboard")).status_code == 200
    report = reverse("metrics:national_report", args=[collection_round.label])
    assert client.get(report).status_code == 200
