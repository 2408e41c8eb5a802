"""Compare with similar councils: nearest neighbours and a chosen basket, shown only as group medians
of published-release figures, with differencing between groups refused (issue 15)."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
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
    assert "Show your nearest neighbours' medians" in body and "not shown yet" in body
    assert not ComparisonGroup.objects.exists()  # looking records nothing
    shown = client.post(f"{url}?service=all", {"show": "neighbours"})
    assert shown.status_code == 302 and shown["Location"].endswith("?service=all#neighbours")
    assert "Show your nearest neighbours" not in client.get(shown["Location"]).content.decode()
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
def test_looking_at_the_compare_page_writes_nothing(client, analyst, published) -> None:
    """Every GET (neighbours not yet shown, then shown, then with a basket) is read-only: no row of
    the groups shown is added or changed, and no INSERT, UPDATE, DELETE or row lock reaches the database
    (so no audit row either)."""
    records = list(
        Return.objects.filter(round=published).select_related("authority").order_by("authority__ons_code")
    )
    authority, others = records[0].authority, [r.authority.ons_code for r in records[1:]]
    url = reverse("metrics:compare", args=[authority.ons_code, "2025"])

    def rows() -> list[tuple]:
        return list(ComparisonGroup.objects.order_by("pk").values_list())

    def looks_only(address: str, role: str) -> str:
        client.force_login(member(authority, role) if role else analyst)
        before = rows()
        with CaptureQueriesContext(connection) as queries:
            response = client.get(address)
        assert response.status_code == 200
        writes = [q["sql"] for q in queries if WRITE.search(q["sql"]) or "FOR UPDATE" in q["sql"]]
        assert writes == [], writes
        assert rows() == before
        return response.content.decode()

    for role in (Role.VIEWER, Role.PROGRAMME_LEAD, ""):
        assert "not shown yet" in looks_only(url, role)
    client.force_login(member(authority, Role.PROGRAMME_LEAD))
    assert client.post(url, {"show": "neighbours"}).status_code == 302
    neighbours = ComparisonGroup.objects.get(authority=authority, kind="neighbours").members
    assert "not shown yet" not in looks_only(f"{url}?service=adult", Role.VIEWER)
    basket = [c for c in others if c not in neighbours][:5]
    basket += [c for c in others if c not in basket][: 5 - len(basket)]
    client.force_login(member(authority, Role.PROGRAMME_LEAD))
    saved = client.post(url, {"councils": basket})
    assert saved.status_code == 302 and ComparisonGroup.objects.filter(kind="basket").count() == 1
    assert "Your basket" in looks_only(saved["Location"], Role.STAFF_VOICE_LEAD)


#: A statement that writes; pghistory puts its context before it ("SELECT set_config(...); INSERT ...").
WRITE = re.compile(r"(?:^|;)\s*(?:INSERT|UPDATE|DELETE)\b", re.IGNORECASE)


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
    assert client_for(lead).post(url, {"show": "neighbours"}).status_code == 302  # neighbours recorded
    neighbours = set(ComparisonGroup.objects.get(authority=authority, kind="neighbours").members)
    basket = ([c for c in others if c not in neighbours] + sorted(neighbours))[:6]
    one_more = [*basket, next(c for c in others if c not in basket)]
    first, second = client_for(lead), client_for(voice)
    responses = together(
        lambda: first.post(url, {"councils": basket}), lambda: second.post(url, {"councils": one_more})
    )
    assert sorted(r.status_code for r in responses) == [302, 400]
    assert ComparisonGroup.objects.filter(authority=authority, kind="basket").count() == 1
