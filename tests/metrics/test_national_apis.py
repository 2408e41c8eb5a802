"""Issue 16, national data for analysts by token: every council's results for a round in a bounded
number of requests and without drafts, benchmarks, the published national tables (never a sign-in
page), and a change feed to sync from. Everyone but Skills for Care staff gets 404."""

from __future__ import annotations

import csv
import io
import math
from typing import Any

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.models import Role, User
from metrics import results_file
from metrics.exports.round_results import round_results_table
from metrics.models import Release
from metrics.releases.services import release_create, release_publish
from metrics.selectors import results_by_version
from submissions import services as submission_services
from submissions.models import ChangeFeedEntry, Return
from tests.builders import draft_return, round_with_accepted_returns, submitted_return
from tests.factories import AuthorityFactory, UserFactory, api_key, member
from wres_portal.downloads import dataset_csv

ROUND = "/api/v1/rounds/2025/"


def _token(user, scope: str = "read") -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_key(user, scope, verified=True)}")
    return client


@pytest.fixture
def analyst_api(analyst) -> APIClient:
    return _token(analyst)


def _collect(client: APIClient, url: str, params: dict[str, Any] | None = None) -> tuple[list[dict], int]:
    """Every row of a list, following `next`; and how many requests it took."""
    rows, requests = [], 1
    body = client.get(url, params or {}).json()
    rows += body["results"]
    while body["next"]:
        body = client.get(body["next"]).json()
        rows += body["results"]
        requests += 1
    return rows, requests


def test_a_round_of_33_councils_is_collected_in_one_request_without_drafts(analyst, analyst_api, alice):
    """The issue: 188 requests for 33 results, drafts mixed in."""
    collection_round = round_with_accepted_returns(
        analyst, n=33, regions=["London", "North West", "South East"]
    )
    for _ in range(2):
        draft_return(AuthorityFactory.create(), collection_round)
    submitted = submitted_return(
        AuthorityFactory.create(region="London"), collection_round, compute_results=True
    )
    rows, requests = _collect(analyst_api, ROUND + "results/")
    assert requests == 1
    assert len(rows) == 33 and {r["status"] for r in rows} == {"accepted"}
    accepted = Return.objects.filter(round=collection_round, status=Return.Status.ACCEPTED).select_related(
        "authority", "current_version"
    )
    assert {(r["authority"], r["version"]) for r in rows} == {
        (r.authority.ons_code, r.version_number) for r in accepted
    }
    assert all(len(r["results"]) > 30 for r in rows)
    # Smaller pages: exactly as many requests as pages, every council once.
    rows, requests = _collect(analyst_api, ROUND + "results/", {"page_size": 10})
    assert requests == math.ceil(33 / 10) and len({r["authority"] for r in rows}) == 33
    # Ordered by the council's ONS code (`authority`, as everywhere in the API), either way, in pages.
    assert [r["authority"] for r in rows] == sorted(r["authority"] for r in rows)
    backwards, _ = _collect(analyst_api, ROUND + "results/", {"page_size": 10, "ordering": "-authority"})
    assert [r["authority"] for r in backwards] == sorted((r["authority"] for r in rows), reverse=True)
    # Filters: region, type, status (never drafts).
    london, _ = _collect(analyst_api, ROUND + "results/", {"region": "London"})
    assert len(london) == 11 and {r["region"] for r in london} == {"London"}
    both, _ = _collect(analyst_api, ROUND + "results/", {"status": ["accepted", "submitted"]})
    assert len(both) == 34 and submitted.authority.ons_code in {r["authority"] for r in both}
    assert analyst_api.get(ROUND + "results/", {"status": "draft"}).status_code == 400
    assert _collect(analyst_api, ROUND + "results/", {"authority_type": "county"})[0] == []
    # One CSV file for the round, filtered the same way.
    response = analyst_api.get(ROUND + "results.csv", {"region": "London"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    table = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert {row["Authority"] for row in table} == {r["authority"] for r in london}
    assert {row["Authority name"] for row in table} == {r["authority_name"] for r in london}
    assert {row["Return status"] for row in table} == {"accepted"}


def test_a_page_of_results_costs_the_same_queries_whatever_its_size(
    analyst, analyst_api, django_assert_max_num_queries
):
    round_with_accepted_returns(analyst, n=12)
    analyst_api.get(ROUND + "results/", {"page_size": 2})  # warm the token's last-used stamp
    with django_assert_max_num_queries(12) as small:
        analyst_api.get(ROUND + "results/", {"page_size": 2})
    with django_assert_max_num_queries(12) as large:
        analyst_api.get(ROUND + "results/", {"page_size": 12})
    assert len(small.captured_queries) == len(large.captured_queries)


def test_national_data_is_404_for_council_staff(analyst, alice, sponsor_a):
    round_with_accepted_returns(analyst, n=2)
    for user in (alice, sponsor_a):
        client = _token(user)
        for path in ("results/", "results.csv", "benchmarks/", "national/pooled/", "national/tables.xlsx"):
            assert client.get(ROUND + path).status_code == 404, path
        assert client.get("/api/v1/changes/").status_code == 404
    assert APIClient().get(ROUND + "results/").status_code == 401


def test_benchmarks_by_token_with_filters(analyst, analyst_api):
    round_with_accepted_returns(analyst, n=6, regions=["London", "North West"])
    rows, _ = _collect(analyst_api, ROUND + "benchmarks/", {"scope": "national", "service": "all"})
    assert len(rows) == 12 and {r["n_authorities"] for r in rows} == {6}
    assert all(r["shown"] and r["distribution"]["n"] >= 1 for r in rows)
    region, _ = _collect(
        analyst_api, ROUND + "benchmarks/", {"scope": "region", "area": "London", "service": "all"}
    )
    # 3 councils in London: too few for the distribution to be given, as on the dashboard.
    assert {r["n_authorities"] for r in region} == {3}
    assert all(r["shown"] is False and r["distribution"] is None for r in region)
    assert analyst_api.get(ROUND + "benchmarks/", {"scope": "planet"}).status_code == 400


def test_the_published_national_tables_come_to_a_token_never_a_sign_in_page(analyst, analyst_api):
    collection_round = round_with_accepted_returns(analyst, n=6, regions=["London"])
    # The national download pages redirect a token to sign in; the API answers it.
    page = analyst_api.get(reverse("metrics:national_csv", args=["2025", "pooled"]))
    assert page.status_code == 302
    missing = analyst_api.get(ROUND + "national/pooled.csv")
    assert missing.status_code == 404 and "No release" in missing.json()["detail"]
    first = release_create(collection_round=collection_round, user=analyst, note="First.", budget_seconds=0)
    assert analyst_api.get(ROUND + "national/pooled/").status_code == 404  # made, not published
    release_publish(release=first, user=analyst)
    table = analyst_api.get(ROUND + "national/pooled/")
    assert table.status_code == 200 and table["X-WRES-Release"] == "1"
    assert table.json()["headers"] == first.tables["pooled"]["headers"]
    assert table.json()["rows"] == first.tables["pooled"]["rows"]
    csv_file = analyst_api.get(ROUND + "national/pooled.csv")
    assert csv_file.status_code == 200 and csv_file.content.decode().startswith("Scope")
    assert analyst_api.get(ROUND + "national/tables.xlsx").content.startswith(b"PK")
    assert analyst_api.get(ROUND + "releases/1/tables.xlsx").content.startswith(b"PK")
    assert analyst_api.get(ROUND + "national/nonsense/").status_code == 404
    second = release_create(collection_round=collection_round, user=analyst, note="Same.", budget_seconds=0)
    for published, numbers in (("true", [1]), ("false", [second.number])):
        listed = analyst_api.get(ROUND + "releases/", {"published": published}).json()["results"]
        assert [r["number"] for r in listed] == numbers


def test_the_change_feed_gives_every_change_once_in_order(analyst, analyst_api):
    collection_round = round_with_accepted_returns(analyst, n=6, regions=["London"])
    changes = analyst_api.get("/api/v1/changes/").json()
    assert [c["kind"] for c in changes["changes"]] == ["return_accepted"] * 6
    assert changes["more"] is False
    first = changes["changes"][0]
    record = Return.objects.get(authority__ons_code=first["authority"], round=collection_round)
    assert first["version"] == record.version_number and first["round"] == "2025"
    assert first["results"].endswith(
        f"/api/v1/authorities/{first['authority']}/returns/2025/versions/{first['version']}/results/"
    )
    assert analyst_api.get(first["results"]).status_code == 200
    cursor = changes["next"]
    # Nothing new: the same cursor comes back.
    assert analyst_api.get("/api/v1/changes/", {"since": cursor}).json() == {
        "changes": [],
        "next": cursor,
        "more": False,
    }
    # An accepted return sent back, a release published: both come, in that order, once.
    submission_services.return_send_back(record=record, user=analyst, message="Check the headcount.")
    release = release_create(collection_round=collection_round, user=analyst, note="First.", budget_seconds=0)
    release_publish(release=Release.objects.get(pk=release.pk), user=analyst)
    page = analyst_api.get("/api/v1/changes/", {"since": cursor, "limit": 1}).json()
    assert page["more"] is True
    sent_back = page["changes"][0]
    assert sent_back["kind"] == "return_sent_back" and sent_back["from_status"] == "accepted"
    assert sent_back["authority"] == first["authority"] and sent_back["version"] == first["version"]
    rest = analyst_api.get("/api/v1/changes/", {"since": page["next"]}).json()
    assert [(c["kind"], c["release"]) for c in rest["changes"]] == [("release_published", 1)]
    bad = analyst_api.get("/api/v1/changes/", {"since": "not-a-cursor"})
    assert bad.status_code == 400 and "since" in str(bad.json())
    assert analyst_api.get("/api/v1/changes/", {"limit": 0}).status_code == 400


def test_a_council_outside_every_round_learns_nothing_from_the_feed(analyst, charlie):
    round_with_accepted_returns(analyst, n=1)
    assert ChangeFeedEntry.objects.count() == 1
    assert _token(charlie).get("/api/v1/changes/").status_code == 404
    admin = UserFactory.create(national_role=User.NationalRole.ADMIN)
    assert _token(admin).get("/api/v1/changes/").status_code == 200
    lead = member(AuthorityFactory.create(), Role.PROGRAMME_LEAD)
    assert _token(lead).get("/api/v1/changes/").status_code == 404


def test_the_round_csv_is_streamed_in_batches_byte_for_byte_the_whole_file(
    analyst, analyst_api, monkeypatch
) -> None:
    """Issue 18: the national results CSV was built whole in memory (172 MB and 39 s of CPU at
    20,000 organisations, past the server's timeout); it is streamed a batch of councils at a time."""
    collection_round = round_with_accepted_returns(analyst, n=11, regions=["London", "North West"])
    submitted_return(AuthorityFactory.create(region="London"), collection_round, compute_results=False)
    records = (
        Return.objects.filter(round=collection_round)
        .exclude(status=Return.Status.DRAFT)
        .select_related("authority", "current_version")
        .order_by("authority__ons_code")
    )
    documents = results_by_version(r.current_version_id for r in records)
    whole = dataset_csv(
        round_results_table(
            (results_file.council_row(r), documents.get(r.current_version_id or 0)) for r in records
        )
    )
    for batch in (4, 1, 500):
        monkeypatch.setattr(results_file, "CSV_BATCH", batch)
        response = analyst_api.get(ROUND + "results.csv", {"status": ["accepted", "submitted"]})
        assert response.status_code == 200 and response.streaming
        assert "attachment;" in response["Content-Disposition"]
        assert b"".join(response.streaming_content).decode() == whole, batch
    assert "Results not computed yet" in whole  # the submitted return without results has its row
