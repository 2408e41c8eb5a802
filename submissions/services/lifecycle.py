from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from accounts import permissions
from accounts.models import User
from accounts.permissions import PROGRAMME_LEADS, SENIOR_SPONSORS, may_sign_off, require
from submissions.models import (
    ChangeFeedEntry,
    Return,
    ReturnEvent,
    ReturnVersion,
)
from submissions.signals import return_submitted, returns_accepted, send_on_commit
from wres_portal.errors import ApplicationError, StateConflict

from . import integrity
from .common import _lock, require_changeable
from .drafts import _write_version
from .feed import feed_record
from .notifications import _notify_analysts, _notify_council
from .warnings import is_late, submission_blockers


def return_preparers(record: Return) -> set[int]:
    """Everyone who saved a version of the return or submitted it (separation of duties: none of
    them may sign it off)."""
    # A version made by returning the return for revision copies the figures: its maker prepared nothing.
    authors = (
        ReturnVersion.objects.filter(return_record=record)
        .exclude(source=ReturnVersion.Source.REVISION)
        .values_list("created_by_id", flat=True)
    )
    submitters = ReturnEvent.objects.filter(
        return_record=record, action=ReturnEvent.Action.SUBMITTED
    ).values_list("actor_id", flat=True)
    return set(authors) | set(submitters)


@transaction.atomic
def return_submit(
    *,
    record: Return,
    user: User,
    late_reason: str = "",
    expected_version: int | None = None,
    expected_status: str | None = None,
    expected_explanations: str | None = None,
) -> Return:
    """Submit the current draft version (programme lead). A late return needs a reason.
    `expected_version`: the version the lead was shown; if the draft has moved on, refused."""
    record = _lock(record)
    require(user, record.authority, PROGRAMME_LEADS, "submit the return")
    integrity.check_version(
        record,
        expected_version,
        expected_status=expected_status,
        expected_explanations=expected_explanations,
        refused="You have not submitted it. Check the figures as they are now, then submit again.",
    )
    if record.status != Return.Status.DRAFT:
        raise StateConflict(f"This return is already {record.get_status_display().lower()}.")
    require_changeable(record)
    blockers = submission_blockers(record)
    if blockers:
        raise StateConflict(blockers[0])
    late = is_late(record)
    if late and not late_reason.strip():
        raise ApplicationError(
            "The closing date has passed. Explain why the return is late.", field="late_reason"
        )
    now = timezone.now()
    record.status = Return.Status.SUBMITTED
    record.submitted_at = now
    record.is_late = late
    record.late_reason = late_reason.strip() if late else ""
    record.save(update_fields=["status", "submitted_at", "is_late", "late_reason", "updated_at"])
    ReturnEvent.objects.create(
        authority=record.authority,
        return_record=record,
        version=record.current(),
        action=ReturnEvent.Action.SUBMITTED,
        actor=user,
        at=now,
        message=record.late_reason,
        late=late,
    )
    _notify_council(record, SENIOR_SPONSORS, "submitted", user)
    _after_submit(record)
    return record


def _after_submit(record: Return) -> None:
    """After commit, tell the apps above (the metrics engine computes the version's results). If the
    broker is down the submission still stands (logged): the periodic sweep computes them later."""
    send_on_commit(return_submitted, version_id=record.current_version_id)


@transaction.atomic
def return_sign_off(
    *,
    record: Return,
    user: User,
    name: str,
    role: str,
    signed_on: datetime.date,
    declaration: bool,
    expected_version: int | None = None,
    expected_status: str | None = None,
    expected_explanations: str | None = None,
) -> Return:
    """The senior sponsor signs off a submitted return, declaring the figures accurate.
    `expected_version`: the version the sponsor was shown; the sign-off names it, or is refused."""
    record = _lock(record)
    require(user, record.authority, SENIOR_SPONSORS, "sign off the return")
    integrity.check_version(
        record,
        expected_version,
        expected_status=expected_status,
        expected_explanations=expected_explanations,
        refused="You have not signed it off. Check the figures of this version, then sign off again.",
    )
    if record.status != Return.Status.SUBMITTED:
        raise StateConflict("Only a submitted return can be signed off.")
    if not may_sign_off(user, return_preparers(record)):
        raise ApplicationError(
            "You saved or submitted figures in this return, so you cannot also sign it off. Another "
            f"senior sponsor of {record.authority.name} must sign it off."
        )
    if not declaration:
        raise ApplicationError("Confirm that the figures are accurate to sign off.", field="declaration")
    if not name.strip() or not role.strip():
        raise ApplicationError(
            "Enter your name and role as they should appear on the sign-off.", field="name"
        )
    if signed_on > timezone.localdate():
        raise ApplicationError("The sign-off date cannot be in the future.", field="signed_on")
    record.status = Return.Status.SIGNED_OFF
    record.save(update_fields=["status", "updated_at"])
    ReturnEvent.objects.create(
        authority=record.authority,
        return_record=record,
        version=record.current(),
        action=ReturnEvent.Action.SIGNED_OFF,
        actor=user,
        signatory_name=name.strip(),
        signatory_role=role.strip(),
        signed_on=signed_on,
    )
    _notify_analysts(record, "signed_off", user)
    return record


@transaction.atomic
def return_accept(
    *,
    record: Return,
    user: User,
    expected_version: int | None = None,
    expected_status: str | None = None,
    expected_explanations: str | None = None,
) -> Return:
    """An analyst accepts a signed-off return into the national figures.
    `expected_version`: the version the analyst was shown; the acceptance names it, or is refused."""
    record = _lock(record)
    if not permissions.can_accept_return(user):
        raise ApplicationError("Only Skills for Care analysts can accept a return.")
    integrity.check_version(
        record,
        expected_version,
        expected_status=expected_status,
        expected_explanations=expected_explanations,
        refused="You have not accepted it. Check this version, then accept again.",
    )
    if record.status != Return.Status.SIGNED_OFF:
        raise StateConflict("Only a signed-off return can be accepted.")
    record.status = Return.Status.ACCEPTED
    record.save(update_fields=["status", "updated_at"])
    ReturnEvent.objects.create(
        authority=record.authority,
        return_record=record,
        version=record.current(),
        action=ReturnEvent.Action.ACCEPTED,
        actor=user,
    )
    feed_record(
        kind=ChangeFeedEntry.Kind.ACCEPTED,
        collection_round=record.round,
        authority=record.authority,
        version=record.current(),
    )
    _notify_council(record, permissions.TOLD_OF_ACCEPTANCE, "accepted", user)
    _after_accept(record)
    return record


def _after_accept(record: Return) -> None:
    """After commit, tell the apps above that the round's accepted returns changed: this return
    joined them (accepted) or left them (returned for revision); the metrics engine recomputes the
    national benchmarks."""
    send_on_commit(returns_accepted, round_id=record.round_id)


@transaction.atomic
def return_send_back(
    *,
    record: Return,
    user: User,
    message: str,
    expected_version: int | None = None,
    expected_status: str | None = None,
    expected_explanations: str | None = None,
) -> Return:
    """Return for revision with a message: the sponsor while submitted, an analyst at any later
    stage. The figures (and their explanations) are copied into a new draft version; earlier
    versions stay as they were. `expected_version`: the version shown; refused if it moved on."""
    record = _lock(record)
    integrity.check_version(
        record,
        expected_version,
        expected_status=expected_status,
        expected_explanations=expected_explanations,
        refused="You have not returned it. Check this version, then return it again if it still needs "
        "to change.",
    )
    if record.status == Return.Status.DRAFT:
        raise StateConflict("This return is already a draft.")
    submitted = record.status == Return.Status.SUBMITTED
    if not permissions.can_send_back_return(user, record.authority, submitted=submitted):
        raise StateConflict("You cannot return this return for revision at this stage.")
    if not message.strip():
        raise ApplicationError("Say what needs to change.", field="message")
    was_accepted = record.status == Return.Status.ACCEPTED
    from_status = record.status
    previous = record.current()
    version = _write_version(
        record, previous.data(), source=ReturnVersion.Source.REVISION, user=user, note=message.strip()
    )
    record.status = Return.Status.DRAFT
    record.save(update_fields=["status", "updated_at"])
    ReturnEvent.objects.create(
        authority=record.authority,
        return_record=record,
        version=version,
        action=ReturnEvent.Action.RETURNED,
        actor=user,
        message=message.strip(),
    )
    feed_record(
        kind=ChangeFeedEntry.Kind.SENT_BACK,
        collection_round=record.round,
        authority=record.authority,
        version=previous,
        from_status=from_status,
    )
    _notify_council(record, PROGRAMME_LEADS, "returned", user, message=message.strip())
    if was_accepted:
        _after_accept(record)  # it leaves the accepted returns: benchmarks without it
    return record
