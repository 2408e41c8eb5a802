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
