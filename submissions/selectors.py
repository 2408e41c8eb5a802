"""Reads of rounds and returns shared by views, APIs and the pages above this app; no writes."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser

from accounts.models import Authority, User

from .models import CollectionRound, Return


def current_round() -> CollectionRound | None:
    """The collection round open now (or the latest that opened), or None."""
    return CollectionRound.objects.current()


def return_of(authority: Authority, collection_round: CollectionRound | None) -> Return | None:
    """An authority's return in a round, if started. The caller has already scoped `authority` to
    the user (accounts.access.get_authority_for_user)."""
    if collection_round is None:
        return None
    return Return.objects.filter(authority=authority, round=collection_round).order_by().first()


def statuses_in_round(collection_round: CollectionRound | None) -> dict[int, str]:
    """Each started return's status in a round, by authority id (national pages only)."""
    if collection_round is None:
        return {}
    return dict(Return.objects.filter(round=collection_round).values_list("authority_id", "status"))


def rounds_with_returns(
    user: User | AnonymousUser, authority: Authority
) -> list[tuple[CollectionRound, Return | None]]:
    """Every round, each with the authority's return in it (None before one is started)."""
    returns = {r.round_id: r for r in Return.objects.for_user(user).filter(authority=authority)}
    return [(r, returns.get(r.pk)) for r in CollectionRound.objects.all()]
