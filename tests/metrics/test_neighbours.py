"""Compare with similar councils: nearest neighbours and a chosen basket, shown only as group medians
of published-release figures, with differencing between groups refused (issue 15)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from accounts.models import Role
from metrics.models import ComparisonGroup
from metrics.neighbours import MIN_GROUP, Profile, basket_refusal, group_median, nearest
from metrics.releases.services import release_create, release_publish
from submissions.models import Return
from tests.builders import round_with_accepted_returns
from tests.concurrency import client_for, postgres, together  # noqa: F401 - postgres is a fixture
from tests.factories import AuthorityFactory, member

REGIONS = ["London", "North West", "South East"]


def _profile(code, region="London", kind="london_borough", workforce=1000, share=20.0):
    return Profile(code, f"Council {code}", region, kind, workforce, share)


profiles = st.builds(
    _profile,
    st.text(alphabet="ABCDEFGH", min_size=3, max_size=3),
    st.sampled_from(REGIONS),
    st.sampled_from(["unitary", "county", "london_borough"]),
    st.integers(min_value=50, max_value=20000),
    st.one_of(st.none(), st.floats(min_value=0, max_value=80)),
)


@given(profiles, st.lists(profiles, min_size=0, max_size=30, unique_by=lambda p: p.code))
def test_nearest_never_includes_the_council_and_a_twin_always_comes_first(target, others) -> None:
    twin = Profile(
        "ZZZ", "Twin", target.region, target.authority_type, target.workforce, target.population_share
    )
    candidates = [*others, target, twin] if target.population_share is not None else [*others, target]
    found = nearest(target, candidates)
    assert target.code not in found and len(found) == min(
        7, len({c.code for c in candidates} - {target.code})
    )
    assert len(set(found)) == len(found)
    if target.population_share is not None:
        assert found[0] == "ZZZ" or nearest(target, candidates, k=1) == [found[0]]


def test_region_type_size_and_population_all_count() -> None:
    me = _profile("A00", workforce=1000, share=30)
    near = _profile("B00", workforce=1100, share=31)
    other_region = _profile("C00", region="North West", workforce=1000, share=30)
    bigger = _profile("D00", workforce=8000, share=30)
    assert nearest(me, [me, bigger, other_region, near], k=3)[0] == "B00"


codes = st.frozensets(st.sampled_from([f"E{n:02}" for n in range(20)]), max_size=20)


@given(codes, st.lists(codes, max_size=4))
def test_a_basket_is_refused_exactly_when_it_is_small_or_differs_by_1_to_4(basket, shown) -> None:
    reason = basket_refusal(basket, shown, own="E99")
    close = any(0 < len(basket ^ group) < MIN_GROUP for group in shown)
    assert (reason is not None) == (len(basket) < MIN_GROUP or close)


def test_own_council_cannot_be_in_its_basket() -> None:
    basket = frozenset({"E01", "E02", "E03", "E04", "E05", "E99"})
    assert "Leave your own council out" in str(basket_refusal(basket, [], own="E99"))


@given(st.lists(st.one_of(st.none(), st.floats(0, 5)), max_size=12))
def test_a_group_median_needs_5_values(values) -> None:
    assert (group_median(values) is None) == (sum(v is not None for v in values) < MIN_GROUP)


@pytest.fixture
def published(analyst):
    collection_round = round_with_accepted_returns(analyst, n=12, label="2025", regions=REGIONS)
    release_publish(
        release=release_create(collection_round=collection_round, user=analyst, note="1.", budget_seconds=0),
        user=analyst,
    )
    return collection_round


@pytest.mark.django_db
def test_a_council_compares_with_its_neighbours_and_a_basket_and_cannot_difference(client, published) -> None:
    records = list(
        Return.objects.filter(round=published).select_related("authority").order_by("authority__ons_code")
    )
    authority = records[0].authority
    others = [r.authority.ons_code for r in records[1:]]
    url = reverse("metrics:compare", args=[authority.ons_code, "2025"])
    client.force_login(member(authority, Role.VIEWER))
    assert client.post(url, {"councils": others[:6]}).status_code == 403  # viewers look, never choose
    client.force_login(member(authority, Role.STAFF_VOICE_LEAD))
    body = client.get(url).content.decode()
    assert "Nearest neighbours: the 7 councils most like yours" in body
    assert body.count("<li>Council ") + body.count("<li>") >= 7
    neighbours = ComparisonGroup.objects.get(authority=authority, kind="neighbours")
    assert len(neighbours.members) == 7 and authority.ons_code not in neighbours.members

    far_from_neighbours = [c for c in others if c not in neighbours.members]
    basket = (far_from_neighbours + [c for c in others if c in neighbours.members])[:6]
    response = client.post(url, {"councils": basket})
    assert response.status_code == 302
    body = client.get(response["Location"]).content.decode()
    assert "Your basket&#x27;s median" in body or "Your basket's median" in body
    # one council more: the two medians side by side could give that council away
    refused = client.post(url, {"councils": [*basket, next(c for c in others if c not in basket)]})
    assert refused.status_code == 400
    text = refused.content.decode()
    assert "differs by only 1 council from a group you have already seen" in text
    assert ComparisonGroup.objects.filter(authority=authority, kind="basket").count() == 1
    assert client.post(url, {"councils": basket[:4]}).status_code == 400  # fewer than 5


@pytest.mark.django_db
def test_outsiders_get_404_and_nothing_shows_before_a_release(client, analyst) -> None:
    collection_round = round_with_accepted_returns(analyst, n=6, label="2025", regions=REGIONS)
    authority = Return.objects.filter(round=collection_round).select_related("authority")[0].authority
    url = reverse("metrics:compare", args=[authority.ons_code, "2025"])
    client.force_login(member(AuthorityFactory.create(), Role.PROGRAMME_LEAD))
    assert client.get(url).status_code == 404
    assert client.post(url, {"councils": []}).status_code == 404
    client.force_login(member(authority, Role.PROGRAMME_LEAD))
    assert "has not published the 2025 national figures yet" in client.get(url).content.decode()
    assert not ComparisonGroup.objects.exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("postgres")
def test_two_baskets_one_council_apart_chosen_at_once_are_never_both_shown(analyst) -> None:
    """Two people of one council send baskets differing by one council at the same moment: the
    differencing check is serialised, so exactly one is recorded and the other refused."""
    collection_round = round_with_accepted_returns(analyst, n=12, label="2025", regions=REGIONS)
    release_publish(
        release=release_create(collection_round=collection_round, user=analyst, note="1.", budget_seconds=0),
        user=analyst,
    )
    records = list(
        Return.objects.filter(round=collection_round)
        .select_related("authority")
        .order_by("authority__ons_code")
    )
    authority = records[0].authority
    others = [r.authority.ons_code for r in records[1:]]
    url = reverse("metrics:compare", args=[authority.ons_code, "2025"])
    lead, voice = member(authority, Role.PROGRAMME_LEAD), member(authority, Role.STAFF_VOICE_LEAD)
    assert client_for(lead).get(url).status_code == 200  # the neighbours are recorded
    neighbours = set(ComparisonGroup.objects.get(authority=authority, kind="neighbours").members)
    basket = ([c for c in others if c not in neighbours] + sorted(neighbours))[:6]
    one_more = [*basket, next(c for c in others if c not in basket)]
    first, second = client_for(lead), client_for(voice)
    responses = together(
        lambda: first.post(url, {"councils": basket}), lambda: second.post(url, {"councils": one_more})
    )
    assert sorted(r.status_code for r in responses) == [302, 400]
    assert ComparisonGroup.objects.filter(authority=authority, kind="basket").count() == 1
