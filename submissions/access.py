"""Fetch rounds and returns for a user: 404 for outsiders, as for every tenant object."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.shortcuts import get_object_or_404

from accounts.access import get_authority_for_user
from accounts.models import Authority, User
from accounts.permissions import role_in

from .models import CollectionRound, Return


@dataclass
class ReturnContext:
    authority: Authority
    round: CollectionRound
    record: Return | None
    role: str | None


def get_round(round_label: str) -> CollectionRound:
    """The collection round called `round_label`; 404 if there is none. Rounds are no tenant's
    data: the caller has checked who may see the page or the authority asked about."""
    return get_object_or_404(CollectionRound, label=round_label)


def get_return_for_user(user: User | AnonymousUser, ons_code: str, round_label: str) -> ReturnContext:
    """The authority, round and (if started) return, if `user` may see the authority; 404 otherwise."""
    authority = get_authority_for_user(user, ons_code)
    collection_round = get_round(round_label)
    # The authority has just been fetched through its scoping method, so filtering by it scopes the
    # return as Return.objects.for_user would, without planning that subquery again; no ordering
    # (at most one return per authority and round) and only the current version joined.
    record = (
        Return.objects.select_related("current_version")
        .filter(authority=authority, round=collection_round)
        .order_by()
        .first()
    )
    if record is not None:
        record.authority, record.round = authority, collection_round
    return ReturnContext(authority, collection_round, record, role_in(user, authority))
