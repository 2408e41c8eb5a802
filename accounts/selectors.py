"""Reads of accounts data shared by views and APIs: scoped to the user, no writes."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser

from .models import Authority, AuthorityQuerySet, Membership, MembershipQuerySet, User


def memberships_of(user: User) -> MembershipQuerySet:
    """The user's own memberships with their authorities, in the default order (by authority)."""
    return Membership.objects.filter(user=user).select_related("authority")


def team_of(authority: Authority) -> MembershipQuerySet:
    """The members of an authority the caller has already been allowed to see, with their users."""
    return Membership.objects.filter(authority=authority).select_related("user")


def authorities_search(
    user: User | AnonymousUser, *, q: str = "", region: str = "", authority_type: str = ""
) -> AuthorityQuerySet:
    """The authorities `user` may see, matching a name (part) or an ONS code (whole), a region and a
    type; an empty criterion matches everything."""
    authorities = Authority.objects.for_user(user)
    if q := q.strip():
        authorities = authorities.filter(name__icontains=q) | authorities.filter(ons_code__iexact=q)
    if region:
        authorities = authorities.filter(region=region)
    if authority_type:
        authorities = authorities.filter(authority_type=authority_type)
    return authorities
