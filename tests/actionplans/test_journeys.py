"""The action plan as each person meets it (issue 15 item 3): a task list, a "send for sign-off" step
that emails the senior sponsor, and "waiting for you" on the council's home page."""

from __future__ import annotations

import datetime

import time_machine
from django.test import Client
from django.urls import reverse

from actionplans import services
from actionplans.models import ActionPlan, Quarter, QuarterlyReport
from submissions import services as return_services
from tests.actionplans.conftest import PLAN_YEAR
from tests.builders import sign_plan


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _url(name: str, plan: ActionPlan, *args) -> str:
    return reverse(f"actionplans:{name}", args=[plan.authority.ons_code, plan.year, *args])


def _home(user, authority) -> str:
    return _client(user).get(reverse("portal:council_home", args=[authority.ons_code])).content.decode()


def test_lead_sends_the_plan_for_sign_off_and_the_sponsor_is_emailed(
    written_plan, alice, sponsor_a, django_capture_on_commit_callbacks, mailoutbox
) -> None:
    client = _client(alice)
    assert "Send for sign-off" in client.get(_url("detail", written_plan)).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_url("send_for_sign_off", written_plan), follow=True)
    assert "govuk-panel--confirmation" in response.content.decode()
    written_plan.refresh_from_db()
    assert written_plan.sent_for_sign_off_at is not None
    assert mailoutbox[-1].to == ["sponsor@lambeth.example"]
    assert "ready for your sign-off" in mailoutbox[-1].subject
    assert _url("sign_off", written_plan) in mailoutbox[-1].body
    # The sponsor's home page says so; once signed off, it no longer does.
    assert "Sign off the 2026 to 2027 action plan" in _home(sponsor_a, written_plan.authority)
    sign_plan(written_plan, sponsor_a)
    written_plan.refresh_from_db()
    assert written_plan.sent_for_sign_off_at is None
    assert "Sign off the 2026 to 2027 action plan" not in _home(sponsor_a, written_plan.authority)


def test_a_plan_that_cannot_be_signed_off_is_not_sent(plan, alice, mailoutbox) -> None:
    response = _client(alice).post(_url("send_for_sign_off", plan))
    assert "Add at least one objective" in response.content.decode()
    plan.refresh_from_db()
    assert plan.sent_for_sign_off_at is None
    assert mailoutbox == []


def test_only_the_programme_lead_sends_the_plan(written_plan, sponsor_a, bob) -> None:
    assert _client(bob).post(_url("send_for_sign_off", written_plan)).status_code == 403


def test_the_plan_page_is_a_task_list(written_plan, alice) -> None:
    page = _client(alice).get(_url("detail", written_plan)).content.decode()
    assert "govuk-task-list" in page
    for task in ("Plan details", "Objectives and actions", "Send for sign-off", "Quarterly reports"):
        assert task in page


def test_sponsor_sees_the_return_and_the_quarterly_report_waiting(
    signed_plan, alice, voice_a, sponsor_a, collection_round
) -> None:
    from tests.builders import draft_return

    record = draft_return(signed_plan.authority, collection_round, lead=alice)
    for warning in return_services.version_warnings(record.current()):
        return_services.warning_explain(record=record, key=warning.key, text="Checked.", user=alice)
    return_services.return_submit(record=record, user=alice)
    quarter = Quarter(PLAN_YEAR, 1)
    for action in signed_plan.actions.all():
        services.update_save(
            plan=signed_plan, quarter=quarter, action=action, user=alice, rag="green", narrative="Done."
        )
    report = QuarterlyReport.objects.get(plan=signed_plan)
    services.report_submit(report=report, user=alice)
    page = _home(sponsor_a, signed_plan.authority)
    assert "Waiting for you" in page
    assert f"Sign off the {collection_round.label} return" in page
    assert "Sign off the progress report for" in page
    assert _url("report_sign_off", signed_plan, quarter.slug) in page


def test_lead_sees_warnings_to_explain_and_reports_due(signed_plan, alice, collection_round) -> None:
    from tests.builders import draft_return
    from tests.submissions.test_integrity import warned_data

    draft_return(signed_plan.authority, collection_round, lead=alice, data=warned_data())
    # A plan written at the start of its year: its first quarter's report is due as the quarter ends
    # (seen on the quarter's last day, a week within the reminder email's window).
    start = datetime.datetime(PLAN_YEAR, 4, 1, tzinfo=datetime.UTC)
    ActionPlan.objects.filter(pk=signed_plan.pk).update(created_at=start)
    page = _home(alice, signed_plan.authority)
    assert "Explain 2 warnings" in page
    with time_machine.travel(Quarter(PLAN_YEAR, 1).ends_on, tick=False):
        page = _home(alice, signed_plan.authority)
    assert "progress report is due" in page
    assert "Waiting for you" in page


def test_nothing_waiting_says_so(authority_a, sponsor_a) -> None:
    page = _home(sponsor_a, authority_a)
    assert "Waiting for you" in page
    assert "Nothing is waiting for you" in page


def test_signing_off_the_plan_ends_on_a_confirmation_panel(written_plan, sponsor_a) -> None:
    from django.utils import timezone

    from tests.concurrency import hidden

    client = _client(sponsor_a)
    page = client.get(_url("sign_off", written_plan)).content.decode()
    sign_off = {
        "name": "Sam",
        "role": "DASS",
        "signed_on": timezone.localdate().isoformat(),
        "declaration": "on",
    }
    response = client.post(
        _url("sign_off", written_plan), {**sign_off, "seen": hidden(page, "seen")}, follow=True
    )
    page = response.content.decode()
    assert "govuk-panel--confirmation" in page
    assert "Action plan signed off" in page and "Version 1" in page
    # The panel is only for the version that is signed off as the plan stands.
    assert client.get(_url("signed_off", written_plan, 2)).status_code == 302


def test_submitting_a_progress_report_ends_on_a_confirmation_panel(signed_plan, alice) -> None:
    quarter = Quarter(PLAN_YEAR, 1)
    for action in signed_plan.actions.all():
        services.update_save(
            plan=signed_plan, quarter=quarter, action=action, user=alice, rag="green", narrative="Done."
        )
    done = _url("report_done", signed_plan, quarter.slug)
    assert _client(alice).get(done + "?step=submitted").status_code == 302  # not submitted yet
    services.report_submit(report=QuarterlyReport.objects.get(plan=signed_plan), user=alice)
    page = _client(alice).get(done + "?step=submitted").content.decode()
    assert "govuk-panel--confirmation" in page and "Progress report submitted" in page
