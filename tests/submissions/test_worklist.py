"""The analysts' worklist (issue 15, item 11): the returns waiting for acceptance, filtered, sorted and
paginated by the database, with bulk acceptance bound to the versions shown and reminders sent at
most once a day per return."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Region, Role, User
from submissions import services
from submissions.models import Return, ReturnEvent, WarningExplanation
from tests.builders import draft_return, signed_off_return, submitted_return
from tests.concurrency import client_for, hidden, postgres, together  # noqa: F401
from tests.factories import AuthorityFactory, UserFactory, member

WORKLIST = "/national/returns/"
ACTIONS = "/national/returns/actions/"


def _names(page: str) -> list[str]:
    """The authorities listed, in order."""
    return re.findall(
        r'<td class="govuk-table__cell"><a class="govuk-link" href="/councils/[^/]+/returns/[^/]+/">'
        r"([^<]+)</a></td>",
        page,
    )


def _councils(n: int, **fields):
    return [AuthorityFactory.create(name=f"Council {i:02d}", **fields) for i in range(n)]


def test_the_worklist_urls_are_stable() -> None:
    assert reverse("submissions:worklist") == WORKLIST
    assert reverse("submissions:worklist_action") == ACTIONS


def test_worklist_lists_returns_waiting_for_acceptance_and_filters_them(client, analyst, collection_round):
    signed, submitted, draft = _councils(3)
    north = AuthorityFactory.create(name="Northern council", region=Region.NORTH_EAST)
    signed_off_return(signed, collection_round)
    submitted_return(submitted, collection_round)
    draft_return(draft, collection_round)
    late = signed_off_return(north, collection_round)
    Return.objects.filter(pk=late.pk).update(is_late=True)
    client.force_login(analyst)

    page = client.get(WORKLIST).content.decode()
    assert sorted(_names(page)) == ["Council 00", "Council 01", "Northern council"], "draft left out"
    assert sorted(_names(client.get(WORKLIST, {"status": "signed_off"}).content.decode())) == [
        "Council 00",
        "Northern council",
    ]
    assert _names(client.get(WORKLIST, {"status": "draft"}).content.decode()) == ["Council 02"]
    assert _names(client.get(WORKLIST, {"region": Region.NORTH_EAST}).content.decode()) == [
        "Northern council"
    ]
    assert _names(client.get(WORKLIST, {"late": "yes"}).content.decode()) == ["Northern council"]
    assert sorted(_names(client.get(WORKLIST, {"late": "no"}).content.decode())) == [
        "Council 00",
        "Council 01",
    ]
    assert _names(client.get(WORKLIST, {"round": collection_round.label}).content.decode())


def test_worklist_sorts_by_column_and_paginates(client, analyst, collection_round, monkeypatch):
    monkeypatch.setattr("wres_portal.listing.PAGE_SIZE", 2)
    for authority in _councils(3):
        signed_off_return(authority, collection_round)
    client.force_login(analyst)

    first = client.get(WORKLIST, {"sort": "authority"}).content.decode()
    assert _names(first) == ["Council 00", "Council 01"]
    assert 'aria-sort="ascending"' in first and "page 1 of 2" in first
    assert 'rel="next"' in first and 'aria-current="page"' in first
    second = client.get(WORKLIST, {"sort": "authority", "page": 2}).content.decode()
    assert _names(second) == ["Council 02"]
    backwards = client.get(WORKLIST, {"sort": "-authority"}).content.decode()
    assert _names(backwards) == ["Council 02", "Council 01"]
    assert 'aria-sort="descending"' in backwards
    # An unknown sort or page never fails: the default order, the nearest page.
    assert client.get(WORKLIST, {"sort": "password", "page": "x"}).status_code == 200


def _queries(client, url: str, params: dict | None = None) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, params or {}).status_code == 200
    return len(queries)


def test_worklist_query_count_does_not_grow_with_the_number_of_returns(
    client, analyst, collection_round, django_assert_max_num_queries
):
    client.force_login(analyst)
    councils = _councils(6)
    for authority in councils[:2]:
        signed_off_return(authority, collection_round)
    few = _queries(client, WORKLIST)
    for authority in councils[2:]:
        signed_off_return(authority, collection_round)
    with django_assert_max_num_queries(few):
        client.get(WORKLIST)


def _bulk_post(page: str, returns: list[Return], action: str = "accept") -> dict[str, object]:
    return {"seen": hidden(page, "seen"), "returns": [str(r.uuid) for r in returns], "action": action}


def test_bulk_accept_accepts_the_versions_shown_and_names_a_return_that_changed(
    client, analyst, collection_round
):
    records = [signed_off_return(a, collection_round) for a in _councils(3)]
    client.force_login(analyst)
    page = client.get(WORKLIST).content.decode()
    # Another analyst returns one for revision after the list was drawn.
    other = UserFactory.create(national_role=User.NationalRole.ANALYST)
    services.return_send_back(record=records[1], user=other, message="Recheck the leavers.")

    response = client.post(ACTIONS, _bulk_post(page, records))

    body = unescape(response.content.decode())
    assert response.status_code == 200
    assert "2 returns accepted" in body and "govuk-panel--confirmation" in body
    assert "Not accepted" in body and "Council 01" in body
    assert "This return changed after you opened this page" in body
    statuses = {r.authority.name: Return.objects.get(pk=r.pk).status for r in records}
    assert statuses == {"Council 00": "accepted", "Council 01": "draft", "Council 02": "accepted"}
    # Each acceptance names the version that was shown.
    for record in (records[0], records[2]):
        event = ReturnEvent.objects.get(return_record=record, action=ReturnEvent.Action.ACCEPTED)
        assert event.version_id == record.current_version_id


def test_bulk_accept_refuses_returns_the_page_did_not_show(client, analyst, collection_round):
    shown = signed_off_return(AuthorityFactory.create(name="Shown"), collection_round)
    client.force_login(analyst)
    page = client.get(WORKLIST, {"region": Region.LONDON}).content.decode()
    hidden_one = signed_off_return(AuthorityFactory.create(name="Arrived later"), collection_round)

    response = client.post(ACTIONS, _bulk_post(page, [shown, hidden_one]))
    assert response.status_code == 400
    assert "open the list again" in response.content.decode()
    forged = client.post(ACTIONS, {"seen": "forged", "returns": [str(shown.uuid)], "action": "accept"})
    assert forged.status_code == 400
    assert not Return.objects.filter(status=Return.Status.ACCEPTED).exists()


def test_bulk_reminders_go_to_whoever_acts_next_once_a_day(
    client, analyst, collection_round, django_capture_on_commit_callbacks
):
    draft_council, submitted_council, signed_council = _councils(3)
    draft = draft_return(draft_council, collection_round)
    submitted = submitted_return(submitted_council, collection_round)
    sponsor = member(submitted_council, Role.SENIOR_SPONSOR, "sponsor@council1.example")
    signed = signed_off_return(signed_council, collection_round)
    client.force_login(analyst)
    page = client.get(WORKLIST, {"status": ""}).content.decode()
    page_drafts = client.get(WORKLIST, {"status": "draft"}).content.decode()
    chosen = [submitted, signed]
    mail.outbox = []

    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(ACTIONS, _bulk_post(page, chosen, "remind"))
        client.post(ACTIONS, _bulk_post(page_drafts, [draft], "remind"))
    body = unescape(first.content.decode())
    assert "1 reminder sent" in body and "nobody at the council has a step to take" in body
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [sponsor.email, *[m.user.email for m in draft_council.memberships.filter(role=Role.PROGRAMME_LEAD)]]
    )
    assert "sign off" in mail.outbox[0].subject or "sign off" in mail.outbox[1].subject

    with django_capture_on_commit_callbacks(execute=True):
        again = client.post(ACTIONS, _bulk_post(page, chosen, "remind"))
    assert len(mail.outbox) == 2, "not sent twice the same day"
    assert "already reminded today" in unescape(again.content.decode())


def test_worklist_and_its_actions_do_not_exist_for_council_staff(client, alice, draft):
    client.force_login(alice)
    assert client.get(WORKLIST).status_code == 404
    assert client.post(ACTIONS, {"returns": [str(draft.uuid)], "action": "accept"}).status_code == 404


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("postgres")
def test_two_analysts_bulk_accepting_the_same_returns_at_once_accept_each_once(analyst):
    from tests.factories import open_round

    collection_round = open_round("2025", created_by=analyst)
    records = [signed_off_return(a, collection_round) for a in _councils(4)]
    second = UserFactory.create(national_role=User.NationalRole.ANALYST)
    clients = [client_for(analyst), client_for(second)]
    pages = [c.get(WORKLIST).content.decode() for c in clients]
    responses = together(
        *[
            lambda c=c, p=p: c.post(ACTIONS, _bulk_post(p, records))
            for c, p in zip(clients, pages, strict=True)
        ]
    )
    assert all(r.status_code == 200 for r in responses)
    accepted = ReturnEvent.objects.filter(action=ReturnEvent.Action.ACCEPTED)
    assert accepted.count() == 4
    assert sorted(accepted.values_list("return_record_id", flat=True)) == sorted(r.pk for r in records)
    assert set(Return.objects.values_list("status", flat=True)) == {"accepted"}


def test_the_page_reads_each_returns_state_token_as_the_model_gives_it(collection_round):
    from submissions.selectors import state_tokens

    records = [signed_off_return(a, collection_round) for a in _councils(2)]
    explained = draft_return(AuthorityFactory.create(name="Explained"), collection_round)
    WarningExplanation.objects.create(
        authority=explained.authority,
        version=explained.current(),
        warning_key="r1:adults:m3",
        text="A restructure.",
        written_by=UserFactory.create(),
    )
    records.append(explained)
    fresh = list(Return.objects.filter(pk__in=[r.pk for r in records]).select_related("current_version"))
    assert state_tokens(fresh) == {str(r.uuid): r.state_token() for r in fresh}
    assert any(token.count("-") == 2 for token in state_tokens(fresh).values()), "explanations digested"
