"""'Waiting for you' on the analyst's home page (issue 15 item 3): returns to accept, late councils
and national tables to release."""

from __future__ import annotations

import datetime

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from submissions.models import Return
from tests.builders import advance, draft_return
from tests.factories import AuthorityFactory, member, open_round


def _page(user) -> str:
    client = Client()
    client.force_login(user)
    return client.get(reverse("portal:authority_list")).content.decode()


def test_analyst_sees_returns_to_accept_and_releases_to_make(authority_a, alice, analyst) -> None:
    collection_round = open_round(created_by=analyst)
    record = advance(draft_return(authority_a, collection_round, lead=alice), Return.Status.SIGNED_OFF)
    page = _page(analyst)
    assert "Waiting for you" in page
    assert f"Accept Lambeth&#x27;s {collection_round.label} return" in page
    assert reverse("submissions:accept", args=[authority_a.ons_code, collection_round.label]) in page
    assert "Make a release" not in page
    advance(record, Return.Status.ACCEPTED, analyst=analyst)
    page = _page(analyst)
    assert "Accept Lambeth" not in page
    assert "Make a release of the" in page
    assert "1 return was accepted since the last release" in page


def test_analyst_sees_how_many_councils_are_late(authority_a, alice, analyst) -> None:
    today = timezone.localdate()
    collection_round = open_round(
        created_by=analyst,
        closes_on=today - datetime.timedelta(days=1),
        opens_on=today - datetime.timedelta(days=60),
    )
    other = AuthorityFactory.create(ons_code="E06000001", name="Hartlepool")
    member(other, Role.PROGRAMME_LEAD, "lead@hartlepool.example")
    # Lambeth submitted (on time or not, it is no longer late); Hartlepool has not.
    advance(draft_return(authority_a, collection_round, lead=alice), Return.Status.SUBMITTED)
    page = _page(analyst)
    assert "1 council has not submitted the" in page


def test_analyst_counts_are_written_as_gov_uk_style_writes_numbers(monkeypatch, analyst) -> None:
    """A thousand or more with a comma ("1,204"), and one more return to accept in the singular."""
    from portal import waiting

    collection_round = open_round(created_by=analyst)
    named = [[f"Council {i}", f"E0600000{i}"] for i in range(waiting.NAMED_RETURNS)]
    facts = {"waiting": waiting.NAMED_RETURNS + 1, "late": 1204, "since": 20000, "named": named}
    monkeypatch.setattr(waiting, "_analyst_facts", lambda _round: facts)
    texts = [item.text for item in waiting.for_analyst(collection_round)]
    details = [item.detail for item in waiting.for_analyst(collection_round)]
    assert "1 more signed-off return to accept" in texts
    assert (
        f"1,204 councils have not submitted the {collection_round.label} return and the closing date "
        "has passed" in texts
    )
    assert "20,000 returns were accepted since the last release." in details
    facts["waiting"] = waiting.NAMED_RETURNS + 1500
    assert "1,500 more signed-off returns to accept" in [
        item.text for item in waiting.for_analyst(collection_round)
    ]
