"""Every email the portal sends goes through `send_email_on_commit`: one Celery task, enqueued once the
change that causes it is committed, retried with backoff when the mail server fails, and logged.

- A failed send never turns a saved change into an error page: the enqueue runs after commit and is
  robust (a broker outage is logged), and the task catches the mail server's errors itself.
- With a `receipt` (an app label, model name and primary key of a row with a nullable `sent_at`), the
  row is marked sent in the same transaction as a successful send, and a row already marked is not
  sent again. The row is locked while sending, so two copies of the task cannot both send. Reminders
  use it: a reminder whose send failed is not marked sent, and goes out on a retry (or, once the
  retries are spent, on the job's next run).
- Logs name the subject and the number of recipients, never their addresses.
- Without Redis (the demo, the SQLite tests) tasks run in the web process: one attempt, no waiting
  retries, and a failure is logged.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Sequence

from celery import Task, shared_task
from django.apps import apps
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

logger = logging.getLogger(__name__)

#: Attempts after the first, and the wait before the first retry (doubled each time, so about an hour
#: in all before giving up).
MAX_RETRIES = 5
RETRY_BACKOFF_SECONDS = 120

#: A row to mark sent: (app label, model name, primary key).
Receipt = tuple[str, str, int]
#: How long the task may still be retrying an email after it was queued (the backoffs, and a margin).
RETRY_WINDOW = datetime.timedelta(seconds=RETRY_BACKOFF_SECONDS * (2**MAX_RETRIES - 1)) + datetime.timedelta(
    hours=1
)


def may_queue_again(queued_at: datetime.datetime, sent_at: datetime.datetime | None) -> bool:
    """Whether an email with a receipt, queued at `queued_at`, should be queued again: it has not been
    sent and the task has given up on it. A job that runs again sooner does not queue it twice."""
    return sent_at is None and timezone.now() - queued_at > RETRY_WINDOW


def send_email_on_commit(
    *, subject: str, body: str, to: Sequence[str], receipt: Receipt | None = None
) -> None:
    """Send an email once the current transaction commits (at once outside one)."""
    recipients = sorted(set(to))
    if not recipients:
        return
    row: list[str | int] | None = list(receipt) if receipt else None
    transaction.on_commit(
        lambda: send_email.delay(subject=subject, body=body, to=recipients, receipt=row), robust=True
    )


@shared_task(bind=True, acks_late=True, max_retries=MAX_RETRIES)
def send_email(
    self: Task,
    *,
    subject: str,
    body: str,
    to: list[str],
    receipt: list[str | int] | None = None,
) -> bool:
    """Send one email; mark its receipt row sent. True when it went out now."""
    try:
        with transaction.atomic():
            row = None
            if receipt is not None:
                app_label, model_name, pk = receipt
                model = apps.get_model(str(app_label), str(model_name))
                row = model.objects.select_for_update().filter(pk=pk).first()
                if row is None or row.sent_at is not None:
                    logger.info("email %r: already sent or withdrawn, not sent again", subject)
                    return False
            send_mail(subject, body, None, to, fail_silently=False)
            if row is not None:
                row.sent_at = timezone.now()
                row.save(update_fields=["sent_at"])
    except Exception as exc:
        attempt = self.request.retries + 1
        if not self.request.is_eager and self.request.retries < MAX_RETRIES:
            countdown = RETRY_BACKOFF_SECONDS * 2**self.request.retries
            logger.warning(
                "email %r failed (attempt %d), retrying in %d s: %s", subject, attempt, countdown, exc
            )
            raise self.retry(exc=exc, countdown=countdown) from exc
        logger.error("email %r not sent after %d attempt(s)", subject, attempt, exc_info=True)
        return False
    logger.info("email %r sent to %d recipient(s)", subject, len(to))
    return True
