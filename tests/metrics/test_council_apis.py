"""Issue 16: a council's results in the API come with the national, regional and type comparators
its results page shows, from the same selector: the round's latest published release, never live
benchmarks (issue 14); and as the page's CSV and XLSX files; scoped like the page."""

from __future__ import annotations

from rest_framework.test import APIClient

from accounts.models import Authority, Role
from metrics.releases.services import dataset, release_create, release_publish
from metrics.selectors import published_comparators
from metrics.services import benchmarks_recompute
from metrics.views.council import _council_cards
from submissions.access import get_return_for_user
from submissions.demo import _add_return
from submissions.models import Return
from tests.builders import round_with_accepted_returns
from tests.factories import AuthorityFactory, api_key, member


def _token(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_key(user, 'read')}")
    return client


def test_results_come_with_the_published_comparators_the_page_shows(analyst, charlie):
    collection_round = round_with_accepted_returns(analyst, n=6, regions=["London"])
    authority = Authority.objects.filter(returns__round=collection_round).order_by("ons_code")[1]
    lead = member(authority, Role.PROGRAMME_LEAD)
    url = f"/api/v1/authorities/{authority.ons_code}/returns/{collection_round.label}/results/"
    client = _token(lead)
    before = client.get(url).json()
    # No release published: no live medians, as on the page.
    assert before["release"] is None and before["stored"] is True and before["status"] == "accepted"
    m2 = next(r for r in before["results"] if (r["service"], r["indicator"]) == ("all", "m2"))
    assert m2["national"]["median"] is None and m2["national"]["median_text"] == "not published yet"

    first = release_create(collection_round=collection_round, user=analyst, note="First.", budget_seconds=0)
    release_publish(release=first, user=analyst)
    body = client.get(url).json()
    assert body["release"] == 1
    rows = {(r["service"], r["indicator"]): r for r in body["results"]}
    printed = {
        row["Indicator code"]: row
        for row in dataset(first, "distribution").dict
        if row["Scope"] == "England" and row["Service"] == "Both services"
    }
    assert round(rows[("all", "m2")]["national"]["median"], 2) == round(printed["m2"]["Median"], 2)
    assert rows[("all", "m2")]["national"]["n_with_value"] == printed["m2"]["Authorities with a value"]
    # The page's cards, built for the same version from the same selector, print the same medians.
    ctx = get_return_for_user(lead, authority.ons_code, collection_round.label)
    assert ctx.record is not None and ctx.record.current_version is not None
    comparators = published_comparators(ctx.round)
    for card in _council_cards(ctx, ctx.record.current_version, "all", None, comparators):
        row = rows[("all", card.indicator.code)]
        shown = (
            row["national"]["median_text"],
            row["region"]["median_text"],
            row["authority_type"]["median_text"],
        )
        assert shown == (card.national_median, card.region_median, card.type_median)
        assert row["figure"] == card.figure
    # Another council accepted since: the live benchmarks move, the API keeps to the release.
    other = AuthorityFactory.create(region="London")
    _add_return(other, collection_round, Return.Status.ACCEPTED, analyst, f"x{other.pk}")
    benchmarks_recompute(collection_round=collection_round)
    again = {(r["service"], r["indicator"]): r for r in client.get(url).json()["results"]}
    assert again[("all", "m2")]["national"] == rows[("all", "m2")]["national"]
    assert _token(charlie).get(url).status_code == 404


def test_results_files_come_to_a_token(analyst, charlie):
    collection_round = round_with_accepted_returns(analyst, n=2)
    authority = Authority.objects.filter(returns__round=collection_round).first()
    assert authority is not None
    viewer = member(authority, Role.VIEWER)
    base = f"/api/v1/authorities/{authority.ons_code}/returns/{collection_round.label}/"
    csv_file = _token(viewer).get(base + "results.csv")
    assert csv_file.status_code == 200 and csv_file["Content-Type"].startswith("text/csv")
    assert csv_file.content.decode().splitlines()[0].startswith("Service")
    assert _token(viewer).get(base + "results.xlsx").content.startswith(b"PK")
    for path in ("results/", "results.csv", "results.xlsx"):
        assert _token(charlie).get(base + path).status_code == 404
