"""The national history page (issue 18: analyst pages flat in N). Its council filter listed every
council as an option (1.1 MB of HTML at 20,000 councils); the analyst now types a council's name or
ONS code, found in the database, with a located error when it is not one council. Its pages no
longer count the whole trail, and read each event table newest first through an index."""

from __future__ import annotations

import re

import factory
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Authority
from accounts.selectors import MATCHES_SHOWN, authority_find
from audit.history import MAX_PAGE, TRACKED
from tests.factories import AuthorityFactory
from tests.workers import require_postgresql

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


def test_characters_no_name_has_are_left_out(analyst_client, authority_b) -> None:
    """A NUL byte in the filter was sent to PostgreSQL, which refuses it: a 500. It is now refused
    for every address with a 400 (tests/test_nul_bytes.py); other control characters are left out."""
    response = analyst_client.get(URL, {"authority": "Lee\x1bds\x07"})
    assert response.status_code == 200
    assert response.context["authority"] == authority_b
    assert analyst_client.get(URL, {"authority": "Lee\x00ds"}).status_code == 400


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


# Pages of the history without a total (PostgreSQL: the triggers write the events) ----------------


@pytest.fixture
def five_changes(db, authority_a):
    require_postgresql()
    for n in range(4):
        Authority.objects.filter(pk=authority_a.pk).update(name=f"Lambeth {n}")
    return authority_a


def test_a_page_of_history_does_not_count_the_whole_trail(analyst_client, five_changes) -> None:
    with CaptureQueriesContext(connection) as queries:
        response = analyst_client.get(URL)
    assert response.status_code == 200
    assert not [q["sql"] for q in queries if "COUNT(" in q["sql"].upper()]


def test_the_pages_go_back_to_the_oldest_change_and_no_further(
    analyst_client, five_changes, monkeypatch
) -> None:
    monkeypatch.setattr("audit.history.PAGE_SIZE", 2)
    query = {"model": "authority", "authority": five_changes.ons_code}
    first = analyst_client.get(URL, query)
    assert first.context["page"].number == 1 and first.context["page"].has_next
    assert first.context["entries"][0].object_label.startswith("Lambeth 3")
    html = first.content.decode()
    assert "(page 1)" in html and 'rel="next"' in html and 'rel="prev"' not in html
    last = analyst_client.get(URL, {**query, "page": 3})
    assert len(last.context["entries"]) == 1  # the council's creation, 5 events in all
    assert last.context["page"].has_previous and not last.context["page"].has_next
    beyond = analyst_client.get(URL, {**query, "page": 9})
    assert beyond.context["entries"] == []
    assert "There are no older changes" in beyond.content.decode()
    for typed in ("abc", "-4", "0"):
        assert analyst_client.get(URL, {**query, "page": typed}).context["page"].number == 1
    assert analyst_client.get(URL, {**query, "page": "10" * 12}).context["page"].number == MAX_PAGE


def test_every_event_table_is_indexed_newest_first() -> None:
    for tracked in TRACKED:
        indexes = [tuple(index.fields) for index in tracked.event_model._meta.indexes]
        assert ("pgh_created_at", "pgh_id") in indexes, tracked.key
