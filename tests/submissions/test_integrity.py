"""Issue 12, returns: explanations belong to their warnings and survive other changes, and a file
for one service never silently removes the other (web and API)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from submissions import services
from submissions.forms import field_name
from submissions.models import Return, ReturnVersion
from submissions.schema import GROUPS, RowKey
from tests.concurrency import hidden
from tests.factories import valid_data
from tests.submissions.test_views import _csv, _file

LEAVERS = RowKey("adults", "leavers")


def warned_data():
    """Valid figures where ethnicity is unknown for more than 10% of staff in both services: two
    warnings, `unknown_share:adults:headcount` and `unknown_share:children:headcount`."""
    data = valid_data()
    for service in ("adults", "children"):
        for key in (RowKey(service, "headcount"), RowKey(service, "headcount_band", "lower")):
            data[key] = {**data[key], "unknown": data[key]["unknown"] + 200}
    return data


@pytest.fixture
def url(authority_a, collection_round) -> str:
    return reverse("submissions:detail", args=[authority_a.ons_code, collection_round.label])


@pytest.fixture
def explained(authority_a, alice, collection_round) -> Return:
    record = services.return_get_or_create(authority=authority_a, collection_round=collection_round)
    services.draft_save(record=record, data=warned_data(), user=alice, source=ReturnVersion.Source.WEB)
    record = Return.objects.get(pk=record.pk)
    keys = [w.key for w in services.version_warnings(record.current())]
    assert keys == ["unknown_share:adults:headcount", "unknown_share:children:headcount"]
    for key in keys:
        services.warning_explain(record=record, key=key, text=f"Why {key}: a new HR system.", user=alice)
    return Return.objects.get(pk=record.pk)


def _entry_post(client, url: str, service: str, data, **extra):
    page = client.get(url + f"enter/{service}/").content.decode()
    form = {field_name(k, g): str(c[g]) for k, c in data.items() if k.service == service for g in GROUPS}
    return client.post(url + f"enter/{service}/", {**form, "version": hidden(page, "version"), **extra})


def _explanations(record: Return) -> dict[str, str]:
    version = Return.objects.get(pk=record.pk).current()
    return {e.warning_key: e.text for e in version.explanations.all()}


def test_an_unrelated_edit_keeps_every_explanation(client, alice, url, explained) -> None:
    before = _explanations(explained)
    client.force_login(alice)
    data = warned_data()
    data[LEAVERS] = {"white": 91, "minority_ethnic": 22, "unknown": 4}
    assert _entry_post(client, url, "adults", data).status_code == 302
    record = Return.objects.get(pk=explained.pk)
    assert record.current().number == 2
    assert _explanations(record) == before
    assert services.submission_blockers(record) == []


def test_uploading_again_keeps_the_explanations(client, alice, url, explained) -> None:
    before = _explanations(explained)
    client.force_login(alice)
    response = client.post(url + "upload/", {"file": _file(_csv(warned_data()), "return.csv")})
    preview = client.get(response["Location"]).content.decode()
    assert client.post(response["Location"], {"version": hidden(preview, "version")}).status_code == 302
    record = Return.objects.get(pk=explained.pk)
    assert record.current().number == 2 and _explanations(record) == before
    assert services.submission_blockers(record) == []


def test_changing_the_figures_a_warning_is_about_offers_the_earlier_text_first(
    client, alice, url, explained
) -> None:
    client.force_login(alice)
    data = warned_data()
    for key in (RowKey("adults", "headcount"), RowKey("adults", "headcount_band", "lower")):
        data[key] = {**data[key], "unknown": data[key]["unknown"] + 50}
    first = _entry_post(client, url, "adults", data)
    assert first.status_code == 200, "nothing is saved before the person has seen the explanation"
    page = first.content.decode()
    assert Return.objects.get(pk=explained.pk).current().number == 1
    assert "Why unknown_share:adults:headcount: a new HR system." in page
    assert "alter figures that 1 of your explanations is about" in page
    form = {field_name(k, g): str(c[g]) for k, c in data.items() if k.service == "adults" for g in GROUPS}
    kept = client.post(
        url + "enter/adults/",
        {
            **form,
            "version": hidden(page, "version"),
            "explanations_checked": "1",
            "explanation__unknown_share:adults:headcount": "A new HR system, still bedding in.",
        },
    )
    assert kept.status_code == 302
    record = Return.objects.get(pk=explained.pk)
    assert _explanations(record) == {
        "unknown_share:adults:headcount": "A new HR system, still bedding in.",
        "unknown_share:children:headcount": "Why unknown_share:children:headcount: a new HR system.",
    }
    assert services.submission_blockers(record) == []


def test_an_api_change_to_the_figures_keeps_the_text_to_be_checked(alice, explained) -> None:
    data = warned_data()
    for key in (RowKey("children", "headcount"), RowKey("children", "headcount_band", "lower")):
        data[key] = {**data[key], "unknown": data[key]["unknown"] + 50}
    services.draft_save(record=explained, data=data, user=alice, source=ReturnVersion.Source.API)
    record = Return.objects.get(pk=explained.pk)
    assert len(_explanations(record)) == 2, "nothing typed is thrown away"
    blockers = services.submission_blockers(record)
    assert len(blockers) == 1 and "Children" in blockers[0] and "still" in blockers[0].lower()


def test_an_adults_only_upload_keeps_the_childrens_figures(client, alice, url, draft) -> None:
    client.force_login(alice)
    adults = valid_data(("adults",))
    adults[LEAVERS] = {"white": 91, "minority_ethnic": 22, "unknown": 4}
    response = client.post(url + "upload/", {"file": _file(_csv(adults), "adults.csv")})
    preview = client.get(response["Location"]).content.decode()
    effect = preview.split("What the file does to each service")[1].split("</ul>")[0]
    assert "It replaces the Adult social care figures" in effect
    assert (
        "It has no Children's social care figures" in effect
        or "It has no Children&#x27;s social care figures" in effect
    )
    assert preview.index("What the file does") < preview.index("<table")
    assert client.post(response["Location"], {"version": hidden(preview, "version")}).status_code == 302
    data = Return.objects.get(pk=draft.pk).current().data()
    assert data[LEAVERS]["white"] == 91
    assert {k: v for k, v in data.items() if k.service == "children"} == valid_data(("children",))


def test_removing_the_other_service_is_an_explicit_choice(client, alice, url, draft) -> None:
    client.force_login(alice)
    response = client.post(url + "upload/", {"file": _file(_csv(valid_data(("adults",))), "adults.csv")})
    preview = client.get(response["Location"]).content.decode()
    assert 'name="remove_children" type="radio" value="" checked' in preview
    post = {"version": hidden(preview, "version"), "remove_children": "1"}
    assert client.post(response["Location"], post).status_code == 302
    data = Return.objects.get(pk=draft.pk).current().data()
    assert {k.service for k in data} == {"adults"}


def test_api_upload_and_figures_keep_a_service_left_out_unless_removal_is_asked(alice, draft) -> None:
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(alice)
    base = "/api/v1/authorities/E09000022/returns/2025/"
    adults = valid_data(("adults",))
    adults[LEAVERS] = {"white": 91, "minority_ethnic": 22, "unknown": 4}
    result = client.post(base + "upload/", {"file": _file(_csv(adults), "adults.csv")}, format="multipart")
    assert result.status_code == 201, result.content
    assert result.json()["services"] == {
        "replaced": ["adults"],
        "added": [],
        "kept": ["children"],
        "removed": [],
    }
    data = Return.objects.get(pk=draft.pk).current().data()
    assert data[LEAVERS]["white"] == 91 and {k.service for k in data} == {"adults", "children"}
    rows = [
        {"service": k.service, "measure": k.measure, "pay_band": k.pay_band, **c} for k, c in adults.items()
    ]
    assert client.post(base + "data/", {"rows": rows}, format="json").status_code == 201
    assert {k.service for k in Return.objects.get(pk=draft.pk).current().data()} == {
        "adults",
        "children",
    }
    removed = client.post(base + "data/", {"rows": rows, "remove_services": ["children"]}, format="json")
    assert removed.status_code == 201
    assert {k.service for k in Return.objects.get(pk=draft.pk).current().data()} == {"adults"}


def _box(page: str, name: str) -> str:
    """The value a browser would post from the page's box `name`."""
    tag = re.search(rf'<input[^>]*name="{name}"[^>]*>', page)
    assert tag, name
    value = re.search(r'value="([^"]*)"', tag.group(0))
    return value.group(1) if value else ""


def test_saving_again_after_a_refusal_keeps_the_other_persons_change(client, alice, url, draft) -> None:
    """Seen as two leads in separate browsers: B's page, opened before A's save, kept B's old value
    in a box B never touched, so B's "save again" quietly undid A's change. The refused page now
    holds A's figure where B typed nothing, and B's where B did."""
    from accounts.models import Role
    from tests.factories import member

    other = member(draft.authority, Role.PROGRAMME_LEAD, "lead-b@lambeth.example")
    disciplinary, leavers = RowKey("adults", "disciplinary"), RowKey("adults", "leavers")
    client.force_login(other)
    page = client.get(url + "enter/adults/").content.decode()
    opened_version = hidden(page, "version")
    data = Return.objects.get(pk=draft.pk).current().data()

    a_data = {k: dict(v) for k, v in data.items()}
    a_data[disciplinary]["white"] += 1
    client.force_login(alice)
    assert _entry_post(client, url, "adults", a_data).status_code == 302

    b_data = {k: dict(v) for k, v in data.items()}
    b_data[leavers]["white"] += 2
    form = {field_name(k, g): str(c[g]) for k, c in b_data.items() if k.service == "adults" for g in GROUPS}
    client.force_login(other)
    refused = client.post(url + "enter/adults/", {**form, "version": opened_version})
    assert refused.status_code == 200
    html = refused.content.decode()
    assert "changed after you opened this page" in html
    again = {name: _box(html, name) for name in form}
    assert again[field_name(disciplinary, "white")] == str(a_data[disciplinary]["white"])  # A's, merged
    assert again[field_name(leavers, "white")] == str(b_data[leavers]["white"])  # B's, kept
    assert (
        client.post(url + "enter/adults/", {**again, "version": hidden(html, "version")}).status_code == 302
    )
    saved = Return.objects.get(pk=draft.pk).current().data()
    assert saved[disciplinary]["white"] == a_data[disciplinary]["white"]
    assert saved[leavers]["white"] == b_data[leavers]["white"]


# Explanations are part of the return's state (issue 12: "a return's ETag ignores explanation
# changes"). Both tests fail on the code before: the ETag stayed "1-draft" and the second lead's
# explanation replaced the first's unseen.


def test_explaining_a_warning_changes_the_etag_and_refuses_a_submit_built_on_the_old_one(
    alice, authority_a, explained
) -> None:
    from tests.factories import member
    from tests.submissions.test_apis import _client

    other_lead = member(authority_a, "programme_lead", "dana@lambeth.example")
    base = f"/api/v1/authorities/{explained.authority.ons_code}/returns/{explained.round.label}/"
    lead = _client(alice)
    read = lead.get(base)
    key = "unknown_share:adults:headcount"
    changed = _client(other_lead).post(
        base + "warnings/", {"key": key, "text": "A restructure moved staff."}, format="json"
    )
    assert changed.status_code == 200
    assert changed["ETag"] != read["ETag"], "an explanation changes the return's state"
    stale = lead.post(base + "submit/", {}, format="json", HTTP_IF_MATCH=read["ETag"])
    assert stale.status_code == 412
    assert "explanations" in str(stale.json()).lower()
    assert Return.objects.get(pk=explained.pk).status == Return.Status.DRAFT
    fresh = lead.post(base + "submit/", {}, format="json", HTTP_IF_MATCH=changed["ETag"])
    assert fresh.status_code == 200, fresh.content
    assert Return.objects.get(pk=explained.pk).status == Return.Status.SUBMITTED


def test_two_leads_explaining_the_same_warning_the_second_sees_the_first_before_saving(
    client, alice, authority_a, url, explained
) -> None:
    from django.test import Client

    from tests.factories import member

    other = Client()
    other.force_login(member(authority_a, "programme_lead", "dana@lambeth.example"))
    client.force_login(alice)
    key = "unknown_share:adults:headcount"
    page_url = url + f"warnings/{key}/"
    mine = client.get(page_url).content.decode()
    theirs = other.get(page_url).content.decode()
    assert (
        other.post(
            page_url,
            {
                "version": hidden(theirs, "version"),
                "explained": hidden(theirs, "explained"),
                "text": "Theirs.",
            },
        ).status_code
        == 302
    )
    refused = client.post(
        page_url,
        {"version": hidden(mine, "version"), "explained": hidden(mine, "explained"), "text": "Mine."},
    )
    page = refused.content.decode()
    assert refused.status_code == 200
    assert "changed after you opened this page" in page
    assert "Theirs." in page and "Mine." in page, "their text shown, mine kept in the box"
    assert _explanations(explained)[key] == "Theirs."
    again = client.post(
        page_url,
        {"version": hidden(page, "version"), "explained": hidden(page, "explained"), "text": "Mine."},
    )
    assert again.status_code == 302
    assert _explanations(explained)[key] == "Mine."
