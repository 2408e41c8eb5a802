"""Email goes through one Celery task (wres_portal/emails.py): a mail server failure never turns a
saved change into an error page, and a send is retried."""

from __future__ import annotations

import logging

import pytest
from celery.exceptions import Retry
from django.core import mail
from django.urls import reverse

from accounts.models import Invitation, Role
from tests.emailbackends import FlakyBackend
from wres_portal import emails


@pytest.fixture
def broken_mail(settings):
    settings.EMAIL_BACKEND = "tests.emailbackends.BrokenBackend"


@pytest.fixture
def flaky_mail(settings):
    settings.EMAIL_BACKEND = "tests.emailbackends.FlakyBackend"
    FlakyBackend.failures = 1
    yield
    FlakyBackend.failures = 0


def test_an_invitation_is_saved_and_the_page_answers_when_the_mail_server_is_down(
    client, authority_a, alice, broken_mail, django_capture_on_commit_callbacks, caplog
):
    client.force_login(alice)
    with (
        caplog.at_level(logging.WARNING, logger="wres_portal.emails"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = client.post(
            reverse("accounts:team_invite", args=[authority_a.ons_code]),
            {"email": "nia@lambeth.example", "role": Role.VIEWER},
        )
    assert response.status_code == 302
    assert Invitation.objects.filter(email="nia@lambeth.example").exists()
    assert mail.outbox == []
    assert "not sent after 1 attempt" in caplog.text
    assert "nia@lambeth.example" not in caplog.text  # addresses stay out of the logs


def test_a_failed_send_is_retried_by_the_task(db, flaky_mail) -> None:
    kwargs = {"subject": "Hello", "body": "Body", "to": ["a@example.org"], "receipt": None}
    # As on a worker: the first attempt fails and hands Celery a retry (which the test settings, with
    # no broker, run at once) before raising Retry to end this attempt. celery-types gives
    # push_request the task's own parameters; Celery takes the request's fields (celery.app.task.Context).
    emails.send_email.push_request(  # type: ignore[call-arg]
        id="first-attempt", retries=0, is_eager=False, called_directly=False, args=(), kwargs=kwargs
    )
    try:
        with pytest.raises(Retry) as retry:
            emails.send_email.run(subject="Hello", body="Body", to=["a@example.org"], receipt=None)
    finally:
        emails.send_email.pop_request()
    assert retry.value.when == emails.RETRY_BACKOFF_SECONDS
    assert [m.subject for m in mail.outbox] == ["Hello"]  # sent by the retry


def test_the_task_gives_up_after_its_retries_and_logs(db, broken_mail, caplog) -> None:
    emails.send_email.push_request(  # type: ignore[call-arg]  # as above
        id="last-attempt", retries=emails.MAX_RETRIES, is_eager=False, called_directly=False
    )
    try:
        assert emails.send_email.run(subject="Hello", body="Body", to=["a@example.org"]) is False
    finally:
        emails.send_email.pop_request()
    assert f"not sent after {emails.MAX_RETRIES + 1} attempt(s)" in caplog.text


def test_nothing_is_enqueued_without_recipients(django_capture_on_commit_callbacks) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        emails.send_email_on_commit(subject="Hello", body="Body", to=[])
    assert callbacks == []
