"""The return as each person meets it (issue 15 items 2, 3 and 15): a task list, check your answers
before submitting and before sign-off, confirmation panels, and the reason a return was sent back."""

from __future__ import annotations

import html

import pytest
from django.test import Client
from django.urls import reverse

from submissions import services
from submissions.models import Return, ReturnVersion
from tests.builders import advance
from tests.submissions.test_integrity import warned_data

EXPLANATION = "A new HR system has not asked staff yet."


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _url(name: str, record: Return) -> str:
    return reverse(f"submissions:{name}", args=[record.authority.ons_code, record.round.label])


@pytest.fixture
def explained(authority_a, alice, collection_round) -> Return:
    """A draft with two warnings, both explained."""
    record = services.return_get_or_create(authority=authority_a, collection_round=collection_round)
    services.draft_save(record=record, data=warned_data(), user=alice, source=ReturnVersion.Source.WEB)
    record = Return.objects.get(pk=record.pk)
    for warning in services.version_warnings(record.current()):
        services.warning_explain(record=record, key=warning.key, text=EXPLANATION, user=alice)
    return Return.objects.get(pk=record.pk)


def _submitted(record: Return, lead) -> Return:
    """Submitted by the lead with the explanations as written (builders.submit would rewrite them)."""
    services.return_submit(record=record, user=lead)
    return Return.objects.get(pk=record.pk)


def _check_your_answers(page: str) -> None:
    """The figures, the warnings with their explanations and the headline results, as summary lists."""
    assert "Check your answers" in page
    assert "govuk-summary-list" in page
    assert "Adult social care" in page and "Headcount" in page
    assert "ethnicity is unknown for" in page
    assert EXPLANATION in page
    assert "Headline results" in page
    assert "times as likely as white staff" in page


def test_submit_page_checks_the_answers_before_submitting(explained, alice) -> None:
    page = _client(alice).get(_url("submit", explained)).content.decode()
    _check_your_answers(page)
    assert page.index("Headline results") < page.index("Submit the return</button>")


def test_sponsor_reads_warnings_explanations_and_results_before_signing_off(
    explained, alice, sponsor_a
) -> None:
    record = _submitted(explained, alice)
    page = _client(sponsor_a).get(_url("sign_off", record)).content.decode()
    _check_your_answers(page)
    form = page.index('name="version"')
    # Read before the declaration; the raw count tables are not what the sponsor signs above.
    assert page.index(EXPLANATION) < form
    assert page.index("Headline results") < form
    assert "app-table--figures" not in page[:form]
    # Still bound to the version shown.
    assert f'name="version" value="{record.version_number}"' in page


def test_submitting_ends_on_a_confirmation_panel(explained, alice) -> None:
    client = _client(alice)
    response = client.post(_url("submit", explained), {"version": explained.version_number}, follow=True)
    page = response.content.decode()
    assert "govuk-panel--confirmation" in page
    assert "Return submitted" in page
    assert Return.objects.get(pk=explained.pk).status == Return.Status.SUBMITTED


def test_signing_off_and_accepting_end_on_confirmation_panels(explained, alice, sponsor_a, analyst) -> None:
    record = _submitted(explained, alice)
    response = _client(sponsor_a).post(
        _url("sign_off", record),
        {
            "version": record.version_number,
            "name": "Sam Sponsor",
            "role": "Director",
            "declaration": "on",
            **_today(),
        },
        follow=True,
    )
    assert "govuk-panel--confirmation" in response.content.decode(), response.content.decode()[:3000]
    assert "Return signed off" in response.content.decode()
    record = Return.objects.get(pk=record.pk)
    response = _client(analyst).post(_url("accept", record), {"version": record.version_number}, follow=True)
    assert "Return accepted" in response.content.decode()


def _today() -> dict[str, str]:
    from django.utils import timezone

    today = timezone.localdate()
    # Both the single date field and GOV.UK day/month/year fields, whichever the form has.
    return {
        "signed_on": today.isoformat(),
        "signed_on-day": str(today.day),
        "signed_on-month": str(today.month),
        "signed_on-year": str(today.year),
    }


def test_the_confirmation_page_is_only_for_a_step_that_happened(explained, alice) -> None:
    response = _client(alice).get(_url("done", explained) + "?step=accepted")
    assert response.status_code == 302


def test_after_acceptance_the_submit_page_shows_no_submit_button(explained, alice) -> None:
    record = advance(_submitted(explained, alice), Return.Status.ACCEPTED, lead=alice)
    page = _client(alice).get(_url("submit", record), follow=True).content.decode()
    main = page.split('id="main-content"', 1)[-1].split("<footer", 1)[0]
    assert "<button" not in main and "Submit the return" not in main
    assert "accepted" in page.lower()


def test_the_reason_for_sending_back_is_on_the_return_page_and_home_page(explained, alice, sponsor_a) -> None:
    record = _submitted(explained, alice)
    services.return_send_back(record=record, user=sponsor_a, message="The leavers look too low for adults.")
    client = _client(alice)
    page = client.get(_url("detail", record)).content.decode()
    assert "The leavers look too low for adults." in page
    assert "Returned for revision" in page or "sent back" in page
    home = client.get(reverse("portal:council_home", args=[record.authority.ons_code])).content.decode()
    assert "The leavers look too low for adults." in home


def test_the_return_page_is_a_task_list(explained, alice) -> None:
    page = _client(alice).get(_url("detail", explained)).content.decode()
    assert "govuk-task-list" in page
    for task in (
        "Get the template",
        "Enter or upload the figures",
        "Explain the warnings",
        "Check and submit",
        "Senior sponsor&#x27;s sign-off",
        "Acceptance by Skills for Care",
    ):
        assert task in page


def test_the_upload_check_page_previews_warnings_with_save_near_the_top(authority_a, alice, collection_round):
    """Issue 15 item 9: no green "no errors" panel over warnings, warnings previewed before saving
    (the same warnings the saved draft then has), and the Save button before the long tables."""
    from tests.submissions.test_views import _csv, _upload

    client = _client(alice)
    url = reverse("submissions:detail", args=[authority_a.ons_code, collection_round.label])
    response = _upload(client, url, _csv(warned_data()))
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "govuk-panel--confirmation" not in page
    assert "2 warnings" in page
    save = page.index("Save as my draft</button>")
    assert save < page.index("<table")
    response = client.post(response["Location"], {"version": 0})
    assert response.status_code == 302
    record = Return.objects.get(authority=authority_a, round=collection_round)
    saved = services.version_warnings(record.current())
    assert len(saved) == 2
    for warning in saved:
        assert warning.message in html.unescape(page[:save])


def test_an_upload_without_warnings_says_so_plainly(authority_a, alice, collection_round):
    from tests.factories import valid_data
    from tests.submissions.test_views import _csv, _upload

    client = _client(alice)
    url = reverse("submissions:detail", args=[authority_a.ons_code, collection_round.label])
    response = _upload(client, url, _csv(valid_data()))
    page = client.get(response["Location"]).content.decode()
    assert "no errors and no warnings" in page
    assert "govuk-panel--confirmation" not in page
