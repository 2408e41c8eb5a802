"""The national history page's council filter (issue 18: analyst pages flat in N). It listed every
council as an option (1.1 MB of HTML at 20,000 councils); the analyst now types a council's name or
ONS code, found in the database, with a located error when it is not one council."""

from __future__ import annotations

import re

import factory
import pytest
from django.urls import reverse

from accounts.models import Authority
from accounts.selectors import MATCHES_SHOWN, authority_find
from tests.factories import AuthorityFactory

URL = reverse("audit:national_history")


@pytest.fixture
def analyst_client(client, analyst):
    client.force_login(analyst)
    return client


def _caption(html: str) -> str:
    found = re.search(r'<span class="govuk-caption-l">(.*?)</span>', html)
    assert found is not None
    return found.group(1)


def test_the_page_does_not_list_every_council(analyst_client, authority_a) -> None:
    AuthorityFactory.create_batch(40)
    # Filtered to a kind of record with no changes: on PostgreSQL the councils' creation is history.
    html = analyst_client.get(URL, {"model": "return"}).content.decode()
    assert 'id="f-authority"' in html
    for authority in Authority.objects.all():
        assert authority.name not in html, authority.name
    assert "<option" not in html.split('id="f-model"')[0]


def test_the_page_is_the_same_size_with_more_councils(analyst_client, authority_a) -> None:
    before = len(analyst_client.get(URL, {"model": "return"}).content)
    AuthorityFactory.create_batch(60)
    # The CSRF field, nonces and the like vary a little from one response to the next.
    assert abs(len(analyst_client.get(URL, {"model": "return"}).content) - before) < 100


@pytest.mark.parametrize("typed", ["E08000035", "e08000035", " leeds ", "LEEDS", "eed"])
def test_a_council_is_found_by_its_code_its_name_or_part_of_it(
    analyst_client, authority_a, authority_b, typed
) -> None:
    response = analyst_client.get(URL, {"authority": typed})
    assert response.status_code == 200
    assert response.context["authority"] == authority_b
    html = response.content.decode()
    assert _caption(html) == "Leeds (E08000035)"
    assert "govuk-error-summary" not in html
    assert f'value="{" ".join(typed.split())}"' in html  # what the analyst typed is kept


def test_no_council_matches_with_a_located_error(analyst_client, authority_a) -> None:
    response = analyst_client.get(URL, {"authority": "Atlantis"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "<title>Error: History of changes" in html
    assert 'href="#f-authority"' in html
    assert "No council has the name or ONS code \u2018Atlantis\u2019" in html
    assert 'class="govuk-input govuk-input--error" id="f-authority"' in html
    assert 'value="Atlantis"' in html
    assert response.context["entries"] == []  # nothing shown as if it were filtered


def test_several_matches_are_offered_as_links(analyst_client, authority_a) -> None:
    AuthorityFactory.create(ons_code="E07000001", name="North Shire")
    AuthorityFactory.create(ons_code="E07000002", name="South Shire")
    response = analyst_client.get(URL, {"authority": "shire", "model": "membership"})
    html = response.content.decode()
    assert "2 councils have \u2018shire\u2019 in their name" in html
    assert response.context["authority"] is None
    # Each link applies the filter by code and keeps the kind of record chosen.
    assert "?authority=E07000001&amp;model=membership" in html
    assert "?authority=E07000002&amp;model=membership" in html
    assert response.context["entries"] == []


def test_many_matches_are_bounded(analyst_client) -> None:
    AuthorityFactory.create_batch(MATCHES_SHOWN + 5)
    found = authority_find("Council")
    assert found.authority is None
    assert len(found.matches) == MATCHES_SHOWN
    assert found.more
    html = analyst_client.get(URL, {"authority": "Council"}).content.decode()
    assert f"More than {MATCHES_SHOWN} councils have" in html


def test_an_empty_filter_shows_every_council(analyst_client, authority_a) -> None:
    response = analyst_client.get(URL, {"authority": "   "})
    assert response.context["authority"] is None
    assert _caption(response.content.decode()) == "All councils"
    assert "govuk-error-summary" not in response.content.decode()


def test_the_filter_is_for_analysts_only(client, alice, authority_b) -> None:
    client.force_login(alice)
    assert client.get(URL, {"authority": "Leeds"}).status_code == 404


def test_a_whole_name_wins_over_names_that_contain_it(analyst_client, authority_b) -> None:
    AuthorityFactory.create(ons_code="E07000003", name="Leeds North")
    AuthorityFactory.create_batch(MATCHES_SHOWN + 2, name=factory.Sequence(lambda n: f"Aleeds {n}"))
    for typed in ("Leeds", "leeds", "LEEDS"):
        assert authority_find(typed).authority == authority_b, typed
    found = authority_find("Leeds N")
    assert found.authority is not None and found.authority.name == "Leeds North"
