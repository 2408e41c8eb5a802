"""Reads of accounts data shared by views and APIs: scoped to the user, no writes."""

from __future__ import annotations

from uuid import UUID

from django.contrib.auth.models import AnonymousUser

from .models import (
    ApiToken,
    Authority,
    AuthorityQuerySet,
    Invitation,
    InvitationQuerySet,
    Membership,
    MembershipQuerySet,
    User,
)


def memberships_of(user: User) -> MembershipQuerySet:
    """The user's own memberships with their authorities, in the default order (by authority)."""
    return Membership.objects.filter(user=user).select_related("authority")


def members_visible(user: User | AnonymousUser, authority: Authority) -> MembershipQuerySet:
    """The members of an authority that `user` may see (none of another council's), with their users."""
    return Membership.objects.for_user(user).filter(authority=authority)


def team_of(authority: Authority) -> MembershipQuerySet:
    """The members of an authority the caller has already been allowed to see, with their users."""
    return Membership.objects.filter(authority=authority).select_related("user", "authority")


def pending_invitations(authority: Authority) -> InvitationQuerySet:
    """Invitations to an authority not yet accepted, revoked or expired."""
    return Invitation.objects.filter(authority=authority).pending()


def account_exists(email: str) -> bool:
    return User.objects.filter(email=email).exists()


def user_by_email(email: str) -> User | None:
    return User.objects.filter(email=email).first()


def own_token(user: User, token_id: UUID | None) -> ApiToken | None:
    """One of the user's own API tokens (None for another person's, or none named)."""
    return ApiToken.objects.filter(user=user, uuid=token_id).first() if token_id else None


def authority_fresh(authority: Authority) -> Authority:
    """The authority read again (for a form that edits it, apart from the scoped copy)."""
    return Authority.objects.get(pk=authority.pk)


def authority_by_code(ons_code: str) -> Authority | None:
    """Any authority by ONS code (national pages only: the caller is an analyst)."""
    return Authority.objects.filter(ons_code=ons_code).first() if ons_code else None


def authority_choices() -> AuthorityQuerySet:
    """Every authority's code and name, for a national filter."""
    return Authority.objects.only("ons_code", "name")


def authorities_visible(user: User | AnonymousUser) -> AuthorityQuerySet:
    """The authorities `user` may see: all for national staff, their own for council staff."""
    return Authority.objects.for_user(user)


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


def authorities_listed(user: User | AnonymousUser) -> AuthorityQuerySet:
    """The authorities `user` may see, with the columns a national list shows."""
    return Authority.objects.for_user(user).only("name", "ons_code", "region")
