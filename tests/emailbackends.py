"""Email backends for tests: a mail server that is down, and one that fails a set number of times."""

from __future__ import annotations

import smtplib
from collections.abc import Sequence

from django.core import mail
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.core.mail.message import EmailMessage


class BrokenBackend(LocmemBackend):
    """The mail server refuses every connection."""

    def send_messages(self, messages: Sequence[EmailMessage]) -> int:
        raise smtplib.SMTPConnectError(421, "Service not available")


class FlakyBackend(LocmemBackend):
    """Fails the first `FlakyBackend.failures` sends, then delivers to mail.outbox."""

    failures = 0

    def send_messages(self, messages: Sequence[EmailMessage]) -> int:
        if FlakyBackend.failures > 0:
            FlakyBackend.failures -= 1
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        return super().send_messages(messages)


__all__ = ["BrokenBackend", "FlakyBackend", "mail"]
