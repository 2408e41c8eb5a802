"""Issue 12, returns: every write names the version it was built on. Two leads saving at once, a
save overlapping an upload confirmation, pages opened before someone else's save, and sign-off,
accept, submit and return for revision from a page showing an older version: the stale write is
refused with the person's own input kept and the other change shown, never applied and never lost.
Real concurrent requests on PostgreSQL (tests/concurrency.py)."""

from __future__ import annotations

import datetime
from html import escape

import pytest
from django.urls import reverse

from accounts.models import Role
from submissions import services
from submissions.forms import field_name
from submissions.models import Return, ReturnEvent, ReturnVersion
from submissions.schema import GROUPS, RowKey
from tests.concurrency import client_for, hidden, postgres, shortly, together  # noqa: F401
from tests.factories import member, valid_data
from tests.submissions.test_views import _csv, _file

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("postgres"),
]

LEAVERS = RowKey("adults", "leavers")
CHILD_LEAVERS = RowKey("children", "leavers")


@pytest.fixture
def lead2(authority_a):
    return member(authority_a, Role.PROGRAMME_LEAD, "second.lead@lambeth.example")


@pytest.fixture
def url(authority_a, collection_round) -> str:
    return reverse("submissions:detail", args=[authority_a.ons_code, collection_round.label])


def _entry(page: str, service: str, changes: dict[tuple[RowKey, str], int]) -> dict[str, str]:
    """The web-entry form for `service` as the page shows it, with `changes` typed over it."""
    data = {field_name(k, g): str(c[g]) for k, c in valid_data((service,)).items() for g in GROUPS}
    data.update({field_name(k, g): str(v) for (k, g), v in changes.items()})
    data["version"] = hidden(page, "version")
    return data


def _current(record: Return) -> dict[RowKey, dict[str, int]]:
    return Return.objects.get(pk=record.pk).current().data()


def test_two_leads_saving_web_entry_pages_at_once_lose_nothing(draft, alice, lead2, url):
    clients = [client_for(alice), client_for(lead2)]
    pages = [
        clients[0].get(url + "enter/adults/").content.decode(),
        clients[1].get(url + "enter/children/").content.decode(),
    ]
    posts = [
        (url + "enter/adults/", _entry(pages[0], "adults", {(LEAVERS, "white"): 91})),
        (url + "enter/children/", _entry(pages[1], "children", {(CHILD_LEAVERS, "white"): 77})),
    ]
    responses = together(*(lambda c=c, p=p: c.post(*p) for c, p in zip(clients, posts, strict=True)))
    saved = [r.status_code == 302 for r in responses]
    assert sorted(saved) == [False, True], "one save goes through, the other is refused, none is lost"
    winner = saved.index(True)
    data = _current(draft)
    expected = {0: (91, 95), 1: (95, 77)}[winner]
    assert (data[LEAVERS]["white"], data[CHILD_LEAVERS]["white"]) == expected
    refused = responses[1 - winner].content.decode()
    assert "There is a problem" in refused and "after you opened this page" in refused
    typed = posts[1 - winner][1]
    for name, value in typed.items():
        if name != "version":
            assert f'name="{name}" type="text" inputmode="numeric" value="{value}"' in refused, name
    assert "saving again keeps their changes" in refused.lower() or "If you save again" in refused
    # Saving again on purpose keeps both changes.
    again = clients[1 - winner].post(posts[1 - winner][0], {**typed, "version": hidden(refused, "version")})
    assert again.status_code == 302
    data = _current(draft)
    assert (data[LEAVERS]["white"], data[CHILD_LEAVERS]["white"]) == (91, 77)


def test_a_web_entry_page_opened_before_someone_elses_save_cannot_undo_it(draft, alice, lead2, url):
    client = client_for(alice)
    stale = client.get(url + "enter/adults/").content.decode()
    figures = valid_data()
    figures[LEAVERS] = {"white": 99, "minority_ethnic": 22, "unknown": 4}
    services.draft_save(record=draft, data=figures, user=lead2, source=ReturnVersion.Source.WEB)
    response = client.post(
        url + "enter/adults/", _entry(stale, "adults", {(RowKey("adults", "cpd"), "white"): 230})
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert escape(lead2.display_name) in page, "names who changed it"
    assert ">99<" in page.replace(" ", "") or "99" in page
    data = _current(draft)
    assert data[LEAVERS]["white"] == 99 and data[RowKey("adults", "cpd")]["white"] == 220


def _preview(client, url: str, content: bytes) -> tuple[str, str]:
    response = client.post(url + "upload/", {"file": _file(content, "return.csv")})
    assert response.status_code == 302, response.content.decode()[:2000]
    confirm_url = response["Location"]
    return confirm_url, client.get(confirm_url).content.decode()


def test_a_web_entry_save_overlapping_an_upload_confirmation_never_undoes_either(draft, alice, lead2, url):
    uploader, typist = client_for(alice), client_for(lead2)
    uploaded = valid_data()
    for key in uploaded:
        if key.service == "children" and key.measure == "cpd":
            uploaded[key] = {"white": 200, "minority_ethnic": 31, "unknown": 4}
    confirm_url, preview = _preview(uploader, url, _csv(uploaded))
    entry = typist.get(url + "enter/adults/").content.decode()
    responses = together(
        lambda: uploader.post(confirm_url, {"version": hidden(preview, "version")}),
        lambda: typist.post(url + "enter/adults/", _entry(entry, "adults", {(LEAVERS, "white"): 91})),
    )
    saved = [r.status_code == 302 and "/upload/" not in r.get("Location", "/upload/") for r in responses]
    assert saved.count(True) == 1, [r.status_code for r in responses]
    data = _current(draft)
    if saved[0]:  # the upload went in; the typed change was refused, not lost
        assert data[RowKey("children", "cpd")]["white"] == 200 and data[LEAVERS]["white"] == 95
        assert 'value="91"' in responses[1].content.decode()
    else:  # the typed change went in; the upload was refused and waits to be confirmed again
        assert data[LEAVERS]["white"] == 91 and data[RowKey("children", "cpd")]["white"] == 220
        page = responses[0].content.decode()
        assert "after you opened this page" in page
        retry = uploader.post(confirm_url, {"version": hidden(page, "version")})
        assert retry.status_code == 302
        assert _current(draft)[RowKey("children", "cpd")]["white"] == 200


def test_an_upload_preview_opened_before_someone_elses_save_shows_it_before_replacing_it(
    draft, alice, lead2, url
):
    client = client_for(alice)
    confirm_url, preview = _preview(client, url, _csv(valid_data()))
    figures = valid_data()
    figures[LEAVERS] = {"white": 99, "minority_ethnic": 22, "unknown": 4}
    services.draft_save(record=draft, data=figures, user=lead2, source=ReturnVersion.Source.WEB)
    refused = client.post(confirm_url, {"version": hidden(preview, "version")})
    assert refused.status_code == 200
    page = refused.content.decode()
    assert "after you opened this page" in page and "version 2" in page
    assert _current(draft)[LEAVERS]["white"] == 99, "the other save stands until this one is confirmed again"
    assert client.post(confirm_url, {"version": hidden(page, "version")}).status_code == 302
    assert _current(draft)[LEAVERS]["white"] == 95


def _submitted(draft, alice) -> Return:
    services.return_submit(record=draft, user=alice)
    return Return.objects.get(pk=draft.pk)


def _moved_on(record: Return, alice, sponsor) -> None:
    """Returned for revision, a figure changed, submitted again: same status, newer version."""
    services.return_send_back(record=record, user=sponsor, message="Check leavers.")
    figures = valid_data()
    figures[LEAVERS] = {"white": 99, "minority_ethnic": 22, "unknown": 4}
    services.draft_save(record=record, data=figures, user=alice, source=ReturnVersion.Source.WEB)
    services.return_submit(record=record, user=alice)


SIGN = {"name": "Dr S", "role": "DASS", "signed_on": "2020-01-01", "declaration": "on"}


def test_a_sign_off_from_a_page_showing_an_older_version_is_refused(draft, alice, sponsor_a, url):
    record = _submitted(draft, alice)
    client = client_for(sponsor_a)
    page = client.get(url + "sign-off/").content.decode()
    assert hidden(page, "version") == "1"
    _moved_on(record, alice, sponsor_a)
    refused = client.post(url + "sign-off/", {**SIGN, "version": hidden(page, "version")})
    assert refused.status_code == 200
    body = refused.content.decode()
    assert "It is now version 3" in body and "Dr S" in body  # their typed name kept
    assert "Adult social care: leavers, White" in body  # what changed
    assert not ReturnEvent.objects.filter(action=ReturnEvent.Action.SIGNED_OFF).exists()
    assert client.post(url + "sign-off/", {**SIGN, "version": hidden(body, "version")}).status_code == 302
    event = ReturnEvent.objects.get(action=ReturnEvent.Action.SIGNED_OFF)
    assert event.version.number == 3


def test_an_accept_from_a_page_showing_an_older_version_is_refused(draft, alice, sponsor_a, analyst, url):
    record = _submitted(draft, alice)
    services.return_sign_off(
        record=record,
        user=sponsor_a,
        name="S",
        role="D",
        signed_on=datetime.date(2020, 1, 1),
        declaration=True,
    )
    client = client_for(analyst)
    page = client.get(url + "accept/").content.decode()
    services.return_send_back(record=record, user=analyst, message="Check leavers.")
    figures = valid_data()
    figures[LEAVERS] = {"white": 99, "minority_ethnic": 22, "unknown": 4}
    services.draft_save(record=record, data=figures, user=alice, source=ReturnVersion.Source.WEB)
    services.return_submit(record=record, user=alice)
    services.return_sign_off(
        record=record,
        user=sponsor_a,
        name="S",
        role="D",
        signed_on=datetime.date(2020, 1, 1),
        declaration=True,
    )
    refused = client.post(url + "accept/", {"version": hidden(page, "version")})
    assert refused.status_code == 200 and "It is now version 3" in refused.content.decode()
    assert Return.objects.get(pk=record.pk).status == Return.Status.SIGNED_OFF


def test_a_submission_from_a_page_opened_before_another_save_is_refused(draft, alice, lead2, url):
    client = client_for(alice)
    page = client.get(url + "submit/").content.decode()
    figures = valid_data()
    figures[LEAVERS] = {"white": 99, "minority_ethnic": 22, "unknown": 4}
    services.draft_save(record=draft, data=figures, user=lead2, source=ReturnVersion.Source.WEB)
    refused = client.post(url + "submit/", {"version": hidden(page, "version")})
    assert refused.status_code == 200 and "It is now version 2" in refused.content.decode()
    assert Return.objects.get(pk=draft.pk).status == Return.Status.DRAFT


def test_a_return_for_revision_from_an_older_page_is_refused(draft, alice, sponsor_a, analyst, url):
    record = _submitted(draft, alice)
    client = client_for(analyst)
    page = client.get(url + "send-back/").content.decode()
    _moved_on(record, alice, sponsor_a)
    refused = client.post(url + "send-back/", {"message": "Fix it.", "version": hidden(page, "version")})
    assert refused.status_code == 200 and "Fix it." in refused.content.decode()
    assert Return.objects.get(pk=record.pk).current().number == 3


def test_a_sign_off_racing_a_resubmission_signs_only_the_version_shown(draft, alice, sponsor_a, url):
    """The sponsor's page shows version 1; meanwhile it was returned, corrected (version 3) and the
    lead presses "submit" as the sponsor presses "sign off". Whatever lands first, no sign-off ever
    names a version other than the one the sponsor was shown."""
    record = _submitted(draft, alice)
    sponsor, lead = client_for(sponsor_a), client_for(alice)
    sign_page = sponsor.get(url + "sign-off/").content.decode()
    services.return_send_back(record=record, user=sponsor_a, message="Check leavers.")
    figures = valid_data()
    figures[LEAVERS] = {"white": 99, "minority_ethnic": 22, "unknown": 4}
    services.draft_save(record=record, data=figures, user=alice, source=ReturnVersion.Source.WEB)
    submit_page = lead.get(url + "submit/").content.decode()
    signed, submitted = together(
        shortly(lambda: sponsor.post(url + "sign-off/", {**SIGN, "version": hidden(sign_page, "version")})),
        lambda: lead.post(url + "submit/", {"version": hidden(submit_page, "version")}),
    )
    assert submitted.status_code == 302
    assert [e.version.number for e in ReturnEvent.objects.filter(action=ReturnEvent.Action.SIGNED_OFF)] == []
    assert signed.status_code == 200
    assert Return.objects.get(pk=record.pk).status == Return.Status.SUBMITTED


def test_api_state_changes_need_the_etag_and_refuse_a_stale_one(draft, alice, lead2, sponsor_a, analyst):
    from rest_framework.test import APIClient

    base = "/api/v1/authorities/E09000022/returns/2025/"

    def api(user):
        client = APIClient()
        client.force_authenticate(user)
        return client

    lead = api(alice)
    read = lead.get(base)
    assert read["ETag"] == '"1-draft"'
    missing = lead.post(base + "submit/", {}, format="json")
    assert missing.status_code == 428
    figures = valid_data()
    figures[LEAVERS] = {"white": 99, "minority_ethnic": 22, "unknown": 4}
    services.draft_save(record=draft, data=figures, user=lead2, source=ReturnVersion.Source.WEB)
    stale = lead.post(base + "submit/", {}, format="json", HTTP_IF_MATCH=read["ETag"])
    assert stale.status_code == 412
    assert stale.json()["current_etag"] == stale["ETag"] == '"2-draft"'
    assert {c["label"] for c in stale.json()["changes"]} == {"Adult social care: leavers, White"}
    assert Return.objects.get(pk=draft.pk).status == Return.Status.DRAFT
    done = lead.post(base + "submit/", {}, format="json", HTTP_IF_MATCH=stale["ETag"])
    assert done.status_code == 200 and done["ETag"] == '"2-submitted"'
    sponsor = api(sponsor_a)
    sign = {"name": "S", "role": "D", "signed_on": "2020-01-01", "declaration": True}
    assert sponsor.post(base + "sign-off/", sign, format="json").status_code == 428
    assert (
        sponsor.post(base + "sign-off/", sign, format="json", HTTP_IF_MATCH='"1-submitted"').status_code
        == 412
    )
    assert (
        sponsor.post(base + "sign-off/", sign, format="json", HTTP_IF_MATCH='"2-submitted"').status_code
        == 200
    )
    national = api(analyst)
    assert national.post(base + "accept/", {}, format="json").status_code == 428
    assert (
        national.post(base + "accept/", {}, format="json", HTTP_IF_MATCH='"2-submitted"').status_code == 412
    )
    racing = together(
        lambda: national.post(base + "accept/", {}, format="json", HTTP_IF_MATCH='"2-signed_off"'),
        lambda: api(analyst).post(
            base + "send-back/", {"message": "No."}, format="json", HTTP_IF_MATCH='"2-signed_off"'
        ),
    )
    assert sorted(r.status_code for r in racing) == [200, 412]
