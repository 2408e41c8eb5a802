"""Council results pages compare with published releases, never live data (issue 14), and read their
position and the medians in plain English (issue 15, item 5)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from accounts.models import Role
from metrics.guidance import GUIDANCE, guidance_for, median_note, quartile_reading
from metrics.indicators import INDICATORS, INDICATORS_BY_CODE
from metrics.publication import comparators_from_tables
from metrics.releases.services import dataset, release_create, release_publish
from metrics.selectors import published_comparators
from metrics.services import benchmarks_recompute
from submissions.demo import _add_return
from submissions.models import Return
from submissions.schema import RowKey
from submissions.synthetic import synthetic_return
from tests.builders import round_with_accepted_returns
from tests.factories import AuthorityFactory, member

pytestmark = pytest.mark.django_db


def _page(client, authority, collection_round, service="all"):
    url = reverse("metrics:council_results", args=[authority.ons_code, collection_round.label])
    return client.get(url, {"service": service}).content.decode()


def _one_round(analyst, n=6):
    collection_round = round_with_accepted_returns(analyst, n=n, label="2025", regions=["London"])
    authority = Return.objects.filter(round=collection_round).select_related("authority")[0].authority
    return authority, collection_round


def test_before_any_release_a_council_sees_no_live_medians_and_is_told_why(client, analyst) -> None:
    authority, collection_round = _one_round(analyst)
    client.force_login(member(authority, Role.PROGRAMME_LEAD))
    body = _page(client, authority, collection_round)
    assert "has not published the 2025 national figures yet" in body
    assert "(6 councils)" not in body  # the live benchmarks cover 6 councils
    assert "not published yet" in body


def test_a_council_sees_the_latest_published_release_not_the_live_benchmarks(client, analyst) -> None:
    authority, collection_round = _one_round(analyst)
    lead = member(authority, Role.PROGRAMME_LEAD)
    first = release_create(collection_round=collection_round, user=analyst, note="First.", budget_seconds=0)
    release_publish(release=first, user=analyst)
    client.force_login(lead)
    body = _page(client, authority, collection_round)
    assert "from release 1 of the 2025 national tables" in body and "(6 councils)" in body
    # the published England median, as the release prints it
    printed = {
        row["Indicator code"]: row["Median"]
        for row in dataset(first, "distribution").dict
        if row["Scope"] == "England" and row["Service"] == "Both services"
    }
    assert f"{printed['m2']:.2f} (6 councils)" in body

    other = AuthorityFactory.create(region="London")
    _add_return(other, collection_round, Return.Status.ACCEPTED, analyst, f"x{other.pk}")
    benchmarks_recompute(collection_round=collection_round)  # the live figures now have 7 councils
    body = _page(client, authority, collection_round)
    assert "(7 councils)" not in body and "(6 councils)" in body
    report = client.get(
        reverse("metrics:council_report", args=[authority.ons_code, collection_round.label])
    ).content.decode()
    assert "(7 councils)" not in report and "from release 1" in report


def test_the_selector_reads_the_release_as_printed(analyst) -> None:
    authority, collection_round = _one_round(analyst)
    assert published_comparators(collection_round).release_number is None
    first = release_create(collection_round=collection_round, user=analyst, note="First.", budget_seconds=0)
    assert published_comparators(collection_round).release_number is None  # made, not published
    release_publish(release=first, user=analyst)
    found = published_comparators(collection_round)
    assert found.release_number == 1
    england = found.for_authority(authority.region, authority.authority_type, "all", "m2")["national"]
    assert england is not None and england.n_with_value == 6 and england.median is not None


def _rare_referrals(i: int):
    """Councils whose minority ethnic regulated professionals had no fitness-to-practise referral, but
    for two of them: the national median relative likelihood of metric 4 is 0."""
    data = synthetic_return(i, minority_share=0.15)
    for service in ("adults", "children"):
        key = RowKey(service, "ftp_referrals")
        data[key] = {**data[key], "white": 12, "minority_ethnic": 12 if i < 2 else 0}
    return data


def test_metric_4_median_of_0_is_explained_and_england_overall_is_shown(client, analyst) -> None:
    collection_round = round_with_accepted_returns(
        analyst, n=6, label="2025", regions=["London"], data=_rare_referrals
    )
    authority = Return.objects.filter(round=collection_round).select_related("authority")[0].authority
    release_publish(
        release=release_create(collection_round=collection_round, user=analyst, note="1.", budget_seconds=0),
        user=analyst,
    )
    client.force_login(member(authority, Role.VIEWER))
    body = _page(client, authority, collection_round)
    assert (
        "A median of 0.00 means that in at least half of the councils none of the minority ethnic regulated "
        "professionals were referred to the fitness-to-practise process" in body
    )
    assert "England overall" in body


def test_comparators_from_tables_read_shares_as_fractions_and_hidden_rows_as_withheld() -> None:
    pooled: list[dict[str, object]] = [
        {"Scope": "England", "Area": "England", "Service": "Both services", "Indicator code": "m2",
         "Relative likelihood": 0.81},
        {"Scope": "England", "Area": "England", "Service": "Adult social care", "Indicator code": "m1_lower",
         "Minority ethnic share of the pay band (%)": 21.5},
        {"Scope": "Region", "Area": "London", "Service": "Both services", "Indicator code": "m2",
         "Relative likelihood": "[low]"},
    ]  # fmt: skip
    distribution: list[dict[str, object]] = [
        {"Scope": "England", "Area": "England", "Service": "Both services", "Indicator code": "m2",
         "Authorities with a value": 40, "Lower quartile": 0.7, "Median": 0.9, "Upper quartile": 1.1},
        {"Scope": "England", "Area": "England", "Service": "Adult social care", "Indicator code": "m1_lower",
         "Authorities with a value": 40, "Lower quartile": 10.0, "Median": 20.0, "Upper quartile": 30.0},
        {"Scope": "Region", "Area": "London", "Service": "Both services", "Indicator code": "m2",
         "Authorities with a value": 4, "Lower quartile": "[c]", "Median": "[c]", "Upper quartile": "[c]"},
        {"Scope": "Authority type", "Area": "London boroughs and the City of London",
         "Service": "Both services", "Indicator code": "m2", "Authorities with a value": 9,
         "Lower quartile": "[c]", "Median": "[c]", "Upper quartile": "[c]"},
    ]  # fmt: skip
    found = comparators_from_tables(
        pooled, distribution, type_values={"London boroughs and the City of London": "london_borough"}
    )
    england = found[("national", "", "all", "m2")]
    assert (england.median, england.pooled, england.withheld) == (0.9, 0.81, False)
    share = found[("national", "", "adults", "m1_lower")]
    assert (share.median, share.pooled) == (0.2, 0.215)
    assert found[("region", "London", "all", "m2")].withheld
    assert found[("region", "London", "all", "m2")].pooled is None
    assert found[("authority_type", "london_borough", "all", "m2")].withheld  # withheld by the builder


@pytest.mark.parametrize(
    ("code", "position", "words"),
    [
        ("m3", 4, "among the worse results"),  # more likely to enter the disciplinary process
        ("m3", 1, "among the better results"),
        ("m2", 4, "among the better results"),  # more likely to be appointed
        ("m2", 1, "among the worse results"),
        ("m9", 2, "neither among the best nor the worst"),
        ("m1_upper", 4, "neither good nor bad in itself"),
    ],
)
def test_the_highest_quarter_says_whether_that_is_good(code, position, words) -> None:
    assert words in quartile_reading(position, INDICATORS_BY_CODE[code])


@given(st.sampled_from([i for i in INDICATORS if i.favourable is not None]))
def test_the_two_outer_quarters_never_read_the_same_way(indicator) -> None:
    top, bottom = quartile_reading(4, indicator), quartile_reading(1, indicator)
    assert ("better results" in top) != ("better results" in bottom)
    assert ("worse results" in top) != ("worse results" in bottom)


@given(st.floats(min_value=0, max_value=10, allow_nan=False), st.sampled_from(INDICATORS))
def test_only_a_median_of_exactly_0_is_explained(median, indicator) -> None:
    note = median_note(median, indicator)
    assert bool(note) == (median == 0 and indicator.kind != "share")


def test_every_indicator_has_guidance_in_plain_english() -> None:
    for indicator in INDICATORS:
        guidance = guidance_for(indicator)
        assert guidance.meaning and len(guidance.actions) >= 2
        assert "m1" not in guidance.meaning and "m" + indicator.metric not in guidance.meaning.split()
    assert set(GUIDANCE) == {"m1", *(i.code for i in INDICATORS if i.metric != "1")}
