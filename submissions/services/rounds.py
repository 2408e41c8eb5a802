from __future__ import annotations

import datetime

from django.db import transaction

from accounts.models import Authority, User
from accounts.permissions import is_national
from submissions.models import (
    ClosingDateExtension,
    CollectionRound,
    Return,
)
from wres_portal.errors import ApplicationError


@transaction.atomic
def round_open(*, opened_by: User, **fields: object) -> CollectionRound:
    """Open a collection round (analysts only). Dates must be in order; the label must be new."""
    if not is_national(opened_by):
        raise ApplicationError("Only Skills for Care analysts can open a collection round.")
    if CollectionRound.objects.filter(label=fields.get("label")).exists():
        raise ApplicationError("A round with this year label already exists.", field="label")
    collection_round = CollectionRound(created_by=opened_by, **fields)
    _check_round_dates(collection_round)
    collection_round.full_clean()
    collection_round.save()
    return collection_round


def _check_round_dates(r: CollectionRound) -> None:
    if r.period_end <= r.period_start:
        raise ApplicationError("The reporting period must end after it starts.", field="period_end")
    if r.closes_on < r.opens_on:
        raise ApplicationError("The closing date must be on or after the opening date.", field="closes_on")


@transaction.atomic
def round_extend(
    *,
    collection_round: CollectionRound,
    authority: Authority,
    closes_on: datetime.date,
    reason: str,
    granted_by: User,
) -> ClosingDateExtension:
    """Extend the closing date for one authority (analysts only); a later extension replaces it.
    Never for an accepted return: it is finished, and a new date would say it was still due."""
    if not is_national(granted_by):
        raise ApplicationError("Only Skills for Care analysts can extend a closing date.")
    if Return.objects.filter(
        round=collection_round, authority=authority, status=Return.Status.ACCEPTED
    ).exists():
        raise ApplicationError(
            f"{authority.name}'s {collection_round.label} return is already accepted, so its closing date "
            "cannot be extended. Return it for revision first if the council needs to change it."
        )
    if closes_on <= collection_round.closes_on:
        raise ApplicationError(
            "The new closing date must be after the round's closing date, "
            f"{collection_round.closes_on:%-d %B %Y}.",
            field="closes_on",
        )
    extension, _ = ClosingDateExtension.objects.update_or_create(
        round=collection_round,
        authority=authority,
        defaults={"closes_on": closes_on, "reason": reason.strip(), "granted_by": granted_by},
    )
    return extension
