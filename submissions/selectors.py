"""Reads of rounds and returns shared by views, APIs and the pages above this app; no writes."""

from __future__ import annotations

import base64
import binascii
import datetime

from django.contrib.auth.models import AnonymousUser

from accounts.models import Authority, User

from .models import ChangeFeedEntry, CollectionRound, Return


def current_round() -> CollectionRound | None:
    """The collection round open now (or the latest that opened), or None."""
    return CollectionRound.objects.current()


def open_round(day: datetime.date) -> CollectionRound | None:
    """The round open on `day` (opened on or before it, closing on or after it); of two that
    overlap, the one opened last."""
    return CollectionRound.objects.open_on(day).order_by("-opens_on").first()


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


# The change feed -----------------------------------------------------------------------------------


def feed_cursor(entry: ChangeFeedEntry) -> str:
    """An opaque cursor naming the place just after `entry` in the feed."""
    return base64.urlsafe_b64encode(f"feed:{entry.pk}".encode()).decode().rstrip("=")


def parse_feed_cursor(cursor: str) -> int | None:
    """The entry id a cursor names, or None when it is not one this feed gave."""
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    prefix, _, pk = text.partition(":")
    return int(pk) if prefix == "feed" and pk.isdigit() and len(pk) < 19 else None


def feed_since(after: int | None, *, limit: int) -> list[ChangeFeedEntry]:
    """Up to `limit` feed entries after entry `after` (from the start when None), in the order their
    changes were committed (ChangeFeedEntry explains why id order is commit order)."""
    entries = ChangeFeedEntry.objects.select_related("round", "authority", "version")
    if after is not None:
        entries = entries.filter(pk__gt=after)
    return list(entries.order_by("pk")[:limit])
